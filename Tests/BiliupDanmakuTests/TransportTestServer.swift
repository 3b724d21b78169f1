import BiliupNet
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback server for the chat transport tests, with its own RFC 6455 server side (unmasked frames
/// out, masked frames in) written independently of the client's codec: each accepted connection runs a
/// test's script on its own thread, so a test can send exactly the bytes it wants (fragments, bad frames,
/// closes) and read what the client sent.
final class TransportTestServer: @unchecked Sendable {
    let port: Int
    private let listenFD: Int32
    private let lock = NSLock()
    private var acceptTimes: [ContinuousClock.Instant] = []
    private var peers: [TransportTestPeer] = []
    private var stopped = false

    init(script: @escaping @Sendable (TransportTestPeer, Int) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TransportTestFailure("socket failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw TransportTestFailure("bind/listen failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
        listenFD = fd
        // The accept thread owns the descriptor and closes it when it ends: closed from `stop()` while
        // the thread loops, its number could be reused by another test's socket and accept() there.
        let thread = Thread { [self] in
            defer { close(fd) }
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                let peer = TransportTestPeer(fd: client)
                let index: Int? = lock.withLock {
                    guard !stopped else { return nil }
                    acceptTimes.append(.now)
                    peers.append(peer)
                    return acceptTimes.count - 1
                }
                guard let index else { peer.close(); return }
                Thread { script(peer, index) }.start()
            }
        }
        thread.start()
    }

    /// When each connection was accepted, in order.
    var accepted: [ContinuousClock.Instant] { lock.withLock { acceptTimes } }

    /// Stops accepting (the accept thread ends and closes the socket) and ends every connection.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { shutdown(listenFD, Int32(SHUT_RDWR)) }
        for peer in lock.withLock({ peers }) { peer.close() }
    }
}

struct TransportTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One accepted connection, driven by blocking calls from its script thread (reads give up after a
/// generous hang guard, so a broken client fails the test instead of hanging it).
final class TransportTestPeer: @unchecked Sendable {
    private let fd: Int32
    private let output: Int32
    private let isSocket: Bool
    private var buffer: [UInt8] = []
    private let lock = NSLock()
    private var closed = false

    init(fd: Int32) {
        self.fd = fd
        output = fd
        isSocket = true
        var guardTime = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guardTime, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A peer behind a TLS terminator's pipes (`openssl s_server` reads and writes plaintext on stdio).
    init(input: Int32, output: Int32) {
        fd = input
        self.output = output
        isSocket = false
    }

    /// Reads more bytes; false at end of stream, error or the hang guard.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &chunk, chunk.count)
        guard n > 0 else { return false }
        buffer += chunk[..<n]
        return true
    }

    /// The request head up to the blank line: request line and headers (names lower-cased).
    func readHead() -> (line: String, headers: [String: String])? {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                var lines = text.components(separatedBy: "\r\n")
                let line = lines.removeFirst()
                var headers: [String: String] = [:]
                for l in lines {
                    guard let colon = l.firstIndex(of: ":") else { continue }
                    headers[l[..<colon].lowercased()] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return (line, headers)
            }
            guard fill() else { return nil }
        }
    }

    func readBytes(_ count: Int) -> [UInt8]? {
        while buffer.count < count { guard fill() else { return nil } }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where Array(buffer[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    /// Reads the upgrade request and answers 101 with the accept value RFC 6455 §4.2.2 prescribes.
    @discardableResult
    func acceptWebSocket(extraResponse: String = "") -> (line: String, headers: [String: String])? {
        guard let head = readHead(), let key = head.headers["sec-websocket-key"] else { return nil }
        let accept = Data(Digest.sha1(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
        send(Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\(extraResponse)\r\n".utf8))
        return head
    }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { b in
                isSocket ? Glibc.send(output, b.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                    : Glibc.write(output, b.baseAddress! + sent, bytes.count - sent)
            }
            if n <= 0 { return }
            sent += n
        }
    }

    /// A server frame: never masked.
    static func frame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            out.append(UInt8(payload.count))
        } else if payload.count < 65536 {
            out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        return out + payload
    }

    func sendFrame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) {
        send(TransportTestPeer.frame(opcode: opcode, payload, fin: fin))
    }

    func sendText(_ text: String) { sendFrame(opcode: 1, Array(text.utf8)) }

    /// The next client frame, unmasked; nil at end of stream or if the client sent it unmasked.
    func readFrame() -> (opcode: UInt8, fin: Bool, payload: [UInt8])? {
        guard let h = readBytes(2) else { return nil }
        guard h[1] & 0x80 != 0 else { return nil }
        var length = Int(h[1] & 0x7F)
        if length == 126 {
            guard let l = readBytes(2) else { return nil }
            length = Int(l[0]) << 8 | Int(l[1])
        } else if length == 127 {
            guard let l = readBytes(8) else { return nil }
            length = l.reduce(0) { $0 << 8 | Int($1) }
        }
        guard let key = readBytes(4), let masked = readBytes(length) else { return nil }
        let payload = masked.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return (h[0] & 0x0F, h[0] & 0x80 != 0, payload)
    }

    /// Reads client frames until a text frame; nil at end of stream.
    func readText() -> String? {
        while let f = readFrame() {
            if f.opcode == 1 { return String(decoding: f.payload, as: UTF8.self) }
            if f.opcode == 8 { return nil }
        }
        return nil
    }

    /// Blocks until the client ends the connection (or the hang guard).
    func waitForEnd() {
        while fill() {}
    }

    func close() {
        lock.withLock {
            guard !closed else { return }
            closed = true
            if isSocket { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    deinit { if isSocket { Glibc.close(fd) } }
}
