@testable import BiliupMedia
import CFFmpeg

/// Synthetic tracks and packets for the repair rules, in milliseconds: the rules read only timestamps,
/// the keyframe flag, the track and (for fingerprints) the payload.
enum RepairSample {
    static let ms = AVRational(num: 1, den: 1000)

    static func track(_ index: Int, _ kind: MediaKind) -> Track {
        let parameters = avcodec_parameters_alloc()!
        parameters.pointee.codec_type = kind == .video ? AVMEDIA_TYPE_VIDEO : AVMEDIA_TYPE_AUDIO
        parameters.pointee.codec_id = kind == .video ? AV_CODEC_ID_H264 : AV_CODEC_ID_AAC
        return Track(index: index, owning: parameters, timeBase: ms)
    }

    /// Video on track 0, audio on track 1.
    static func videoAndAudio() -> [Track] { [track(0, .video), track(1, .audio)] }

    /// A packet whose payload is 32 copies of `frame`: equal payloads stand for the same frame sent again.
    static func packet(_ track: Int, dts: Int64, pts: Int64? = nil, key: Bool = false, frame: UInt8 = 0) -> Packet {
        let p = Packet()
        let size: Int32 = 32
        precondition(av_new_packet(p.av, size) == 0)
        p.av.pointee.data.update(repeating: frame, count: Int(size))
        p.track = track
        p.dts = dts
        p.pts = pts ?? dts
        if key { p.av.pointee.flags |= AV_PKT_FLAG_KEY }
        return p
    }

    static func video(_ dts: Int64, key: Bool = false, frame: UInt8 = 0) -> Packet { packet(0, dts: dts, key: key, frame: frame) }
    static func audio(_ dts: Int64, frame: UInt8 = 0) -> Packet { packet(1, dts: dts, frame: frame) }
}

/// A packet as the assertions compare it.
struct SeenPacket: Equatable, CustomStringConvertible {
    var track: Int
    var dts: Int64
    var pts: Int64
    var key = false

    init(_ track: Int, _ dts: Int64, pts: Int64? = nil, key: Bool = false) {
        self.track = track
        self.dts = dts
        self.pts = pts ?? dts
        self.key = key
    }

    init(_ p: Packet) { self.init(p.track, p.dts, pts: p.pts, key: p.isKeyframe) }

    static func v(_ dts: Int64, key: Bool = false) -> SeenPacket { SeenPacket(0, dts, key: key) }
    static func a(_ dts: Int64) -> SeenPacket { SeenPacket(1, dts) }

    var description: String { "\(track == 0 ? "v" : "a")\(dts)\(pts != dts ? "/\(pts)" : "")\(key ? "K" : "")" }
}

/// Drives one rule as the pipeline does, collecting what it passes on and what it notes.
final class RuleRun {
    let rule: any RepairRule
    private(set) var notes: [RepairNote] = []
    private(set) var input: RepairInput?
    private var output: [Packet] = []

    init(_ rule: any RepairRule) { self.rule = rule }

    func begin(_ tracks: [Track], followsReconnect: Bool = false) {
        let input = RepairInput(tracks: tracks, followsReconnect: followsReconnect) { [unowned self] in self.notes.append($0) }
        self.input = input
        rule.begin(input)
    }

    /// What the rule passed on for `p`.
    @discardableResult
    func push(_ p: Packet) -> [SeenPacket] {
        output.removeAll()
        rule.process(p, into: &output)
        return output.map(SeenPacket.init)
    }

    /// Everything passed on for `packets`, in order.
    func push(_ packets: [Packet]) -> [SeenPacket] { packets.flatMap { push($0) } }

    func takeNotes() -> [RepairNote] {
        defer { notes.removeAll() }
        return notes
    }
}

/// Records what reaches it and passes it on, or keeps it (the pipeline then writes nothing).
final class RecordingRule: RepairRule {
    private(set) var seen: [SeenPacket] = []
    private(set) var begins = 0
    let passesOn: Bool

    init(passesOn: Bool) { self.passesOn = passesOn }

    func begin(_ input: RepairInput) { begins += 1 }

    func process(_ packet: Packet, into output: inout [Packet]) {
        seen.append(SeenPacket(packet))
        if passesOn { output.append(packet) }
    }
}
