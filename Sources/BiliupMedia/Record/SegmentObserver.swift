import Foundation

/// Told when segment files open and close, on the recording thread: how companion files (a segment's
/// danmaku XML) roll with the video, timed from each file's first frame.
public protocol SegmentObserver: AnyObject, Sendable {
    /// `path` (its final name) opened. `firstFrameAt` is the instant on this process's clock that the
    /// file's first frame belongs to, estimated from when the stream's packets arrived; `arrivalLag` is how
    /// many seconds after that instant the frame itself arrived (buffering between network and demuxer).
    /// `programDateTime`: the origin's time of that frame, where an HLS playlist stamps its segments
    /// (EXT-X-PROGRAM-DATE-TIME); nil otherwise.
    func segmentOpened(path: String, firstFrameAt: Date, arrivalLag: Double, programDateTime: Date?)
    /// `path` is about to be finished: the answer goes into its report. May block until the companion
    /// files are complete, so that the segment event names finished files. `firstFrameAt` is the instant
    /// its first frame belongs to as the clock measures it now, with the packets seen since the opening
    /// (a recorder that started behind the live edge has caught up by then); nil when unknown.
    func segmentClosing(path: String, firstFrameAt: Date?) -> SegmentReport.Danmaku?
    /// The recording ended: no file opens again.
    func recordingEnded()
}

extension SegmentReport {
    /// The danmaku captured for one segment.
    public struct Danmaku: Codable, Sendable, Equatable {
        public struct Gap: Codable, Sendable, Equatable {
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

        /// The XML's file name, beside the video.
        public var file: String
        /// The `.ass` written beside it (`danmaku_ass`), if any.
        public var ass: String?
        public var messages: Int
        /// Messages lost to a full queue (a flood, or a disk slower than the chat).
        public var dropped: Int
        /// Measured seconds between the first frame's arrival and the time origin used for chat.
        public var offset: Double
        /// The origin's time of the first frame (HLS EXT-X-PROGRAM-DATE-TIME), where the stream has one.
        public var programDateTime: Date?
        /// Seconds between that time and the first frame's time on this machine's clock: how far the
        /// recording (and the chat timed against it) runs behind the origin, clock skew included.
        public var latency: Double?
        public var gaps: [Gap]

        public init(file: String, ass: String? = nil, messages: Int, dropped: Int, offset: Double,
                    programDateTime: Date? = nil, latency: Double? = nil, gaps: [Gap] = []) {
            self.file = file
            self.ass = ass
            self.messages = messages
            self.dropped = dropped
            self.offset = offset
            self.programDateTime = programDateTime
            self.latency = latency
            self.gaps = gaps
        }
    }
}
