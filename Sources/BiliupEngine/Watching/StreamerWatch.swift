import BiliupScript
import BiliupStore
import Foundation

/// The engine's state for one streamer (owned by the Engine actor).
final class StreamerWatch {
    var declaration: StreamerDeclaration
    var streamerId: Int64?
    /// main.lua's or the API's: only the API's may be edited through the API.
    var origin: Origin
    var recording: RoomRecording?
    /// Hands the recording's events to the engine; done once the recording has ended.
    var follower: Task<Void, Never>?
    /// The broadcast in progress (it outlives recordings: a drop shorter than `delay` continues it).
    var sessionId: Int64?
    /// When the last recording of the session ended, while waiting `delay` for the room to come back.
    var waitingSince: Date?
    /// When the session last had frames: the end of its last recording that wrote any. The session
    /// ends `delay` after it.
    var lastFrameAt: Date?
    /// The check that started the running recording: the session opens from it at the first frame.
    var liveCheck: CheckResult?
    /// Whether the running recording has written a frame.
    var recordingWroteFrames = false
    /// A live result waiting for a free recording slot.
    var pendingCheck: CheckResult?
    /// Paused by the user: no checks, no recording (kept in the store).
    var paused = false
    /// Stopped by the user: this broadcast is not recorded; cleared when the room is seen offline.
    var stopped = false
    /// Started by the user: recorded even if its schedule or title filter says no, for this broadcast.
    var forced = false
    /// The last progress sample of the running recording (bitrate is measured between samples).
    var progress: RecordingProgress?
    /// Said once per change, not at every check.
    var lastError: String?
    var refusal: String?
    /// Store ids of the segments being written, by path.
    var openSegments: [String: Int64?] = [:]

    var name: String { declaration.name }

    init(declaration: StreamerDeclaration, streamerId: Int64?, origin: Origin) {
        self.declaration = declaration
        self.streamerId = streamerId
        self.origin = origin
    }
}
