import BiliupNet
import BiliupScript
import BiliupTestSupport
import BiliupValues
import Foundation

/// Log records of a host, for tests to read.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [ScriptLogRecord] = []
    var all: [ScriptLogRecord] { lock.withLock { records } }
    func add(_ r: ScriptLogRecord) { lock.withLock { records.append(r) } }
}

/// A plugin host over a fresh directory holding `plugins` (name → source).
func makeHost(_ plugins: [String: String], remap: HostRemap = HostRemap(), limits: ScriptLimits = ScriptLimits(),
              clock: @escaping @Sendable () -> Double = ScriptConfiguration.systemClock, seed: Int? = nil,
              log: LogCapture = LogCapture()) throws -> (PluginHost, String) {
    let dir = try PluginPaths.temporary()
    for (name, source) in plugins {
        try source.write(toFile: "\(dir)/\(name).lua", atomically: true, encoding: .utf8)
    }
    let configuration = ScriptConfiguration(pluginDirectories: [dir], hostRemap: remap, limits: limits, clock: clock,
                                            randomSeed: seed, reloadInterval: .zero, log: { log.add($0) })
    return (PluginHost(configuration: configuration), dir)
}

/// A host over the shipped plugins, talking to `fake`, with a fixed clock and seed.
func shippedHost(_ fake: FakePlatform, extraHosts: [String] = [], now: Double = 1_700_000_000, seed: Int = 42,
                 log: LogCapture = LogCapture()) -> PluginHost {
    let configuration = ScriptConfiguration(pluginDirectories: [PluginPaths.shipped], hostRemap: fake.remap(extraHosts),
                                            clock: { now }, randomSeed: seed, reloadInterval: .zero, log: { log.add($0) })
    return PluginHost(configuration: configuration)
}

/// A plugin whose `check` runs `body` (Lua statements ending in a return) for URLs `scheme://name/...`.
func plugin(_ name: String, _ body: String) -> String {
    """
    return {
      name = "\(name)",
      match = { "^test://\(name)/" },
      check = function(url, opts)
    \(body)
      end,
    }
    """
}

/// The error a check raised, or nil when it succeeded.
func checkError(_ host: PluginHost, _ url: String, _ options: [String: JSONValue] = [:]) async -> ScriptError? {
    if case .failure(let error) = await host.checkResult(url, options: options) { return error }
    return nil
}
