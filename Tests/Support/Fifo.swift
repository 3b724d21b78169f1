import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A named pipe in a fresh directory. Opening it for reading blocks until a writer comes, so a client
/// that followed a file:// URL to it would hang; `hasReader` tells whether anyone has it open for reading.
public final class Fifo {
    public let path: String

    public init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        path = dir.appendingPathComponent("pipe").path
        guard mkfifo(path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    deinit {
        // Lets a reader that did open it go (so a failing test does not leave a thread blocked), then cleans up.
        let fd = open(path, O_WRONLY | O_NONBLOCK)
        if fd >= 0 { close(fd) }
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    /// A non-blocking open for writing fails with ENXIO exactly when no reader has the FIFO open.
    public var hasReader: Bool {
        let fd = open(path, O_WRONLY | O_NONBLOCK)
        if fd >= 0 { close(fd); return true }
        return false
    }
}
