import BiliupValues
import Synchronization

/// What main.lua may ask of the running engine: `biliup.status()` and `biliup.pause/resume/start/stop(name)`.
/// The engine gives itself to `MainScript.attach(_:)` once it runs, so main.lua is one more client of
/// the engine's commands, beside the API and the CLI.
public protocol EngineControl: Sendable {
    /// Streamers, recordings, queue and disk, as a table main.lua reads.
    func scriptStatus() async -> JSONValue
    /// Runs `command` on the streamer named `streamer`; the failure is the engine's message.
    func run(_ command: StreamerCommand, streamer: String) async -> Result<JSONValue, EngineControlError>
}

public enum StreamerCommand: String, Sendable, CaseIterable {
    case pause, resume, start, stop
}

public struct EngineControlError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// Where main.lua's VMs find the engine: shared by every reload of the file, empty until the engine runs.
final class EngineControlSlot: Sendable {
    private let engine = Mutex<(any EngineControl)?>(nil)

    var current: (any EngineControl)? { engine.withLock { $0 } }

    func set(_ control: any EngineControl) { engine.withLock { $0 = control } }
}
