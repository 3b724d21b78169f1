/// How long the uploader waits before trying again. The defaults are for Bilibili; tests pass tiny ones.
public struct UposTiming: Sendable {
    /// Waits after a rate-limited preupload: `first`, doubled each time, never more than `cap`.
    public var rateLimitFirst: Duration
    public var rateLimitCap: Duration
    /// Rate-limited answers in a row before giving up.
    public var rateLimitAttempts: Int
    /// Waits before resending a failed chunk: `first`, doubled each time up to `cap`, each jittered
    /// to between half and the whole of it so that parallel chunks do not come back together.
    public var chunkRetryFirst: Duration
    public var chunkRetryCap: Duration
    /// Resends of one chunk before the upload fails (it can then resume from its finished chunks).
    public var chunkRetries: Int
    /// How long one line's probe may take before the line counts as unreachable.
    public var probeTimeout: Duration

    public init(rateLimitFirst: Duration = .seconds(30), rateLimitCap: Duration = .seconds(600), rateLimitAttempts: Int = 8,
                chunkRetryFirst: Duration = .seconds(2), chunkRetryCap: Duration = .seconds(8), chunkRetries: Int = 5,
                probeTimeout: Duration = .seconds(10)) {
        self.rateLimitFirst = rateLimitFirst
        self.rateLimitCap = rateLimitCap
        self.rateLimitAttempts = rateLimitAttempts
        self.chunkRetryFirst = chunkRetryFirst
        self.chunkRetryCap = chunkRetryCap
        self.chunkRetries = chunkRetries
        self.probeTimeout = probeTimeout
    }

    /// 30 s, 60 s, 120 s ... 10 min between rate-limited preuploads; chunks resent after 2, 4, 8, 8, 8 s.
    public static let standard = UposTiming()

    /// The wait before rate-limited attempt `attempt` (1-based) is tried again.
    func rateLimitWait(attempt: Int) -> Duration {
        Self.doubling(rateLimitFirst, times: attempt - 1, cap: rateLimitCap)
    }

    /// The wait before resend `retry` (1-based) of a chunk, jittered.
    func chunkRetryWait(retry: Int) -> Duration {
        Self.doubling(chunkRetryFirst, times: retry - 1, cap: chunkRetryCap) * Double.random(in: 0.5...1)
    }

    private static func doubling(_ first: Duration, times: Int, cap: Duration) -> Duration {
        var wait = first
        for _ in 0..<max(0, times) where wait < cap { wait *= 2 }
        return min(wait, cap)
    }
}
