import BiliupScript
import Foundation

/// The engine's state for one streamer (owned by the Engine actor).
final class StreamerWatch {
    var declaration: StreamerDeclaration
    var streamerId: Int64?
    var recording: RoomRecording?
    /// Hands the recording's events to the engine; done once the recording has ended.
    var follower: Task<Void, Never>?
    /// The broadcast in progress (it outlives recordings: a drop shorter than `delay` continues it).
    var sessionId: Int64?
    /// When the last recording of the session ended, while waiting `delay` for the room to come back.
    var waitingSince: Date?
    /// A live result waiting for a free recording slot.
    var pendingCheck: CheckResult?
    var paused = false
    /// Said once per change, not at every check.
    var lastError: String?
    var refusal: String?
    /// Store ids of the segments being written, by path.
    var openSegments: [String: Int64?] = [:]

    var name: String { declaration.name }

    init(declaration: StreamerDeclaration, streamerId: Int64?) {
        self.declaration = declaration
        self.streamerId = streamerId
    }
}
