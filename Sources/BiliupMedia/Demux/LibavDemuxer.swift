import CFFmpeg
import Foundation

/// libavformat demuxing for the containers we do not parse ourselves: MPEG-TS and fragmented MP4
/// (from our HLS client) and RTMP (libavformat's own protocol).
public final class LibavDemuxer: PacketSource {
    public private(set) var tracks: [Track] = []
    public let formatName: String
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private let input: AVIOInput?
    private let packet = av_packet_alloc()!
    /// libavformat stream index → our track index (only audio and video streams become tracks).
    private var trackOfStream: [Int: Int] = [:]
    private let interrupt: InterruptFlag
    /// Packets read while finding codec configs, handed out first.
    private var pending: [Packet] = []
    /// Tracks whose AAC arrives as ADTS: unwrapped here (see `ADTS`).
    private var adtsTracks = Set<Int>()
    /// Packets read ahead to find ADTS configs: a few seconds of audio and video at most.
    static let maxReadAhead = 500

    /// What an RTMP input may open, nested opens included (RTMP over TCP, RTMPS over TLS over TCP): without a
    /// whitelist libavformat opens any of its protocols (file, pipe, concat, http, ...) when a URL names one.
    public static let rtmpProtocols = "rtmp,rtmps,tcp,tls"
    /// What a local file input may open: files only.
    public static let fileProtocols = "file"
    /// A whitelist naming no protocol (none is called this): inputs over our own byte sources open nothing.
    static let noProtocols = "none"

    /// Enough to see codec headers and a keyframe, small enough not to hold seconds of a stream in memory.
    static let probeBytes = 1 << 20
    static let analyzeMicroseconds = 1_000_000

    /// Demuxes `source` as the named libavformat input format ("mpegts", "mov").
    public init(source: ByteSource, format: String) throws(MediaError) {
        input = AVIOInput(source: source)
        interrupt = InterruptFlag()
        guard let fmt = av_find_input_format(format) else { throw .unsupported("input format \(format)") }
        var ctx = avformat_alloc_context()
        ctx!.pointee.pb = input!.context
        ctx!.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        formatName = format
        // Our bytes come through `input`; nothing the stream says may make libavformat open anything else.
        try open(&ctx, url: nil, format: fmt, options: ["protocol_whitelist": LibavDemuxer.noProtocols])
    }

    /// Opens a URL with libavformat's own protocols (RTMP, a local file); `timeout` bounds every network wait.
    /// `protocols` is libavformat's protocol whitelist, for this open and every nested one.
    public init(url: String, protocols: String, timeout: Duration, cancel: InterruptFlag) throws(MediaError) {
        input = nil
        interrupt = cancel
        var ctx = avformat_alloc_context()
        formatName = "rtmp"
        try open(&ctx, url: url, format: nil,
                 options: ["rw_timeout": String(Int(timeout.seconds * 1e6)), "tcp_nodelay": "1",
                           "protocol_whitelist": protocols])
    }

    private func open(_ ctx: inout UnsafeMutablePointer<AVFormatContext>?, url: String?,
                      format: UnsafePointer<AVInputFormat>?, options: [String: String]) throws(MediaError) {
        ctx!.pointee.interrupt_callback = interrupt.callback
        ctx!.pointee.probesize = Int64(LibavDemuxer.probeBytes)
        ctx!.pointee.max_analyze_duration = Int64(LibavDemuxer.analyzeMicroseconds)
        var dict: OpaquePointer?
        for (k, v) in options { av_dict_set(&dict, k, v, 0) }
        defer { av_dict_free(&dict) }
        var rc = avformat_open_input(&ctx, url, format, &dict)
        guard rc >= 0 else { throw failure("open", rc) }  // ctx was freed by libavformat
        context = ctx
        rc = avformat_find_stream_info(ctx, nil)
        guard rc >= 0 else { throw failure("find streams", rc) }
        let c = ctx!.pointee
        var usable: [Int] = []
        for i in 0..<Int(c.nb_streams) {
            let par = c.streams[i]!.pointee.codecpar.pointee
            guard par.codec_type == AVMEDIA_TYPE_VIDEO || par.codec_type == AVMEDIA_TYPE_AUDIO,
                  par.codec_id != AV_CODEC_ID_NONE,
                  par.codec_type != AVMEDIA_TYPE_VIDEO || par.width > 0 else { continue }  // unparsable video
            usable.append(i)
        }
        // Video first: the segmenter and reports expect it, and FLV input orders tracks that way too.
        let videoFirst = usable.filter { c.streams[$0]!.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO }
            + usable.filter { c.streams[$0]!.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_AUDIO }
        for i in videoFirst {
            let st = c.streams[i]!.pointee
            trackOfStream[i] = tracks.count
            tracks.append(Track(index: tracks.count, copying: st.codecpar, timeBase: st.time_base))
        }
        guard !tracks.isEmpty else { throw .demux("no audio or video stream found") }
        try findADTSConfigs()
    }

