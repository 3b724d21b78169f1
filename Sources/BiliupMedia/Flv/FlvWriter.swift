import CFFmpeg

/// Writes FLV without libavformat, from tracks whose extradata are configuration records (what
/// FlvDemuxer produces, or an MP4 source): H.264 (avcC, codec id 7), HEVC (hvcC, written with codec id
/// 12 as Chinese CDNs and players expect), AAC (AudioSpecificConfig) and MP3.
///
/// Output goes through a `MediaFile`, flushed after every video keyframe, at least every
/// `flushIntervalMs` of media and before a tag that would not fit its buffer, always at tag boundaries,
/// so a killed process leaves a file that ends with a whole tag and plays without errors (only a tag
/// larger than the whole buffer goes out in pieces). `finish()` patches `duration` and `filesize` in
/// onMetaData.
public final class FlvWriter: SegmentMuxer {
    /// At most this much media waits in the buffer, whatever the bitrate: a killed process loses no more.
    static let flushIntervalMs: Int64 = 500
    private var lastFlushMs: Int64 = 0

    private enum Kind {
        case video(codecID: UInt8)
        case aac
        case mp3(flags: UInt8)
    }

    public let path: String
    private let file: MediaFile
    /// A tag's header (11 bytes) and its audio or video header (up to 5), assembled before they are appended.
    private let tagHead = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8)
    private var kinds: [Kind?] = []
    private var timeBases: [AVRational] = []
    private var isMilliseconds: [Bool] = []
    private var durationOffset = 0
    private var filesizeOffset = 0
    /// Largest pts + duration seen, in milliseconds.
    private var endMs: Int64 = 0
    private var lastDts: Int64 = 0
    private var finished = false

    public var bytesWritten: Int64 { file.size }

    private static func checkWritable(_ tracks: [Track]) throws(MediaError) {
        guard canWrite(tracks) else { throw .mux("FLV writer cannot hold \(tracks.map(\.summary).joined(separator: ", "))") }
    }

    /// Whether FlvWriter can write packets of `tracks`; if not, use libavformat's flv muxer.
    public static func canWrite(_ tracks: [Track]) -> Bool {
        var videos = 0, audios = 0
        for t in tracks {
            let p = t.parameters.pointee
            switch p.codec_type {
            case AVMEDIA_TYPE_VIDEO:
                videos += 1
                let minBytes: Int32
                switch p.codec_id {
                case AV_CODEC_ID_H264: minBytes = 7
                case AV_CODEC_ID_HEVC: minBytes = 23
                default: return false
                }
                guard let d = p.extradata, p.extradata_size >= minBytes, d[0] == 1 else { return false }
            case AVMEDIA_TYPE_AUDIO:
                audios += 1
                switch p.codec_id {
                case AV_CODEC_ID_AAC: guard p.extradata != nil, p.extradata_size >= 2 else { return false }
                case AV_CODEC_ID_MP3: break
                default: return false
                }
            default:
                return false
            }
        }
        return videos <= 1 && audios <= 1 && videos + audios > 0
    }

    /// Creates the file at `path`, which must not exist.
    public convenience init(path: String, tracks: [Track]) throws(MediaError) {
        try FlvWriter.checkWritable(tracks)  // before the file exists: a refusal leaves nothing behind
        try self.init(file: CreatedFile.create(path), tracks: tracks)
    }

    init(file created: CreatedFile, tracks: [Track]) throws(MediaError) {
        path = created.path
        try FlvWriter.checkWritable(tracks)
        file = MediaFile(file: created)
        var video: Track?, audio: Track?
        for t in tracks {
            let p = t.parameters.pointee
            timeBases.append(t.timeBase)
            isMilliseconds.append(t.timeBase.num == 1 && t.timeBase.den == 1000)
            if t.kind == .video {
                video = t
                kinds.append(.video(codecID: p.codec_id == AV_CODEC_ID_HEVC ? 12 : 7))
            } else if p.codec_id == AV_CODEC_ID_AAC {
                audio = t
                kinds.append(.aac)
            } else {
                audio = t
                kinds.append(.mp3(flags: FlvWriter.mp3Flags(p)))
            }
        }
        do {
            try writeHeader(video: video, audio: audio)
            try file.flush()
        } catch {
            finished = true
            throw error
        }
    }

    deinit {
        if !finished { try? finish() }
        tagHead.deallocate()
    }

    public func write(_ packet: Packet) throws(MediaError) {
        guard !finished else { throw .mux("\(path): packet after the file was finished") }
        let t = packet.track
        guard t >= 0 && t < kinds.count, let kind = kinds[t], packet.size > 0 else { return }
        let av = packet.av.pointee
        let nopts = shim_AV_NOPTS_VALUE()
        var dts = av.dts != nopts ? av.dts : av.pts
        var pts = av.pts != nopts ? av.pts : dts
        var duration = av.duration
        if dts == nopts {
            dts = lastDts
            pts = lastDts
        } else if !isMilliseconds[t] {
            let ms = AVRational(num: 1, den: 1000)
            dts = av_rescale_q(dts, timeBases[t], ms)
            pts = av_rescale_q(pts, timeBases[t], ms)
            duration = av_rescale_q(duration, timeBases[t], ms)
        }
        lastDts = dts
        endMs = max(endMs, pts &+ max(duration, 0))
        // FLV holds 32-bit unsigned milliseconds; the caller rebases, so this only guards against misuse.
        let timestamp = UInt32(truncatingIfNeeded: max(dts, 0))
        var data = UnsafeRawPointer(av.data!)
        var size = Int(av.size)
        let key = av.flags & AV_PKT_FLAG_KEY != 0
        let due = dts - lastFlushMs >= FlvWriter.flushIntervalMs
        switch kind {
        case .video(let codecID):
            if key || due { lastFlushMs = dts }
            let ct = UInt64(UInt32(bitPattern: Int32(clamping: min(max(pts - dts, -0x80_0000), 0x7F_FFFF))) & 0xFF_FFFF)
            let header = UInt64((key ? 0x10 : 0x20) | codecID) << 32 | 1 << 24 | ct
            try putTag(type: 9, timestamp: timestamp, header: header, headerBytes: 5, payload: data, count: size, flush: key || due)
        case .aac:
            // ADTS-framed AAC (from MPEG-TS) carries a 7- or 9-byte header FLV must not have.
            if size > 9 && data.load(as: UInt8.self) == 0xFF && data.load(fromByteOffset: 1, as: UInt8.self) & 0xF0 == 0xF0 {
                let headerLength = data.load(fromByteOffset: 1, as: UInt8.self) & 1 == 1 ? 7 : 9
                data += headerLength
                size -= headerLength
            }
            if due { lastFlushMs = dts }
            try putTag(type: 8, timestamp: timestamp, header: 0xAF01, headerBytes: 2, payload: data, count: size, flush: due)
        case .mp3(let flags):
            if due { lastFlushMs = dts }
            try putTag(type: 8, timestamp: timestamp, header: UInt64(flags), headerBytes: 1, payload: data, count: size, flush: due)
        }
    }

    public func finish() throws(MediaError) {
        guard !finished else { return }
        finished = true
        try patch(number: Double(endMs) / 1000, at: durationOffset)
        try patch(number: Double(file.size), at: filesizeOffset)
        try file.close()
    }

    // MARK: - Header

    private func writeHeader(video: Track?, audio: Track?) throws(MediaError) {
        let h: [UInt8] = [0x46, 0x4C, 0x56, 1, (audio != nil ? 4 : 0) | (video != nil ? 1 : 0), 0, 0, 0, 9, 0, 0, 0, 0]
        // onMetaData: AMF0 string + ECMA array.
        var amf: [UInt8] = [2, 0, 10] + Array("onMetaData".utf8)
        var count: UInt32 = 3  // duration, encoder, filesize
        if video != nil { count += 3 }
        if audio != nil { count += 3 }
        amf.append(8)
        amf.append(contentsOf: withUnsafeBytes(of: count.bigEndian, Array.init))
        let tagDataStart = h.count + 11
        func key(_ k: String) {
            amf.append(contentsOf: withUnsafeBytes(of: UInt16(k.utf8.count).bigEndian, Array.init))
            amf.append(contentsOf: Array(k.utf8))
        }
        func number(_ k: String, _ v: Double) -> Int {
            key(k)
            amf.append(0)
            let at = tagDataStart + amf.count
            amf.append(contentsOf: withUnsafeBytes(of: v.bitPattern.bigEndian, Array.init))
            return at
        }
        durationOffset = number("duration", 0)
        if let v = video?.parameters.pointee {
            _ = number("width", Double(v.width))
            _ = number("height", Double(v.height))
            _ = number("videocodecid", v.codec_id == AV_CODEC_ID_HEVC ? 12 : 7)
        }
        if let a = audio?.parameters.pointee {
            _ = number("audiocodecid", a.codec_id == AV_CODEC_ID_AAC ? 10 : 2)
            _ = number("audiosamplerate", Double(a.sample_rate))
            key("stereo")
            amf.append(contentsOf: [1, a.ch_layout.nb_channels >= 2 ? 1 : 0])
        }
        key("encoder")
        amf.append(2)
        amf.append(contentsOf: withUnsafeBytes(of: UInt16(6).bigEndian, Array.init))
        amf.append(contentsOf: Array("biliup".utf8))
        filesizeOffset = number("filesize", 0)
        amf.append(contentsOf: [0, 0, 9])
        let failure: MediaError? = h.withUnsafeBytes { header in
            amf.withUnsafeBytes { b in
                do throws(MediaError) {
                    try file.append(header.baseAddress!, header.count)
                    try putTag(type: 18, timestamp: 0, header: 0, headerBytes: 0, payload: b.baseAddress!, count: b.count, flush: false)
                    return nil
                } catch { return error }
            }
        }
        if let failure { throw failure }
        if let v = video {
            let p = v.parameters.pointee
            let codecID: UInt64 = p.codec_id == AV_CODEC_ID_HEVC ? 12 : 7
            try putTag(type: 9, timestamp: 0, header: (0x10 | codecID) << 32, headerBytes: 5,
                       payload: p.extradata!, count: Int(p.extradata_size), flush: false)
        }
        if let a = audio, a.parameters.pointee.codec_id == AV_CODEC_ID_AAC {
            let p = a.parameters.pointee
            try putTag(type: 8, timestamp: 0, header: 0xAF00, headerBytes: 2,
                       payload: p.extradata!, count: Int(p.extradata_size), flush: false)
        }
    }

    /// FLV sound flags for MP3: format 2 (14 for 8 kHz), rate index, 16-bit, stereo bit. FLV cannot say
    /// 48/32/24/16/12 kHz; players read the real rate from the MP3 frames.
    static func mp3Flags(_ p: AVCodecParameters) -> UInt8 {
        let rate = p.sample_rate
        let stereo: UInt8 = p.ch_layout.nb_channels >= 2 ? 1 : 0
        if rate == 8000 { return 14 << 4 | 2 | stereo }
        let index: UInt8 = rate >= 32000 ? 3 : rate >= 16000 ? 2 : rate >= 11025 ? 1 : 0
        return 2 << 4 | index << 2 | 2 | stereo
    }

    // MARK: - Tags and I/O

    /// Appends one tag: `headerBytes` bytes of `header` (most significant first), the payload and the
    /// PreviousTagSize. A tag that does not fit the file's buffer is preceded by a flush, so whole tags
    /// reach the file.
    private func putTag(type: UInt8, timestamp: UInt32, header: UInt64, headerBytes: Int,
                        payload: UnsafeRawPointer, count: Int, flush flushAfter: Bool) throws(MediaError) {
        let dataSize = headerBytes + count
        if 11 + dataSize + 4 > file.freeBufferBytes { try file.flush() }
        let p = tagHead
        p.storeBytes(of: type, as: UInt8.self)
        store24(p + 1, UInt32(dataSize))
        store24(p + 4, timestamp & 0xFF_FFFF)
        p.storeBytes(of: UInt8(timestamp >> 24), toByteOffset: 7, as: UInt8.self)
        store24(p + 8, 0)
        for i in 0..<headerBytes {
            p.storeBytes(of: UInt8(truncatingIfNeeded: header >> (8 * UInt64(headerBytes - 1 - i))),
                         toByteOffset: 11 + i, as: UInt8.self)
        }
        try file.append(p, 11 + headerBytes)
        try file.append(payload, count)
        p.storeBytes(of: UInt32(11 + dataSize).bigEndian, as: UInt32.self)
        try file.append(p, 4)
        if flushAfter { try file.flush() }
    }

    @inline(__always) private func store24(_ p: UnsafeMutableRawPointer, _ v: UInt32) {
        p.storeBytes(of: UInt8(truncatingIfNeeded: v >> 16), as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: v >> 8), toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: 2, as: UInt8.self)
    }

    private func patch(number: Double, at offset: Int) throws(MediaError) {
        tagHead.storeBytes(of: number.bitPattern.bigEndian, as: UInt64.self)
        try file.write(tagHead, 8, at: Int64(offset))
    }
}
