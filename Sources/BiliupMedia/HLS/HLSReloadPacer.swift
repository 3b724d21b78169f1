/// When to reload a live media playlist, and when a playlist that stopped growing counts as stalled.
///
/// RFC 8216 §6.3.4: after a reload that brought new segments wait one target duration, after one that
/// did not, half of it; both measured from the start of the request, so a slow server does not make
/// us fall further behind.
struct HLSReloadPacer {
    /// A playlist claiming `#EXT-X-TARGETDURATION:0` (or a tiny one) must not make us poll in a tight loop.
    static let minimumInterval: Duration = .milliseconds(100)
    /// How many target durations without a new segment count as a stall (RFC 8216 §6.3.4 lets a
    /// client give up on a live playlist that has not changed for a while; three covers a late edge).
    static let stallTargetDurations = 3

    private(set) var targetDuration: Duration
    let readTimeout: Duration
    /// When a reload last brought new segments (or the first playlist arrived).
    private(set) var lastChange: ContinuousClock.Instant

    init(targetDuration: Double, readTimeout: Duration, start: ContinuousClock.Instant) {
        self.targetDuration = HLSReloadPacer.duration(targetDuration)
        self.readTimeout = readTimeout
        lastChange = start
    }

    static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    mutating func update(targetDuration seconds: Double) {
        targetDuration = HLSReloadPacer.duration(seconds)
    }

    /// No new segment for this long means the stream is gone or stuck.
    var stallLimit: Duration { max(targetDuration * HLSReloadPacer.stallTargetDurations, readTimeout) }

    /// When to start the next reload after one that started at `startedAt`.
    func nextReload(after startedAt: ContinuousClock.Instant, broughtNewSegments: Bool) -> ContinuousClock.Instant {
        startedAt + max(broughtNewSegments ? targetDuration : targetDuration / 2, HLSReloadPacer.minimumInterval)
    }

    /// Records the outcome of a reload that finished at `now`.
    mutating func record(changed: Bool, at now: ContinuousClock.Instant) {
        if changed { lastChange = now }
    }

    /// How long the playlist has not changed, if that is past the stall limit.
    func stalled(at now: ContinuousClock.Instant) -> Duration? {
        let idle = now - lastChange
        return idle >= stallLimit ? idle : nil
    }
}
