import Foundation

/// Runs a command-line tool to completion: `runTool("ffprobe", [...])`.
///
/// `path` may be a bare name, looked up in PATH. Standard input is /dev/null because ffmpeg otherwise
/// reads the terminal for its interactive keys. Both output pipes are drained at the same time, so a tool
/// that fills one pipe while we wait on the other cannot deadlock us.
public func runTool(_ path: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = try executableURL(path)
    process.arguments = args
    process.standardInput = FileHandle.nullDevice
    let stdoutPipe = Pipe()
    let stderrPipe = Pipe()
    process.standardOutput = stdoutPipe
    process.standardError = stderrPipe
    try process.run()
    let stderrDrain = PipeDrain(stderrPipe.fileHandleForReading)
    let stdout = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
    let stderr = stderrDrain.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// `runTool` for callers that only want the output of a successful run.
func runToolChecked(_ path: String, _ args: [String]) throws -> String {
    let result = try runTool(path, args)
    guard result.status == 0 else {
        throw TestSupportError.toolFailed(tool: path, arguments: args, status: result.status, stderr: result.stderr)
    }
    return result.stdout
}

private func executableURL(_ path: String) throws -> URL {
    if path.contains("/") { return URL(fileURLWithPath: path) }
    let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in searchPath.split(separator: ":") {
        let candidate = "\(directory)/\(path)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
    }
    throw TestSupportError.toolNotFound(path)
}

/// Reads a pipe to its end on a thread of its own.
private final class PipeDrain: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var data = Data()  // written once by the drain thread, read after `finished`

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            finished.signal()
        }
    }

    func wait() -> Data {
        finished.wait()
        return data
    }
}
