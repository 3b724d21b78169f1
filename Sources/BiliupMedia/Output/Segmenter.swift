import CFFmpeg
import Foundation

/// When to start a new file. Cuts happen only at video keyframes (any packet for audio-only input).
public struct SplitPolicy: Sendable, Equatable {
    public var maxDuration: Duration?
    public var maxBytes: Int64?
    public init(maxDuration: Duration? = nil, maxBytes: Int64? = nil) {
        self.maxDuration = maxDuration
        self.maxBytes = maxBytes
    }
}

public enum SegmentEvent: Sendable {
    case opened(path: String)
    case closed(path: String, report: SegmentReport)
}

/// Cuts the repaired packet stream into files. Each file starts at timestamp 0 with a keyframe and its
/// codec headers. At a cut the keyframe opens the new file; audio that belongs before the cut but
/// arrives after the keyframe still goes into the old file, which stays open until every audio track
/// has passed the cut, so no frame is lost or doubled across files.
final class Segmenter {
    private final class OpenFile {
        let muxer: any SegmentMuxer
        let target: SegmentFile
        var report: SegmentReport
        let originMicros: Int64
        let origins: [Int64]
        var endMicros: Int64 = 0
        /// `ArrivalClock.resets` when the file opened: after a reconnect its first frame cannot be placed
        /// again on the new timeline (repaired timestamps run on while the wall clock jumped).
        let clockResets: Int?

        init(muxer: any SegmentMuxer, target: SegmentFile, report: SegmentReport, originMicros: Int64, origins: [Int64],
             clockResets: Int?) {
            self.muxer = muxer
            self.target = target
            self.report = report
            self.originMicros = originMicros
            self.origins = origins
            self.clockResets = clockResets
        }
    }

    /// How far video may run past a cut while the old file still waits for late audio. MPEG-TS lags
    /// audio a few hundred milliseconds; fMP4 delivers whole fragments per track, seconds apart.
    static let straddleMicros: Int64 = 5_000_000
    /// A file that starts fresh (not at a cut) holds its first packets until every track has shown its
    /// first one, so the earliest timestamp of any track becomes 0; bounded for inputs that never
    /// deliver a track.
    static let maxLeadInMicros: Int64 = 5_000_000
    static let maxLeadInPackets = 512
    static let partSuffix = ".part"
    private static let micros = AVRational(num: 1, den: 1_000_000)

    private let format: OutputFormat
    private let split: SplitPolicy
    /// The next file, its `.part` already created (exclusively).
    private let nextFile: () throws(MediaError) -> SegmentFile
    private let onEvent: (SegmentEvent) -> Void
    private var tracks: [Track] = []
    private var current: OpenFile?
    private var closing: OpenFile?
    private var cutMicros: Int64 = 0
    private var audioPastCut = Set<Int>()
    private var nextStartReason = "start"
    /// Notes that arrived while no file was open; they go into the next one.
    private var pendingReconnects: [SegmentReport.Reconnect] = []
    private var pendingDropped = 0
    /// Media time written across all files, for `--duration`.
    private(set) var writtenMicros: Int64 = 0
    private var firstMicros: Int64?
    /// Packets held while a fresh file decides its origin, with when each arrived (`ArrivalClock`).
    private var leadIn: [(packet: Packet, micros: Int64, arrival: Double)] = []
    /// Told as files open and close (companion files such as the danmaku XML).
    private let observer: (any SegmentObserver)?
    /// A file is announced to the observer this long (on the arrival clock) after it opened, not at once:
    /// a source starts with a burst of buffered media (a CDN's GOP cache), and only the packets after it
    /// show how stream time maps to the clock, so a first file timed at its opening would be timed from
    /// the burst, up to seconds off. One second of arrivals holds the bursts seen. A file that follows a
    /// cut is announced when the one before it ends (milliseconds later), well within the capture's
    /// holdback (2 s), so chat from the new file's start is still held when it is announced.
    static let announceAfterSeconds = 1.0
    /// ...and once the clock's estimate has held still this long: a recorder that starts behind (a busy
    /// machine) reads buffered media faster than real time until it has caught up.
    static let settledSeconds = 1.0
    /// At the latest: chat that arrives meanwhile waits in the capture, which holds it while no file is open.
    static let announceAtLatestSeconds = 10.0
    private var unannounced: (path: String, micros: Int64, arrival: Double)?
    private var settling: (offset: Double, since: Double) = (0, 0)
    /// Times each file's first frame for the observer; nil without one, so plain recordings pay nothing.
    let arrivals: ArrivalClock?
    /// Each file's first frame on the origin's clock, where an HLS playlist stamps segments; nil without an observer.
    let programDates: ProgramDateClock?

