import Foundation

/// One running recording, as the API and the `progress` events show it.
public struct RecordingProgress: Sendable, Equatable {
    public var streamer: String
    public var streamerId: Int64?
    public var sessionId: Int64?
    /// The file being written (nil while connecting).
    public var file: String?
    /// Bytes written in this recording so far (all its files).
    public var bytes: Int64
    /// Seconds of media recorded so far.
    public var duration: Double
    /// Bits per second written over the last progress interval.
    public var bitrate: Double
    public var startedAt: Date
    public var reconnects: Int
    public var measuredAt: Date
}

/// What a streamer is doing now.
public enum StreamerPhase: String, Sendable {
    /// Watched; not live (or not known to be).
    case idle
    case recording
    /// Its recording ended; waiting `delay` for the broadcast to come back before the session ends.
    case waiting
    /// Live; waiting for a free recording slot (max_recordings).
    case queued
    case paused
    /// Stopped by the user until the broadcast ends.
    case stopped
}

/// A streamer's runtime state beside what the store keeps of it.
public struct StreamerRuntime: Sendable, Equatable {
    public var phase: StreamerPhase
    public var recording: RecordingProgress?
    public var lastError: String?
    /// Why it is live but not recorded (schedule, title filter, disk), when it is.
    public var refusal: String?
}

/// The engine at a glance, for `GET /api/status` and the dashboard.
public struct EngineStatus: Sendable {
    public var startedAt: Date
    public var streamers: Int
    public var recordings: [RecordingProgress]
    /// Live streamers waiting for a recording slot, first come first served.
    public var queue: [String]
    /// Where recordings go, and its free and total bytes.
    public var diskPath: String
    public var diskFree: Int64?
    public var diskTotal: Int64?
}
