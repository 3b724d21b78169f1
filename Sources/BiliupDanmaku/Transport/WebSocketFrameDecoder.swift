/// What a server sent, frame by frame, with fragmented messages put back together.
enum WebSocketInbound: Equatable {
    case message(ChatFrame)
    case ping([UInt8])
    case pong
    /// The close frame's status code, if it had one (its reason text is not kept: it is the server's).
    case close(code: UInt16?)
}

/// Incremental decoder of server frames (RFC 6455 §5): bytes go in as they arrive, complete frames come
/// out. A frame or reassembled message larger than `maxMessageBytes` is an error as soon as its header
/// says so, before its payload is buffered, so memory stays bounded by the limit whatever the server sends.
struct WebSocketFrameDecoder {
    /// Far above any chat message (Bilibili's largest notifications are tens of KiB compressed).
    static let defaultMaxMessageBytes = 16 << 20

    let maxMessageBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// The opcode (text or binary) and payload so far of a fragmented message.
    private var fragmentedOpcode: WebSocketOpcode?
    private var fragments: [UInt8] = []

    init(maxMessageBytes: Int = WebSocketFrameDecoder.defaultMaxMessageBytes) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Bytes received but not yet decoded (a partial frame).
    var pendingBytes: Int { buffer.count - start }

    mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame or message, nil when more bytes are needed.
    mutating func next() throws(ChatTransportError) -> WebSocketInbound? {
        while true {
            let available = buffer.count - start
            guard available >= 2 else { return nil }
            let b0 = buffer[start], b1 = buffer[start + 1]
            let fin = b0 & 0x80 != 0
            guard b0 & 0x70 == 0 else { throw .protocolViolation("reserved bits set in a frame (no extension was negotiated)") }
            guard let opcode = WebSocketOpcode(rawValue: b0 & 0x0F) else {
                throw .protocolViolation("unknown opcode \(b0 & 0x0F)")
            }
            guard b1 & 0x80 == 0 else { throw .protocolViolation("a server frame is masked") }
            var headerLength = 2
            var length = UInt64(b1 & 0x7F)
            if length == 126 {
                guard available >= 4 else { return nil }
                length = UInt64(buffer[start + 2]) << 8 | UInt64(buffer[start + 3])
                headerLength = 4
            } else if length == 127 {
                guard available >= 10 else { return nil }
                length = 0
                for i in 0..<8 { length = length << 8 | UInt64(buffer[start + 2 + i]) }
                guard length & (1 << 63) == 0 else { throw .protocolViolation("a 64-bit frame length with the top bit set") }
                headerLength = 10
            }
            if opcode.isControl {
                guard fin else { throw .protocolViolation("a fragmented control frame") }
                guard length <= 125 else { throw .protocolViolation("a control frame longer than 125 bytes") }
            } else if length > UInt64(maxMessageBytes - fragments.count) {
                throw .tooLarge(what: "WebSocket message", limit: maxMessageBytes)
            }
            let total = headerLength + Int(length)
            guard available >= total else { return nil }
            let payload = Array(buffer[(start + headerLength)..<(start + total)])
            start += total
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
                start = 0
            }
            switch opcode {
            case .ping: return .ping(payload)
            case .pong: return .pong
            case .close:
                guard payload.count != 1 else { throw .protocolViolation("a close frame with a 1-byte body") }
                return .close(code: payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil)
            case .text, .binary:
                guard fragmentedOpcode == nil else { throw .protocolViolation("a new message before the previous one's last fragment") }
                if fin { return try message(opcode, payload) }
                fragmentedOpcode = opcode
                fragments = payload
            case .continuation:
                guard let first = fragmentedOpcode else { throw .protocolViolation("a continuation frame outside a message") }
                fragments.append(contentsOf: payload)
                if fin {
                    let whole = fragments
                    fragments = []
                    fragmentedOpcode = nil
                    return try message(first, whole)
                }
            }
        }
    }

    private func message(_ opcode: WebSocketOpcode, _ payload: [UInt8]) throws(ChatTransportError) -> WebSocketInbound {
        guard opcode == .text else { return .message(.binary(payload)) }
        guard let text = String(validating: payload, as: UTF8.self) else {
            throw .protocolViolation("a text message that is not UTF-8")
        }
        return .message(.text(text))
    }
}
