import CLua
import Foundation

/// The plugins of one VM, reloaded when their files change. A file that fails to load leaves the
/// last good version of that plugin running and its error on record. Loop thread only.
final class PluginRegistry {
    struct Loaded {
        var info: PluginInfo
        /// Registry reference of the plugin's table.
        var ref: Int32
        var stamp: FileStamp
    }

    private let host: ScriptHost
    let directories: [String]
    private(set) var plugins: [String: Loaded] = [:]
    /// Matching order: by name, fallback plugins last.
    private(set) var ordered: [Loaded] = []
    private(set) var failures: [String: (stamp: FileStamp, failure: PluginLoadFailure)] = [:]
    private var lastScan: ContinuousClock.Instant?
    /// URL → the plugin that matched it (or none), until the plugins change: every check of a room would
    /// otherwise try every pattern of every plugin again.
    private var matches: [String: String?] = [:]
    /// A plugin was loaded or dropped since `ordered` and `matches` were made.
    private var pluginsChanged = false
    /// Rooms watched at once stay far below this; a stream of one-off URLs cannot grow the cache forever.
    static let matchCacheLimit = 100_000
    private var pendingLoads = 0
    private var waiting: [() -> Void] = []

    init(host: ScriptHost, directories: [String]) {
        self.host = host
        self.directories = directories
        installMatcher()
    }

    private var vm: LuaVM { host.vm }

    // MARK: Reloading

    /// Loads what changed on disk (at most once per `reloadInterval` unless `force`), then runs `done`.
    func refresh(force: Bool = false, _ done: @escaping () -> Void) {
        let now = ContinuousClock.now
        if !force, let last = lastScan, now - last < host.configuration.reloadInterval {
            return pendingLoads == 0 ? done() : waiting.append(done)
        }
        lastScan = now
        waiting.append(done)
        let entries = PluginDirectoryScan.scan(directories)
        for name in plugins.keys where entries[name] == nil {
            unload(name)
        }
        for path in failures.keys where !entries.values.contains(where: { $0.path == path }) {
            failures[path] = nil
        }
        pendingLoads += 1  // loads that finish at once must not report the refresh done before the others start
        for entry in entries.values.sorted(by: { $0.name < $1.name }) {
            if let current = plugins[entry.name], current.info.file == entry.path, current.stamp == entry.stamp { continue }
            if let failed = failures[entry.path], failed.stamp == entry.stamp { continue }
            load(entry)
        }
        pendingLoads -= 1
        finishIfIdle()
    }

    private func finishIfIdle() {
        guard pendingLoads == 0 else { return }
        if pluginsChanged { rebuildOrder() }
        let callbacks = waiting
        waiting.removeAll()
        for callback in callbacks { callback() }
    }

    private func unload(_ name: String) {
        guard let old = plugins.removeValue(forKey: name) else { return }
        pluginsChanged = true
        luaL_unref(vm.L, shim_LUA_REGISTRYINDEX(), old.ref)
    }

    private func rebuildOrder() {
        pluginsChanged = false
        matches.removeAll()
        ordered = plugins.values.sorted { a, b in
            a.info.fallback != b.info.fallback ? !a.info.fallback : a.info.name < b.info.name
        }
    }

    private func recordFailure(_ entry: PluginDirectoryScan.Entry, _ message: String) {
        let kept = plugins[entry.name] != nil
        failures[entry.path] = (entry.stamp, PluginLoadFailure(file: entry.path, message: message, keptPrevious: kept))
        host.configuration.log(ScriptLogRecord(level: .error, source: entry.name,
                                               message: "cannot load \(entry.path): \(message)" + (kept ? " (the previous version stays in use)" : "")))
    }

    private func load(_ entry: PluginDirectoryScan.Entry) {
        guard let data = FileManager.default.contents(atPath: entry.path) else {
            return recordFailure(entry, "cannot read the file")
        }
        let L = vm.L
        // Lua cuts chunk names to 60 bytes from the left, which would hide the file name of a deep path;
        // the name alone is enough in messages (the full path is in the failure and in `biliup plugins`).
        if let error = vm.compile(Array(data), chunkName: "@\(entry.name).lua", source: entry.name) {
            return recordFailure(entry, error.message)
        }
        // Each plugin gets its own globals, reading through to the shared ones.
        L.newTable()
        L.newTable()
        lua_getglobal(L, "_G")
        L.setField(-2, "__index")
        lua_setmetatable(L, -2)
        _ = lua_setupvalue(L, -2, 1)
        pendingLoads += 1
        vm.start(label: entry.name, limits: host.configuration.limits, prepare: { thread in
            lua_xmove(L, thread, 1)
            return 0
        }, finish: { [self] end in
            pendingLoads -= 1
            switch end {
            case .failed(let error): recordFailure(entry, error.message)
            case .returned(let thread, let count):
                guard count >= 1 else { recordFailure(entry, "the file must return the plugin table"); break }
                lua_settop(thread, lua_gettop(thread) - count + 1)
                switch describe(thread, at: -1, entry: entry) {
                case .failure(let message): recordFailure(entry, message.text)
                case .success(let info):
                    lua_xmove(thread, L, 1)
                    let ref = luaL_ref(L, shim_LUA_REGISTRYINDEX())
                    unload(entry.name)
                    plugins[entry.name] = Loaded(info: info, ref: ref, stamp: entry.stamp)
                    pluginsChanged = true
                    failures[entry.path] = nil
                    host.configuration.log(ScriptLogRecord(level: .debug, source: entry.name, message: "loaded \(entry.path)"))
                }
            }
            finishIfIdle()
        })
    }

