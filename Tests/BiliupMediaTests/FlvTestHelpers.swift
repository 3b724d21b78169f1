import BiliupMedia
import BiliupTestSupport
import CFFmpeg
import Foundation

/// Bytes in memory as a ByteSource, handed out `chunk` bytes at a time (odd sizes exercise reads that
/// split tags anywhere); after the last byte it ends, or fails with `failure`.
final class FlvMemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private let chunk: Int
    private let failure: MediaError?

    init(_ bytes: [UInt8], chunk: Int = 65536, failure: MediaError? = nil) {
        self.bytes = bytes
        self.chunk = chunk
        self.failure = failure
    }

    var receivedBytes: Int64 { Int64(position) }
    func cancel() {}

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> SourceRead {
        guard position < bytes.count else { return failure.map { .failed($0) } ?? .end }
        let n = min(chunk, capacity, bytes.count - position)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return .bytes(n)
    }
}

/// What a track says, comparable.
struct FlvTrackInfo: Equatable, CustomStringConvertible {
    var codec: String
    var width: Int32 = 0
    var height: Int32 = 0
    var sampleRate: Int32 = 0
    var channels: Int32 = 0
    var extradata: [UInt8] = []

    init(_ t: Track) {
        let p = t.parameters.pointee
        codec = t.codecName
        if t.kind == .video {
            width = p.width
            height = p.height
        } else {
            sampleRate = p.sample_rate
            channels = p.ch_layout.nb_channels
        }
        extradata = t.extradata
    }

    var description: String { "\(codec) \(width)x\(height) \(sampleRate) Hz \(channels) ch" }
}

/// One packet as ffprobe and our demuxer both describe it.
struct FlvPacketInfo: Equatable, CustomStringConvertible {
    var video: Bool
    var pts: Int64
    var dts: Int64
    var key: Bool
    var description: String { "\(video ? "V" : "A") pts \(pts) dts \(dts)\(key ? " K" : "")" }
}

struct FlvDemuxed {
    enum Event {
        case packet(FlvPacketInfo, track: Int, size: Int, hash: UInt64)
        case tracks([FlvTrackInfo])
    }
    var tracks: [FlvTrackInfo]
    var events: [Event] = []
    var end: SourceRead = .end

    var packets: [FlvPacketInfo] {
        events.compactMap { if case .packet(let p, _, _, _) = $0 { return p } else { return nil } }
    }
    var trackChanges: [[FlvTrackInfo]] {
        events.compactMap { if case .tracks(let t) = $0 { return t } else { return nil } }
    }
    var payloads: [(size: Int, hash: UInt64)] {
        events.compactMap { if case .packet(_, _, let s, let h) = $0 { return (s, h) } else { return nil } }
    }
    var endDescription: String {
        switch end {
        case .end: return "end"
        case .boundary(let b): return "boundary \(b)"
        case .bytes(let n): return "bytes \(n)"
        case .failed(let e): return "failed: \(e)"
        }
    }
}

/// Reads everything from `demuxer`; `onPacket` sees each packet (e.g. to write it somewhere).
func demuxAll(_ demuxer: FlvDemuxer) -> FlvDemuxed {
    // Cannot throw: the closure does not.
    (try? demuxAll(demuxer, onPacket: { _ in }))!
}

func demuxAll(_ demuxer: FlvDemuxer, onPacket: (Packet) throws -> Void) throws -> FlvDemuxed {
    var result = FlvDemuxed(tracks: demuxer.tracks.map(FlvTrackInfo.init))
    var kinds = demuxer.tracks.map(\.kind)
    while true {
        switch demuxer.next() {
        case .packet(let p):
            let info = FlvPacketInfo(video: kinds[p.track] == .video, pts: p.pts, dts: p.dts, key: p.isKeyframe)
            result.events.append(.packet(info, track: p.track, size: p.size, hash: fnv1a(p.bytes)))
            try onPacket(p)
        case .tracksChanged(let t):
            kinds = t.map(\.kind)
            result.events.append(.tracks(t.map(FlvTrackInfo.init)))
        case .finished(let reason):
            result.end = reason
            return result
        }
    }
}

func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

/// ffprobe's packets of `file`, in file order.
func probePackets(_ file: URL) throws -> [FlvPacketInfo] {
    let report = try TestMedia.ffprobeJSON(file, ["-show_entries", "packet=codec_type,pts,dts,flags"])
    return (report["packets"] as? [[String: Any]] ?? []).map { p in
        FlvPacketInfo(video: p["codec_type"] as? String == "video",
                      pts: Int64(p["pts"] as? Int ?? -1), dts: Int64(p["dts"] as? Int ?? -1),
                      key: (p["flags"] as? String ?? "").hasPrefix("K"))
    }
}

func fileBytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

/// A fresh scratch directory, removed by the caller.
func flvScratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-flv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

func ffmpegHasEncoder(_ name: String) -> Bool {
    guard let r = try? runTool("ffmpeg", ["-hide_banner", "-encoders"]) else { return false }
    return r.stdout.contains(" \(name) ")
}

/// `file`'s tags after its header, with `offset` added to every timestamp (one stream continuing another).
func flvTagsShifted(_ file: URL, by offset: Int) throws -> [UInt8] {
    var out = Data()
    for tag in try FlvTagReader.read(file).tags { FlvTagWriter.append(tag, timestamp: tag.timestamp + offset, to: &out) }
    return [UInt8](out)
}
