import CFFmpeg

/// The ordered rules every packet passes between demuxer and segmenter:
/// keyframe gate → repeated-data filter → timeline repair → segmenter.
final class PacketPipeline {
    let segmenter: Segmenter
    private let gate = KeyframeGate()
    private let repeats = RepeatedDataFilter()
    private let timeline = TimelineRepair()
    private let maxDurationMicros: Int64?
    private var tracks: [Track] = []
    private var linedUp = true
    private var pendingReconnect: String?
    private var repeatedDropped = 0
    private(set) var hasWritten = false

    init(segmenter: Segmenter, maxDuration: Duration?) {
        self.segmenter = segmenter
        maxDurationMicros = maxDuration.map { Int64($0.seconds * 1e6) }
    }

    var reachedMaxDuration: Bool { maxDurationMicros.map { segmenter.writtenMicros >= $0 } ?? false }

    /// A new input (after a reconnect when `reconnect` says why), new codec headers within one input
    /// (`sameInput`), or a boundary starts with these tracks. Different codecs close the open files.
    func begin(tracks newTracks: [Track], reconnect: String?, sameInput: Bool = false) throws(MediaError) {
        if sameInput && newTracks.sameCodecs(as: tracks) {
            tracks = newTracks  // a repeated header: nothing to restart
            return
        }
        tracks = newTracks
        gate.begin(tracks: newTracks)
        repeats.begin(tracks: newTracks)
        timeline.begin(tracks: newTracks)
        try segmenter.setTracks(newTracks)
        // Only a reconnect can resend what was written; a codec change or boundary carries new data.
        linedUp = reconnect == nil || sameInput
        pendingReconnect = reconnect
        repeatedDropped = 0
    }

    func note(_ n: SourceNote) {
        switch n {
        case .sequenceGap(let from, let to): segmenter.noteGap("HLS segments \(from)–\(to) missed")
        case .segmentFailed(let uri, let reason): segmenter.noteGap("HLS segment \(uri) skipped: \(reason)")
        case .discontinuity: segmenter.noteGap("discontinuity")
        }
    }

    /// Returns whether a frame was written.
    func push(_ p: Packet) throws(MediaError) -> Bool {
        let (pass, dropped) = gate.admit(p)
        segmenter.noteDroppedBeforeKeyframe(dropped)
        guard !pass.isEmpty else { return false }
        if !linedUp, let key = pass.last, tracks[key.track].kind == .video {
            if let shift = repeats.lineUp(firstKeyframe: key) { timeline.align(shiftMicros: shift) }
            linedUp = true
        }
        var wrote = false
        for q in pass {
            guard repeats.admit(q) else { repeatedDropped += 1; continue }
            if let reason = pendingReconnect {
                segmenter.noteReconnect(reason: reason, repeatedFramesDropped: repeatedDropped)
                pendingReconnect = nil
            }
            if let fix = timeline.apply(q) { segmenter.noteFix(fix) }
            try segmenter.write(q)
            wrote = true
        }
        hasWritten = hasWritten || wrote
        return wrote
    }
}
