import BiliupValues
import CLua

/// Conversions between `JSONValue` and Lua values, raw access only (see LuaStack).
extension LuaState {
    func push(_ value: JSONValue) {
        switch value {
        case .null: pushNil()
        case .bool(let b): push(b)
        case .int(let i): push(Int(i))
        case .number(let d): push(d)
        case .string(let s): push(s)
        case .array(let items):
            newTable(array: Int32(clamping: items.count))
            for (i, item) in items.enumerated() {
                push(item)
                lua_rawseti(self, -2, lua_Integer(i + 1))
            }
        case .object(let fields):
            newTable(hash: Int32(clamping: fields.count))
            for (key, item) in fields {
                push(item)
                setField(-2, key)
            }
        }
    }

    /// Tables nested deeper than this are cut off: options and danmaku parameters are shallow, and
    /// a cycle must not recurse forever.
    static let valueDepthLimit = 32

    /// The value at `index`. Tables whose keys are exactly 1...n become arrays, others objects with
    /// string keys (numeric keys written as strings). Functions and userdata become null.
    func value(at index: Int32, depth: Int = 0) -> JSONValue {
        switch lua_type(self, index) {
        case LUA_TBOOLEAN: return .bool(lua_toboolean(self, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(self, index) != 0, let i = integer(at: index) { return .int(Int64(i)) }
            return .number(number(at: index) ?? 0)
        case LUA_TSTRING: return .string(string(at: index) ?? "")
        case LUA_TTABLE:
            guard depth < Self.valueDepthLimit else { return .null }
            let t = absolute(index)
            let length = Int(lua_rawlen(self, t))
            var count = 0
            forEach(t) { count += 1 }
            if length > 0 && count == length {
                var items: [JSONValue] = []
                items.reserveCapacity(length)
                for i in 1...length {
                    lua_rawgeti(self, t, lua_Integer(i))
                    items.append(value(at: -1, depth: depth + 1))
                    pop()
                }
                return .array(items)
            }
            var fields: [String: JSONValue] = [:]
            forEach(t) {
                let key: String
                switch lua_type(self, -2) {
                case LUA_TSTRING: key = string(at: -2) ?? ""
                case LUA_TNUMBER: key = lua_isinteger(self, -2) != 0 ? String(integer(at: -2) ?? 0) : String(number(at: -2) ?? 0)
                default: return
                }
                fields[key] = value(at: -1, depth: depth + 1)
            }
            return .object(fields)
        default: return .null
        }
    }
}