    /// Checks the returned table against the plugin contract.
    private func describe(_ T: LuaState, at index: Int32, entry: PluginDirectoryScan.Entry) -> Result<PluginInfo, HostMessage> {
        let t = T.absolute(index)
        guard T.type(at: t) == LUA_TTABLE else { return .failure("the file must return a table, it returned \(T.typeName(at: t))") }
        guard let name = T.stringField(t, "name") else { return .failure("name: expected string") }
        guard name == entry.name else { return .failure("name \"\(name)\" differs from the file name \(entry.name).lua") }
        var patterns: [String] = []
        switch T.rawField(t, "match") {
        case LUA_TSTRING: patterns = [T.string(at: -1)!]
        case LUA_TTABLE:
            let n = Int(lua_rawlen(T, -1))
            for i in 0..<n {
                lua_rawgeti(T, -1, lua_Integer(i + 1))
                if let p = T.string(at: -1) { patterns.append(p) }
                T.pop()
            }
        default: break
        }
        T.pop()
        guard !patterns.isEmpty else { return .failure("match: expected a Lua pattern or a list of them") }
        for p in patterns {
            if let problem = patternProblem(p) { return .failure("match: bad pattern \"\(p)\": \(problem)") }
        }
        guard T.rawField(t, "check") == LUA_TFUNCTION else { T.pop(); return .failure("check: expected function") }
        T.pop()
        let batch = T.rawField(t, "batch_check") == LUA_TFUNCTION
        T.pop()
        var defaults: [String: ScriptValue] = [:]
        if T.rawField(t, "defaults") == LUA_TTABLE, case .object(let d) = T.value(at: -1) { defaults = d }
        T.pop()
        var options: [String: String] = [:]
        if T.rawField(t, "options") == LUA_TTABLE {
            T.forEach(-1) { if let k = T.string(at: -2), let v = T.string(at: -1) { options[k] = v } }
        }
        T.pop()
        T.rawField(t, "fallback")
        let fallback = lua_toboolean(T, -1) != 0
        T.pop()
        return .success(PluginInfo(name: name, file: entry.path, patterns: patterns, defaults: defaults,
                                   options: options, batch: batch, fallback: fallback))
    }

    // MARK: Matching

    /// A trusted Lua function: `_match(url, pattern)` → matched, or false and the pattern's error.
    private func installMatcher() {
        vm.runTrusted("""
            local find, pcall = string.find, pcall
            function _biliup_match(url, pattern)
              local ok, found = pcall(find, url, pattern)
              if not ok then return false, found end
              return found ~= nil
            end
            """, name: "match")
        lua_getglobal(vm.L, "_biliup_match")
        lua_setfield(vm.L, shim_LUA_REGISTRYINDEX(), "biliup.match")
        vm.L.pushNil()
        lua_setglobal(vm.L, "_biliup_match")
    }

    /// `(matched, error)` for one pattern on the main thread.
    private func find(_ url: String, _ pattern: String) -> (Bool, String?) {
        let L = vm.L
        lua_getfield(L, shim_LUA_REGISTRYINDEX(), "biliup.match")
        L.push(url)
        L.push(pattern)
        guard shim_lua_pcall(L, 2, 2, 0) == LUA_OK else {
            defer { L.pop() }
            return (false, L.string(at: -1))
        }
        defer { L.pop(2) }
        return (lua_toboolean(L, -2) != 0, L.string(at: -1))
    }

    private func patternProblem(_ pattern: String) -> String? {
        find("", pattern).1
    }

    func plugin(matching url: String) -> Loaded? {
        if let name = matches[url] { return name.flatMap { plugins[$0] } }
        let found = ordered.first { plugin in plugin.info.patterns.contains { find(url, $0).0 } }
        if matches.count >= Self.matchCacheLimit { matches.removeAll() }
        matches[url] = .some(found?.info.name)
        return found
    }

    var catalog: PluginCatalog {
        PluginCatalog(plugins: ordered.map(\.info), failures: failures.values.map(\.failure).sorted { $0.file < $1.file },
                      directories: directories)
    }
}