    /// AAC without a decoder config comes as ADTS: read ahead to each such track's first frame, take the
    /// config from its header, and unwrap that track's packets from then on.
    private func findADTSConfigs() throws(MediaError) {
        var missing = Set(tracks.filter { $0.parameters.pointee.codec_id == AV_CODEC_ID_AAC
            && $0.parameters.pointee.extradata_size == 0 }.map(\.index))
        adtsTracks = missing
        while !missing.isEmpty && pending.count < LibavDemuxer.maxReadAhead {
            guard case .packet(let p) = readPacket() else { break }
            pending.append(p)
            if missing.contains(p.track) && ADTS.isADTS(p.bytes) {
                ADTS.setExtradata(ADTS.audioSpecificConfig(p.bytes), on: tracks[p.track].parameters)
                missing.remove(p.track)
            }
        }
        if let t = missing.first { throw .demux("no AAC frame on \(tracks[t].summary) to configure it from") }
        for p in pending where adtsTracks.contains(p.track) { ADTS.strip(p) }
    }

    private func failure(_ what: String, _ rc: Int32) -> MediaError {
        if let reason = input?.endReason, case .failed(let e) = reason { return e }
        if interrupt.isSet { return .cancelled }
        if let reason = input?.endReason, case .end = reason {
            return .demux("\(what): stream ended before any media (\(libavError(rc)))")
        }
        return .demux("\(formatName) \(what): \(libavError(rc))")
    }

    deinit {
        av_packet_free_ptr(packet)
        if context != nil { avformat_close_input(&context) }
    }

    public func next() -> PacketRead {
        if !pending.isEmpty { return .packet(pending.removeFirst()) }
        let read = readPacket()
        if case .packet(let p) = read, adtsTracks.contains(p.track) { ADTS.strip(p) }
        return read
    }

    private func readPacket() -> PacketRead {
        while true {
            let rc = av_read_frame(context, packet)
            if rc < 0 {
                if let reason = input?.endReason { return .finished(reason) }
                if interrupt.isSet { return .finished(.failed(.cancelled)) }
                if rc == shim_AVERROR_EOF() { return .finished(.end) }
                return .finished(.failed(.demux("\(formatName): \(libavError(rc))")))
            }
            guard let track = trackOfStream[Int(packet.pointee.stream_index)] else {
                av_packet_unref(packet)
                continue
            }
            let p = Packet(moving: packet)
            p.track = track
            return .packet(p)
        }
    }
}

/// A flag libavformat polls during blocking network calls; setting it aborts them.
public final class InterruptFlag: @unchecked Sendable {
    private let flag = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    public init() { flag.initialize(to: 0) }
    deinit { flag.deallocate() }
    /// Set from any thread; read by libav on the demuxing thread: an atomic store and load (shim.h).
    public func set() { shim_flag_set(flag) }
    public var isSet: Bool { shim_flag_get(flag) != 0 }
    var callback: AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in shim_flag_get(opaque) }, opaque: flag)
    }
}

func av_packet_free_ptr(_ p: UnsafeMutablePointer<AVPacket>) {
    var q: UnsafeMutablePointer<AVPacket>? = p
    av_packet_free(&q)
}

func libavError(_ rc: Int32) -> String {
    var buf = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE))
    return buf.withUnsafeMutableBufferPointer { String(cString: shim_av_err2str(rc, $0.baseAddress, $0.count)) }
}
