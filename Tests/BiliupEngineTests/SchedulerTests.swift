@testable import BiliupEngine
import BiliupScript
import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

/// A checker for URLs `test://<platform>/<room>` that answers at once (or after `delay`) and records
/// every call: when, which rooms, and whether a room was ever checked while its previous check ran.
final class CountingChecker: RoomChecker, @unchecked Sendable {
    struct Call {
        var time: ContinuousClock.Instant
        var platform: String
        var urls: [String]
    }

    let batchPlatforms: Set<String>
    let delay: Duration
    private let lock = NSLock()
    private var recorded: [Call] = []
    private var running: Set<String> = []
    private var overlaps = 0

    init(batchPlatforms: Set<String> = [], delay: Duration = .zero) {
        self.batchPlatforms = batchPlatforms
        self.delay = delay
    }

    var calls: [Call] { lock.withLock { recorded } }
    var concurrentChecksOfOneRoom: Int { lock.withLock { overlaps } }

    static func platform(_ url: String) -> String {
        String(url.dropFirst("test://".count).prefix { $0 != "/" })
    }

    func platform(of url: String) async -> (name: String, batch: Bool)? {
        let name = Self.platform(url)
        return (name, batchPlatforms.contains(name))
    }

    func check(_ url: String, options: [String: JSONValue]) async -> Result<CheckResult, ScriptError> {
        await batchCheck([url], options: options)[url]!
    }

    func catalog() async -> PluginCatalog { PluginCatalog(plugins: [], failures: [], directories: []) }

