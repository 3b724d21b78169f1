@testable import BiliupServer
import Testing

/// A subscriber's chat: a burst goes through, then about `perSecond`; drops are counted for the notice.
@Suite struct DanmakuRateLimitTests {
    @Test func aBurstPassesThenTheRateHoldsAndDropsAreCounted() {
        var limit = DanmakuRateLimit()
        let start = ContinuousClock.now
        let burst = Int(DanmakuRateLimit.burst)
        // (Results taken out of #expect: the macro cannot call a mutating method.)
        var admitted = (0..<burst).map { _ in limit.admit(at: start) }
        #expect(admitted == Array(repeating: true, count: burst))
        admitted = [limit.admit(at: start), limit.admit(at: start)]
        #expect(admitted == [false, false])
        #expect(limit.dropped == 2)
        // A quarter of a second later one more token is there (4 a second), and only one.
        let later = start + .milliseconds(250)
        admitted = [limit.admit(at: later), limit.admit(at: later)]
        #expect(admitted == [true, false])
        let dropped = limit.takeDropped()
        #expect(dropped == 3)
        #expect(limit.dropped == 0)
        // A long pause refills the bucket to its burst, not beyond.
        let much = later + .seconds(60)
        admitted = (0...burst).map { _ in limit.admit(at: much) }
        #expect(admitted == Array(repeating: true, count: burst) + [false])
    }
}
