import CFFmpeg

/// Holds back the start of each input until its first video keyframe: frames before it cannot be
/// decoded. Audio that arrived just before the keyframe is kept (encoders lead video by a frame or
/// two); older audio is dropped with the undecodable video.
final class KeyframeGate {
    private var waiting = false
    private var held: [Packet] = []
    private var timeBases: [AVRational] = []
    private var videoTrack: Int?

    /// Audio this much older than the first keyframe is still kept.
    static let audioLeadMicros: Int64 = 100_000
    /// Bound on audio held while waiting: about 6 s of AAC at 44.1 kHz.
    static let maxHeldPackets = 256

    func begin(tracks: [Track]) {
        videoTrack = tracks.firstIndex { $0.kind == .video }
        waiting = videoTrack != nil
        held.removeAll()
        timeBases = tracks.map(\.timeBase)
    }

    /// Packets to pass on, in order, and how many were dropped.
    func admit(_ p: Packet) -> (pass: [Packet], dropped: Int) {
        guard waiting else { return ([p], 0) }
        if p.track != videoTrack {
            held.append(p)
            if held.count > KeyframeGate.maxHeldPackets { held.removeFirst(); return ([], 1) }
            return ([], 0)
        }
        guard p.isKeyframe else { return ([], 1) }
        waiting = false
        let micros = AVRational(num: 1, den: 1_000_000)
        let keyUs = av_rescale_q(p.dts, timeBases[p.track], micros)
        let kept = held.filter { av_rescale_q($0.dts, timeBases[$0.track], micros) >= keyUs - KeyframeGate.audioLeadMicros }
        let dropped = held.count - kept.count
        held.removeAll()
        return (kept + [p], dropped)
    }
}