    func batchCheck(_ urls: [String], options: [String: JSONValue]) async -> [String: Result<CheckResult, ScriptError>] {
        lock.withLock {
            recorded.append(Call(time: .now, platform: Self.platform(urls[0]), urls: urls))
            for url in urls where !running.insert(url).inserted { overlaps += 1 }
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        lock.withLock { for url in urls { running.remove(url) } }
        return Dictionary(uniqueKeysWithValues: urls.map { ($0, .success(Self.offline($0))) })
    }

    /// CheckResult has no public initializer; its JSON form is the public way to make one.
    static func offline(_ url: String) -> CheckResult {
        let json = #"{"plugin": "\#(platform(url))", "url": "\#(url)", "live": false, "streams": []}"#
        return try! JSONDecoder().decode(CheckResult.self, from: Data(json.utf8))
    }

    /// Calls of `platform` started between `from` and `to`.
    func count(_ platform: String, from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> Int {
        calls.filter { $0.platform == platform && $0.time >= from && $0.time < to }.count
    }
}

/// Results the scheduler reported, per room URL.
final class ResultLog: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [(room: WatchedRoom, result: Result<CheckResult, ScriptError>)] = []
    func add(_ room: WatchedRoom, _ result: Result<CheckResult, ScriptError>) { lock.withLock { results.append((room, result)) } }
    func of(_ url: String) -> [Result<CheckResult, ScriptError>] { lock.withLock { results.filter { $0.room.url == url }.map(\.result) } }
    var count: Int { lock.withLock { results.count } }
}

func rooms(_ n: Int, platform: String, streamer: String? = nil, interval: Double) -> [WatchedRoom] {
    (0..<n).map { WatchedRoom(streamer: streamer ?? "\(platform)-\($0)", url: "test://\(platform)/\($0)", interval: interval) }
}

/// Polls `condition` until it holds or `limit` passes. The limit only keeps a broken build from hanging:
/// it is many times what the awaited thing needs, and no test measures how long it took.
func eventually(within limit: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + limit
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The scheduler on real time. Rates are measured over seconds and compared with the configured rate
/// (the acceptance: within ±10 %); nothing here passes or fails on how fast the machine is.
@Suite(.serialized) struct SchedulerTests {
    /// The exact pacing is `SchedulerStateTests`' (a clock the test moves). On real time what must hold
    /// is the budget: never more checks than configured. How far below it a busy machine stays is the
    /// machine's, so the lower bound only keeps a margin a busy core cannot eat.
    @Test func eachPlatformStaysWithinItsConfiguredRate() async throws {
        // 1,000 rooms at a 1 s interval want 1,000 checks/s; budgets of 50/s and 20/s are what they get.
        let checker = CountingChecker()
        let scheduler = CheckScheduler(checker: checker, rates: PlatformRates(defaultPerSecond: 50, perPlatform: ["b": 20]),
                                       onResult: { _, _ in })
        scheduler.setRooms(rooms(1000, platform: "a", interval: 1) + rooms(500, platform: "b", interval: 1))
        let start = ContinuousClock.now
        scheduler.start()
        // From t = 1 s (past the starting burst) to t = 4 s, bounds taken from the check times themselves.
        try await Task.sleep(until: start + .seconds(4.2))
        await scheduler.stop()
        let end = ContinuousClock.now
        let from = start + .seconds(1), to = start + .seconds(4)
        let seconds = Double((end - start).components.seconds) + Double((end - start).components.attoseconds) / 1e18
        for (platform, rate) in [("a", 50.0), ("b", 20.0)] {
            // The budget over the whole run: a full bucket at the start, then `rate` a second. A window
            // inside the run would count checks a starved thread started late as the window's.
            let total = Double(checker.count(platform, from: start, to: end))
            #expect(total <= rate * seconds + max(1, rate * TokenBucket.burstSeconds) + 1,
                    "\(platform): \(total) checks in \(seconds) s, over the configured \(rate)/s")
            let measured = Double(checker.count(platform, from: from, to: to)) / 3
            // A quarter: with another process keeping one of two cores busy, half was seen eaten (8.7 of 20).
            #expect(measured >= rate * 0.25, "\(platform): \(measured) checks/s, far below the configured \(rate)")
        }
    }

    @Test func batchPlatformsGetBatchesOfAtMostBatchSizeAndSpendOneTokenPerBatch() async throws {
        let checker = CountingChecker(batchPlatforms: ["tw"])
        let log = ResultLog()
        let scheduler = CheckScheduler(checker: checker, rates: PlatformRates(defaultPerSecond: 10), batchSize: 30,
                                       onResult: log.add)
        // 300 rooms at 0.5 s want 600 rooms/s; 10 calls/s of 30 carry 300.
        scheduler.setRooms(rooms(300, platform: "tw", interval: 0.5))
        let start = ContinuousClock.now
        scheduler.start()
        try await Task.sleep(until: start + .seconds(3.2))
        await scheduler.stop()
        let calls = checker.calls
        #expect(calls.allSatisfy { $0.urls.count <= 30 })
        #expect(calls.filter { $0.urls.count == 30 }.count >= calls.count - 2, "the queue stays deep: batches are full")
        let measured = Double(checker.count("tw", from: start + .seconds(1), to: start + .seconds(3))) / 2
        #expect(measured <= 11 && measured >= 2.5, "\(measured) batch calls/s, configured 10 (the lower bound: see above)")
        let stats = scheduler.stats
        #expect(stats.callsStarted["tw"] == calls.count)
        #expect(stats.roomsStarted["tw"] == calls.map(\.urls.count).reduce(0, +))
        #expect(log.count == stats.roomsStarted["tw"])
    }

    @Test func aRoomIsNeverCheckedWhileItsPreviousCheckRuns() async throws {
        let checker = CountingChecker(delay: .milliseconds(30))
        let scheduler = CheckScheduler(checker: checker, rates: PlatformRates(defaultPerSecond: 2000), onResult: { _, _ in })
        let list = rooms(20, platform: "a", interval: 0.005)
        scheduler.setRooms(list)
        scheduler.start()
        for _ in 0..<100 {  // pokes from every side while checks run
            for room in list { scheduler.checkSoon(streamer: room.streamer) }
            scheduler.setRooms(list)
            try await Task.sleep(for: .milliseconds(10))
        }
        await scheduler.stop()
        #expect(checker.calls.count > 100)
        #expect(checker.concurrentChecksOfOneRoom == 0)
    }

    @Test func removedRoomsAreNotCheckedAgainAndStopWaitsForRunningChecks() async throws {
        let checker = CountingChecker(delay: .milliseconds(100))
        let log = ResultLog()
        let scheduler = CheckScheduler(checker: checker, rates: PlatformRates(defaultPerSecond: 1000), onResult: log.add)
        let list = rooms(10, platform: "a", interval: 0.05)
        scheduler.setRooms(list)
        scheduler.start()
        #expect(await eventually { Set(checker.calls.flatMap(\.urls)).count == 10 })
        scheduler.setRooms(Array(list[..<5]))
        let afterRemoval = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(500))
        let late = checker.calls.filter { $0.time > afterRemoval }.flatMap(\.urls)
        #expect(!late.isEmpty)
        #expect(Set(late).isSubset(of: list[..<5].map(\.url)))
        #expect(scheduler.stats.rooms == 5)

        await scheduler.stop()
        #expect(scheduler.stats.inFlight == 0)
        let total = checker.calls.count
        try await Task.sleep(for: .milliseconds(300))
        #expect(checker.calls.count == total, "no check starts after stop")
    }

