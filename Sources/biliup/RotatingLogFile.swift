import Foundation

/// A log file that is rotated by size: when a line would take it past `maxBytes`, FILE becomes FILE.1,
/// FILE.1 becomes FILE.2 and so on, the oldest past `keep` is dropped, and a new FILE is started.
/// Lines are appended whole (O_APPEND), so `tail -F` and log collectors see complete lines.
final class RotatingLogFile: @unchecked Sendable {
    struct OpenError: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "--log-file \(path): cannot open: \(reason)" }
    }

    let path: String
    let maxBytes: Int64
    let keep: Int
    private let lock = NSLock()
    private var fd: Int32
    private var size: Int64
    /// Reported once on standard error: a full disk must not turn every log line into another error.
    private var reportedFailure = false

    init(path: String, maxBytes: Int64, keep: Int) throws(OpenError) {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        (fd, size) = try Self.open(path)
    }

    deinit { close(fd) }

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        lock.lock()
        defer { lock.unlock() }
        if fd < 0, let reopened = try? Self.open(path) { (fd, size) = reopened }  // after a failed rotation
        if size > 0, size + Int64(bytes.count) > maxBytes { rotate() }
        let written = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        if written > 0 { size += Int64(written) } else { fail(String(cString: strerror(errno))) }
    }

    /// Called with the lock held.
    private func rotate() {
        close(fd)
        if keep > 0 {
            for n in stride(from: keep - 1, through: 1, by: -1) { rename("\(path).\(n)", "\(path).\(n + 1)") }
            rename(path, "\(path).1")
        } else {
            unlink(path)
        }
        do { (fd, size) = try Self.open(path) } catch {
            fd = -1
            fail(error.reason)
        }
    }

    private func fail(_ reason: String) {
        guard !reportedFailure else { return }
        reportedFailure = true
        FileHandle.standardError.write(Data("biliup: cannot write the log file \(path): \(reason); later lines are lost until it works again\n".utf8))
    }

    private static func open(_ path: String) throws(OpenError) -> (Int32, Int64) {
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        fstat(fd, &info)
        return (fd, Int64(info.st_size))
    }
}
