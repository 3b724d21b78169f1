import BiliupNet
import Foundation

/// How a scripting VM is set up: where plugins come from, where their requests go, and what each call
/// may use. Tests fix the clock and the random seed so signatures come out the same every run.
public struct ScriptConfiguration: Sendable {
    /// Plugin directories, lowest priority first: a later directory's plugin replaces an earlier one of the same name.
    public var pluginDirectories: [String]
    public var hostRemap: HostRemap
    public var limits: ScriptLimits
    /// Default proxy for plugin requests (a request's own `proxy` wins).
    public var proxy: String?
    /// Unix time in seconds, as plugins see it (`time.now`, `os.time`).
    public var clock: @Sendable () -> Double
    /// With a seed, `math.random` restarts from it at every call, so "random" request values repeat.
    public var randomSeed: Int?
    /// How often plugin files are looked at for edits; 0 looks before every check.
    public var reloadInterval: Duration
    public var log: @Sendable (ScriptLogRecord) -> Void
    /// Whether plugin requests refuse private addresses (`block_private_addresses`); shared with whoever
    /// changes the setting while the VM runs (the engine).
    public var addressPolicy = AddressPolicy()

    public init(pluginDirectories: [String], hostRemap: HostRemap = HostRemap(), limits: ScriptLimits = ScriptLimits(),
                proxy: String? = nil, clock: @escaping @Sendable () -> Double = ScriptConfiguration.systemClock,
                randomSeed: Int? = nil, reloadInterval: Duration = .milliseconds(500),
                log: @escaping @Sendable (ScriptLogRecord) -> Void = ScriptLogRecord.printToStandardError) {
        self.pluginDirectories = pluginDirectories
        self.hostRemap = hostRemap
        self.limits = limits
        self.proxy = proxy
        self.clock = clock
        self.randomSeed = randomSeed
        self.reloadInterval = reloadInterval
        self.log = log
    }

    @Sendable public static func systemClock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

public struct ScriptLogRecord: Sendable, Equatable {
    public enum Level: String, Sendable, Codable, Comparable {
        case debug, info, warn, error
        private var rank: Int { [.debug: 0, .info: 1, .warn: 2, .error: 3][self]! }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }
    public var level: Level
    /// The plugin or script that logged.
    public var source: String
    public var message: String

    public init(level: Level, source: String, message: String) {
        self.level = level
        self.source = source
        self.message = message
    }

    @Sendable public static func printToStandardError(_ r: ScriptLogRecord) {
        guard r.level >= .info else { return }
        FileHandle.standardError.write(Data("[\(r.level.rawValue)] \(r.source): \(r.message)\n".utf8))
    }
}

