@testable import BiliupEngine
import BiliupScript
import BiliupValues
import Testing

/// The scheduler's bookkeeping on a clock the test moves: timing, budget, fairness and the room
/// life cycle, exactly and without waiting. `SchedulerTests` runs the same rules on real time.
@Suite struct SchedulerStateTests {
    let t0 = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .seconds(seconds) }

    func room(_ streamer: String, platform: String = "p", interval: Double = 10, options: [String: JSONValue] = [:]) -> WatchedRoom {
        WatchedRoom(streamer: streamer, url: "test://\(platform)/\(streamer)", options: options, interval: interval)
    }

    /// A state with `rooms` added and their platforms looked up at `at(0)`; no jitter, a budget far above need.
    func state(_ rooms: [WatchedRoom], rate: Double = 1000, batch: Set<String> = [], batchSize: Int = 30) -> SchedulerState {
        var s = SchedulerState(rates: PlatformRates(defaultPerSecond: rate), jitter: 0, batchSize: batchSize)
        add(rooms, to: &s, at: 0, batch: batch)
        return s
    }

    func add(_ rooms: [WatchedRoom], to s: inout SchedulerState, at time: Double, batch: Set<String> = []) {
        let added = s.setRooms(rooms, now: at(time))
        s.resolved(added.map { r in
            let platform = String(r.url.dropFirst("test://".count).prefix { $0 != "/" })
            return (r.key, platform, batch.contains(platform))
        }, now: at(time))
    }

    func launched(_ s: inout SchedulerState, _ time: Double) -> [String] {
        s.advance(now: at(time)).flatMap { $0.rooms.map(\.streamer) }
    }

    @Test func newRoomsAreSpreadOverTheirFirstIntervalTheFirstAtOnce() {
        var s = state((0..<4).map { room("r\($0)", interval: 8) })
        #expect(launched(&s, 0) == ["r0"])
        #expect(launched(&s, 1.9) == [])
        #expect(launched(&s, 2) == ["r1"])
        #expect(launched(&s, 6) == ["r2", "r3"])
    }

    @Test func aRoomIsDueOneIntervalAfterItsCheckEnded() {
        var s = state([room("a")])
        #expect(launched(&s, 0) == ["a"])
        #expect(launched(&s, 100) == [], "a check that has not ended is never started again")
        _ = s.finish([room("a").key], now: at(3))
        #expect(launched(&s, 12.9) == [])
        #expect(launched(&s, 13) == ["a"])
    }

    @Test func jitterMovesEachNextCheckWithinItsFraction() {
        var s = SchedulerState(rates: PlatformRates(defaultPerSecond: 1000), jitter: 0.1, batchSize: 30)
        add((0..<200).map { room("r\($0)", interval: 1) }, to: &s, at: 0)
        #expect(s.advance(now: at(1)).count == 200)
        _ = s.finish((0..<200).map { room("r\($0)", interval: 1).key }, now: at(1))
        #expect(launched(&s, 1.899) == [])
        let early = launched(&s, 2).count
        #expect(early > 20 && early < 180, "about half fall due before the plain interval")
        #expect(launched(&s, 2.2).count == 200 - early)
    }

    @Test func theBudgetLimitsChecksPerPlatformAndServesTheLongestWaitingFirst() {
        // 1 token per second, a burst of 1: 20 rooms due at once go out one per second, in due order.
        var s = state((0..<20).map { room(String(format: "r%02d", $0), interval: 0.02) }, rate: 1)
        var order: [String] = []
        for tenth in 0...95 { order += launched(&s, Double(tenth) / 10) }
        #expect(order == (0..<10).map { String(format: "r%02d", $0) })
    }

    @Test func platformsHaveSeparateBudgets() {
        var s = SchedulerState(rates: PlatformRates(defaultPerSecond: 1, perPlatform: ["fast": 10]), jitter: 0, batchSize: 30)
        add((0..<50).map { room("s\($0)", platform: "slow", interval: 0.001) } +
            (0..<50).map { room("f\($0)", platform: "fast", interval: 0.001) }, to: &s, at: 0)
        var counts: [String: Int] = [:]
        for ms in stride(from: 0, through: 4050, by: 10) {
            for launch in s.advance(now: at(Double(ms) / 1000)) { counts[launch.platform, default: 0] += 1 }
        }
        // Over 4.05 s: the starting burst (capacity: 1 and 2 tokens) plus whole tokens of rate × 4.05.
        #expect(counts["slow"] == 1 + 4)
        #expect(counts["fast"] == 2 + 40)
        #expect(s.stats.callsStarted == counts)
    }

    @Test func batchPlatformsTakeUpToBatchSizeRoomsSharingOptionsPerToken() {
        let plain = (0..<70).map { room("a\($0)", platform: "tw") }
        let hd = (0..<5).map { room("h\($0)", platform: "tw", options: ["quality": .string("hd")]) }
        var s = state(plain + hd, rate: 1, batch: ["tw"], batchSize: 30)
        var batches: [CheckLaunch] = []
        for second in 0...20 { batches += s.advance(now: at(Double(second) * 0.5 + 10)) }
        #expect(batches.map(\.rooms.count) == [30, 30, 10, 5])
        #expect(batches.allSatisfy { b in b.batch && b.rooms.allSatisfy { $0.options == b.rooms[0].options } })
        #expect(s.stats.callsStarted == ["tw": 4])
        #expect(s.stats.roomsStarted == ["tw": 75])
    }

    @Test func setRoomsKeepsUnchangedRoomsTimingAndDropsRemovedOnes() {
        var s = state([room("a"), room("b")])
        #expect(launched(&s, 0) == ["a"])
        _ = s.finish([room("a").key], now: at(1))  // a: due at 11; b: due at 5
        add([room("a"), room("b"), room("c")], to: &s, at: 2)
        #expect(launched(&s, 2) == ["c"])
        #expect(launched(&s, 5) == ["b"])
        #expect(launched(&s, 10.9) == [])
        #expect(launched(&s, 11) == ["a"], "a is still due by its own last check")

        add([room("a")], to: &s, at: 12)
        _ = s.finish([room("b").key, room("c").key], now: at(12))
        #expect(launched(&s, 100) == [], "b and c are gone; a is checking")
        #expect(s.stats.rooms == 1)
    }

    @Test func aChangedIntervalTakesEffectFromTheLastCheck() {
        var s = state([room("a", interval: 10)])
        #expect(launched(&s, 0) == ["a"])
        _ = s.finish([room("a").key], now: at(1))
        add([room("a", interval: 3)], to: &s, at: 2)
        #expect(launched(&s, 3.9) == [])
        #expect(launched(&s, 4) == ["a"])
    }

    @Test func aRoomRemovedAndAddedAgainDuringItsCheckIsNotCheckedTwice() {
        var s = state([room("a")])
        #expect(launched(&s, 0) == ["a"])
        add([], to: &s, at: 1)
        add([room("a")], to: &s, at: 2)
        #expect(launched(&s, 50) == [])
        #expect(s.finish([room("a").key], now: at(60)).deliver == [room("a").key])
        #expect(launched(&s, 70) == ["a"])
    }

    @Test func aRemovedRoomsRunningCheckReportsNothing() {
        var s = state([room("a")])
        #expect(launched(&s, 0) == ["a"])
        add([], to: &s, at: 1)
        #expect(s.finish([room("a").key], now: at(2)).deliver.isEmpty)
        #expect(launched(&s, 100) == [])
        #expect(s.stats.rooms == 0)
    }

    @Test func suspendedStreamersAreNotCheckedUntilResumed() {
        var s = state([room("a"), room("b")])
        #expect(launched(&s, 0) == ["a"])
        s.suspend(streamer: "a")
        s.suspend(streamer: "b")
        #expect(s.finish([room("a").key], now: at(1)).deliver.isEmpty, "a started recording meanwhile")
        #expect(launched(&s, 100) == [])
        s.resume(streamer: "a", checkSoon: true, now: at(100))
        s.resume(streamer: "b", checkSoon: false, now: at(100))
        #expect(launched(&s, 100) == ["a"])
        #expect(launched(&s, 109.9) == [])
        #expect(launched(&s, 110) == ["b"])
    }

    @Test func checkSoonMovesAWaitingRoomToNowAndARunningOneToRightAfter() {
        var s = state([room("a"), room("b")])
        #expect(launched(&s, 0) == ["a"])
        s.checkSoon(streamer: "b", now: at(0))  // not yet due (5): now
        s.checkSoon(streamer: "a", now: at(0))  // running: again right after
        #expect(launched(&s, 0) == ["b"])
        _ = s.finish([room("a").key], now: at(1))
        #expect(launched(&s, 1) == ["a"])
        s.suspend(streamer: "b")
        s.checkSoon(streamer: "b", now: at(1))
        _ = s.finish([room("b").key], now: at(2))
        #expect(launched(&s, 50) == [], "a suspended streamer is not checked, soon or not")
    }

    @Test func statsCountQueuedAndRunningRooms() {
        var s = state((0..<10).map { room("r\($0)", interval: 0.001) }, rate: 1)
        #expect(launched(&s, 1).count == 1)
        #expect(s.stats.inFlight == 1)
        #expect(s.stats.queued == 9)
        #expect(s.stats.rooms == 10)
    }
}
