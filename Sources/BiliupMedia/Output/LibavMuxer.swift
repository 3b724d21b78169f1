import CFFmpeg

/// Writes one file with a libavformat muxer. Packets are passed by reference; the muxer copies them
/// once into its output buffer, which goes to the file through `AVIOOutput`.
public final class LibavMuxer: SegmentMuxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private let output: AVIOOutput
    private let trackTimeBases: [AVRational]
    private let path: String
    private var finished = false
    private var finalBytes: Int64 = 0
    private var lastFlushMicros: Int64 = 0
    /// What the muxer has written is pushed to the kernel at every video keyframe and at least this
    /// often, so a killed process loses at most this much plus the muxer's open fragment or cluster.
    static let flushIntervalMicros: Int64 = 500_000

    public convenience init(path: String, tracks: [Track]) throws(MediaError) {
        let ext = String(path.split(separator: ".").last ?? "")
        try self.init(path: path, tracks: tracks, format: OutputFormat(rawValue: ext) ?? .mkv)
    }

    /// Creates the file at `path`, which must not exist.
    public convenience init(path: String, tracks: [Track], format: OutputFormat) throws(MediaError) {
        try self.init(file: CreatedFile.create(path), tracks: tracks, format: format)
    }

    init(file: CreatedFile, tracks: [Track], format: OutputFormat) throws(MediaError) {
        path = file.path
        trackTimeBases = tracks.map(\.timeBase)
        output = AVIOOutput(file: file)
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        var rc = avformat_alloc_output_context2(&ctx, nil, format.muxerName, path)
        guard rc >= 0, let ctx else { throw .mux("\(path): \(libavError(rc))") }
        context = ctx
        ctx.pointee.pb = output.context
        ctx.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        for t in tracks {
            guard let st = avformat_new_stream(ctx, nil) else { throw .mux("\(path): cannot add stream") }
            avcodec_parameters_copy(st.pointee.codecpar, t.parameters)
            st.pointee.codecpar.pointee.codec_tag = 0  // the input container's tag may mean nothing here
            st.pointee.time_base = t.timeBase
        }
        var dict: OpaquePointer?
        for (k, v) in format.muxerOptions { av_dict_set(&dict, k, v, 0) }
        defer { av_dict_free(&dict) }
        rc = avformat_write_header(ctx, &dict)
        guard rc >= 0 else {
            let codecs = tracks.map(\.summary).joined(separator: ", ")
            throw .mux("\(format.rawValue) cannot hold \(codecs): \(libavError(rc))")
        }
    }

    deinit {
        guard let ctx = context else { return }
        if !finished { av_write_trailer(ctx) }
        try? output.close()
        avformat_free_context(ctx)
    }

    public var bytesWritten: Int64 {
        guard let pb = context?.pointee.pb else { return finalBytes }
        return avio_tell(pb)
    }

    public func write(_ packet: Packet) throws(MediaError) {
        guard let ctx = context else { return }
        let track = packet.track
        let st = ctx.pointee.streams[track]!
        av_packet_rescale_ts(packet.av, trackTimeBases[track], st.pointee.time_base)
        let key = packet.isKeyframe && st.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
        let micros = av_rescale_q(packet.dts, st.pointee.time_base, AVRational(num: 1, den: 1_000_000))
        let rc = av_write_frame(ctx, packet.av)
        guard rc >= 0 else { throw writeError(rc) }
        if key || micros - lastFlushMicros >= LibavMuxer.flushIntervalMicros {
            try output.flush()
            lastFlushMicros = micros
        }
    }

    public func finish() throws(MediaError) {
        guard let ctx = context, !finished else { return }
        finished = true
        let rc = av_write_trailer(ctx)
        avformat_free_context(ctx)
        context = nil
        let closed = Result { () throws(MediaError) in try output.close() }
        finalBytes = output.size
        guard rc >= 0 else { throw writeError(rc) }
        try closed.get()
    }

    /// The file's own error if writing failed, else libavformat's.
    private func writeError(_ rc: Int32) -> MediaError {
        output.failure ?? .mux("\(path): \(libavError(rc))")
    }
}
