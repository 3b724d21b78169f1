import Foundation

/// What one segment's chat file holds, when the segment closes: the danmaku part of its report.
public struct DanmakuSegmentSummary: Sendable, Equatable {
    /// Chat lost while the connection was down (or before it came back), within this segment.
    public struct Gap: Sendable, Equatable {
        /// Seconds into the segment where chat was lost.
        public var at: Double
        public var seconds: Double
        public var reason: String

        public init(at: Double, seconds: Double, reason: String) {
            self.at = at
            self.seconds = seconds
            self.reason = reason
        }
    }

    /// `DIR/NAME.xml` for the video `DIR/NAME.ext`.
    public var xmlPath: String
    /// The `.ass` made from it, when the capture has an ASS writer and it succeeded.
    public var assPath: String?
    /// Elements written (without `detail`, chat only).
    public var messages: Int
    /// Messages that belonged here but were lost: the queue was full (a flood, or a disk slower than the
    /// chat), or the file could not be written.
    public var dropped: Int
    /// Seconds between the segment's first frame arriving and the instant its chat times count from.
    public var offset: Double
    /// The origin's time of the first frame (HLS EXT-X-PROGRAM-DATE-TIME), where the stream has one.
    public var programDateTime: Date?
    /// Seconds the segment's start on this machine's clock trails `programDateTime`.
    public var latency: Double?
    public var gaps: [Gap]
    /// What went wrong with the files (the XML could not be created, written or renamed; the ASS failed):
    /// for a warning. Empty when all is well.
    public var errors: [String]

    public init(xmlPath: String, assPath: String? = nil, messages: Int, dropped: Int, offset: Double,
                programDateTime: Date? = nil, latency: Double? = nil, gaps: [Gap] = [], errors: [String] = []) {
        self.xmlPath = xmlPath
        self.assPath = assPath
        self.messages = messages
        self.dropped = dropped
        self.offset = offset
        self.programDateTime = programDateTime
        self.latency = latency
        self.gaps = gaps
        self.errors = errors
    }
}
