/// One rule of the repair chain between demuxer and segmenter. `PacketPipeline` runs its rules in list
/// order: what one rule puts out is what the next one sees.
protocol RepairRule: AnyObject {
    /// A new input starts (first open, reconnect, boundary, codec change): the packets that follow are
    /// described by `input.tracks`. The rule keeps `input` to report notes and share findings.
    func begin(_ input: RepairInput)
    /// Takes one packet and appends to `output` what goes on: nothing to drop it (reported with a
    /// note), the packet itself (possibly with rewritten timestamps), or packets it held back. `output`
    /// is a buffer the pipeline reuses, so passing a packet on allocates nothing.
    func process(_ packet: Packet, into output: inout [Packet])
}

/// What a rule tells the report.
enum RepairNote: Equatable {
    case dropped(DropReason)
    case timestampFixed(SegmentReport.TimestampFix)

    enum DropReason: Equatable {
        /// Came before the input's first video keyframe: undecodable.
        case beforeKeyframe
        /// The source sent it again after a reconnect; it was written before.
        case repeated
    }
}

/// What the rules share about the input being read, for as long as it is read.
final class RepairInput {
    let tracks: [Track]
    /// This input follows a reconnect, so the source may resend frames already written.
    let followsReconnect: Bool
    /// Set by a rule that recognised this input as the previous one's timeline shifted by this much
    /// (new minus old, in microseconds), before it passes on the first packet of the input.
    var timelineShiftMicros: Int64?
    private let report: (RepairNote) -> Void

    init(tracks: [Track], followsReconnect: Bool, report: @escaping (RepairNote) -> Void) {
        self.tracks = tracks
        self.followsReconnect = followsReconnect
        self.report = report
    }

    func note(_ n: RepairNote) { report(n) }
}
