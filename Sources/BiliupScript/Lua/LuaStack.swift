import CLua

/// A Lua state pointer (`lua_State *` imports as an opaque pointer).
typealias LuaState = OpaquePointer

/// Stack helpers for host code. They use raw access only: a metamethod run from here could raise a Lua
/// error, and a Lua error must never unwind Swift frames.
extension LuaState {
    var top: Int32 { lua_gettop(self) }

    func type(at index: Int32) -> Int32 { lua_type(self, index) }

    func typeName(at index: Int32) -> String { String(cString: lua_typename(self, lua_type(self, index))) }

    /// The string at `index`, without converting numbers in place (which would confuse `lua_next`).
    func string(at index: Int32) -> String? {
        guard lua_type(self, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let p = lua_tolstring(self, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
    }

    func bytes(at index: Int32) -> [UInt8]? {
        guard lua_type(self, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let p = lua_tolstring(self, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: length))
    }

    func withBytes<R>(at index: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard lua_type(self, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let p = lua_tolstring(self, index, &length) else { return nil }
        return body(UnsafeRawBufferPointer(start: p, count: length))
    }

    func integer(at index: Int32) -> Int? {
        var ok: Int32 = 0
        let v = shim_lua_tointeger(self, index, &ok)
        return ok != 0 ? Int(v) : nil
    }

    func number(at index: Int32) -> Double? {
        guard lua_type(self, index) == LUA_TNUMBER else { return nil }
        var ok: Int32 = 0
        let v = shim_lua_tonumber(self, index, &ok)
        return ok != 0 ? v : nil
    }

    func bool(at index: Int32) -> Bool? {
        lua_type(self, index) == LUA_TBOOLEAN ? lua_toboolean(self, index) != 0 : nil
    }

    func push(_ s: String) {
        var s = s
        s.withUTF8 { _ = lua_pushlstring(self, UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), $0.count) }
    }

    func push(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { b in
            _ = lua_pushlstring(self, UnsafeRawPointer(b.baseAddress)?.assumingMemoryBound(to: CChar.self), b.count)
        }
    }

    func push(_ raw: UnsafeRawBufferPointer) {
        _ = lua_pushlstring(self, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
    }

    func push(_ i: Int) { lua_pushinteger(self, lua_Integer(i)) }
    func push(_ d: Double) { lua_pushnumber(self, d) }
    func push(_ b: Bool) { lua_pushboolean(self, b ? 1 : 0) }
    func pushNil() { lua_pushnil(self) }
    func pop(_ n: Int32 = 1) { shim_lua_pop(self, n) }

    func absolute(_ index: Int32) -> Int32 { lua_absindex(self, index) }

    /// `t[key]` without metamethods, pushed on the stack; returns its type.
    @discardableResult
    func rawField(_ table: Int32, _ key: String) -> Int32 {
        let t = absolute(table)
        push(key)
        return lua_rawget(self, t)
    }

    func setField(_ table: Int32, _ key: String) {  // pops the value
        let t = absolute(table)
        push(key)
        shim_lua_insert(self, -2)
        lua_rawset(self, t)
    }

    func setField(_ table: Int32, _ key: String, _ value: String) { let t = absolute(table); push(value); setField(t, key) }
    func setField(_ table: Int32, _ key: String, _ value: Int) { let t = absolute(table); push(value); setField(t, key) }
    func setField(_ table: Int32, _ key: String, _ value: Bool) { let t = absolute(table); push(value); setField(t, key) }

    func stringField(_ table: Int32, _ key: String) -> String? {
        rawField(table, key)
        defer { pop() }
        return string(at: -1)
    }

    func newTable(array: Int32 = 0, hash: Int32 = 0) { lua_createtable(self, array, hash) }

    /// Calls `body` with the key at -2 and the value at -1 for each entry (raw `lua_next`).
    func forEach(_ table: Int32, _ body: () -> Void) {
        let t = absolute(table)
        lua_pushnil(self)
        while lua_next(self, t) != 0 {
            body()
            pop()
        }
    }

    /// Pushes an error message for a host function to return with `SHIM_HOST_ERROR`.
    func hostError(_ message: String) -> Int32 {
        push(message)
        return Int32(SHIM_HOST_ERROR)
    }
}
