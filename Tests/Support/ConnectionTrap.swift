import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on 127.0.0.1 standing in for an internal service (Redis, an FTP server, an admin port)
/// that a hostile URL tries to reach: it never answers, only counts the connections it accepts and the
/// bytes they send. A test that expects nothing to reach it reads `connections` and `bytes` at the end.
public final class ConnectionTrap: @unchecked Sendable {
    public let port: Int
    private let listener: LoopbackSocket
    private let lock = NSLock()
    private var accepted = 0
    private var received: [UInt8] = []
    private var open: [LoopbackSocket] = []

    public init() throws {
        let fd = try listeningLoopbackSocket(backlog: 16)
        port = boundPort(fd)
        listener = LoopbackSocket(fd: fd)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    public var connections: Int { lock.withLock { accepted } }
    public var bytes: [UInt8] { lock.withLock { received } }

    public func stop() {
        listener.close()
        lock.withLock { open }.forEach { $0.close() }
    }

    private func acceptLoop() {
        while let (fd, error) = listener.use({ (accept($0, nil, nil), errno) }) {
            if fd < 0 {
                if error == EINTR || error == ECONNABORTED { continue }
                return
            }
            let socket = LoopbackSocket(fd: fd)
            lock.withLock {
                accepted += 1
                open.append(socket)
            }
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
                    if n == 0 { break }
                    lock.withLock { received += buffer[0..<n] }
                }
                socket.close()
            }
        }
    }
}
