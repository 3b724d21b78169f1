import BiliupValues
import CLua
import Foundation

/// The platform plugins behind one Lua VM, on its own thread: the surface the CLI and the engine use.
/// Thousands of checks may be in flight at once; each is a coroutine, not a thread.
public final class PluginHost: @unchecked Sendable {
    private let loop: ScriptLoop
    // Touched only on `loop`'s thread (internal for the `danmaku` step in PluginHost+Danmaku.swift).
    let host: ScriptHost
    let registry: PluginRegistry

    public let configuration: ScriptConfiguration

    public init(configuration: ScriptConfiguration) {
        self.configuration = configuration
        loop = ScriptLoop(name: "biliup-lua")
        host = ScriptHost(loop: loop, libraries: .plugin, configuration: configuration)
        registry = PluginRegistry(host: host, directories: configuration.pluginDirectories)
        setPackagePath()
    }

    /// `require` finds shared helpers in `lib/` next to each plugin directory, and no C modules.
    private func setPackagePath() {
        let L = host.vm.L
        let paths = configuration.pluginDirectories.flatMap { dir -> [String] in
            let parent = (dir as NSString).deletingLastPathComponent
            return ["\(dir)/lib/?.lua", "\(parent)/lib/?.lua"]
        }
        lua_getglobal(L, "package")
        L.setField(-1, "path", paths.joined(separator: ";"))
        L.setField(-1, "cpath", "")
        L.pop()
    }

    /// Every loaded plugin and every file that failed to load.
    public func catalog() async -> PluginCatalog {
        await onLoop { done in
            self.registry.refresh(force: true) { done(self.registry.catalog) }
        }
    }

    /// The plugin that would check `url`.
    public func plugin(matching url: String) async -> PluginInfo? {
        await onLoop { done in
            self.registry.refresh { done(self.registry.plugin(matching: url)?.info) }
        }
    }

    /// What `url` names (plugin, room, normalised URL) or why no plugin checks it; asks no platform.
    public func room(of url: String) async -> Result<RoomMatch, ScriptError> {
        await onLoop { done in
            self.registry.refresh { done(self.registry.resolve(url)) }
        }
    }

    /// Runs the matching plugin's `check` once.
    public func check(_ url: String, options: [String: JSONValue] = [:]) async throws(ScriptError) -> CheckResult {
        try await checkResult(url, options: options).get()
    }

    public func checkResult(_ url: String, options: [String: JSONValue] = [:]) async -> Result<CheckResult, ScriptError> {
        await onLoop { done in
            self.registry.refresh {
                switch self.resolved(url) {
                case .failure(let error): done(.failure(error))
                case .success(let (plugin, match)): self.runCheck(plugin, match, asked: url, options: options, done: done)
                }
            }
        }
    }

    /// Checks many rooms; plugins with `batch_check` get one call for all of their rooms.
    public func batchCheck(_ urls: [String], options: [String: [String: JSONValue]] = [:]) async -> [String: Result<CheckResult, ScriptError>] {
        await onLoop { done in
            self.registry.refresh {
                var results: [String: Result<CheckResult, ScriptError>] = [:]
                var groups: [String: (PluginRegistry.Loaded, [(asked: String, match: RoomMatch)])] = [:]
                var remaining = 0
                func finishOne() {
                    remaining -= 1
                    if remaining == 0 { done(results) }
                }
                remaining += 1
                for url in urls {
                    let plugin: PluginRegistry.Loaded, match: RoomMatch
                    switch self.resolved(url) {
                    case .failure(let error): results[url] = .failure(error); continue
                    case .success(let found): (plugin, match) = found
                    }
                    if plugin.info.batch {
                        groups[plugin.info.name, default: (plugin, [])].1.append((url, match))
                    } else {
                        remaining += 1
                        self.runCheck(plugin, match, asked: url, options: options[url] ?? [:]) { results[url] = $0; finishOne() }
                    }
                }
                for (plugin, group) in groups.values {
                    remaining += 1
                    self.runBatch(plugin, rooms: group, options: options[group[0].asked] ?? [:]) { batch in
                        for (url, r) in batch { results[url] = r }
                        finishOne()
                    }
                }
                finishOne()
            }
        }
    }

    // MARK: Calls (loop thread)

    private func resolved(_ url: String) -> Result<(PluginRegistry.Loaded, RoomMatch), ScriptError> {
        registry.resolve(url).flatMap { match in
            guard let plugin = registry.plugins[match.plugin] else {
                return .failure(ScriptError(kind: .noPlugin, source: "plugins", message: "no plugin matches \(url)"))
            }
            return .success((plugin, match))
        }
    }

