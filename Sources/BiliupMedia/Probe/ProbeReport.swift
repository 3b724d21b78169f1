/// The integrity report of a recorded file: what a full scan of the file finds, plus what the recorder
/// noted while writing it (the `FILE.json` sidecar), when present.
public struct ProbeReport: Codable, Sendable {
    public struct Stream: Codable, Sendable {
        public var kind: String
        public var codec: String
        public var frames = 0
        public var keyframes = 0
        public var firstTimestamp: Double?
        public var lastTimestamp: Double?
    }
    public struct Gap: Codable, Sendable {
        public var stream: String
        public var at: Double
        public var seconds: Double
    }
    public struct DecodeCheck: Codable, Sendable {
        public var checked: Bool
        public var errors = 0
        public var firstError: String?
    }

    public var file: String
    public var container: String
    public var bytes: Int64
    public var duration: Double
    public var streams: [Stream]
    public var videoFrames: Int
    public var audioFrames: Int
    public var keyframes: Int
    public var firstTimestamp: Double
    public var lastTimestamp: Double
    /// Steps between frames longer than `FileProbe.gapSeconds`.
    public var gaps: [Gap]
    /// Timestamps that went backwards inside one stream.
    public var nonMonotonic: Int
    public var decode: DecodeCheck
    /// From the recorder's sidecar: timestamp fixes, reconnects, missed segments, why the file started/ended.
    public var recorder: SegmentReport?

    public var isHealthy: Bool { decode.errors == 0 && nonMonotonic == 0 }
}
