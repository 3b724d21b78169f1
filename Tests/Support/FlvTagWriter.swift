import Foundation

/// Serializes FLV: the file header and tags.
public enum FlvTagWriter {
    private static let hasAudioFlag: UInt8 = 0x04
    private static let hasVideoFlag: UInt8 = 0x01

    /// The 9-byte file header followed by the zero PreviousTagSize that precedes the first tag.
    public static func header(audio: Bool = true, video: Bool = true) -> Data {
        let flags = (audio ? hasAudioFlag : 0) | (video ? hasVideoFlag : 0)
        return Data([0x46, 0x4C, 0x56, 0x01, flags, 0, 0, 0, UInt8(FlvTagReader.fileHeaderSize), 0, 0, 0, 0])
    }

    /// Appends `tag` as sent on the wire: 11-byte header, body, 4-byte PreviousTagSize. `timestamp`
    /// replaces the tag's own; like FLV's 32-bit field it wraps, so pass values that are not negative.
    public static func append(_ tag: FlvTag, timestamp: Int? = nil, to buffer: inout Data) {
        let time = UInt32(truncatingIfNeeded: timestamp ?? tag.timestamp)
        let size = tag.data.count
        buffer.append(contentsOf: [
            tag.type,
            UInt8(truncatingIfNeeded: size >> 16), UInt8(truncatingIfNeeded: size >> 8), UInt8(truncatingIfNeeded: size),
            UInt8(truncatingIfNeeded: time >> 16), UInt8(truncatingIfNeeded: time >> 8), UInt8(truncatingIfNeeded: time),
            UInt8(truncatingIfNeeded: time >> 24),  // the extended byte carries the high bits
            0, 0, 0,  // stream id, always 0
        ])
        buffer.append(tag.data)
        buffer.append(contentsOf: bigEndianBytes(UInt32(FlvTagReader.tagHeaderSize + size)))
    }

    static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
         UInt8(truncatingIfNeeded: value)]
    }
}
