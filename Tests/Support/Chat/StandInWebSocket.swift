import Foundation
import Synchronization

/// The server side of one WebSocket connection (RFC 6455), strict where a real server is: client
/// frames must be masked, control frames short and unfragmented, continuations only inside a message.
/// A violation closes the connection with 1002 and is kept in `protocolError`, so a test sees a client
/// that frames wrongly. Pings are answered; pongs and the client's close code are recorded.
///
/// One thread calls `receive`; any thread may send (sends are serialized).
public final class StandInWebSocket: @unchecked Sendable {
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
    }

    /// Far above any client frame of the chat protocols (registrations are under a kilobyte).
    public static let maxMessageSize = 1 << 20

    private let socket: LoopbackSocket
    private let sendLock = NSLock()
    private var buffer: [UInt8]
    private var offset = 0
    private var closeSent = false  // guarded by sendLock
    private let state = Mutex(State())

    private struct State {
        var pongs = 0
        var closeCode: UInt16?
        var protocolError: String?
        var closed = false
    }

    init(socket: LoopbackSocket, buffered: [UInt8]) {
        self.socket = socket
        buffer = buffered
    }

    /// Pong frames received (answers to `ping`).
    public var pongsReceived: Int { state.withLock { $0.pongs } }
    /// The status code of the client's close frame, once one came.
    public var clientCloseCode: UInt16? { state.withLock { $0.closeCode } }
    /// Why the connection was closed as a protocol error, if it was.
    public var protocolError: String? { state.withLock { $0.protocolError } }
    /// Whether the connection ended (either side).
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// The next data message, reassembled; nil once the connection ended (close, end of stream, error).
    public func receive() -> Message? {
        var fragments: [UInt8] = []
        var fragmentOpcode: UInt8?
        while let frame = nextFrame() {
            switch frame.opcode {
            case 0x9:
                _ = sendFrame(opcode: 0xA, payload: frame.payload)
            case 0xA:
                state.withLock { $0.pongs += 1 }
            case 0x8:
                let code = frame.payload.count >= 2 ? UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) : 1005
                state.withLock { $0.closeCode = code }
                close(code: code == 1005 ? 1000 : code)
                return nil
            case 0x1, 0x2:
                guard fragmentOpcode == nil else { return fail("a new message inside a fragmented one") }
                if frame.fin { return message(opcode: frame.opcode, frame.payload) }
                fragmentOpcode = frame.opcode
                fragments = frame.payload
            case 0x0:
                guard let opcode = fragmentOpcode else { return fail("a continuation outside a message") }
                fragments += frame.payload
                guard fragments.count <= Self.maxMessageSize else { return fail("message over \(Self.maxMessageSize) bytes") }
                if frame.fin { return message(opcode: opcode, fragments) }
            default:
                return fail("opcode \(frame.opcode)")
            }
        }
        markClosed()
        return nil
    }

    /// Sends a whole message in one frame; false once the connection is gone.
    @discardableResult
    public func send(_ message: Message) -> Bool {
        switch message {
        case .text(let text): sendFrame(opcode: 0x1, payload: Array(text.utf8))
        case .binary(let bytes): sendFrame(opcode: 0x2, payload: bytes)
        }
    }

    /// Sends one frame as a server does (unmasked); `fin: false` starts or continues a fragmented message.
    @discardableResult
    public func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true) -> Bool {
        sendRaw(Self.frame(opcode: opcode, payload: payload, fin: fin))
    }

    /// Sends bytes as they are: for frames broken on purpose.
    @discardableResult
    public func sendRaw(_ bytes: [UInt8]) -> Bool {
        sendLock.withLock { bytes.withUnsafeBytes { socket.send($0, blocking: true) } != nil }
    }

    @discardableResult
    public func ping(_ payload: [UInt8] = []) -> Bool {
        sendFrame(opcode: 0x9, payload: payload)
    }

    /// Sends a close frame (once) and ends the connection.
    public func close(code: UInt16 = 1000) {
        let first = sendLock.withLock {
            defer { closeSent = true }
            return !closeSent
        }
        if first { _ = sendRaw(Self.frame(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xff)], fin: true)) }
        markClosed()
        socket.close()
    }

    /// Cuts the connection with a TCP reset, no close frame.
    public func closeAbruptly() {
        markClosed()
        socket.close(abortive: true)
    }

    /// A server frame: FIN/opcode, the length in 7, 7+16 or 7+64 bits, no mask.
    public static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let count = payload.count
        if count < 126 {
            bytes.append(UInt8(count))
        } else if count <= 0xFFFF {
            bytes += [126, UInt8(count >> 8), UInt8(count & 0xFF)]
        } else {
            bytes.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xFF)) }
        }
        return bytes + payload
    }

    // MARK: - Reading

    private struct Frame {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]
    }

    private func message(opcode: UInt8, _ payload: [UInt8]) -> Message? {
        guard opcode == 0x1 else { return .binary(payload) }
        guard let text = String(validating: payload, as: UTF8.self) else { return fail("text message is not UTF-8") }
        return .text(text)
    }

    private func nextFrame() -> Frame? {
        guard fill(2) else { return nil }
        let first = buffer[offset], second = buffer[offset + 1]
        guard first & 0x70 == 0 else { return fail("reserved bits set") }
        guard second & 0x80 != 0 else { return fail("unmasked client frame") }
        let opcode = first & 0x0F
        var length = Int(second & 0x7F)
        var headerLength = 2
        if length == 126 {
            guard fill(4) else { return nil }
            length = Int(buffer[offset + 2]) << 8 | Int(buffer[offset + 3])
            headerLength = 4
        } else if length == 127 {
            guard fill(10) else { return nil }
            let wide = buffer[(offset + 2)..<(offset + 10)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard wide <= UInt64(Self.maxMessageSize) else { return fail("frame of \(wide) bytes") }
            length = Int(wide)
            headerLength = 10
        }
        guard length <= Self.maxMessageSize else { return fail("frame of \(length) bytes") }
        if opcode >= 0x8 { guard first & 0x80 != 0, length <= 125 else { return fail("bad control frame") } }
        guard fill(headerLength + 4 + length) else { return nil }
        let mask = Array(buffer[(offset + headerLength)..<(offset + headerLength + 4)])
        let start = offset + headerLength + 4
        var payload = Array(buffer[start..<(start + length)])
        for i in payload.indices { payload[i] ^= mask[i & 3] }
        offset = start + length
        if offset > 64 << 10 {  // drop consumed bytes now and then, not on every frame
            buffer.removeFirst(offset)
            offset = 0
        }
        return Frame(fin: first & 0x80 != 0, opcode: opcode, payload: payload)
    }

    /// Reads until `count` unread bytes are buffered; false at the end of the stream.
    private func fill(_ count: Int) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while buffer.count - offset < count {
            let read = chunk.withUnsafeMutableBytes { socket.receive(into: $0) }
            guard read > 0 else { return false }
            buffer += chunk[0..<read]
        }
        return true
    }

    private func fail<T>(_ problem: String) -> T? {
        state.withLock { if $0.protocolError == nil { $0.protocolError = problem } }
        close(code: 1002)
        return nil
    }

    private func markClosed() {
        state.withLock { $0.closed = true }
    }
}

extension StandInWebSocket {
    /// Faults at the WebSocket layer, for the text protocols (Twitch, TwitCasting), whose payloads have
    /// no framing of their own to break.
    func sendWebSocketFault(_ kind: ChatFault.Kind) {
        switch kind {
        case .garbage:
            // A text message that is not UTF-8: RFC 6455 says the client must fail the connection.
            sendFrame(opcode: 0x1, payload: [0x50, 0x52, 0xC3, 0x28, 0xFF, 0xFE])
        case .truncated:
            // A frame promising 1,000 bytes, 12 of them sent, then the server goes away.
            sendRaw([0x81, 126, 0x03, 0xE8] + Array("PRIVMSG #cut".utf8))
            close(code: 1011)
        case .bomb:
            // A frame header announcing a terabyte: a client must refuse it from the header alone.
            var header: [UInt8] = [0x81, 127]
            withUnsafeBytes(of: UInt64(1 << 40).bigEndian) { header += $0 }
            sendRaw(header + Array("{\"huge\":".utf8))
        case .close:
            close(code: 1000)
        case .reset:
            closeAbruptly()
        }
    }
}
