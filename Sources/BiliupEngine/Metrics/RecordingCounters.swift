import BiliupMedia
import Synchronization

/// What the engine's recordings and uploads have done since the start, per streamer: the running totals
/// `GET /metrics` reads. Recorders report on their own threads and the engine actor adds the counts
/// here, so a scrape reads them without waiting for the actor's queue.
public final class RecordingCounters: Sendable {
    /// One streamer's totals. Bytes count whole recordings when they end; the open one is added at reading.
    public struct Streamer: Sendable, Equatable {
        public var recordings = 0
        public var endedRecordingBytes: Int64 = 0
        public var segments = 0
        public var segmentBytes: Int64 = 0
        public var videoFrames = 0
        public var audioFrames = 0
        public var reconnects = 0
        public var timestampFixes = 0
    }

    /// Totals of the upload queue's finished work.
    public struct Uploads: Sendable, Equatable {
        public var parts = 0
        public var bytes: Int64 = 0
    }

    private let streamers = Mutex<[String: Streamer]>([:])
    private let uploads = Mutex(Uploads())

    public init() {}

    func recordingStarted(_ streamer: String) {
        streamers.withLock { $0[streamer, default: Streamer()].recordings += 1 }
    }

    /// A recording ended having written `bytes` (all its files).
    func recordingEnded(_ streamer: String, writtenBytes bytes: Int64) {
        streamers.withLock { $0[streamer, default: Streamer()].endedRecordingBytes += bytes }
    }

    /// A segment file was closed and kept.
    func segmentClosed(_ streamer: String, _ report: SegmentReport) {
        streamers.withLock {
            var s = $0[streamer, default: Streamer()]
            s.segments += 1
            s.segmentBytes += report.bytes
            s.videoFrames += report.videoFrames
            s.audioFrames += report.audioFrames
            s.timestampFixes += report.timestampFixes.count
            $0[streamer] = s
        }
    }

    func reconnected(_ streamer: String) {
        streamers.withLock { $0[streamer, default: Streamer()].reconnects += 1 }
    }

    func uploaded(bytes: Int64) {
        uploads.withLock {
            $0.parts += 1
            $0.bytes += bytes
        }
    }

    /// Every streamer that recorded since the start, by name.
    public var byStreamer: [String: Streamer] { streamers.withLock { $0 } }
    public var uploadTotals: Uploads { uploads.withLock { $0 } }
}
