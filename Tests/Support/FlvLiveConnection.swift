import Foundation

/// One client of an `FlvLiveSource`, pumped by the stream pacer. New tags are queued only once the
/// previous ones are all in the kernel's socket buffer, so a client that stops reading makes its
/// stream wait (as TCP would) without holding up anyone else, and "sent" always means handed over.
final class FlvLiveConnection: PacedStream, @unchecked Sendable {  // mutable state is the pacer thread's alone
    /// At most this much is queued per tick, so catching up after a stall (or a GOP cache at high
    /// speed) goes out over several ticks instead of one large buffer.
    private static let maxQueuedBytes = 256 * 1024

    private let source: FlvLiveSource
    private let response: ResponseWriter
    private let number: Int
    private let start: Int
    private var next: Int
    /// Bytes queued for the client; those before `pendingOffset` are already sent. Only an offset moves
    /// on partial writes: the buffer is emptied in place once all is sent, so its storage is reused
    /// (Data's `removeFirst` just slices, and appending to that slice would grow its storage forever).
    private var pending: Data
    private var pendingOffset = 0
    private var lastQueuedTime: Int?
    private var recordedNext: Int
    /// The sequence headers last sent, so one repeated unchanged (a looping file) is not sent again.
    private var videoHeader: FlvTag?
    private var audioHeader: FlvTag?
    private var closeWhenFlushed = false

    init(source: FlvLiveSource, response: ResponseWriter, number: Int, start: Int) {
        self.source = source
        self.response = response
        self.number = number
        self.start = start
        next = start
        recordedNext = start
        let program = source.program
        let headers = program.headers(at: start)
        let headerTime = source.outputTimestamp(program.time(of: start))
        pending = FlvTagWriter.header(audio: program.hasAudio, video: program.hasVideo)
        if let script = headers.script { FlvTagWriter.append(script, timestamp: 0, to: &pending) }
        for header in [headers.video, headers.audio].compactMap({ $0 }) {
            FlvTagWriter.append(header, timestamp: headerTime, to: &pending)
        }
        videoHeader = headers.video
        audioHeader = headers.audio
    }

    func pump(now: ContinuousClock.Instant) -> Bool {
        if pending.isEmpty && !closeWhenFlushed { queueDue(live: source.livePoint(at: now)) }
        guard let written = response.writeAvailable(pending[(pending.startIndex + pendingOffset)...]) else {
            return false  // the client left
        }
        pendingOffset += written
        guard pendingOffset == pending.count else { return true }
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
        if next != recordedNext, let lastQueuedTime {
            source.recordSent(connection: number, range: start..<next, lastTime: lastQueuedTime)
            recordedNext = next
        }
        if closeWhenFlushed { response.close() }
        return !closeWhenFlushed
    }

    private func queueDue(live: Int) {
        let program = source.program
        while pending.count < Self.maxQueuedBytes {
            if !source.options.loop && next == program.count {
                closeWhenFlushed = true  // the broadcast is over
                return
            }
            let time = program.time(of: next)
            guard time <= live else { return }
            if let lastQueuedTime, source.takeCut(after: lastQueuedTime, before: time) {
                closeWhenFlushed = true
                return
            }
            let tag = program.entry(next).tag
            if !isRepeatedHeader(tag) {
                FlvTagWriter.append(tag, timestamp: source.outputTimestamp(time), to: &pending)
            }
            lastQueuedTime = time
            next += 1
        }
    }

    private func isRepeatedHeader(_ tag: FlvTag) -> Bool {
        guard tag.isSequenceHeader else { return false }
        if tag.isVideo {
            defer { videoHeader = tag }
            return videoHeader?.data == tag.data
        }
        defer { audioHeader = tag }
        return audioHeader?.data == tag.data
    }
}
