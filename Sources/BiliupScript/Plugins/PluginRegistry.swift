import BiliupValues
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
        /// The plugin's `rooms`, in order; nil: every URL its `match` claims is a room.
        var rooms: [RoomForm]?
    }

    /// One entry of a plugin's `rooms`: a Lua pattern tried against `RoomURL.key`. The room is the
    /// pattern's first capture, or the query parameter `query`; `refusal` refuses the URL with that reason.
    struct RoomForm {
        var pattern: String
        var query: String?
        var refusal: String?
    }

    private let host: ScriptHost
    let directories: [String]
    private(set) var plugins: [String: Loaded] = [:]
    /// Matching order: by name, fallback plugins last.
    private(set) var ordered: [Loaded] = []
    private(set) var failures: [String: (stamp: FileStamp, failure: PluginLoadFailure)] = [:]
    private var lastScan: ContinuousClock.Instant?
    /// URL as given → what it names (or why it is refused), until the plugins change: every check of a room
    /// would otherwise try every pattern of every plugin again.
    private var matches: [String: Result<RoomMatch, ScriptError>] = [:]
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
                case .success(let (info, rooms)):
                    lua_xmove(thread, L, 1)
                    let ref = luaL_ref(L, shim_LUA_REGISTRYINDEX())
                    unload(entry.name)
                    plugins[entry.name] = Loaded(info: info, ref: ref, stamp: entry.stamp, rooms: rooms)
                    pluginsChanged = true
                    failures[entry.path] = nil
                    host.configuration.log(ScriptLogRecord(level: .debug, source: entry.name, message: "loaded \(entry.path)"))
                }
            }
            finishIfIdle()
        })
    }

    /// Checks the returned table against the plugin contract.
    private func describe(_ T: LuaState, at index: Int32, entry: PluginDirectoryScan.Entry) -> Result<(PluginInfo, [RoomForm]?), HostMessage> {
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
        var rooms: [RoomForm]?
        if T.rawField(t, "rooms") != LUA_TNIL {
            switch roomForms(T) {
            case .failure(let message): T.pop(); return .failure(message)
            case .success(let forms): rooms = forms
            }
        }
        T.pop()
        guard T.rawField(t, "check") == LUA_TFUNCTION else { T.pop(); return .failure("check: expected function") }
        T.pop()
        let batch = T.rawField(t, "batch_check") == LUA_TFUNCTION
        T.pop()
        // The optional chat step: a typo'd value would only show when a recording starts.
        let danmakuType = T.rawField(t, "danmaku")
        T.pop()
        guard danmakuType == LUA_TNIL || danmakuType == LUA_TFUNCTION else { return .failure("danmaku: expected function") }
        var defaults: [String: JSONValue] = [:]
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
        return .success((PluginInfo(name: name, file: entry.path, patterns: patterns, defaults: defaults,
                                    options: options, batch: batch, fallback: fallback), rooms))
    }

    /// The `rooms` list on top of the stack: patterns, `{ pattern, query = name }` or `{ pattern, refuse = why }`.
    private func roomForms(_ T: LuaState) -> Result<[RoomForm], HostMessage> {
        guard T.type(at: -1) == LUA_TTABLE else { return .failure("rooms: expected a list of room forms") }
        let count = Int(lua_rawlen(T, -1))
        guard count > 0 else { return .failure("rooms: expected at least one room form") }
        var forms: [RoomForm] = []
        for i in 1...count {
            lua_rawgeti(T, -1, lua_Integer(i))
            defer { T.pop() }
            var form: RoomForm
            switch T.type(at: -1) {
            case LUA_TSTRING: form = RoomForm(pattern: T.string(at: -1)!)
            case LUA_TTABLE:
                lua_rawgeti(T, -1, 1)
                let pattern = T.type(at: -1) == LUA_TSTRING ? T.string(at: -1) : nil
                T.pop()
                guard let pattern else { return .failure("rooms[\(i)]: expected the pattern as the first item") }
                form = RoomForm(pattern: pattern, query: T.stringField(-1, "query"), refusal: T.stringField(-1, "refuse"))
            default: return .failure("rooms[\(i)]: expected a pattern or a table, got \(T.typeName(at: -1))")
            }
            if let problem = patternProblem(form.pattern) { return .failure("rooms[\(i)]: bad pattern \"\(form.pattern)\": \(problem)") }
            forms.append(form)
        }
        return .success(forms)
    }

    // MARK: Matching

    /// A trusted Lua function: `_match(url, pattern)` → matched, its first capture (the whole match
    /// without captures) and the pattern's error.
    private func installMatcher() {
        vm.runTrusted(Prelude.match, name: "match")
        lua_getglobal(vm.L, "_biliup_match")
        lua_setfield(vm.L, shim_LUA_REGISTRYINDEX(), "biliup.match")
        vm.L.pushNil()
        lua_setglobal(vm.L, "_biliup_match")
    }

    /// `(matched, capture, error)` for one pattern on the main thread.
    private func find(_ url: String, _ pattern: String) -> (matched: Bool, capture: String?, error: String?) {
        let L = vm.L
        lua_getfield(L, shim_LUA_REGISTRYINDEX(), "biliup.match")
        L.push(url)
        L.push(pattern)
        guard shim_lua_pcall(L, 2, 3, 0) == LUA_OK else {
            defer { L.pop() }
            return (false, nil, L.string(at: -1))
        }
        defer { L.pop(3) }
        return (lua_toboolean(L, -3) != 0, L.string(at: -2), L.string(at: -1))
    }

    private func patternProblem(_ pattern: String) -> String? {
        find("", pattern).error
    }

    /// The plugin whose `match` claims `url` (normalised), even when its `rooms` then refuse the URL.
    func plugin(matching url: String) -> Loaded? {
        switch resolve(url) {
        case .success(let match): return plugins[match.plugin]
        case .failure(let error): return error.kind == .notRoom ? plugins[error.source] : nil
        }
    }

    /// What `url` names: the plugin, the room and the normalised URL; or no plugin claims it, or the
    /// plugin that does refuses it as not a live room. Refusing asks nothing of the platform.
    func resolve(_ url: String) -> Result<RoomMatch, ScriptError> {
        if let known = matches[url] { return known }
        let result = resolveUncached(url)
        if matches.count >= Self.matchCacheLimit { matches.removeAll() }
        matches[url] = result
        return result
    }

    private func resolveUncached(_ pasted: String) -> Result<RoomMatch, ScriptError> {
        let url = RoomURL(pasted)
        guard let plugin = ordered.first(where: { plugin in plugin.info.patterns.contains { find(url.text, $0).matched } }) else {
            return .failure(ScriptError(kind: .noPlugin, source: "plugins", message: "no plugin matches \(pasted)"))
        }
        let name = plugin.info.name
        guard let forms = plugin.rooms else { return .success(RoomMatch(plugin: name, room: nil, url: url.text)) }
        func refused(_ reason: String?) -> Result<RoomMatch, ScriptError> {
            .failure(ScriptError(kind: .notRoom, source: name,
                                 message: "not a live room URL\(reason.map { " (\($0))" } ?? ""): \(url.text)"))
        }
        guard url.isWeb else { return refused(nil) }
        for form in forms {
            let found = find(url.key, form.pattern)
            guard found.matched else { continue }
            if let refusal = form.refusal { return refused(refusal) }
            let room = form.query.map { url.queryValue($0) } ?? found.capture
            if let room, !room.isEmpty { return .success(RoomMatch(plugin: name, room: room, url: url.text)) }
        }
        return refused(nil)
    }

    var catalog: PluginCatalog {
        PluginCatalog(plugins: ordered.map(\.info), failures: failures.values.map(\.failure).sorted { $0.file < $1.file },
                      directories: directories)
    }
}
