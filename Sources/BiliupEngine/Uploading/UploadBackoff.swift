/// How long the queue waits before trying again: doubling from a first wait, capped, so that a
/// failing server or a rate limit sees a few requests an hour, never a burst.
struct UploadBackoff: Sendable {
    let first: Double
    let cap: Double

    /// A failed upload or submission: a network blip heals in seconds, an outage in minutes.
    static let failure = UploadBackoff(first: 30, cap: 30 * 60)
    /// Bilibili's "too fast" (406/601, 上传视频过快, 21070): its limits last minutes, so start at one.
    static let rateLimit = UploadBackoff(first: 60, cap: 30 * 60)

    /// Failed tries of one part or archive after which the queue gives up (a retry command restarts
    /// it); at the cap that is hours of trying. Rate limits do not count.
    static let maxTries = 10

    /// The wait after the `attempt`th failure in a row (1-based).
    func seconds(attempt: Int) -> Double {
        min(cap, first * Double(1 << min(max(attempt - 1, 0), 20)))
    }
}
