import CLua
import Glibc

/// Parses JSON (RFC 8259) straight onto a Lua stack: no intermediate tree, one pass over the bytes.
/// Objects become tables (null members left out, so `obj.x == nil` tests work), arrays become sequences
/// with `json.null` (a light userdata) keeping null positions, integers stay Lua integers.
/// Ours because lua-cjson, the C codec Debian packages for Lua (2.1.0), reads every number as a double,
/// which loses the 64-bit ids sites send.
struct LuaJSONDecoder {
    struct SyntaxError: Error {
        var message: String
        var offset: Int
    }

    /// Deeper documents are refused rather than exhausting the C stack.
    static let depthLimit = 200

    private let L: LuaState
    private let bytes: UnsafeRawBufferPointer
    private var i = 0
    private var scratch: [UInt8] = []

    init(_ L: LuaState, _ bytes: UnsafeRawBufferPointer) {
        self.L = L
        self.bytes = bytes
    }

    /// Pushes the document's value; on error the stack is as it was.
    mutating func decode() throws(SyntaxError) {
        try decodePrefix(from: 0)
        skipSpace()
        if i < bytes.count { throw fail("unexpected data after the document") }
    }

    /// Pushes the one value starting at `offset` (after any white space) and returns the offset just
    /// past it: for JSON embedded in pages and scripts, where other text follows.
    @discardableResult
    mutating func decodePrefix(from offset: Int) throws(SyntaxError) -> Int {
        let base = L.top
        i = offset
        do throws(SyntaxError) {
            skipSpace()
            try value(depth: 0)
            return i
        } catch {
            lua_settop(L, base)
            throw error
        }
    }

    private func fail(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: i) }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(SyntaxError) {
        guard i < bytes.count else { throw fail("unexpected end of input") }
        guard lua_checkstack(L, 4) != 0 else { throw fail("document too large") }
        switch bytes[i] {
        case UInt8(ascii: "{"): try object(depth: depth + 1)
        case UInt8(ascii: "["): try array(depth: depth + 1)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true"); L.push(true)
        case UInt8(ascii: "f"): try literal("false"); L.push(false)
        case UInt8(ascii: "n"): try literal("null"); lua_pushlightuserdata(L, nil)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
        }
    }

    private mutating func literal(_ word: StaticString) throws(SyntaxError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count, memcmp(bytes.baseAddress! + i, word.utf8Start, n) == 0 else { throw fail("invalid literal") }
        i += n
    }

    private mutating func object(depth: Int) throws(SyntaxError) {
        guard depth <= Self.depthLimit else { throw fail("nested deeper than \(Self.depthLimit)") }
        i += 1
        L.newTable()
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            try value(depth: depth)
            if lua_type(L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == nil {
                L.pop(2)  // null member: absent
            } else {
                lua_rawset(L, -3)
            }
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input in an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func array(depth: Int) throws(SyntaxError) {
        guard depth <= Self.depthLimit else { throw fail("nested deeper than \(Self.depthLimit)") }
        i += 1
        L.newTable()
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
        var n: lua_Integer = 0
        while true {
            skipSpace()
            try value(depth: depth)
            n += 1
            lua_rawseti(L, -2, n)
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input in an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func number() throws(SyntaxError) {
        let start = i
        var integral = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else { throw fail("invalid number") }
        while i < bytes.count {
            let c = bytes[i]
            if c >= 0x30 && c <= 0x39 { i += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                integral = false
                i += 1
                continue
            }
            break
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if integral, let v = Int64(text) {
            lua_pushinteger(L, v)
        } else if let d = Double(text) {
            lua_pushnumber(L, d)
        } else {
            i = start
            throw fail("invalid number")
        }
    }

    private mutating func string() throws(SyntaxError) {
        i += 1
        let start = i
        // Fast path: no escapes, pushed straight from the input.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                L.push(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                i += 1
                return
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character in a string") }
            i += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                L.push(scratch)
                return
            }
            if c < 0x20 { throw fail("control character in a string") }
            if c != UInt8(ascii: "\\") {
                scratch.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if code >= 0xD800 && code < 0xDC00, i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    if low >= 0xDC00 && low < 0xE000 {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        appendUTF8(0xFFFD)
                        code = low
                    }
                }
                appendUTF8(code >= 0xD800 && code < 0xE000 ? 0xFFFD : code)
            default: throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func appendUTF8(_ code: UInt32) {
        guard let scalar = Unicode.Scalar(code) else { return }
        scratch.append(contentsOf: Array(String(Character(scalar)).utf8))
    }
}
