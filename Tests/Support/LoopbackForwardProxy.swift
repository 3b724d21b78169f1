import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain HTTP forward proxy on 127.0.0.1, standing in for the proxy a user puts in front of a CDN.
/// It takes requests in absolute form (`GET http://host:port/path HTTP/1.1`), sends them on to
/// 127.0.0.1 at the named port whatever the host (so a test can name a host that does not resolve,
/// and only the proxy can reach it), and relays the bytes both ways until either side closes.
/// It serves one request per connection.
public final class LoopbackForwardProxy: @unchecked Sendable {
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    private let listener: LoopbackSocket
    private let lock = NSLock()
    private var seen: [String] = []
    private var connections: [LoopbackSocket] = []

    public init() throws {
        let fd = try listeningLoopbackSocket(backlog: 64)
        port = boundPort(fd)
        listener = LoopbackSocket(fd: fd)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// The absolute URLs of the requests forwarded so far.
    public var forwarded: [String] { lock.withLock { seen } }

    public func stop() {
        listener.close()
        lock.withLock { connections }.forEach { $0.close() }
    }

    private func acceptLoop() {
        // errno is read inside `use`, before its unlocking can touch it.
        while let (fd, error) = listener.use({ (accept($0, nil, nil), errno) }) {
            if fd < 0 { if error == EINTR || error == ECONNABORTED { continue } else { return } }
            let client = LoopbackSocket(fd: fd)
            lock.withLock { connections.append(client) }
            Thread.detachNewThread { [self] in forward(client) }
        }
    }

    private func forward(_ client: LoopbackSocket) {
        defer { client.close() }
        var head = Data()
        let end = Data("\r\n\r\n".utf8)
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while head.range(of: end) == nil {
            let n = buffer.withUnsafeMutableBytes { client.receive(into: $0) }
            guard n > 0, head.count < 64 << 10 else { return }
            head.append(contentsOf: buffer[0..<n])
        }
        let split = head.range(of: end)!
        let text = String(decoding: head[..<split.lowerBound], as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count == 3, let target = URL(string: String(parts[1])), target.scheme == "http",
              let host = target.host else {
            reply(client, "400 Bad Request")
            return
        }
        lock.withLock { seen.append(target.absoluteString) }
        guard let upstreamFD = connectedLoopbackSocket(port: target.port ?? 80) else {
            reply(client, "502 Bad Gateway")
            return
        }
        let upstream = LoopbackSocket(fd: upstreamFD)
        lock.withLock { connections.append(upstream) }
        defer { upstream.close() }
        var origin = target.path.isEmpty ? "/" : target.path
        if let query = target.query { origin += "?" + query }
        lines[0] = "\(parts[0]) \(origin) \(parts[2])"
        lines.removeAll { $0.lowercased().hasPrefix("proxy-") }
        lines = lines.map { $0.lowercased().hasPrefix("connection:") ? "Connection: close" : $0 }
        if !lines.contains(where: { $0.lowercased().hasPrefix("connection:") }) { lines.append("Connection: close") }
        if !lines.contains(where: { $0.lowercased().hasPrefix("host:") }) { lines.append("Host: \(host)") }
        var request = Data((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        request.append(head[split.upperBound...])
        guard request.withUnsafeBytes({ upstream.send($0, blocking: true) }) != nil else { return }
        // Response bytes on this thread; anything more the client sends (a request body) on another.
        Thread.detachNewThread { Self.relay(from: client, to: upstream) }
        Self.relay(from: upstream, to: client)
    }

    private static func relay(from source: LoopbackSocket, to sink: LoopbackSocket) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { source.receive(into: $0) }
            guard n > 0, buffer.withUnsafeBytes({ sink.send(UnsafeRawBufferPointer(rebasing: $0[0..<n]), blocking: true) }) != nil
            else { break }
        }
        sink.close()
    }

    private func reply(_ client: LoopbackSocket, _ status: String) {
        let text = "HTTP/1.1 \(status)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = Data(text.utf8).withUnsafeBytes { client.send($0, blocking: true) }
    }
}
