/// Per-platform request budget: checks per second, where a `batch_check` call counts as one.
/// Platforms answer too many requests from one address with captchas or bans; the budget is what keeps
/// 1,000 watched rooms from looking like an attack.
public struct PlatformRates: Sendable, Equatable {
    /// Enough for 300 rooms at a 30 s interval; a platform that needs more (or tolerates less) gets its own.
    public static let standardPerSecond = 10.0

    public var defaultPerSecond: Double
    /// Platform (plugin) name → checks per second.
    public var perPlatform: [String: Double]

    public init(defaultPerSecond: Double = PlatformRates.standardPerSecond, perPlatform: [String: Double] = [:]) {
        self.defaultPerSecond = defaultPerSecond
        self.perPlatform = perPlatform
    }

    public func rate(for platform: String) -> Double {
        perPlatform[platform] ?? defaultPerSecond
    }
}
