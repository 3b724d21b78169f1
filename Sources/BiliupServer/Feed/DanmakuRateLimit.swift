import Foundation

/// How many `danmaku` messages one WebSocket subscriber gets: a token bucket of `burst` messages
/// refilled at `perSecond`. A busy room's chat arrives far faster than a page can show it, and every
/// subscriber's frames cost the server; a live view wants the latest lines, not all of them (the XML
/// beside each segment has all of them). Messages over the limit are dropped for that subscriber only,
/// and counted so that the next one it gets says how many it missed.
struct DanmakuRateLimit: Sendable {
    static let perSecond = 4.0
    static let burst = 8.0

    private var tokens = DanmakuRateLimit.burst
    private var last: ContinuousClock.Instant?
    /// Messages dropped since the last one let through.
    private(set) var dropped = 0

    /// Whether a message at `now` may go out; if not, it is counted as dropped.
    mutating func admit(at now: ContinuousClock.Instant = .now) -> Bool {
        if let last {
            let elapsed = (now - last) / .seconds(1)
            tokens = min(Self.burst, tokens + max(0, elapsed) * Self.perSecond)
        }
        last = now
        guard tokens >= 1 else {
            dropped += 1
            return false
        }
        tokens -= 1
        return true
    }

    /// The count of dropped messages, reset (called when one goes out after some were dropped).
    mutating func takeDropped() -> Int {
        defer { dropped = 0 }
        return dropped
    }
}
