import Foundation

/// Finds the HEVCDecoderConfigurationRecord (the body of the `hvcC` box) in an MP4 file.
enum Mp4HevcConfig {
    private static let boxHeaderSize = 8
    private static let configurationVersion: UInt8 = 1

    static func record(in mp4: Data) throws -> Data {
        let mp4 = mp4.startIndex == 0 ? mp4 : Data(mp4)
        let moov = try topLevelBox("moov", in: mp4)
        // hvcC sits deep in moov (trak/mdia/minf/stbl/stsd/hvc1); its fourcc cannot occur elsewhere in
        // moov's small tables by accident, so a byte search is enough.
        guard let fourcc = mp4.range(of: Data("hvcC".utf8), in: moov) else {
            throw TestSupportError.malformedMp4("no hvcC box in moov")
        }
        let boxStart = fourcc.lowerBound - 4
        let boxEnd = boxStart + Int(bigEndian: mp4, at: boxStart, width: 4)
        let bodyStart = boxStart + boxHeaderSize
        guard boxEnd <= moov.upperBound, bodyStart < boxEnd, mp4[bodyStart] == configurationVersion else {
            throw TestSupportError.malformedMp4("bad hvcC box at offset \(boxStart)")
        }
        return Data(mp4[bodyStart..<boxEnd])
    }

    /// The byte range of the first top-level box of `type`, header included.
    private static func topLevelBox(_ type: String, in mp4: Data) throws -> Range<Int> {
        var offset = 0
        while offset + boxHeaderSize <= mp4.count {
            var size = Int(bigEndian: mp4, at: offset, width: 4)
            if size == 1, offset + 16 <= mp4.count {
                size = Int(bigEndian: mp4, at: offset + 8, width: 8)  // 64-bit "largesize"
            } else if size == 0 {
                size = mp4.count - offset  // box runs to the end of the file
            }
            guard size >= boxHeaderSize, offset + size <= mp4.count else { break }
            if mp4[offset + 4..<offset + 8] == Data(type.utf8) { return offset..<offset + size }
            offset += size
        }
        throw TestSupportError.malformedMp4("no \(type) box")
    }
}
