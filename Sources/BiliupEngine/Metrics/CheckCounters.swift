import Synchronization

/// Check calls per platform since the start: how many ended, how many failed, and how long they took
/// (a histogram, so Prometheus can tell a slow platform from a failing one).
public final class CheckCounters: Sendable {
    /// Upper bounds (seconds) of the latency buckets: a platform API answers in tens of milliseconds when
    /// well, in seconds when throttled; past 30 s a check has timed out anyway.
    public static let latencyBounds: [Double] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    public struct Platform: Sendable, Equatable {
        public var calls = 0
        public var rooms = 0
        public var errors = 0
        /// Calls that took at most `latencyBounds[i]`, per bound (not cumulative; the exposition sums them).
        public var buckets = [Int](repeating: 0, count: CheckCounters.latencyBounds.count)
        public var latencySum = 0.0
    }

    private let platforms = Mutex<[String: Platform]>([:])

    public init() {}

    /// One call ended: `rooms` rooms checked in `seconds`, `errors` of them failed.
    func callEnded(platform: String, rooms: Int, errors: Int, seconds: Double) {
        platforms.withLock {
            var p = $0[platform, default: Platform()]
            p.calls += 1
            p.rooms += rooms
            p.errors += errors
            p.latencySum += seconds
            if let i = Self.latencyBounds.firstIndex(where: { seconds <= $0 }) { p.buckets[i] += 1 }
            $0[platform] = p
        }
    }

    public var byPlatform: [String: Platform] { platforms.withLock { $0 } }
}
