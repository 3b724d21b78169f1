import CLua

extension ScriptHost {
    /// `json.decode(text)`, `json.encode(value)`, `json.null`, `json.empty_array`.
    func installJSON() {
        let L = vm.L
        L.newTable()
        emptyArrayRef = luaL_ref(L, shim_LUA_REGISTRYINDEX())
        vm.register(module: "json", [
            ("decode", { [unowned self] L in self.jsonDecode(L) }),
            ("encode", { [unowned self] L in self.jsonEncode(L) }),
            ("decode_at", { [unowned self] L in self.jsonDecodeAt(L) }),
        ])
        lua_getglobal(L, "json")
        lua_pushlightuserdata(L, nil)
        L.setField(-2, "null")
        lua_rawgeti(L, shim_LUA_REGISTRYINDEX(), lua_Integer(emptyArrayRef))
        L.setField(-2, "empty_array")
        L.pop()
    }

    private func jsonDecode(_ L: LuaState) -> Int32 {
        guard L.type(at: 1) == LUA_TSTRING else {
            return L.hostError("json.decode: expected a string, got \(L.typeName(at: 1))")
        }
        let error: String? = L.withBytes(at: 1) { raw -> String? in
            var decoder = LuaJSONDecoder(L, raw)
            do throws(LuaJSONDecoder.SyntaxError) {
                try decoder.decode()
                return nil
            } catch {
                return "json.decode: \(error.message) at byte \(error.offset + 1) (\(Self.describe(raw[...])))"
            }
        } ?? nil
        if let error { return L.hostError(error) }
        return 1
    }

    /// `json.decode_at(text, pos)`: the value starting at `pos` (1-based, white space skipped) and the
    /// position after it; other text may follow. Pages embed JSON in scripts this way.
    private func jsonDecodeAt(_ L: LuaState) -> Int32 {
        guard L.type(at: 1) == LUA_TSTRING, let position = L.integer(at: 2), position >= 1 else {
            return L.hostError("json.decode_at: expected a string and a position (from 1)")
        }
        var next = 0
        let error: String? = L.withBytes(at: 1) { raw -> String? in
            guard position - 1 < raw.count else { return "json.decode_at: position \(position) is past the end" }
            var decoder = LuaJSONDecoder(L, raw)
            do throws(LuaJSONDecoder.SyntaxError) {
                next = try decoder.decodePrefix(from: position - 1) + 1
                return nil
            } catch {
                return "json.decode_at: \(error.message) at byte \(error.offset + 1) (\(Self.describe(raw[(position - 1)...])))"
            }
        } ?? nil
        if let error { return L.hostError(error) }
        L.push(next)
        return 2
    }

    /// What the text was, without quoting it: the text is often another server's answer, and an error
    /// message reaches events and logs (an internal service's banner must not).
    private static func describe(_ text: Slice<UnsafeRawBufferPointer>) -> String {
        let head = String(decoding: text.prefix(64), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let kind = head.hasPrefix("<") ? "markup such as an HTML page" : head.isEmpty ? "empty text" : "text"
        return "\(kind), \(text.count) bytes"
    }

    private func jsonEncode(_ L: LuaState) -> Int32 {
        lua_settop(L, 1)
        lua_rawgeti(L, shim_LUA_REGISTRYINDEX(), lua_Integer(emptyArrayRef))
        var encoder = LuaJSONEncoder(L, emptyArrayIndex: 2)
        do {
            try encoder.encode(at: 1)
        } catch {
            return L.hostError("json.encode: \(error.message)")
        }
        L.push(encoder.output)
        return 1
    }

    /// Encodes the value at `index` of `L` (for request bodies built from tables).
    func encodeJSON(_ L: LuaState, at index: Int32) -> Result<[UInt8], HostMessage> {
        let index = L.absolute(index)
        lua_rawgeti(L, shim_LUA_REGISTRYINDEX(), lua_Integer(emptyArrayRef))
        defer { L.pop() }
        var encoder = LuaJSONEncoder(L, emptyArrayIndex: L.absolute(-1))
        do {
            try encoder.encode(at: index)
            return .success(encoder.output)
        } catch {
            return .failure(HostMessage(error.message))
        }
    }
}
