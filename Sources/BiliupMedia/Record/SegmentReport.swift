import Foundation

/// What the recorder knows about one file it wrote: kept beside it as `FILE.json` and printed by
/// `biliup probe` together with what a scan of the file finds.
public struct SegmentReport: Codable, Sendable {
    public struct TimestampFix: Codable, Sendable, Equatable {
        /// Seconds into the file where the fix applies.
        public var at: Double
        public var track: String
        /// "jump" (forward gap over the limit), "backwards", or "missing" (no timestamp).
        public var kind: String
        /// The step in the source, in milliseconds (positive for jumps, negative for backward steps).
        public var deltaMs: Int64
    }
    public struct Reconnect: Codable, Sendable, Equatable {
        public var at: Double
        public var reason: String
        /// Frames the source sent again after the reconnect, recognised and dropped.
        public var repeatedFramesDropped: Int
    }
    public struct Gap: Codable, Sendable, Equatable {
        public var at: Double
        public var what: String
    }

    public var file: String
    public var format: String
    public var startedAt: Date
    public var tracks: [String] = []
    public var duration: Double = 0
    public var firstTimestamp: Double = 0
    public var lastTimestamp: Double = 0
    public var videoFrames = 0
    public var audioFrames = 0
    public var keyframes = 0
    public var bytes: Int64 = 0
    public var timestampFixes: [TimestampFix] = []
    public var reconnects: [Reconnect] = []
    public var gaps: [Gap] = []
    /// Why this file started: "start", "split by time", "split by size", "codec change: …", "discontinuity".
    public var startReason: String = "start"
    /// Why it ended: "split", "stream ended", "stopped", "codec change", an error.
    public var endReason: String = ""
    /// Packets dropped because they came before the first keyframe of an input (undecodable).
    public var framesBeforeKeyframeDropped = 0
    /// The segment's chat, when the recording captured it.
    public var danmaku: Danmaku?

    public init(file: String, format: String, startedAt: Date) {
        self.file = file
        self.format = format
        self.startedAt = startedAt
    }

    public static let sidecarSuffix = ".json"

    /// The report as the `.json` beside its file holds it.
    func sidecarBytes() throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.dateEncodingStrategy = .iso8601
        return Array(try enc.encode(self))
    }

    public static func readSidecar(for path: String) -> SegmentReport? {
        guard let data = FileManager.default.contents(atPath: path + sidecarSuffix) else { return nil }
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        return try? dec.decode(SegmentReport.self, from: data)
    }
}
