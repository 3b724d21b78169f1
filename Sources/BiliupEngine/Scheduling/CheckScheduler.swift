import BiliupNet  // Duration.seconds
import BiliupScript
import Foundation

/// Checks every watched room about once per its interval, within each platform's request budget.
///
/// One thread ("biliup-sched") sleeps until the next room falls due or the next token of a platform with
/// rooms waiting; it never holds a task per room, so 10,000 idle rooms cost a wake-up per check and
/// nothing in between. Checks run as tasks calling the `RoomChecker` (for `PluginHost`: coroutines in
/// one Lua VM), one task per call.
public final class CheckScheduler: @unchecked Sendable {
    /// Shortest timed sleep between rounds (a change such as `checkSoon` still wakes the thread at once).
    /// A wake-up costs more CPU than the scheduling it does (~0.1 ms here, mostly the context switch), so
    /// a busy platform gets several tokens' worth of checks per round instead of one wake-up per token.
    /// Tokens keep accumulating meanwhile (the bucket holds `TokenBucket.burstSeconds`, more than this),
    /// so the rate is unchanged; a check 50 ms late is nothing next to a 30 s interval.
    static let minimumSleep = 0.05
    static let threadName = "biliup-sched"

    private let checker: any RoomChecker
    /// Calls ended per platform, their errors and latency (for the metrics).
    public let checkCounters = CheckCounters()
    private let onResult: @Sendable (WatchedRoom, Result<CheckResult, ScriptError>) -> Void

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var state: SchedulerState
    private var started = false
    private var stopping = false
    /// When the thread means to wake up; a change due earlier than this wakes it. Nil: sleeping until woken.
    private var plannedWake: ContinuousClock.Instant?
    /// Calls (not rooms) running now; `stop` waits for none.
    private var callsInFlight = 0
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameters:
    ///   - jitter: fraction of a room's interval by which each next check moves at random, either way, so
    ///     rooms that were checked together drift apart instead of firing together forever.
    ///   - batchSize: most rooms per `batch_check` call (twitch's GQL takes 30 operations per request).
    ///   - onResult: every check's result, errors included; called on a task, never under the scheduler's lock.
    public init(checker: any RoomChecker, rates: PlatformRates, jitter: Double = 0.1, batchSize: Int = 30,
                onResult: @escaping @Sendable (WatchedRoom, Result<CheckResult, ScriptError>) -> Void) {
        self.checker = checker
        self.onResult = onResult
        state = SchedulerState(rates: rates, jitter: jitter, batchSize: batchSize)
    }

    /// Adds, removes and updates rooms (a room is a streamer's URL). An unchanged room keeps its timing;
    /// a removed one is not checked again and a check of it still running reports nothing.
    public func setRooms(_ rooms: [WatchedRoom]) {
        let added = withState { $0.setRooms(rooms, now: .now) }
        guard !added.isEmpty else { return }
        // New rooms wait for their platform (whose budget they use, and whether it batches) before their
        // first check; one task looks them all up.
        Task {
            var platforms: [(key: RoomKey, name: String, batch: Bool)] = []
            var known: [String: (name: String, batch: Bool)] = [:]
            for room in added {
                if known[room.url] == nil {
                    // A URL no plugin matches is still checked (under the name ""), so its error is reported.
                    known[room.url] = await checker.platform(of: room.url) ?? ("", false)
                }
                platforms.append((room.key, known[room.url]!.name, known[room.url]!.batch))
            }
            withState { $0.resolved(platforms, now: .now) }
        }
    }

    /// The streamer records: its rooms are not checked until `resume`.
    public func suspend(streamer: String) {
        withState { $0.suspend(streamer: streamer) }
    }

    /// The recording ended. With `checkSoon`, its rooms are checked again at once (a stream that dropped
    /// for a moment is back before the session is declared over); otherwise after their interval.
    public func resume(streamer: String, checkSoon: Bool) {
        withState { $0.resume(streamer: streamer, checkSoon: checkSoon, now: .now) }
    }

    /// Checks the streamer's rooms now (within the budget), or right after a check that is running.
    public func checkSoon(streamer: String) {
        withState { $0.checkSoon(streamer: streamer, now: .now) }
    }

    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started, !stopping else { return }
        started = true
        Thread { [self] in
            ThreadName.setCurrent(Self.threadName)
            run()
        }.start()
    }

    /// No new checks start; returns when the running ones have ended and reported. A stopped scheduler stays stopped.
    public func stop() async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            condition.signal()
            if callsInFlight == 0 {
                condition.unlock()
                cont.resume()
            } else {
                stopWaiters.append(cont)
                condition.unlock()
            }
        }
    }

    public var stats: SchedulerStats {
        condition.lock()
        defer { condition.unlock() }
        return state.stats
    }

    // MARK: The scheduler thread

    private func run() {
        condition.lock()
        while !stopping {
            let now = ContinuousClock.now
            let launches = state.advance(now: now)
            if launches.isEmpty {
                plannedWake = state.nextWake(now: now)
                if let wake = plannedWake {
                    _ = condition.wait(until: Date(timeIntervalSinceNow: max((wake - now).seconds, Self.minimumSleep)))
                } else {
                    condition.wait()
                }
                continue
            }
            callsInFlight += launches.count
            condition.unlock()
            for launch in launches { start(launch) }
            condition.lock()
        }
        condition.unlock()
    }

    private func start(_ launch: CheckLaunch) {
        Task {
            let began = ContinuousClock.now
            var results: [(WatchedRoom, Result<CheckResult, ScriptError>)] = []
            if launch.batch {
                let answers = await checker.batchCheck(launch.rooms.map(\.url), options: launch.rooms[0].options)
                for room in launch.rooms {
                    results.append((room, answers[room.url] ?? .failure(ScriptError(
                        kind: .result, source: launch.platform, message: "batch_check returned no result for \(room.url)"))))
                }
            } else {
                let room = launch.rooms[0]
                results.append((room, await checker.check(room.url, options: room.options)))
            }
            let errors = results.count { if case .failure = $0.1 { true } else { false } }
            checkCounters.callEnded(platform: launch.platform, rooms: results.count, errors: errors,
                                    seconds: (ContinuousClock.now - began).seconds)
            finished(results)
        }
    }

    private func finished(_ results: [(WatchedRoom, Result<CheckResult, ScriptError>)]) {
        condition.lock()
        let (deliver, nextDue) = state.finish(results.map(\.0.key), now: .now)
        if let due = nextDue, plannedWake.map({ due < $0 }) ?? true { condition.signal() }
        callsInFlight -= 1
        let waiters = stopping && callsInFlight == 0 ? stopWaiters : []
        if !waiters.isEmpty { stopWaiters.removeAll() }
        condition.unlock()
        for (room, result) in results where deliver.contains(room.key) { onResult(room, result) }
        for waiter in waiters { waiter.resume() }
    }

    /// Changes the state under the lock and wakes the thread, which works out what the change means.
    private func withState<T>(_ body: (inout SchedulerState) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        let result = body(&state)
        condition.signal()
        return result
    }
}
