import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Video codecs an FLV stream can carry that we read: H.264 (codec id 7 or Enhanced FLV `avc1`) and
/// HEVC (codec id 12 as Chinese CDNs send it, or Enhanced FLV `hvc1`).
enum FlvVideoCodec: Sendable, Equatable {
    case h264, hevc

    var codecID: AVCodecID { self == .h264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC }
    /// The legacy FLV codec id (the one CDNs use for HEVC too).
    var flvCodecID: UInt8 { self == .h264 ? 7 : 12 }
    /// Smallest well-formed AVCDecoderConfigurationRecord / HEVCDecoderConfigurationRecord.
    var minRecordBytes: Int { self == .h264 ? 7 : 23 }
}

enum FlvAudioCodec: Sendable, Equatable {
    case aac, mp3
    var codecID: AVCodecID { self == .aac ? AV_CODEC_ID_AAC : AV_CODEC_ID_MP3 }
}

/// A video sequence header, with the picture size once a keyframe told it.
struct FlvVideoConfig {
    let codec: FlvVideoCodec
    /// The decoder configuration record (avcC / hvcC), used as extradata.
    let record: [UInt8]
    var width: Int32 = 0
    var height: Int32 = 0

    func sameRecord(_ p: UnsafeRawPointer, _ n: Int, codec c: FlvVideoCodec) -> Bool {
        c == codec && n == record.count && record.withUnsafeBytes { memcmp($0.baseAddress!, p, n) == 0 }
    }
}

struct FlvAudioConfig: Equatable {
    let codec: FlvAudioCodec
    /// AudioSpecificConfig for AAC, empty for MP3.
    let record: [UInt8]
    let sampleRate: Int32
    let channels: Int32
    /// Samples per frame: 1024 for AAC (2048 at the output rate with SBR), 1152 / 576 for MP3.
    let frameSamples: Int32

    /// Packet duration in milliseconds (rounded, as libavformat's FLV demuxer gives it).
    var frameDurationMs: Int64 { sampleRate > 0 ? (Int64(frameSamples) * 1000 + Int64(sampleRate / 2)) / Int64(sampleRate) : 0 }

    func sameRecord(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        codec == .aac && n == record.count && record.withUnsafeBytes { memcmp($0.baseAddress!, p, n) == 0 }
    }
}

