import BiliupDanmaku
import BiliupMedia
import BiliupScript
import BiliupValues

/// A recording of one room as the engine drives it: BiliupMedia's `Recording` in production; in the
/// engine's tests a stand-in that writes and ends when the test says.
protocol RecordingRun: AnyObject, Sendable {
    /// Starts it; `onEnd` runs once, after its last event, with how it ended.
    func start(onEnd: @escaping @Sendable (RecordingOutcome) -> Void)
    /// Asks it to finish: open files are closed, then `onEnd` runs.
    func stop()
    var status: RecordingStatus { get }
}

extension Recording: RecordingRun {}

/// What a recording of a room found live is made from.
struct RecordingRequest: Sendable {
    var streamer: String
    var check: CheckResult
    /// The recordings folder, below which `settings.output` names the files.
    var root: String
    var settings: RecordingSettings
    /// The plugin, asked for a fresh stream URL before each reconnect.
    var checker: any RoomChecker
    var options: [String: JSONValue]
    var blockPrivateAddresses: Bool
    /// The room's chat, captured beside the video (`danmaku = true` and a plugin that gives its
    /// parameters); nil: none.
    var danmaku: DanmakuWiring? = nil
}

/// What a recording with chat connects to and tells: the request, the network (the plugins' remap,
/// proxy and address policy), the live feed and the warnings.
struct DanmakuWiring: Sendable {
    var request: DanmakuRequest
    var network: ChatNetworkSettings
    var onMessages: @Sendable ([DanmakuMessage]) -> Void
    var onWarning: @Sendable (String) -> Void
    /// Called once the recording has ended and the chat is finished (the live feed stops).
    var onEnd: @Sendable () -> Void
}

/// Makes (does not start) the recording for a request; its events go to the second argument.
typealias RecordingLauncher = @Sendable (RecordingRequest, @escaping @Sendable (RecordingEvent) -> Void) -> any RecordingRun
