import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local file as a ByteSource (tests, probing tools). Reads with read(2), no pacing.
public final class FileByteSource: ByteSource {
    public let path: String
    private let fd: Int32
    /// Read by other threads (progress, watchdogs), hence atomic.
    private let total = Atomic<Int64>(0)
    private let cancelled = Atomic<Bool>(false)

    public init(path: String) throws(MediaError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open \(path): \(errnoText())") }
    }

    deinit { close(fd) }

    public var receivedBytes: Int64 { total.load(ordering: .relaxed) }

    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> SourceRead {
        if cancelled.load(ordering: .relaxed) { return .failed(.cancelled) }
        while true {
            let n = posixRead(fd, buffer, capacity)
            if n > 0 {
                total.add(Int64(n), ordering: .relaxed)
                return .bytes(n)
            }
            if n == 0 { return .end }
            if errno == EINTR { continue }
            return .failed(.io("read \(path): \(errnoText())"))
        }
    }
}
