import BiliupNet  // Duration.seconds

/// A token bucket: `rate` tokens per second, holding at most `capacity`. A platform with rooms waiting
/// keeps its bucket empty, so over any window longer than the burst its checks run at exactly `rate`.
struct TokenBucket {
    /// A burst of this many seconds' worth of tokens (at least one token): enough that a scheduler
    /// thread woken late on a busy machine loses no tokens, small enough that an idle platform cannot
    /// be hit by much more than its rate at once.
    static let burstSeconds = 0.2
    /// Refills are sums of small fractions: without a tolerance, the token due at `nextToken` can come out
    /// as 0.9999999 and cost the thread a second wake-up.
    private static let rounding = 1e-9

    let rate: Double
    let capacity: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(rate: Double, now: ContinuousClock.Instant) {
        self.rate = rate
        capacity = max(1, rate * Self.burstSeconds)
        tokens = capacity
        updated = now
    }

    mutating func take(now: ContinuousClock.Instant) -> Bool {
        refill(now)
        guard tokens + Self.rounding >= 1 else { return false }
        tokens = max(0, tokens - 1)
        return true
    }

    /// When the next whole token is there (`now` if it already is).
    func nextToken(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var copy = self
        copy.refill(now)
        guard copy.tokens + Self.rounding < 1, rate > 0 else { return now }
        return now + .seconds((1 - copy.tokens) / rate)
    }

    private mutating func refill(_ now: ContinuousClock.Instant) {
        let elapsed = (now - updated).seconds
        guard elapsed > 0 else { return }
        tokens = min(capacity, tokens + elapsed * rate)
        updated = now
    }
}
