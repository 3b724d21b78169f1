/// The scheduler's bookkeeping, without threads or clocks of its own: every change takes `now`, and
/// `advance` says which checks to start. `CheckScheduler` holds it under its lock.
struct SchedulerState {
    let rates: PlatformRates
    /// Fraction of the interval by which a room's next check moves at random, either way.
    let jitter: Double
    let batchSize: Int

    private var rooms: [RoomKey: RoomEntry] = [:]
    private var heap = DueHeap()
    private var queues: [String: PlatformQueue] = [:]
    private var suspended: Set<String> = []
    private var nextTicket = 0
    private var callsStarted: [String: Int] = [:]
    private var roomsStarted: [String: Int] = [:]

    init(rates: PlatformRates, jitter: Double, batchSize: Int) {
        self.rates = rates
        self.jitter = max(0, min(jitter, 1))
        self.batchSize = max(1, batchSize)
    }

    // MARK: Rooms

    /// Replaces the set of rooms. Returns the new ones, whose platform must be looked up (`resolved`).
    mutating func setRooms(_ list: [WatchedRoom], now: ContinuousClock.Instant) -> [WatchedRoom] {
        var wanted: [RoomKey: WatchedRoom] = [:]
        for room in list { wanted[room.key] = room }
        for key in rooms.keys.filter({ wanted[$0] == nil }) {
            if rooms[key]!.phase == .checking { rooms[key]!.removed = true } else { rooms[key] = nil }
        }
        var added: [WatchedRoom] = []
        for room in list where wanted[room.key] == room {
            wanted[room.key] = nil  // a room listed twice is taken once
            guard var entry = rooms[room.key] else {
                rooms[room.key] = RoomEntry(room: room)
                added.append(room)
                continue
            }
            entry.removed = false
            let intervalChanged = entry.room.interval != room.interval
            entry.room = room
            rooms[room.key] = entry
            // An unchanged room keeps its time; one with a new interval is due by the new one.
            if intervalChanged, entry.phase == .waiting, let last = entry.lastFinished {
                schedule(room.key, at: max(now, last + .seconds(jittered(room.interval))))
            }
        }
        return added
    }

    /// Platforms of rooms added by `setRooms`, in the order they were added. A batch of new rooms is spread
    /// evenly over each room's interval (the k-th of n at k/n of it): the first is checked at once, and
    /// 1,000 rooms added together load the platform evenly from the first round on.
    mutating func resolved(_ platforms: [(key: RoomKey, name: String, batch: Bool)], now: ContinuousClock.Instant) {
        let pending = platforms.filter { rooms[$0.key]?.phase == .resolving }
        for (k, p) in pending.enumerated() {
            guard var entry = rooms[p.key] else { continue }
            entry.platform = p.name
            entry.batch = p.batch
            rooms[p.key] = entry
            if suspended.contains(p.key.streamer) {
                rooms[p.key]?.phase = .suspended
            } else {
                schedule(p.key, at: now + .seconds(entry.room.interval * Double(k) / Double(pending.count)))
            }
        }
    }

    // MARK: Streamers

    mutating func suspend(streamer: String) {
        suspended.insert(streamer)
        for key in keys(of: streamer) where rooms[key]!.phase == .waiting || rooms[key]!.phase == .queued {
            rooms[key]!.phase = .suspended
        }
    }

    mutating func resume(streamer: String, checkSoon: Bool, now: ContinuousClock.Instant) {
        suspended.remove(streamer)
        for key in keys(of: streamer) {
            switch rooms[key]!.phase {
            case .suspended: schedule(key, at: checkSoon ? now : now + .seconds(jittered(rooms[key]!.room.interval)))
            case .checking: if checkSoon { rooms[key]?.checkAgainSoon = true }
            case .resolving, .waiting, .queued: break
            }
        }
    }

    mutating func checkSoon(streamer: String, now: ContinuousClock.Instant) {
        guard !suspended.contains(streamer) else { return }
        for key in keys(of: streamer) {
            switch rooms[key]!.phase {
            case .waiting: schedule(key, at: now)
            case .checking: rooms[key]?.checkAgainSoon = true
            case .resolving, .queued, .suspended: break  // already as soon as it can be, or not to be checked
            }
        }
    }

    // MARK: Checks

