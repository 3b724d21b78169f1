import CLua

extension ScriptHost {
    /// `log.debug/info/warn/error(...)`: arguments joined with spaces, tagged with the calling plugin.
    func installLog() {
        let levels: [(String, ScriptLogRecord.Level)] = [("debug", .debug), ("info", .info), ("warn", .warn), ("error", .error)]
        vm.register(module: "log", levels.map { name, level in
            (name, { [unowned self] L in
                var parts: [String] = []
                for i in 1...max(L.top, 1) where L.top >= 1 {
                    switch lua_type(L, i) {
                    case LUA_TSTRING: parts.append(L.string(at: i) ?? "")
                    case LUA_TNUMBER: parts.append(lua_isinteger(L, i) != 0 ? String(L.integer(at: i) ?? 0) : String(L.number(at: i) ?? 0))
                    case LUA_TBOOLEAN: parts.append(lua_toboolean(L, i) != 0 ? "true" : "false")
                    case LUA_TNIL: parts.append("nil")
                    case LUA_TTABLE: parts.append(L.value(at: i).description)
                    default: parts.append(L.typeName(at: i))
                    }
                }
                self.configuration.log(ScriptLogRecord(level: level, source: self.label, message: parts.joined(separator: " ")))
                return 0
            })
        })
    }
}