    init(format: OutputFormat, split: SplitPolicy, nextFile: @escaping () throws(MediaError) -> SegmentFile,
         observer: (any SegmentObserver)? = nil, onEvent: @escaping (SegmentEvent) -> Void) {
        self.format = format
        self.split = split
        self.nextFile = nextFile
        self.observer = observer
        self.arrivals = observer == nil ? nil : ArrivalClock()
        self.programDates = observer == nil ? nil : ProgramDateClock()
        self.onEvent = onEvent
    }

    var currentPath: String? { current?.target.path }
    var currentBytes: Int64 { current?.muxer.bytesWritten ?? 0 }
    /// Bytes of the files finished so far.
    private(set) var closedBytes: Int64 = 0

    /// Packets from now on are described by `newTracks`. Different codecs end the open files.
    func setTracks(_ newTracks: [Track]) throws(MediaError) {
        if (current != nil || !leadIn.isEmpty) && !tracks.sameCodecs(as: newTracks) {
            let from = tracks.map(\.summary).joined(separator: ", ")
            let to = newTracks.map(\.summary).joined(separator: ", ")
            try closeAll(reason: "codec change")
            nextStartReason = "codec change: \(from) → \(to)"
        }
        tracks = newTracks
    }

    func noteFix(_ fix: SegmentReport.TimestampFix) {
        guard let f = current else { return }
        var fix = fix
        fix.at = max(0, fix.at - Double(f.originMicros) / 1e6)
        f.report.timestampFixes.append(fix)
    }

    func noteReconnect(reason: String, repeatedFramesDropped: Int) {
        let at = current.map { Double($0.endMicros - $0.originMicros) / 1e6 } ?? 0
        let r = SegmentReport.Reconnect(at: at, reason: reason, repeatedFramesDropped: repeatedFramesDropped)
        if let f = current { f.report.reconnects.append(r) } else { pendingReconnects.append(r) }
    }

    func noteGap(_ what: String) {
        guard let f = current else { return }
        f.report.gaps.append(.init(at: Double(f.endMicros - f.originMicros) / 1e6, what: what))
    }

    func noteDroppedBeforeKeyframe(_ n: Int) {
        guard n > 0 else { return }
        if let f = current { f.report.framesBeforeKeyframeDropped += n } else { pendingDropped += n }
    }

    func write(_ p: Packet) throws(MediaError) {
        let us = av_rescale_q(p.dts, tracks[p.track].timeBase, Segmenter.micros)
        let kind = tracks[p.track].kind
        let cutPoint = kind == .video ? p.isKeyframe : !tracks.contains { $0.kind == .video }
        if let arrivals {
            arrivals.observe(streamMicros: us)
            programDates?.observe(byte: p.position, streamMicros: us)
            if unannounced != nil { announceWhenSettled(arrivals) }
        }
        if current == nil {
            leadIn.append((p, us, arrivals?.lastArrival ?? 0))
            let allSeen = Set(leadIn.map(\.packet.track)).count == tracks.count
            if !allSeen && us - leadIn[0].micros < Segmenter.maxLeadInMicros
                && leadIn.count < Segmenter.maxLeadInPackets { return }
            return try flushLeadIn()
        } else if cutPoint, let reason = splitReason(at: us) {
            try finishClosing()
            closing = current
            cutMicros = us
            audioPastCut.removeAll()
            current = nil
            nextStartReason = reason
            try open(at: us, arrival: arrivals?.lastArrival ?? 0)
        }
        if let old = closing, kind != .video {
            if us < cutMicros { return try append(p, to: old, micros: us) }
            audioPastCut.insert(p.track)
        }
        try append(p, to: current!, micros: us)
        if closing != nil {
            let audioTracks = tracks.filter { $0.kind == .audio }.count
            if audioPastCut.count >= audioTracks || us - cutMicros > Segmenter.straddleMicros { try finishClosing() }
        }
    }

    /// Opens the file at the earliest held timestamp and writes what was held.
    private func flushLeadIn() throws(MediaError) {
        // In timestamp order: muxers (FLV) refuse a packet older than the first one they were given.
        let held = leadIn.enumerated().sorted { ($0.element.micros, $0.offset) < ($1.element.micros, $1.offset) }.map(\.element)
        guard let first = held.first else { return }
        leadIn.removeAll()
        try open(at: first.micros, arrival: first.arrival)
        for (p, us, _) in held { try append(p, to: current!, micros: us) }
    }

    private func splitReason(at us: Int64) -> String? {
        guard let f = current else { return nil }
        if let d = split.maxDuration, Double(us - f.originMicros) >= d.seconds * 1e6 { return "split by time" }
        if let b = split.maxBytes, f.muxer.bytesWritten >= b { return "split by size" }
        return nil
    }

