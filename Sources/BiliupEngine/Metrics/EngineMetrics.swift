import BiliupMedia
import Foundation

/// Everything `GET /metrics` shows of the engine, read in one visit of the actor.
public struct EngineMetrics: Sendable {
    /// One watched (or retiring) streamer.
    public struct Streamer: Sendable {
        public var name: String
        public var phase: StreamerPhase
        /// The running recording's state (connecting, recording, reconnecting), if one runs.
        public var recordingState: RecordingStatus.State?
        /// Totals since the start; `counters.endedRecordingBytes` plus the open recording's bytes is `bytesWritten`.
        public var counters: RecordingCounters.Streamer
        public var bytesWritten: Int64
    }

    public var startedAt: Date
    public var streamers: [Streamer]
    /// Live streamers waiting for a recording slot (max_recordings).
    public var recordingQueue: Int
    public var maxRecordings: Int
    public var checks: [String: CheckCounters.Platform]
    public var scheduler: SchedulerStats
    /// Parts in the upload queue and their bytes; parts uploading now; totals uploaded since the start.
    public var uploadQueueParts: Int
    public var uploadQueueBytes: Int64
    public var uploadsRunning: Int
    public var uploaded: RecordingCounters.Uploads
    public var diskFree: Int64?
}

extension Engine {
    /// The metrics snapshot. Streamers are sorted by name, so the exposition is stable between scrapes.
    public func metrics() -> EngineMetrics {
        let totals = counters.byStreamer
        var streamers: [EngineMetrics.Streamer] = []
        streamers.reserveCapacity(watches.count + retiring.count)
        let queued = Set(queue)
        for (name, watch) in watches {
            streamers.append(metrics(of: watch, phase: phase(of: watch, queued: queued.contains(name)), totals: totals[name]))
        }
        for (name, watch) in retiring where watches[name] == nil {
            streamers.append(metrics(of: watch, phase: .recording, totals: totals[name]))
        }
        streamers.sort { $0.name < $1.name }
        let queue = (try? store.uploadQueueSize()) ?? (parts: 0, bytes: 0)
        return EngineMetrics(startedAt: startedAt, streamers: streamers, recordingQueue: self.queue.count,
                             maxRecordings: config.global.maxRecordings, checks: scheduler.checkCounters.byPlatform,
                             scheduler: scheduler.stats, uploadQueueParts: queue.parts, uploadQueueBytes: queue.bytes,
                             uploadsRunning: uploadWork.uploadingFiles, uploaded: counters.uploadTotals,
                             diskFree: diskGuard.freeBytes())
    }

    private func metrics(of watch: StreamerWatch, phase: StreamerPhase, totals: RecordingCounters.Streamer?) -> EngineMetrics.Streamer {
        let status = watch.recording?.recording.status
        let totals = totals ?? RecordingCounters.Streamer()
        return EngineMetrics.Streamer(name: watch.name, phase: phase, recordingState: status?.state, counters: totals,
                                      bytesWritten: totals.endedRecordingBytes + (status?.writtenBytes ?? 0))
    }

    /// The phase `runtime(named:)` reports, without its progress sample.
    private func phase(of watch: StreamerWatch, queued: Bool) -> StreamerPhase {
        if watch.recording != nil { return .recording }
        if watch.paused { return .paused }
        if watch.stopped { return .stopped }
        if queued { return .queued }
        if watch.waitingSince != nil { return .waiting }
        return .idle
    }
}
