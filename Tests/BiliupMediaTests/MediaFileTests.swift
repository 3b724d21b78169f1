@testable import BiliupMedia
import Foundation
import Testing

/// MediaFile against a byte array that does the same: after every flush the file holds exactly what was
/// appended and patched (what a killed process leaves), after close exactly that and no more.
@Suite struct MediaFileTests {
    /// /tmp takes O_DIRECT here (ext4); /dev/shm is tmpfs, which refuses it at open.
    static let directories = ["/tmp", "/dev/shm"].filter { FileManager.default.isWritableFile(atPath: $0) }

    @Test(arguments: directories)
    func fileMatchesWhatWasWrittenAtEveryFlush(directory: String) throws {
        let path = "\(directory)/biliup-mediafile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try MediaFile(path: path, direct: true)
        var model: [UInt8] = []
        var random = SplitMix(seed: 7)
        for step in 0..<200 {
            // Sizes around the block and buffer sizes, as tags and muxer writes come.
            let n = [1, 11, 4095, 4096, 4097, 30_000, 200_000, MediaFile.bufferBytes + 5][Int(random.next() % 8)]
            let seed = Int(random.next() % 251)
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: seed &+ $0 &* 7) }
            switch random.next() % 4 {
            case 0 where !model.isEmpty:
                // A patch of bytes already written, sometimes running past the end.
                let at = Int(random.next() % UInt64(model.count))
                let k = min(n, 64)
                try file.write(bytes, k, at: Int64(at))
                for i in 0..<k { if at + i < model.count { model[at + i] = bytes[i] } else { model.append(bytes[i]) } }
            default:
                try file.append(bytes, n)
                model += bytes
            }
            #expect(file.size == Int64(model.count))
            if step % 5 == 0 {
                try file.flush()
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(model), "after step \(step)")
            }
            if model.count > 8 << 20 { break }
        }
        try file.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(model))
    }

    @Test func writingPastTheEndIsAnError() throws {
        let path = "/tmp/biliup-mediafile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try MediaFile(path: path, direct: true)
        try file.append([1, 2, 3], 3)
        #expect(throws: MediaError.self) { try file.write([4], 1, at: 5) }
        try file.close()
    }
}

/// A small deterministic generator, so a failure can be replayed.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