/// Codec parameters from FLV codec headers.
enum FlvCodecConfig {
    /// FLV SoundRate field → Hz (5.5, 11, 22, 44 kHz).
    static let flvSampleRates: [Int32] = [5512, 11025, 22050, 44100]
    /// MPEG-4 Audio sampling frequency index → Hz.
    static let aacSampleRates: [Int32] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000,
                                          12000, 11025, 8000, 7350]
    /// MPEG-4 Audio channelConfiguration → channel count (0 = given by a program config element).
    static let aacChannels: [Int32] = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 0, 8, 0]

    /// AAC from its AudioSpecificConfig; the FLV flags only fill in what the config leaves open.
    static func aac(record p: UnsafeRawPointer, count n: Int, flvFlags: UInt8) -> FlvAudioConfig? {
        guard n >= 2 else { return nil }
        var bits = BitReader(p, n)
        var objectType = bits.read(5)
        if objectType == 31 { objectType = 32 + bits.read(6) }
        var rate = sampleRate(&bits)
        let channelConfig = Int(bits.read(4))
        // Explicit SBR / PS (HE-AAC v1/v2): the output rate is the extension rate.
        var frameSamples: Int32 = 1024
        if objectType == 5 || objectType == 29 {
            let ext = sampleRate(&bits)
            if ext > 0 && ext != rate {
                rate = ext
                frameSamples = 2048
            }
        }
        guard !bits.overrun else { return nil }
        var channels = aacChannels[channelConfig]
        if channels == 0 { channels = flvFlags & 1 == 0 ? 1 : 2 }
        if rate == 0 { rate = flvSampleRates[Int(flvFlags >> 2) & 3] }
        return FlvAudioConfig(codec: .aac, record: Array(UnsafeRawBufferPointer(start: p, count: n)),
                              sampleRate: rate, channels: channels, frameSamples: frameSamples)
    }

    private static func sampleRate(_ bits: inout BitReader) -> Int32 {
        let index = Int(bits.read(4))
        if index == 15 { return Int32(bits.read(24)) }
        return index < aacSampleRates.count ? aacSampleRates[index] : 0
    }

    /// MP3 from its first frame header (FLV's rate field cannot say 48 kHz or 32 kHz), falling back to
    /// the FLV flags when the frame does not start with a valid header.
    static func mp3(frame p: UnsafeRawPointer, count n: Int, flvFlags: UInt8) -> FlvAudioConfig {
        var rate = (flvFlags >> 4) == 14 ? 8000 : flvSampleRates[Int(flvFlags >> 2) & 3]
        var channels: Int32 = flvFlags & 1 == 0 ? 1 : 2
        var frameSamples: Int32 = rate >= 32000 ? 1152 : 576
        if n >= 4 {
            let h = be32(p)
            let version = (h >> 19) & 3  // 0 MPEG-2.5, 2 MPEG-2, 3 MPEG-1
            let rateIndex = Int((h >> 10) & 3)
            if h & 0xFFE0_0000 == 0xFFE0_0000 && version != 1 && rateIndex != 3 && (h >> 17) & 3 != 0 {
                let base: [Int32] = [44100, 48000, 32000]
                rate = base[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2)
                channels = (h >> 6) & 3 == 3 ? 1 : 2
                let layer = (h >> 17) & 3  // 3 layer I, 2 layer II, 1 layer III
                frameSamples = layer == 3 ? 384 : layer == 2 || version == 3 ? 1152 : 576
            }
        }
        return FlvAudioConfig(codec: .mp3, record: [], sampleRate: rate, channels: channels, frameSamples: frameSamples)
    }

    /// Picture size from a keyframe, with libavcodec's parser reading the SPS in the configuration
    /// record and the slice in the frame (it applies the cropping window). `frame` must be followed by
    /// AV_INPUT_BUFFER_PADDING_SIZE readable bytes, as packet data is.
    static func dimensions(codec: FlvVideoCodec, record: [UInt8], frame: UnsafePointer<UInt8>, count: Int)
        -> (width: Int32, height: Int32)?
    {
        guard let parser = av_parser_init(Int32(codec.codecID.rawValue)) else { return nil }
        defer { av_parser_close(parser) }
        var ctx = avcodec_alloc_context3(nil)
        guard let c = ctx else { return nil }
        defer { avcodec_free_context(&ctx) }
        c.pointee.codec_type = AVMEDIA_TYPE_VIDEO
        c.pointee.codec_id = codec.codecID
        c.pointee.extradata = copyPadded(record)  // freed by avcodec_free_context
        c.pointee.extradata_size = Int32(record.count)
        parser.pointee.flags |= PARSER_FLAG_COMPLETE_FRAMES
        var out: UnsafeMutablePointer<UInt8>?
        var outSize: Int32 = 0
        let nopts = shim_AV_NOPTS_VALUE()
        _ = av_parser_parse2(parser, c, &out, &outSize, frame, Int32(count), nopts, nopts, 0)
        let w = parser.pointee.width, h = parser.pointee.height
        return w > 0 && h > 0 ? (w, h) : nil
    }

    static func parameters(video v: FlvVideoConfig) -> UnsafeMutablePointer<AVCodecParameters> {
        let par = avcodec_parameters_alloc()!
        par.pointee.codec_type = AVMEDIA_TYPE_VIDEO
        par.pointee.codec_id = v.codec.codecID
        par.pointee.width = v.width
        par.pointee.height = v.height
        par.pointee.extradata = copyPadded(v.record)
        par.pointee.extradata_size = Int32(v.record.count)
        let r = v.record
        switch v.codec {
        case .h264 where r.count >= 4:
            par.pointee.profile = Int32(r[1])
            par.pointee.level = Int32(r[3])
        case .hevc where r.count >= 13:
            par.pointee.profile = Int32(r[1] & 0x1F)
            par.pointee.level = Int32(r[12])
        default: break
        }
        return par
    }

    static func parameters(audio a: FlvAudioConfig) -> UnsafeMutablePointer<AVCodecParameters> {
        let par = avcodec_parameters_alloc()!
        par.pointee.codec_type = AVMEDIA_TYPE_AUDIO
        par.pointee.codec_id = a.codec.codecID
        par.pointee.sample_rate = a.sampleRate
        av_channel_layout_default(&par.pointee.ch_layout, a.channels)
        if a.codec == .aac {
            par.pointee.extradata = copyPadded(a.record)
            par.pointee.extradata_size = Int32(a.record.count)
            par.pointee.frame_size = 1024
        }
        return par
    }

    /// av_malloc'd copy with the zeroed padding libavcodec reads past the end.
    static func copyPadded(_ bytes: [UInt8]) -> UnsafeMutablePointer<UInt8> {
        let n = bytes.count + Int(AV_INPUT_BUFFER_PADDING_SIZE)
        let p = av_mallocz(n)!.assumingMemoryBound(to: UInt8.self)
        bytes.withUnsafeBytes { if $0.count > 0 { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        return p
    }
}

/// MSB-first bit reader over a small buffer (codec config records); reads past the end give zeros and
/// set `overrun`.
struct BitReader {
    private let p: UnsafeRawPointer
    private let count: Int
    private var bit = 0
    private(set) var overrun = false

    init(_ p: UnsafeRawPointer, _ count: Int) {
        self.p = p
        self.count = count
    }

    mutating func read(_ n: Int) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<n {
            let byteIndex = bit >> 3
            var b: UInt32 = 0
            if byteIndex < count {
                b = UInt32(p.load(fromByteOffset: byteIndex, as: UInt8.self) >> (7 - UInt8(bit & 7))) & 1
            } else {
                overrun = true
            }
            v = v << 1 | b
            bit += 1
        }
        return v
    }
}
