import CFFmpeg
import Foundation

/// Scans a recorded file packet by packet and, optionally, decodes every frame.
public enum FileProbe {
    /// A step between consecutive frames of one stream longer than this is listed as a gap.
    public static let gapSeconds = 1.0

    public static func probe(path: String, decode: Bool = true) throws(MediaError) -> ProbeReport {
        LibavLogging.configured
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        var rc = avformat_open_input(&ctx, path, nil, nil)
        guard rc >= 0, let ctx else { throw .demux("\(path): \(libavError(rc))") }
        defer { var c: UnsafeMutablePointer<AVFormatContext>? = ctx; avformat_close_input(&c) }
        rc = avformat_find_stream_info(ctx, nil)
        guard rc >= 0 else { throw .demux("\(path): \(libavError(rc))") }

        let n = Int(ctx.pointee.nb_streams)
        var streams: [ProbeReport.Stream] = []
        var decoders: [Decoder?] = []
        for i in 0..<n {
            let par = ctx.pointee.streams[i]!.pointee.codecpar!
            let kind = par.pointee.codec_type == AVMEDIA_TYPE_VIDEO ? "video"
                : par.pointee.codec_type == AVMEDIA_TYPE_AUDIO ? "audio" : "other"
            streams.append(.init(kind: kind, codec: String(cString: avcodec_get_name(par.pointee.codec_id))))
            decoders.append(decode && kind != "other" ? Decoder(parameters: par) : nil)
        }
        var lastDts = [Int64?](repeating: nil, count: n)
        var gaps: [ProbeReport.Gap] = []
        var nonMonotonic = 0
        var check = ProbeReport.DecodeCheck(checked: decode)
        var endSeconds = 0.0
        let pkt = av_packet_alloc()!
        defer { av_packet_free_ptr(pkt) }
        while av_read_frame(ctx, pkt) >= 0 {
            let i = Int(pkt.pointee.stream_index)
            let tb = ctx.pointee.streams[i]!.pointee.time_base
            let nopts = shim_AV_NOPTS_VALUE()
            let ts = pkt.pointee.pts != nopts ? pkt.pointee.pts : pkt.pointee.dts
            streams[i].frames += 1
            if pkt.pointee.flags & AV_PKT_FLAG_KEY != 0 && streams[i].kind == "video" { streams[i].keyframes += 1 }
            if ts != nopts {
                let sec = Double(ts) * av_q2d(tb)
                streams[i].firstTimestamp = min(streams[i].firstTimestamp ?? sec, sec)
                streams[i].lastTimestamp = max(streams[i].lastTimestamp ?? sec, sec)
                endSeconds = max(endSeconds, sec + Double(pkt.pointee.duration) * av_q2d(tb))
            }
            let dts = pkt.pointee.dts
            if dts != nopts {
                if let prev = lastDts[i] {
                    if dts < prev { nonMonotonic += 1 }
                    let step = Double(dts - prev) * av_q2d(tb)
                    if step > gapSeconds {
                        gaps.append(.init(stream: streams[i].kind, at: Double(prev) * av_q2d(tb), seconds: step))
                    }
                }
                lastDts[i] = dts
            }
            if let d = decoders[i], let err = d.decode(pkt) {
                check.errors += 1
                if check.firstError == nil { check.firstError = "\(streams[i].kind) frame \(streams[i].frames): \(err)" }
            }
            av_packet_unref(pkt)
        }
        for (i, d) in decoders.enumerated() {
            if let d, let err = d.flush() {
                check.errors += 1
                if check.firstError == nil { check.firstError = "\(streams[i].kind) at end: \(err)" }
            }
        }
        let first = streams.compactMap(\.firstTimestamp).min() ?? 0
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        return ProbeReport(
            file: path, container: String(cString: ctx.pointee.iformat.pointee.name),
            bytes: (attrs?[.size] as? NSNumber)?.int64Value ?? 0,
            duration: max(0, endSeconds - first), streams: streams,
            videoFrames: streams.filter { $0.kind == "video" }.reduce(0) { $0 + $1.frames },
            audioFrames: streams.filter { $0.kind == "audio" }.reduce(0) { $0 + $1.frames },
            keyframes: streams.reduce(0) { $0 + $1.keyframes },
            firstTimestamp: first, lastTimestamp: streams.compactMap(\.lastTimestamp).max() ?? 0,
            gaps: gaps, nonMonotonic: nonMonotonic, decode: check,
            recorder: SegmentReport.readSidecar(for: path))
    }
}

/// Decodes one stream strictly (AV_EF_EXPLODE), so damage shows up as an error rather than concealment.
private final class Decoder {
    private var ctx: UnsafeMutablePointer<AVCodecContext>?
    private let frame = av_frame_alloc()

    init?(parameters: UnsafeMutablePointer<AVCodecParameters>) {
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id),
              let c = avcodec_alloc_context3(codec) else { return nil }
        ctx = c
        avcodec_parameters_to_context(c, parameters)
        c.pointee.err_recognition |= AV_EF_EXPLODE
        guard avcodec_open2(c, codec, nil) >= 0 else { return nil }
    }

    deinit {
        avcodec_free_context(&ctx)
        var f = frame
        av_frame_free(&f)
    }

    func decode(_ pkt: UnsafeMutablePointer<AVPacket>) -> String? {
        let rc = avcodec_send_packet(ctx, pkt)
        if rc < 0 && rc != shim_AVERROR(EAGAIN) { return libavError(rc) }
        return drain()
    }

    func flush() -> String? {
        avcodec_send_packet(ctx, nil)
        return drain()
    }

    private func drain() -> String? {
        while true {
            let rc = avcodec_receive_frame(ctx, frame)
            if rc == shim_AVERROR(EAGAIN) || rc == shim_AVERROR_EOF() { return nil }
            if rc < 0 { return libavError(rc) }
            av_frame_unref(frame)
        }
    }
}
