import BiliupValues
import CLua

extension PluginHost {
    /// Runs plugin `plugin`'s `danmaku(params, opts)` step: it turns the `danmaku` table of a check result
    /// into what a chat connection needs now (a fresh token, a signed URL…): `url`, `headers` and the
    /// protocol's keys, for `ChatPlatforms.source`. Called before every chat connection attempt, with the
    /// same limits as `check`. The answer carries `protocol` (the check's, unless the step names one).
    public func danmakuConnection(plugin name: String, parameters: [String: JSONValue],
                                  options: [String: JSONValue] = [:]) async throws(ScriptError) -> [String: JSONValue] {
        try await danmakuConnectionResult(plugin: name, parameters: parameters, options: options).get()
    }

    public func danmakuConnectionResult(plugin name: String, parameters: [String: JSONValue],
                                        options: [String: JSONValue] = [:]) async -> Result<[String: JSONValue], ScriptError> {
        await onLoop { done in
            self.registry.refresh {
                guard let plugin = self.registry.plugins[name] else {
                    return done(.failure(ScriptError(kind: .noPlugin, source: "plugins", message: "no plugin named \(name)")))
                }
                guard self.hasFunction(plugin, "danmaku") else {
                    return done(.failure(ScriptError(kind: .result, source: name, message: "plugin \(name) has no danmaku step")))
                }
                self.runDanmakuStep(plugin, parameters: parameters, options: options, done: done)
            }
        }
    }

    /// Whether the plugin's table has a function under `key` (loop thread).
    private func hasFunction(_ plugin: PluginRegistry.Loaded, _ key: String) -> Bool {
        let L = host.vm.L
        lua_rawgeti(L, shim_LUA_REGISTRYINDEX(), lua_Integer(plugin.ref))
        defer { L.pop(2) }
        return L.rawField(-1, key) == LUA_TFUNCTION
    }

    private func runDanmakuStep(_ plugin: PluginRegistry.Loaded, parameters: [String: JSONValue], options: [String: JSONValue],
                                done: @escaping (Result<[String: JSONValue], ScriptError>) -> Void) {
        let name = plugin.info.name
        func fail(_ message: String) -> ScriptError {
            ScriptError(kind: .result, source: name, message: "danmaku returned \(message)")
        }
        host.vm.start(label: name, limits: configuration.limits, prepare: { thread in
            self.prepare(thread, plugin, function: "danmaku", options: options)
            thread.push(JSONValue.object(parameters))
            shim_lua_insert(thread, -2)
            return 2
        }, finish: { end in
            switch end {
            case .failed(let error):
                done(.failure(error))
            case .returned(let thread, let count):
                guard count >= 1, thread.type(at: -count) == LUA_TTABLE else {
                    return done(.failure(fail("\(count >= 1 ? thread.typeName(at: -count) : "nothing"), expected a table like { url = ..., headers = {...} }")))
                }
                var connection: [String: JSONValue] = [:]
                switch thread.value(at: -count) {
                case .object(let fields): connection = fields
                case .array(let items) where items.isEmpty: break  // `{}` reads as an empty list
                default: return done(.failure(fail("a list, expected a table like { url = ..., headers = {...} }")))
                }
                guard case .string(let url)? = connection["url"], !url.isEmpty else {
                    return done(.failure(fail("url: expected a string, got \(connection["url"] == nil ? "nil" : "another value")")))
                }
                if connection["protocol"] == nil { connection["protocol"] = parameters["protocol"] }
                done(.success(connection))
            }
        })
    }
}
