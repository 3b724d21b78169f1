import BiliupTestSupport
import Foundation

/// The `biliup` binary built next to the test bundle, run as a user runs it; `BILIUP_BIN` names another
/// build (a release binary, say) to run the same tests against.
enum BiliupProcess {
    static var binary: String {
        if let chosen = ProcessInfo.processInfo.environment["BILIUP_BIN"], !chosen.isEmpty { return chosen }
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()]
        for c in candidates {
            let path = c.appendingPathComponent("biliup").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return dir.appendingPathComponent("biliup").path
    }

    /// Runs biliup to completion, off the cooperative pool.
    static func run(_ args: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await onThread { try runTool(binary, args) }
    }

    /// Starts biliup in the background (for tests that signal or kill it).
    static func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }
}

/// A fresh directory for one test's recordings.
func scratchDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("biliup-cli-tests")
        .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Recorded media files in `dir` (finished ones, or `.part` ones when asked), sorted by name.
func recordedFiles(in dir: URL, part: Bool = false) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        .filter { part ? $0.pathExtension == "part" : ["flv", "ts", "mkv", "mp4"].contains($0.pathExtension) }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}
