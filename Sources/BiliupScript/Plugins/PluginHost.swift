import CLua
import Foundation

/// The platform plugins behind one Lua VM, on its own thread: the surface the CLI and the engine use.
/// Thousands of checks may be in flight at once; each is a coroutine, not a thread.
public final class PluginHost: @unchecked Sendable {
    private let loop: ScriptLoop
    // Touched only on `loop`'s thread.
    private let host: ScriptHost
    private let registry: PluginRegistry

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

    /// Runs the matching plugin's `check` once.
    public func check(_ url: String, options: [String: ScriptValue] = [:]) async throws(ScriptError) -> CheckResult {
        try await checkResult(url, options: options).get()
    }

    public func checkResult(_ url: String, options: [String: ScriptValue] = [:]) async -> Result<CheckResult, ScriptError> {
        await onLoop { done in
            self.registry.refresh {
                guard let plugin = self.registry.plugin(matching: url) else {
                    return done(.failure(ScriptError(kind: .noPlugin, source: "plugins", message: "no plugin matches \(url)")))
                }
                self.runCheck(plugin, url: url, options: options, done: done)
            }
        }
    }

    /// Checks many rooms; plugins with `batch_check` get one call for all of their rooms.
    public func batchCheck(_ urls: [String], options: [String: [String: ScriptValue]] = [:]) async -> [String: Result<CheckResult, ScriptError>] {
        await onLoop { done in
            self.registry.refresh {
                var results: [String: Result<CheckResult, ScriptError>] = [:]
                var groups: [String: (PluginRegistry.Loaded, [String])] = [:]
                var remaining = 0
                func finishOne() {
                    remaining -= 1
                    if remaining == 0 { done(results) }
                }
                remaining += 1
                for url in urls {
                    guard let plugin = self.registry.plugin(matching: url) else {
                        results[url] = .failure(ScriptError(kind: .noPlugin, source: "plugins", message: "no plugin matches \(url)"))
                        continue
                    }
                    if plugin.info.batch {
                        groups[plugin.info.name, default: (plugin, [])].1.append(url)
                    } else {
                        remaining += 1
                        self.runCheck(plugin, url: url, options: options[url] ?? [:]) { results[url] = $0; finishOne() }
                    }
                }
                for (plugin, group) in groups.values {
                    remaining += 1
                    self.runBatch(plugin, urls: group, options: options[group[0]] ?? [:]) { batch in
                        for (url, r) in batch { results[url] = r }
                        finishOne()
                    }
                }
                finishOne()
            }
        }
    }

    // MARK: Calls (loop thread)

    private func onLoop<T: Sendable>(_ body: @escaping (@escaping (T) -> Void) -> Void) async -> T {
        await withCheckedContinuation { (cont: CheckedContinuation<T, Never>) in
            loop.enqueue { body { cont.resume(returning: $0) } }
        }
    }

    /// Pushes the plugin's `key` function and the options table (defaults overridden by `options`).
    private func prepare(_ thread: LuaState, _ plugin: PluginRegistry.Loaded, function key: String, options: [String: ScriptValue]) {
        host.reseed(thread)
        lua_rawgeti(thread, shim_LUA_REGISTRYINDEX(), lua_Integer(plugin.ref))
        thread.rawField(-1, key)
        shim_lua_remove(thread, -2)
        var merged = plugin.info.defaults
        for (k, v) in options { merged[k] = v }
        thread.push(ScriptValue.object(merged))
    }

    private func runCheck(_ plugin: PluginRegistry.Loaded, url: String, options: [String: ScriptValue],
                          done: @escaping (Result<CheckResult, ScriptError>) -> Void) {
        let reader = CheckResultReader(L: host.vm.L, plugin: plugin.info.name, remap: configuration.hostRemap)
        host.vm.start(label: plugin.info.name, limits: configuration.limits, prepare: { thread in
            prepare(thread, plugin, function: "check", options: options)
            thread.push(url)
            shim_lua_insert(thread, -2)
            return 2
        }, finish: { end in
            switch end {
            case .failed(let error): done(.failure(error))
            case .returned(let thread, let count):
                guard count >= 1 else { return done(.failure(ScriptError(kind: .result, source: plugin.info.name, message: "check returned nothing"))) }
                done(CheckResultReader(L: thread, plugin: reader.plugin, remap: reader.remap).read(at: -count, url: url))
            }
        })
    }

    private func runBatch(_ plugin: PluginRegistry.Loaded, urls: [String], options: [String: ScriptValue],
                          done: @escaping ([String: Result<CheckResult, ScriptError>]) -> Void) {
        let name = plugin.info.name
        func everyone(_ error: ScriptError) -> [String: Result<CheckResult, ScriptError>] {
            Dictionary(uniqueKeysWithValues: urls.map { ($0, .failure(error)) })
        }
        host.vm.start(label: name, limits: configuration.limits, prepare: { thread in
            prepare(thread, plugin, function: "batch_check", options: options)
            thread.push(ScriptValue.array(urls.map { .string($0) }))
            shim_lua_insert(thread, -2)
            return 2
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
                for url in urls {
                    thread.rawField(table, url)
                    defer { thread.pop() }
                    if thread.type(at: -1) == LUA_TNIL {
                        results[url] = .failure(ScriptError(kind: .result, source: name, message: "batch_check returned no result for \(url)"))
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
