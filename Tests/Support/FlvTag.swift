import Foundation

/// One FLV tag: its type, its timestamp and its body (everything after the 11-byte tag header).
public struct FlvTag: Sendable, Equatable {
    public static let audioType: UInt8 = 8
    public static let videoType: UInt8 = 9
    public static let scriptType: UInt8 = 18

    /// Video codec ids whose body starts with an AVC-style packet type (0 = sequence header):
    /// 7 is AVC; 12 is the HEVC id Chinese CDNs use.
    static let avcStyleVideoCodecs: Set<UInt8> = [7, 12]
    /// AVC/HEVC packet types after the sequence header (0).
    static let naluPacketType: UInt8 = 1
    static let endOfSequencePacketType: UInt8 = 2
    /// Audio format 10 is AAC, whose body starts with a packet type (0 = sequence header).
    static let aacSoundFormat: UInt8 = 10

    public var type: UInt8
    /// Milliseconds, including the extended (high) byte.
    public var timestamp: Int
    public var data: Data

    public init(type: UInt8, timestamp: Int, data: Data) {
        self.type = type
        self.timestamp = timestamp
        self.data = data
    }

    public var isAudio: Bool { type == Self.audioType }
    public var isVideo: Bool { type == Self.videoType }
    public var isScript: Bool { type == Self.scriptType }

    /// A video tag whose frame type (high nibble of the first byte) is 1, a keyframe.
    public var isKeyframe: Bool { isVideo && (byte(0).map { $0 >> 4 == 1 } ?? false) }

    /// An AVC/HEVC decoder configuration or an AAC AudioSpecificConfig rather than a frame.
    public var isSequenceHeader: Bool {
        guard let first = byte(0), byte(1) == 0 else { return false }
        if isVideo { return Self.avcStyleVideoCodecs.contains(first & 0x0F) }
        if isAudio { return first >> 4 == Self.aacSoundFormat }
        return false
    }

    /// The AVC/HEVC end-of-sequence marker ffmpeg writes when it closes a file.
    public var isEndOfSequence: Bool {
        guard isVideo, let first = byte(0), Self.avcStyleVideoCodecs.contains(first & 0x0F) else { return false }
        return byte(1) == Self.endOfSequencePacketType
    }

    /// A tag carrying a coded frame: not script data, a sequence header or an AVC/HEVC end-of-sequence
    /// marker. These are what ffprobe counts as packets.
    public var isFrame: Bool {
        if isVideo, let first = byte(0), Self.avcStyleVideoCodecs.contains(first & 0x0F) {
            return byte(1) == Self.naluPacketType
        }
        return isVideo || (isAudio && !isSequenceHeader)
    }

    private func byte(_ offset: Int) -> UInt8? {
        offset < data.count ? data[data.startIndex + offset] : nil
    }
}

/// A parsed FLV file. `header` is every byte before the first tag (the 9-byte file header and the
/// zero PreviousTagSize), so `header` followed by the tags written by `FlvTagWriter` is a valid stream.
public struct FlvFile: Sendable {
    public var header: Data
    public var tags: [FlvTag]
}
