/// Runs every packet from the demuxer through the repair rules, in list order, into the segmenter, and
/// turns the rules' notes into the segments' reports.
final class PacketPipeline {
    /// One rule and the buffer it puts its output in, reused for every packet.
    private final class Stage {
        let rule: any RepairRule
        var output: [Packet] = []
        init(_ rule: any RepairRule) { self.rule = rule }
    }

    /// The rules a recording runs, fresh for each pipeline (rules keep state per input).
    static func defaultRules() -> [any RepairRule] {
        [KeyframeGate(), RepeatedDataFilter(), TimelineRepair()]
    }

    let segmenter: Segmenter
    private let stages: [Stage]
    private let maxDurationMicros: Int64?
    private var tracks: [Track] = []
    /// Why the current input follows a reconnect, until its first packet is written.
    private var pendingReconnect: String?
    private var repeatedDropped = 0
    private var wroteInPush = false
    private(set) var hasWritten = false

    init(segmenter: Segmenter, maxDuration: Duration?, rules: [any RepairRule] = PacketPipeline.defaultRules()) {
        self.segmenter = segmenter
        stages = rules.map(Stage.init)
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
        let followsReconnect = reconnect != nil && !sameInput
        if followsReconnect { segmenter.arrivals?.reset() }
        if !sameInput { segmenter.programDates?.reset() }  // a new demuxer counts bytes from 0
        let input = RepairInput(tracks: newTracks, followsReconnect: followsReconnect) { [unowned self] in self.take($0) }
        for stage in stages { stage.rule.begin(input) }
        try segmenter.setTracks(newTracks)
        pendingReconnect = reconnect
        repeatedDropped = 0
    }

    func note(_ n: SourceNote) {
        switch n {
        case .sequenceGap(let from, let to): segmenter.noteGap("HLS segments \(from)–\(to) missed")
        case .segmentFailed(let uri, let reason): segmenter.noteGap("HLS segment \(uri) skipped: \(reason)")
        case .discontinuity: segmenter.noteGap("discontinuity")
        case .programDateTime(let date, let byte): segmenter.programDates?.expect(date, atByte: byte)
        }
    }

    /// Returns whether a frame was written.
    func push(_ p: Packet) throws(MediaError) -> Bool {
        segmenter.arrivals?.mark()
        wroteInPush = false
        try run(p, from: 0)
        hasWritten = hasWritten || wroteInPush
        return wroteInPush
    }

    /// Each packet a rule puts out goes through the rest of the list before the next one, so notes and
    /// writes reach the segmenter in packet order (a fix lands in the file that holds its packet).
    private func run(_ p: Packet, from index: Int) throws(MediaError) {
        guard index < stages.count else { return try write(p) }
        let stage = stages[index]
        stage.rule.process(p, into: &stage.output)
        defer { stage.output.removeAll(keepingCapacity: true) }
        for q in stage.output { try run(q, from: index + 1) }
    }

    private func write(_ p: Packet) throws(MediaError) {
        if let reason = pendingReconnect {
            segmenter.noteReconnect(reason: reason, repeatedFramesDropped: repeatedDropped)
            pendingReconnect = nil
        }
        try segmenter.write(p)
        wroteInPush = true
    }

    private func take(_ n: RepairNote) {
        switch n {
        case .dropped(.beforeKeyframe): segmenter.noteDroppedBeforeKeyframe(1)
        case .dropped(.repeated): repeatedDropped += 1
        case .timestampFixed(let fix): segmenter.noteFix(fix)
        }
    }
}