    /// Moves rooms that are due into their platform's queue and takes from every queue what its budget
    /// allows now. The rooms returned are in the checking phase until `finish`.
    mutating func advance(now: ContinuousClock.Instant) -> [CheckLaunch] {
        while let next = heap.next, next.due <= now {
            _ = heap.popFirst()
            guard let entry = rooms[next.key], entry.ticket == next.ticket, entry.phase == .waiting else { continue }
            rooms[next.key]?.phase = .queued
            queues[entry.platform, default: PlatformQueue(bucket: TokenBucket(rate: rates.rate(for: entry.platform), now: now))]
                .append(next.key, ticket: entry.ticket)
        }
        var launches: [CheckLaunch] = []
        for platform in Array(queues.keys) {
            // Taken out while it changes, so its arrays stay uniquely owned (no copy per call).
            var queue = queues.removeValue(forKey: platform)!
            while queue.hasWaiting({ isQueued($0, $1) }), queue.bucket.take(now: now) {
                launches.append(take(from: queue, platform: platform))
            }
            queues[platform] = queue
        }
        return launches
    }

    /// The earliest time `advance` may have something to do: a room falling due or a token for a waiting room.
    func nextWake(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var wake = heap.next?.due
        for queue in queues.values where queue.front(limit: 1, where: { isQueued($0, $1) }).count == 1 {
            let token = queue.bucket.nextToken(now: now)
            wake = min(wake ?? token, token)
        }
        return wake
    }

    /// A check ended. Returns the rooms whose result still matters (not removed or suspended meanwhile)
    /// and the earliest time one of them is due again.
    mutating func finish(_ keys: [RoomKey], now: ContinuousClock.Instant) -> (deliver: Set<RoomKey>, nextDue: ContinuousClock.Instant?) {
        var deliver: Set<RoomKey> = []
        var nextDue: ContinuousClock.Instant?
        for key in keys {
            guard var entry = rooms[key], entry.phase == .checking else { continue }
            if entry.removed {
                rooms[key] = nil
                continue
            }
            entry.lastFinished = now
            let soon = entry.checkAgainSoon
            entry.checkAgainSoon = false
            entry.phase = .suspended  // stays so if its streamer was suspended meanwhile; else scheduled below
            rooms[key] = entry
            guard !suspended.contains(key.streamer) else { continue }
            let due = soon ? now : now + .seconds(jittered(entry.room.interval))
            schedule(key, at: due)
            deliver.insert(key)
            nextDue = min(nextDue ?? due, due)
        }
        return (deliver, nextDue)
    }

    var stats: SchedulerStats {
        var inFlight = 0, queued = 0
        for entry in rooms.values {
            if entry.phase == .checking { inFlight += 1 }
            if entry.phase == .queued { queued += 1 }
        }
        return SchedulerStats(callsStarted: callsStarted, roomsStarted: roomsStarted, inFlight: inFlight,
                              queued: queued, rooms: rooms.values.filter { !$0.removed }.count)
    }

    // MARK: Helpers

    private func keys(of streamer: String) -> [RoomKey] {
        rooms.keys.filter { $0.streamer == streamer }
    }

    /// Called through closure literals, not as `isQueued`: a partially applied method copies `self`, and
    /// the next change to `rooms` would then copy the whole dictionary.
    private func isQueued(_ key: RoomKey, _ ticket: Int) -> Bool {
        guard let entry = rooms[key] else { return false }
        return entry.ticket == ticket && entry.phase == .queued
    }

    private mutating func schedule(_ key: RoomKey, at due: ContinuousClock.Instant) {
        nextTicket += 1
        rooms[key]?.ticket = nextTicket
        rooms[key]?.phase = .waiting
        heap.insert(DueHeap.Entry(due: due, key: key, ticket: nextTicket))
    }

    /// The next call for `platform`: the longest-waiting room, and for a batch platform up to `batchSize`
    /// rooms after it that share its options (one `batch_check` call takes one set of options).
    private mutating func take(from queue: PlatformQueue, platform: String) -> CheckLaunch {
        let first = queue.front(limit: 1, where: { isQueued($0, $1) })[0]
        let head = rooms[first]!
        var keys = [first]
        if head.batch {
            keys = queue.front(limit: batchSize) { key, ticket in
                isQueued(key, ticket) && rooms[key]!.room.options == head.room.options
            }
        }
        for key in keys { rooms[key]?.phase = .checking }
        callsStarted[platform, default: 0] += 1
        roomsStarted[platform, default: 0] += keys.count
        return CheckLaunch(platform: platform, batch: head.batch, rooms: keys.map { rooms[$0]!.room })
    }

    private func jittered(_ interval: Double) -> Double {
        guard jitter > 0 else { return interval }
        return interval * (1 + Double.random(in: -jitter...jitter))
    }
}
