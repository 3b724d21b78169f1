@testable import BiliupScript
import BiliupNet
import BiliupTestSupport
import Foundation

/// Reference answers for the crypto tests from tools outside the process: the `openssl` command (a
/// separate program, so a wrong call of the library in-process cannot agree with it by accident) and
/// Python's urllib.
enum CryptoReference {
    /// `openssl dgst`'s hex digest of each file, or its HMAC under `key` (which must not be empty: the
    /// 3.0 command fails on an empty `hexkey:`).
    static func openssl(_ algorithm: DigestAlgorithm, key: [UInt8]? = nil, files: [String]) throws -> [String] {
        var arguments = ["dgst", "-\(algorithm.rawValue)", "-r"]
        if let key { arguments += ["-mac", "HMAC", "-macopt", "hexkey:\(Digest.hex(key))"] }
        let output = try checkedLines("openssl", arguments + files)
        // `-r` prints "<hex> *<path>" a line.
        return output.map { String($0.prefix { $0 != " " }) }
    }

    /// Runs a Python 3 script and returns its output lines.
    static func python(_ script: String, _ arguments: [String]) throws -> [String] {
        try checkedLines("python3", ["-c", script] + arguments)
    }

    /// Calls `body` with the paths of files holding `contents`, then removes them.
    static func withFiles<T>(_ contents: [[UInt8]], _ body: ([String]) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = try contents.enumerated().map { index, bytes in
            let path = directory.appendingPathComponent("\(index)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        return try body(paths)
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }

    /// One MiB of every byte value in turn: large enough that a digest runs through thousands of blocks,
    /// and the same on every run, so a failure can be repeated.
    static let mebibytePattern: [UInt8] = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }

    private static func checkedLines(_ tool: String, _ arguments: [String]) throws -> [String] {
        let result = try runTool(tool, arguments)
        guard result.status == 0 else {
            throw TestSupportError.toolFailed(tool: tool, arguments: Array(arguments.prefix(4)), status: result.status,
                                              stderr: result.stderr)
        }
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}
