import BiliupScript
import BiliupValues

/// What the scheduler (and a recording asking for a fresh stream URL) needs from the plugins.
/// `PluginHost` is the real one; tests use small checkers that count calls.
public protocol RoomChecker: Sendable {
    /// The platform (plugin) that checks `url` and whether it checks many rooms per call; nil: no plugin matches.
    func platform(of url: String) async -> (name: String, batch: Bool)?
    /// One room, through the plugin's `check`. Errors are results: the room is checked again next time.
    func check(_ url: String, options: [String: JSONValue]) async -> Result<CheckResult, ScriptError>
    /// Rooms of one batch platform sharing `options`, in one `batch_check` call.
    func batchCheck(_ urls: [String], options: [String: JSONValue]) async -> [String: Result<CheckResult, ScriptError>]
    /// Every plugin, its patterns and options, and the files that failed to load.
    func catalog() async -> PluginCatalog
    /// Where a room's chat server is now, through plugin `plugin`'s `danmaku(params, opts)` step:
    /// `parameters` is the check's `danmaku` table; the answer has `url`, `headers` and what the
    /// protocol needs (a token, a signature). Asked before every chat connection attempt.
    func danmakuConnection(plugin: String, parameters: [String: JSONValue], options: [String: JSONValue]) async
        -> Result<[String: JSONValue], ScriptError>
}

extension RoomChecker {
    /// Checkers without plugins (tests' fakes) have no chat.
    public func danmakuConnection(plugin: String, parameters: [String: JSONValue], options: [String: JSONValue]) async
        -> Result<[String: JSONValue], ScriptError> {
        .failure(ScriptError(kind: .noPlugin, source: plugin, message: "no plugin with a danmaku step"))
    }
}

extension PluginHost: RoomChecker {
    public func platform(of url: String) async -> (name: String, batch: Bool)? {
        guard let info = await plugin(matching: url) else { return nil }
        return (info.name, info.batch)
    }

    // An overload of PluginHost's throwing `check(_:options:)`; write `checkResult` on a PluginHost to pick one.
    public func check(_ url: String, options: [String: JSONValue]) async -> Result<CheckResult, ScriptError> {
        await checkResult(url, options: options)
    }

    /// The plugin's `danmaku` step, with the limits of a check.
    public func danmakuConnection(plugin: String, parameters: [String: JSONValue], options: [String: JSONValue]) async
        -> Result<[String: JSONValue], ScriptError> {
        await danmakuConnectionResult(plugin: plugin, parameters: parameters, options: options)
    }

    /// PluginHost's own `batchCheck` takes options per URL.
    public func batchCheck(_ urls: [String], options: [String: JSONValue]) async -> [String: Result<CheckResult, ScriptError>] {
        await batchCheck(urls, options: Dictionary(urls.map { ($0, options) }, uniquingKeysWith: { a, _ in a }))
    }
}
