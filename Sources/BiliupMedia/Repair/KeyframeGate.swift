import CFFmpeg

/// Holds back the start of each input until its first video keyframe: frames before it cannot be
/// decoded. Audio that arrived just before the keyframe is kept (encoders lead video by a frame or
/// two); older audio is dropped with the undecodable video.
final class KeyframeGate: RepairRule {
    private var input: RepairInput?
    private var waiting = false
    private var held: [Packet] = []
    private var timeBases: [AVRational] = []
    private var videoTrack: Int?

    /// Audio this much older than the first keyframe is still kept.
    static let audioLeadMicros: Int64 = 100_000
    /// Bound on audio held while waiting: about 6 s of AAC at 44.1 kHz.
    static let maxHeldPackets = 256

    func begin(_ input: RepairInput) {
        self.input = input
        videoTrack = input.tracks.firstIndex { $0.kind == .video }
        waiting = videoTrack != nil
        held.removeAll()
        timeBases = input.tracks.map(\.timeBase)
    }

    func process(_ p: Packet, into output: inout [Packet]) {
        guard waiting else {
            output.append(p)
            return
        }
        if p.track != videoTrack {
            held.append(p)
            if held.count > KeyframeGate.maxHeldPackets {
                held.removeFirst()
                input?.note(.dropped(.beforeKeyframe))
            }
            return
        }
        guard p.isKeyframe else {
            input?.note(.dropped(.beforeKeyframe))
            return
        }
        waiting = false
        let micros = AVRational(num: 1, den: 1_000_000)
        let keptFromUs = av_rescale_q(p.dts, timeBases[p.track], micros) - KeyframeGate.audioLeadMicros
        for h in held {
            if av_rescale_q(h.dts, timeBases[h.track], micros) >= keptFromUs {
                output.append(h)
            } else {
                input?.note(.dropped(.beforeKeyframe))
            }
        }
        held.removeAll()
        output.append(p)
    }
}