    @Test func suspendedStreamersAreSkippedAndResumeOrCheckSoonChecksAtOnce() async throws {
        let checker = CountingChecker()
        let log = ResultLog()
        let scheduler = CheckScheduler(checker: checker, rates: PlatformRates(defaultPerSecond: 100), onResult: log.add)
        // One room per streamer; a long interval, so any second check is one the test asked for.
        let list = rooms(2, platform: "a", interval: 3600)
        scheduler.setRooms(list)
        scheduler.start()
        // New rooms are spread over their first interval: the first is checked at once, the second not for 30 min.
        #expect(await eventually { log.of(list[0].url).count == 1 })
        #expect(log.of(list[1].url).isEmpty)
        scheduler.suspend(streamer: list[0].streamer)
        scheduler.checkSoon(streamer: list[0].streamer)
        scheduler.checkSoon(streamer: list[1].streamer)
        #expect(await eventually { log.of(list[1].url).count == 1 })
        #expect(log.of(list[0].url).count == 1, "a recording streamer is not checked")
        scheduler.resume(streamer: list[0].streamer, checkSoon: true)
        #expect(await eventually { log.of(list[0].url).count == 2 })
        await scheduler.stop()
    }

    @Test func pluginErrorsAreResultsAndDoNotStopOtherChecks() async throws {
        // A real PluginHost: a plugin that answers, one that raises, and a batch plugin failing one room.
        let dir = try PluginPaths.temporary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plugins = [
            "good": #"return { name = "good", match = "^test://good/", check = function(url) return { live = false } end }"#,
            "bad": #"return { name = "bad", match = "^test://bad/", check = function(url) error("the API changed") end }"#,
            "multi": #"""
                return { name = "multi", match = "^test://multi/", check = function() error("unused") end,
                  batch_check = function(urls)
                    local out = {}
                    for _, u in ipairs(urls) do out[u] = u:find("/0$") and { error = "room gone" } or { live = false } end
                    return out
                  end }
                """#,
        ]
        for (name, source) in plugins { try source.write(toFile: "\(dir)/\(name).lua", atomically: true, encoding: .utf8) }
        let host = PluginHost(configuration: ScriptConfiguration(pluginDirectories: [dir], log: { _ in }))
        let log = ResultLog()
        // A budget of 5 calls/s for three rooms wanting 30: they queue, and go out together.
        let scheduler = CheckScheduler(checker: host, rates: PlatformRates(defaultPerSecond: 200, perPlatform: ["multi": 5]),
                                       onResult: log.add)
        scheduler.setRooms(rooms(3, platform: "good", interval: 0.1) + rooms(3, platform: "bad", interval: 0.1)
                           + rooms(3, platform: "multi", interval: 0.1) + rooms(1, platform: "nobody", interval: 0.1))
        scheduler.start()
        let urls = ["good", "bad", "multi"].flatMap { p in (0..<3).map { "test://\(p)/\($0)" } } + ["test://nobody/0"]
        let enough = await eventually { urls.allSatisfy { log.of($0).count >= 3 } }
        await scheduler.stop()
        #expect(enough, "\(urls.map { ($0, log.of($0).count) })")
        #expect(log.of("test://good/1").allSatisfy { (try? $0.get())?.live == false })
        #expect(log.of("test://bad/1").allSatisfy { if case .failure(let e) = $0 { e.message.contains("the API changed") } else { false } })
        #expect(log.of("test://multi/1").allSatisfy { (try? $0.get())?.live == false })
        #expect(log.of("test://multi/0").allSatisfy { if case .failure(let e) = $0 { e.message == "room gone" } else { false } })
        #expect(log.of("test://nobody/0").allSatisfy { if case .failure(let e) = $0 { e.kind == .noPlugin } else { false } })
        let stats = scheduler.stats
        #expect(stats.roomsStarted["multi"]! > stats.callsStarted["multi"]!, "the batch plugin checks its rooms together")
    }
}