    /// Opens the next file, whose first frame has stream time `us` and arrived at `arrival`.
    private func open(at us: Int64, arrival: Double) throws(MediaError) {
        let target = try nextFile()
        let muxer: any SegmentMuxer
        do { muxer = try format.makeMuxer(file: target.takePart()!, tracks: tracks) } catch {
            target.discard()
            throw error
        }
        var report = SegmentReport(file: target.name, format: format.rawValue, startedAt: Date())
        report.tracks = tracks.map(\.summary)
        report.startReason = nextStartReason
        report.reconnects = pendingReconnects
        report.framesBeforeKeyframeDropped = pendingDropped
        pendingReconnects.removeAll()
        pendingDropped = 0
        nextStartReason = "start"
        let origins = tracks.map { av_rescale_q(us, Segmenter.micros, $0.timeBase) }
        current = OpenFile(muxer: muxer, target: target, report: report, originMicros: us, origins: origins,
                           clockResets: arrivals?.resets)
        if firstMicros == nil { firstMicros = us }
        if observer != nil {
            announce()  // a file shorter than the settling time is announced when the next one opens
            unannounced = (target.path, us, arrival)
            settling = (arrivals?.offset ?? 0, arrival)
        }
        onEvent(.opened(path: target.path))
    }

    private func announceWhenSettled(_ arrivals: ArrivalClock) {
        guard let u = unannounced else { return }
        let now = arrivals.lastArrival
        let offset = arrivals.offset ?? 0
        if abs(offset - settling.offset) > 0.005 { settling = (offset, now) }
        let waited = now - u.arrival
        // While the file before it is still open (late audio at a cut) its chat is being written: the
        // new file must be known within the capture's holdback, settled or not.
        let settled = now - settling.since >= Segmenter.settledSeconds || closing != nil
        if waited >= Segmenter.announceAtLatestSeconds || (waited >= Segmenter.announceAfterSeconds && settled) {
            announce()
        }
    }

    /// Tells the observer about the file opened last, timed by the arrival clock as it stands now.
    private func announce() {
        guard let u = unannounced, let observer, let arrivals else { return }
        unannounced = nil
        let origin = arrivals.origin(streamMicros: u.micros, arrival: u.arrival)
        observer.segmentOpened(path: u.path, firstFrameAt: origin.firstFrameAt, arrivalLag: origin.arrivalLag,
                               programDateTime: programDates?.date(streamMicros: u.micros))
    }

    private func append(_ p: Packet, to f: OpenFile, micros us: Int64) throws(MediaError) {
        let origin = f.origins[p.track]
        p.dts -= origin
        p.pts -= origin
        guard p.dts >= 0 else { return }  // cannot happen after the gate; a muxer would reject it
        let tb = tracks[p.track].timeBase
        if f.report.videoFrames + f.report.audioFrames == 0 {
            f.report.firstTimestamp = Double(us - f.originMicros) / 1e6
        }
        if tracks[p.track].kind == .video {
            f.report.videoFrames += 1
            if p.isKeyframe { f.report.keyframes += 1 }
        } else {
            f.report.audioFrames += 1
        }
        let durUs = p.duration > 0 ? av_rescale_q(p.duration, tb, Segmenter.micros) : 0
        let endUs = us + durUs
        try f.muxer.write(p)
        if endUs > f.endMicros {
            f.endMicros = endUs
            f.report.lastTimestamp = Double(us - f.originMicros) / 1e6
        }
        if let first = firstMicros { writtenMicros = max(writtenMicros, endUs - first) }
    }

    private func finishClosing() throws(MediaError) {
        guard let f = closing else { return }
        closing = nil
        try finish(f, reason: "split")
    }

    /// Closes every open file: each is finished, renamed from `.part`, and reported.
    func closeAll(reason: String) throws(MediaError) {
        var firstError: MediaError?
        do { try flushLeadIn() } catch { firstError = error }
        for f in [closing, current].compactMap({ $0 }) {
            do { try finish(f, reason: reason) } catch { firstError = firstError ?? error }
        }
        closing = nil
        current = nil
        if let firstError { throw firstError }
    }

    private func finish(_ f: OpenFile, reason: String) throws(MediaError) {
        f.report.endReason = reason
        var writeError: MediaError?
        do { try f.muxer.finish() } catch { writeError = error }
        f.report.bytes = f.muxer.bytesWritten
        closedBytes += f.report.bytes
        f.report.duration = Double(f.endMicros - f.originMicros) / 1e6
        // Before the rename can fail: the observer's companion files are finished whatever happens to
        // the video's name, and the report (sidecar, `.closed` event) names them.
        announce()  // the file after a cut: the observer hears of it before the old one ends
        let refined = arrivals.flatMap { $0.resets == f.clockResets ? $0.instant(streamMicros: f.originMicros) : nil }
        f.report.danmaku = observer?.segmentClosing(path: f.target.path, firstFrameAt: refined)
        try f.target.rename()
        try? f.target.writeSidecar(f.report)
        onEvent(.closed(path: f.target.path, report: f.report))
        if let writeError { throw writeError }
    }
}
