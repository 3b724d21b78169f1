@testable import BiliupMedia
import Foundation
import Testing

/// MediaFile against a byte array that does the same: after every flush the file holds exactly what was
/// appended and patched (what a killed process leaves), after close exactly that and no more.
@Suite struct MediaFileTests {
    /// /tmp takes O_DIRECT here (ext4); /dev/shm is tmpfs, which refuses it at open.
    static let directories = ["/tmp", "/dev/shm"].filter { FileManager.default.isWritableFile(atPath: $0) }

    /// Direct writes, and buffered ones written behind (past several 8 MiB windows, so patches land in
    /// ranges already dropped from the page cache).
    @Test(arguments: directories, [true, false])
    func fileMatchesWhatWasWrittenAtEveryFlush(directory: String, direct: Bool) throws {
        let path = "\(directory)/biliup-mediafile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try MediaFile(path: path, direct: direct)
        let limit = direct ? 8 << 20 : 4 * Int(MediaFile.writeBehindBytes)
        var model: [UInt8] = []
        model.reserveCapacity(limit + 2 * MediaFile.bufferBytes)
        var random = SplitMix(seed: 7)
        // Each write's bytes are a slice of this, at a random place: made once, since building tens of
        // megabytes a byte at a time in a debug build held a thread of the test pool for over a minute.
        let noise = (0..<(2 * MediaFile.bufferBytes)).map { _ in UInt8(truncatingIfNeeded: random.next() >> 24) }
        for step in 0..<200 {
            // Sizes around the block and buffer sizes, as tags and muxer writes come.
            let n = [1, 11, 4095, 4096, 4097, 30_000, 200_000, MediaFile.bufferBytes + 5][Int(random.next() % 8)]
            let from = Int(random.next() % UInt64(noise.count - n))
            let bytes = Array(noise[from..<(from + n)])
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
            if model.count > limit { break }
        }
        try file.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(model))
    }

    /// A recording does not fill the page cache: windows behind the one being written are dropped.
    @Test func writtenWindowsLeaveThePageCache() throws {
        guard fileSystemType(of: "/tmp") != "tmpfs" else { return }  // tmpfs pages are the file itself
        let path = "/tmp/biliup-mediafile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try MediaFile(path: path, direct: false)
        let chunk = [UInt8](repeating: 0x5A, count: 256 << 10)
        let total = 5 * Int(MediaFile.writeBehindBytes)
        for _ in 0..<(total / chunk.count) {
            try file.append(chunk, chunk.count)
            try file.flush()
        }
        // Windows 0–2 are dropped once window 4 is complete and window 3 written back.
        let dropped = 3 * Int(MediaFile.writeBehindBytes)
        #expect(residentPages(path, bytes: dropped) < dropped / 4096 / 10)
        try file.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == total)
    }

    /// The type of the file system mounted deepest above `path`, from /proc/mounts.
    private func fileSystemType(of path: String) -> String? {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return nil }
        let entries = mounts.split(separator: "\n").map { $0.split(separator: " ") }.filter { $0.count > 2 }
        let above = entries.filter { path == $0[1] || path.hasPrefix($0[1] == "/" ? "/" : $0[1] + "/") }
        return above.max { $0[1].count < $1[1].count }.map { String($0[2]) }
    }

    /// Pages of the first `bytes` of the file that are in the page cache (mincore).
    private func residentPages(_ path: String, bytes: Int) -> Int {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        guard fd >= 0, let map = mmap(nil, bytes, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { return Int.max }
        defer { munmap(map, bytes) }
        var vector = [UInt8](repeating: 0, count: bytes / 4096)
        guard mincore(map, bytes, &vector) == 0 else { return Int.max }
        return vector.filter { $0 & 1 != 0 }.count
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
