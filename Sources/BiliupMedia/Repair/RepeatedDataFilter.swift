import CFFmpeg

/// After a reconnect, CDNs resend the last GOP or more (their GOP cache). This recognises the first
/// keyframe of the new input among the last keyframes written, which tells how the new input's
/// timeline lines up with the old one, and drops every frame up to the point already written.
final class RepeatedDataFilter: RepairRule {
    private struct Keyframe {
        var fingerprint: UInt64
        var dtsMicros: Int64
    }

    /// Keyframes remembered: 8 GOPs cover the deepest GOP caches seen (BililiveRecorder uses 8 too).
    static let rememberedKeyframes = 8
    /// Bytes of each end of a keyframe that go into its fingerprint (with its size).
    static let fingerprintBytes = 4096
    /// Bound on audio held after a reconnect while waiting for the video that tells how the input lines
    /// up. The keyframe gate ahead holds no more than this, so it is only reached without one.
    static let maxHeldPackets = KeyframeGate.maxHeldPackets

    private var input: RepairInput?
    private var lineUpPending = false
    private var held: [Packet] = []

    private var recent: [Keyframe] = []
    private var lastMicros: [Int64?] = []
    private var previousRecent: [Keyframe] = []
    private var previousLast: [Int64?] = []
    private var thresholds: [Int64?] = []
    private var timeBases: [AVRational] = []
    private var videoTrack: Int?
    private static let micros = AVRational(num: 1, den: 1_000_000)

    func begin(_ input: RepairInput) {
        let tracks = input.tracks
        let sameLayout = tracks.count == lastMicros.count
        let admittedNothing = recent.isEmpty && lastMicros.allSatisfy { $0 == nil }
        if !sameLayout {
            previousRecent = []
            previousLast = []
        } else if !admittedNothing {
            // An input that brought only repeats leaves the reference where it was.
            previousRecent = recent
            previousLast = lastMicros
        }
        recent.removeAll()
        lastMicros = Array(repeating: nil, count: tracks.count)
        thresholds = Array(repeating: nil, count: tracks.count)
        timeBases = tracks.map(\.timeBase)
        videoTrack = tracks.firstIndex { $0.kind == .video }
        self.input = input
        // Only a reconnect can resend what was written; a codec change or boundary carries new data.
        lineUpPending = input.followsReconnect && videoTrack != nil
        held.removeAll()
    }

    func process(_ p: Packet, into output: inout [Packet]) {
        if lineUpPending {
            if p.track != videoTrack {
                held.append(p)
                if held.count > RepeatedDataFilter.maxHeldPackets { releaseHeld(into: &output) }
                return
            }
            if let shift = lineUp(firstKeyframe: p) { input?.timelineShiftMicros = shift }
            releaseHeld(into: &output)
        }
        if admit(p) {
            output.append(p)
        } else {
            input?.note(.dropped(.repeated))
        }
    }

    /// Ends the wait for the first video packet: what was held goes through the thresholds now set.
    private func releaseHeld(into output: inout [Packet]) {
        lineUpPending = false
        for h in held {
            if admit(h) { output.append(h) } else { input?.note(.dropped(.repeated)) }
        }
        held.removeAll()
    }

    /// Called with the new input's first keyframe. Returns the shift between the new and the old timeline
    /// (new minus old, in microseconds) when the keyframe was seen before.
    private func lineUp(firstKeyframe p: Packet) -> Int64? {
        let print = RepeatedDataFilter.fingerprint(p)
        guard let match = previousRecent.last(where: { $0.fingerprint == print }) else { return nil }
        let shift = micros(p) - match.dtsMicros
        for i in thresholds.indices { thresholds[i] = previousLast[i].map { $0 + shift } }
        return shift
    }

    /// Whether `p` is new data (true) or a repeat of what was written before the reconnect (false).
    private func admit(_ p: Packet) -> Bool {
        let t = p.track
        let us = micros(p)
        if let limit = thresholds[t] {
            if us <= limit { return false }
            thresholds[t] = nil
        }
        lastMicros[t] = us
        if t == videoTrack && p.isKeyframe {
            recent.append(Keyframe(fingerprint: RepeatedDataFilter.fingerprint(p), dtsMicros: us))
            if recent.count > RepeatedDataFilter.rememberedKeyframes { recent.removeFirst() }
        }
        return true
    }

    private func micros(_ p: Packet) -> Int64 { av_rescale_q(p.dts, timeBases[p.track], RepeatedDataFilter.micros) }

    /// FNV-1a over the size and both ends of the payload: cheap, and equal only for the same frame.
    static func fingerprint(_ p: Packet) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: UnsafeRawBufferPointer) {
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        let data = p.bytes
        withUnsafeBytes(of: UInt64(data.count)) { mix($0) }
        let n = fingerprintBytes
        if data.count <= 2 * n {
            mix(data)
        } else {
            mix(UnsafeRawBufferPointer(rebasing: data[0..<n]))
            mix(UnsafeRawBufferPointer(rebasing: data[(data.count - n)...]))
        }
        return h
    }
}
