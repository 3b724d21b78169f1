/// RFC 6455 opcodes.
enum WebSocketOpcode: UInt8 {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA

    var isControl: Bool { rawValue & 0x8 != 0 }
}

/// Client frames: always final and always masked (RFC 6455 §5.3: a server must close on an unmasked
/// client frame), with a fresh random key per frame.
enum WebSocketFrameEncoder {
    static func frame(_ frame: ChatFrame) -> [UInt8] {
        switch frame {
        case .text(let s): return encode(.text, Array(s.utf8))
        case .binary(let b): return encode(.binary, b)
        }
    }

    static func encode(_ opcode: WebSocketOpcode, _ payload: [UInt8]) -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        let key = random.next() as UInt32
        return encode(opcode, payload, maskKey: (UInt8(key >> 24), UInt8(key >> 16 & 0xFF), UInt8(key >> 8 & 0xFF), UInt8(key & 0xFF)))
    }

    static func encode(_ opcode: WebSocketOpcode, _ payload: [UInt8], maskKey: (UInt8, UInt8, UInt8, UInt8)) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 14)
        out.append(0x80 | opcode.rawValue)
        let n = payload.count
        if n < 126 {
            out.append(0x80 | UInt8(n))
        } else if n <= 0xFFFF {
            out.append(0x80 | 126)
            out.append(UInt8(n >> 8))
            out.append(UInt8(n & 0xFF))
        } else {
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(UInt64(n) >> UInt64(shift) & 0xFF)) }
        }
        let key = [maskKey.0, maskKey.1, maskKey.2, maskKey.3]
        out.append(contentsOf: key)
        for (i, byte) in payload.enumerated() { out.append(byte ^ key[i & 3]) }
        return out
    }

    /// A close frame with a status code (1000: normal closure; 1002: protocol error; 1009: too big).
    static func close(code: UInt16) -> [UInt8] {
        encode(.close, [UInt8(code >> 8), UInt8(code & 0xFF)])
    }
}
