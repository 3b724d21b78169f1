import CFFmpeg

/// Maps each input's timestamps onto one continuous, strictly increasing timeline per track: the
/// timeline starts at 0, survives reconnects and discontinuities, and has forward jumps and backward
/// steps of the source removed. Every fix it makes is noted for the report.
final class TimelineRepair: RepairRule {
    private struct TrackState {
        var offset: Int64 = 0
        var lastIn: Int64 = 0
        var lastOut: Int64? = nil
        /// Last normal step between packets; a repaired step continues with it.
        var step: Int64 = 1
        var anchored = false
        /// The track's first packet of an input has no step to check: the last timestamp seen is on the
        /// old input's timeline (unless a shift lined the two up).
        var seenInInput = false
    }

    /// A forward step larger than this is a timestamp jump, not a real pause: live encoders send
    /// frames every 10–50 ms and a CDN hiccup long enough to matter comes with a reconnect.
    static let maxForwardStepSeconds = 1.0

    private var states: [TrackState] = []
    private var timeBases: [AVRational] = []
    private var names: [String] = []
    private var input: RepairInput?
    /// The input's first packet is yet to come: a shift found by the repeated-data filter applies then.
    private var awaitingFirstPacket = false
    private static let micros = AVRational(num: 1, den: 1_000_000)

    /// Starts reading a new input (first open, reconnect, discontinuity, codec change).
    func begin(_ input: RepairInput) {
        let tracks = input.tracks
        if tracks.count != states.count || zip(timeBases, tracks).contains(where: { av_cmp_q($0, $1.timeBase) != 0 }) {
            // Different track layout: keep continuing from the furthest point reached so far.
            let endUs = furthestEndMicros()
            states = tracks.map { t in
                var s = TrackState()
                if let endUs { s.lastOut = av_rescale_q(endUs, TimelineRepair.micros, t.timeBase) - 1 }
                return s
            }
        }
        for i in states.indices {
            states[i].anchored = false
            states[i].seenInInput = false
        }
        timeBases = tracks.map(\.timeBase)
        names = tracks.map { $0.kind == .video ? "video" : "audio" }
        self.input = input
        awaitingFirstPacket = true
    }

    func process(_ p: Packet, into output: inout [Packet]) {
        if awaitingFirstPacket {
            awaitingFirstPacket = false
            if let shift = input?.timelineShiftMicros { align(shiftMicros: shift) }
        }
        if let fix = apply(p) { input?.note(.timestampFixed(fix)) }
        output.append(p)
    }

    /// The repeated-data filter recognised the new input as the same timeline shifted by `shiftMicros`.
    private func align(shiftMicros: Int64) {
        for i in states.indices where states[i].lastOut != nil {
            let shift = av_rescale_q(shiftMicros, TimelineRepair.micros, timeBases[i])
            states[i].offset -= shift
            // The last input timestamp moves too, so the next step is measured on the new timeline.
            states[i].lastIn += shift
            states[i].anchored = true
        }
    }

    private func furthestEndMicros() -> Int64? {
        zip(states, timeBases).compactMap { s, tb in
            s.lastOut.map { av_rescale_q($0 + s.step, tb, TimelineRepair.micros) }
        }.max()
    }

    /// Rewrites `packet`'s timestamps; returns a fix to report, if one was made.
    private func apply(_ packet: Packet) -> SegmentReport.TimestampFix? {
        let t = packet.track
        let tb = timeBases[t]
        let nopts = shim_AV_NOPTS_VALUE()
        var fix: SegmentReport.TimestampFix?
        var dts = packet.dts != nopts ? packet.dts : packet.pts
        if dts == nopts {
            dts = states[t].lastIn + states[t].step
            fix = makeFix(t, kind: "missing", delta: 0)
        }
        let cto = packet.pts != nopts ? packet.pts - (packet.dts != nopts ? packet.dts : packet.pts) : 0
        var s = states[t]
        if !s.anchored {
            // A new input: continue one step after the furthest point any track reached (0 at the start).
            let startUs = furthestEndMicros() ?? 0
            let dtsUs = av_rescale_q(dts, tb, TimelineRepair.micros)
            for i in states.indices where !states[i].anchored {
                states[i].offset = av_rescale_q(startUs - dtsUs, TimelineRepair.micros, timeBases[i])
                states[i].anchored = true
            }
            s = states[t]
        } else if s.seenInInput {
            let delta = dts - s.lastIn
            let limit = av_rescale_q(Int64(TimelineRepair.maxForwardStepSeconds * 1e6), TimelineRepair.micros, tb)
            if delta < 0 || delta > limit, let last = s.lastOut {
                s.offset = last + s.step - dts
                fix = makeFix(t, kind: delta < 0 ? "backwards" : "jump", delta: delta)
            } else if delta > 0 {
                s.step = delta
            }
        }
        var out = dts + s.offset
        if let last = s.lastOut, out <= last { out = last + 1 }  // muxers need strictly increasing dts
        s.lastIn = dts
        s.lastOut = out
        s.seenInInput = true
        states[t] = s
        packet.dts = out
        packet.pts = out + cto
        return fix
    }

    private func makeFix(_ t: Int, kind: String, delta: Int64) -> SegmentReport.TimestampFix {
        let ms = av_rescale_q(delta, timeBases[t], AVRational(num: 1, den: 1000))
        let atUs = states[t].lastOut.map { av_rescale_q($0, timeBases[t], TimelineRepair.micros) } ?? 0
        return .init(at: Double(atUs) / 1e6, track: names[t], kind: kind, deltaMs: ms)
    }
}
