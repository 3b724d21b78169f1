import CFFmpeg

/// MPEG-TS carries AAC as ADTS frames (a 7- or 9-byte header per frame, no decoder config). MP4 written
/// with an empty moov must know the AudioSpecificConfig before the first packet (libavformat then turns
/// off its automatic bitstream filters), and FLV and Matroska want raw frames too. So ADTS is unwrapped
/// at the demuxer, once, for every output; the MPEG-TS muxer wraps it again from the config.
enum ADTS {
    /// Whether `bytes` start with an ADTS sync word.
    static func isADTS(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 7 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0
    }

    /// The 2-byte AudioSpecificConfig described by an ADTS header.
    static func audioSpecificConfig(_ h: UnsafeRawBufferPointer) -> [UInt8] {
        let objectType = UInt8((h[2] >> 6) + 1)
        let frequencyIndex = UInt8((h[2] >> 2) & 0x0F)
        let channels = UInt8(((h[2] & 0x01) << 2) | (h[3] >> 6))
        return [(objectType << 3) | (frequencyIndex >> 1), ((frequencyIndex & 1) << 7) | (channels << 3)]
    }

    /// Length of the header: 9 bytes when a CRC follows (protection_absent = 0).
    static func headerLength(_ h: UnsafeRawBufferPointer) -> Int { h[1] & 0x01 == 0 ? 9 : 7 }

    /// Drops the ADTS header from a packet without copying: the packet's data pointer moves past it.
    static func strip(_ p: Packet) {
        let bytes = p.bytes
        guard isADTS(bytes) else { return }
        let n = headerLength(bytes)
        guard p.size > n else { return }
        p.av.pointee.data += n
        p.av.pointee.size -= Int32(n)
    }

    /// Sets `config` as the extradata of `parameters` (libavcodec wants padded, av_malloc'ed memory).
    static func setExtradata(_ config: [UInt8], on parameters: UnsafeMutablePointer<AVCodecParameters>) {
        av_freep(&parameters.pointee.extradata)
        let padded = Int(AV_INPUT_BUFFER_PADDING_SIZE)
        let mem = av_mallocz(config.count + padded)!.assumingMemoryBound(to: UInt8.self)
        config.withUnsafeBufferPointer { mem.update(from: $0.baseAddress!, count: config.count) }
        parameters.pointee.extradata = mem
        parameters.pointee.extradata_size = Int32(config.count)
    }
}
