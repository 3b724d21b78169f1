import BiliupNet  // Digest.sha1, for checking Sec-WebSocket-Accept
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback client that sends exactly the bytes a test writes: for checking the chat
/// stand-ins themselves with hand-written client frames, independently of the product's transport.
/// Every read has a hang guard (`receiveTimeout`), never a performance bound.
public final class HandWrittenChatClient {
    public enum Failure: Error, CustomStringConvertible {
        case connect(Int)
        case handshake(String)
        case timedOut
        case closed
        case protocolError(String)
        public var description: String {
            switch self {
            case .connect(let port): "could not connect to 127.0.0.1:\(port)"
            case .handshake(let why): "WebSocket handshake: \(why)"
            case .timedOut: "nothing arrived before the hang guard"
            case .closed: "the server closed the connection"
            case .protocolError(let why): "server framing: \(why)"
            }
        }
    }

    /// A server frame as received (after reassembly of nothing: each frame on its own).
    public struct Frame: Sendable, Equatable {
        public var fin: Bool
        public var opcode: UInt8
        public var payload: [UInt8]
        public var text: String { String(decoding: payload, as: UTF8.self) }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    /// The response head of the upgrade (WebSocket clients only).
    public private(set) var upgradeResponse = ""

    /// A raw TCP connection.
    public init(port: Int, receiveTimeout: Duration = .seconds(120)) throws {
        guard let fd = connectedLoopbackSocket(port: port) else { throw Failure.connect(port) }
        self.fd = fd
        var timeout = timeval(tv_sec: Int(receiveTimeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A WebSocket connection to `path`, handshake done and checked.
    public static func webSocket(port: Int, path: String, headers: [String: String] = [:]) throws -> HandWrittenChatClient {
        let client = try HandWrittenChatClient(port: port)
        let key = Data(StandInRandom.bytes(16, seed: UInt64(port))).base64EncodedString()
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        client.send(Array((request + "\r\n").utf8))
        let head = try client.readHead()
        client.upgradeResponse = head
        guard head.hasPrefix("HTTP/1.1 101") else { throw Failure.handshake(head.components(separatedBy: "\r\n")[0]) }
        let accept = Data(Digest.sha1(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
        guard head.contains("Sec-WebSocket-Accept: \(accept)") else { throw Failure.handshake("wrong Sec-WebSocket-Accept") }
        return client
    }

    deinit {
        close(fd)
    }

    /// Sends bytes as they are.
    public func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            sent += count
        }
    }

    /// Sends one masked client frame.
    public func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true, mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]) {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            bytes.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((UInt64(payload.count) >> UInt64(shift)) & 0xFF)) }
        }
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        send(bytes)
    }

    public func sendText(_ text: String) { sendFrame(opcode: 0x1, payload: Array(text.utf8)) }
    public func sendBinary(_ bytes: [UInt8]) { sendFrame(opcode: 0x2, payload: bytes) }

    /// Reads what is there (waiting for at least one byte).
    public func receiveBytes() throws -> [UInt8] {
        if !buffer.isEmpty { defer { buffer = [] }; return buffer }
        try fill(1)
        defer { buffer = [] }
        return buffer
    }

    /// Reads exactly `count` bytes.
    public func receiveBytes(count: Int) throws -> [UInt8] {
        try fill(count)
        defer { buffer.removeFirst(count) }
        return Array(buffer[0..<count])
    }

    /// The next server frame (server frames must not be masked).
    public func receiveFrame() throws -> Frame {
        try fill(2)
        guard buffer[1] & 0x80 == 0 else { throw Failure.protocolError("masked server frame") }
        var length = Int(buffer[1] & 0x7F)
        var header = 2
        if length == 126 {
            try fill(4)
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            header = 4
        } else if length == 127 {
            try fill(10)
            length = Int(buffer[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            header = 10
        }
        try fill(header + length)
        let frame = Frame(fin: buffer[0] & 0x80 != 0, opcode: buffer[0] & 0x0F, payload: Array(buffer[header..<(header + length)]))
        buffer.removeFirst(header + length)
        return frame
    }

    /// The next data frame; pings are answered on the way, control frames other than close skipped.
    public func receiveDataFrame() throws -> Frame {
        while true {
            let frame = try receiveFrame()
            switch frame.opcode {
            case 0x9: sendFrame(opcode: 0xA, payload: frame.payload)
            case 0xA: continue
            case 0x8: throw Failure.closed
            default: return frame
            }
        }
    }

    /// Whether the server ends the connection (a close frame or end of stream), skipping what it sends
    /// before; false when the hang guard passes first.
    public func serverClosed() -> Bool {
        do {
            while try receiveFrame().opcode != 0x8 {}
            return true
        } catch Failure.closed {
            return true
        } catch {
            return false
        }
    }

    private func readHead() throws -> String {
        while true {
            if let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: buffer[0..<end.lowerBound], as: UTF8.self)
                buffer.removeFirst(end.upperBound)
                return head
            }
            try fill(buffer.count + 1)
        }
    }

    private func fill(_ count: Int) throws {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while buffer.count < count {
            let read = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if read < 0 && errno == EINTR { continue }
            if read < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw Failure.timedOut }
            guard read > 0 else { throw Failure.closed }
            buffer += chunk[0..<read]
        }
    }
}