    func onLoop<T: Sendable>(_ body: @escaping (@escaping (T) -> Void) -> Void) async -> T {
        await withCheckedContinuation { (cont: CheckedContinuation<T, Never>) in
            loop.enqueue { body { cont.resume(returning: $0) } }
        }
    }

    /// Pushes the plugin's `key` function and the options table (defaults overridden by `options`).
    func prepare(_ thread: LuaState, _ plugin: PluginRegistry.Loaded, function key: String, options: [String: JSONValue]) {
        host.reseed(thread)
        lua_rawgeti(thread, shim_LUA_REGISTRYINDEX(), lua_Integer(plugin.ref))
        thread.rawField(-1, key)
        shim_lua_remove(thread, -2)
        var merged = plugin.info.defaults
        for (k, v) in options { merged[k] = v }
        thread.push(JSONValue.object(merged))
    }

    /// `check(url, opts, room)` with the normalised URL; the result keeps the URL as it was `asked`.
    private func runCheck(_ plugin: PluginRegistry.Loaded, _ match: RoomMatch, asked url: String, options: [String: JSONValue],
                          done: @escaping (Result<CheckResult, ScriptError>) -> Void) {
        let reader = CheckResultReader(L: host.vm.L, plugin: plugin.info.name, remap: configuration.hostRemap)
        host.vm.start(label: plugin.info.name, limits: configuration.limits, prepare: { thread in
            prepare(thread, plugin, function: "check", options: options)
            thread.push(match.url)
            shim_lua_insert(thread, -2)
            thread.push(match.room.map { JSONValue.string($0) } ?? .null)
            return 3
        }, finish: { end in
            switch end {
            case .failed(let error): done(.failure(error))
            case .returned(let thread, let count):
                guard count >= 1 else { return done(.failure(ScriptError(kind: .result, source: plugin.info.name, message: "check returned nothing"))) }
                done(CheckResultReader(L: thread, plugin: reader.plugin, remap: reader.remap).read(at: -count, url: url))
            }
        })
    }

    /// `batch_check(urls, opts, rooms)` with the normalised URLs (each once) and `rooms[url]`; results go
    /// back to the URLs as they were asked.
    private func runBatch(_ plugin: PluginRegistry.Loaded, rooms: [(asked: String, match: RoomMatch)], options: [String: JSONValue],
                          done: @escaping ([String: Result<CheckResult, ScriptError>]) -> Void) {
        let name = plugin.info.name
        func everyone(_ error: ScriptError) -> [String: Result<CheckResult, ScriptError>] {
            Dictionary(rooms.map { ($0.asked, .failure(error)) }, uniquingKeysWith: { a, _ in a })
        }
        var urls: [String] = []
        var seen: Set<String> = []
        var roomOf: [String: JSONValue] = [:]
        for (_, match) in rooms where seen.insert(match.url).inserted {
            urls.append(match.url)
            if let room = match.room { roomOf[match.url] = .string(room) }
        }
        host.vm.start(label: name, limits: configuration.limits, prepare: { thread in
            prepare(thread, plugin, function: "batch_check", options: options)
            thread.push(JSONValue.array(urls.map { .string($0) }))
            shim_lua_insert(thread, -2)
            thread.push(JSONValue.object(roomOf))
            return 3
        }, finish: { end in
            switch end {
            case .failed(let error): done(everyone(error))
            case .returned(let thread, let count):
                guard count >= 1, thread.type(at: -count) == LUA_TTABLE else {
                    return done(everyone(ScriptError(kind: .result, source: name, message: "batch_check must return a table of url = result")))
                }
                let table = thread.absolute(-count)
                let reader = CheckResultReader(L: thread, plugin: name, remap: self.configuration.hostRemap)
                var results: [String: Result<CheckResult, ScriptError>] = [:]
                for (url, match) in rooms {
                    thread.rawField(table, match.url)
                    defer { thread.pop() }
                    if thread.type(at: -1) == LUA_TNIL {
                        results[url] = .failure(ScriptError(kind: .result, source: name, message: "batch_check returned no result for \(match.url)"))
                    } else if thread.type(at: -1) == LUA_TTABLE, let message = thread.stringField(-1, "error") {
                        // One room failing does not fail the batch: `{ error = "..." }` in its place.
                        results[url] = .failure(ScriptError(kind: .runtime, source: name, message: message))
                    } else {
                        results[url] = reader.read(at: -1, url: url)
                    }
                }
                done(results)
            }
        })
    }
}
