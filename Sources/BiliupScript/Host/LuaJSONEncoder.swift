import CLua
import Foundation

/// Writes the Lua value at a stack index as JSON. Object keys are sorted, so the same table always
/// gives the same bytes (request bodies that are signed or compared in tests depend on it). A table
/// whose keys are exactly 1...n is an array; the empty table is `{}` unless it is `json.empty_array`.
struct LuaJSONEncoder {
    struct EncodeError: Error { var message: String }

    static let depthLimit = 100

    private let L: LuaState
    private let emptyArrayIndex: Int32
    private(set) var output: [UInt8] = []

    init(_ L: LuaState, emptyArrayIndex: Int32) {
        self.L = L
        self.emptyArrayIndex = emptyArrayIndex
    }

    mutating func encode(at index: Int32, depth: Int = 0) throws(EncodeError) {
        let index = L.absolute(index)
        switch lua_type(L, index) {
        case LUA_TNIL: append("null")
        case LUA_TLIGHTUSERDATA where lua_touserdata(L, index) == nil: append("null")
        case LUA_TBOOLEAN: append(lua_toboolean(L, index) != 0 ? "true" : "false")
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 {
                append(String(L.integer(at: index) ?? 0))
            } else {
                let d = L.number(at: index) ?? 0
                guard d.isFinite else { throw EncodeError(message: "cannot encode \(d) (not a JSON number)") }
                append(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)")
            }
        case LUA_TSTRING: appendString(at: index)
        case LUA_TTABLE: try table(at: index, depth: depth)
        default: throw EncodeError(message: "cannot encode a \(L.typeName(at: index)) value")
        }
    }

    private mutating func table(at t: Int32, depth: Int) throws(EncodeError) {
        guard depth < Self.depthLimit else { throw EncodeError(message: "nested deeper than \(Self.depthLimit) (a cycle?)") }
        guard lua_checkstack(L, 4) != 0 else { throw EncodeError(message: "out of stack") }
        if lua_rawequal(L, t, emptyArrayIndex) != 0 { append("[]"); return }
        let length = Int(lua_rawlen(L, t))
        var keys: [(String, Int32)] = []  // key text, key type
        var count = 0
        var badKey: String?
        L.forEach(t) {
            count += 1
            switch lua_type(L, -2) {
            case LUA_TSTRING: keys.append((L.string(at: -2) ?? "", LUA_TSTRING))
            case LUA_TNUMBER where lua_isinteger(L, -2) != 0: keys.append((String(L.integer(at: -2) ?? 0), LUA_TNUMBER))
            default: badKey = L.typeName(at: -2)
            }
        }
        if length > 0 && count == length {
            append("[")
            for i in 1...length {
                if i > 1 { append(",") }
                lua_rawgeti(L, t, lua_Integer(i))
                defer { L.pop() }
                try encode(at: -1, depth: depth + 1)
            }
            append("]")
            return
        }
        if let badKey { throw EncodeError(message: "cannot encode a table with a \(badKey) key") }
        keys.sort { $0.0 < $1.0 }
        append("{")
        for (n, (key, type)) in keys.enumerated() {
            if n > 0 { append(",") }
            L.push(key)
            appendString(at: -1)
            L.pop()
            append(":")
            if type == LUA_TNUMBER { lua_pushinteger(L, Int64(key)!) } else { L.push(key) }
            lua_rawget(L, t)
            defer { L.pop() }
            try encode(at: -1, depth: depth + 1)
        }
        append("}")
    }

    private mutating func append(_ s: String) { output.append(contentsOf: s.utf8) }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func appendString(at index: Int32) {
        output.append(UInt8(ascii: "\""))
        _ = L.withBytes(at: index) { raw in
            for c in raw {
                switch c {
                case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0..<0x20, 0x7F:
                    output.append(contentsOf: Array("\\u00".utf8))
                    output.append(Self.hexDigits[Int(c >> 4)])
                    output.append(Self.hexDigits[Int(c & 15)])
                default: output.append(c)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
