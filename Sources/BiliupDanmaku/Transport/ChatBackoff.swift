/// When to try again after a chat connection failed or ended: `initial` after the first failure, doubling
/// up to `maximum`, with random jitter so that many rooms cut off by one network failure do not all
/// reconnect in the same second. A connection that stayed up for `stableAfter` counts as healthy and the
/// next failure starts again at `initial`. The delay is never below `initial`, so a server that accepts
/// and closes at once is retried at most every `initial`, never in a tight loop.
public struct ChatBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var stableAfter: Duration
    /// Up to this fraction of the delay is added at random.
    public var jitter: Double
    /// Failures since the last healthy connection.
    public private(set) var failures = 0

    public init(initial: Duration = .seconds(2), maximum: Duration = .seconds(30), stableAfter: Duration = .seconds(60),
                jitter: Double = 0.2) {
        precondition(initial > .zero && maximum >= initial && jitter >= 0)
        self.initial = initial
        self.maximum = maximum
        self.stableAfter = stableAfter
        self.jitter = jitter
    }

    /// The wait before the next attempt. `uptime` is how long the connection that just ended was open
    /// (nil when it never opened).
    public mutating func nextDelay(afterUptime uptime: Duration?) -> Duration {
        var random = SystemRandomNumberGenerator()
        return nextDelay(afterUptime: uptime, using: &random)
    }

    public mutating func nextDelay(afterUptime uptime: Duration?, using random: inout some RandomNumberGenerator) -> Duration {
        if let uptime, uptime >= stableAfter { failures = 0 }
        var base = initial
        for _ in 0..<min(failures, 30) where base < maximum { base = base * 2 }
        base = min(base, maximum)
        failures += 1
        let spread = jitter > 0 ? Double.random(in: 0..<jitter, using: &random) : 0
        return max(initial, min(maximum, base + base * spread))
    }
}
