import Foundation

/// Splits FLV bytes into tags.
public enum FlvTagReader {
    static let fileHeaderSize = 9
    static let tagHeaderSize = 11
    static let previousTagSizeBytes = 4

    public static func read(_ file: URL) throws -> FlvFile {
        try parse(Data(contentsOf: file))
    }

    /// Parses a complete FLV; a truncated last tag is an error, not silently dropped.
    public static func parse(_ bytes: Data) throws -> FlvFile {
        let bytes = bytes.startIndex == 0 ? bytes : Data(bytes)  // index from 0 below
        guard bytes.count >= fileHeaderSize + previousTagSizeBytes, bytes.prefix(3) == Data("FLV".utf8) else {
            throw TestSupportError.malformedFlv("no FLV file header")
        }
        let dataOffset = Int(bigEndian: bytes, at: 5, width: 4)
        guard dataOffset >= fileHeaderSize, dataOffset + previousTagSizeBytes <= bytes.count else {
            throw TestSupportError.malformedFlv("bad header size \(dataOffset)")
        }
        var offset = dataOffset + previousTagSizeBytes
        var tags: [FlvTag] = []
        while offset < bytes.count {
            guard offset + tagHeaderSize <= bytes.count else {
                throw TestSupportError.malformedFlv("truncated tag header at offset \(offset)")
            }
            let size = Int(bigEndian: bytes, at: offset + 1, width: 3)
            let bodyStart = offset + tagHeaderSize
            guard bodyStart + size + previousTagSizeBytes <= bytes.count else {
                throw TestSupportError.malformedFlv("truncated tag at offset \(offset)")
            }
            // Timestamp: 24 low bits, then the extended byte holding bits 24-31.
            let timestamp = Int(bigEndian: bytes, at: offset + 4, width: 3) | Int(bytes[offset + 7]) << 24
            tags.append(FlvTag(type: bytes[offset] & 0x1F, timestamp: timestamp,
                               data: Data(bytes[bodyStart..<bodyStart + size])))
            offset = bodyStart + size + previousTagSizeBytes
        }
        return FlvFile(header: Data(bytes[0..<dataOffset + previousTagSizeBytes]), tags: tags)
    }
}

extension Int {
    /// The unsigned big-endian integer in `width` bytes of `bytes` (indexed from 0) at `offset`.
    init(bigEndian bytes: Data, at offset: Int, width: Int) {
        self = bytes[offset..<offset + width].reduce(0) { $0 << 8 | Int($1) }
    }
}
