import Synchronization

/// The events waiting for one webhook, bounded: when full, the oldest waiting event makes room (a
/// receiver that is far behind wants what happens now more than what happened minutes ago), and the
/// drops are counted. Adding never waits, so the bus's sink never blocks on a slow receiver.
final class WebhookQueue: Sendable {
    private struct State {
        var items: [WebhookPayload] = []
        var head = 0
        var dropped = 0
        var waiter: CheckedContinuation<WebhookPayload?, Never>?
        var closed = false
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        precondition(limit > 0, "a webhook queue holds at least one event")
        self.limit = limit
    }

    /// Adds `payload`; false when an older event was dropped to make room.
    @discardableResult
    func add(_ payload: WebhookPayload) -> Bool {
        let (waiter, kept): (CheckedContinuation<WebhookPayload?, Never>?, Bool) = state.withLock { s in
            guard !s.closed else { return (nil, true) }
            if let waiter = s.waiter {
                s.waiter = nil
                return (waiter, true)
            }
            var kept = true
            if s.items.count - s.head >= limit {
                s.head += 1
                s.dropped += 1
                kept = false
            }
            s.items.append(payload)
            // Compacted now and then rather than at every take, so a take stays O(1).
            if s.head > 64 && s.head * 2 > s.items.count {
                s.items.removeFirst(s.head)
                s.head = 0
            }
            return (nil, kept)
        }
        waiter?.resume(returning: payload)
        return kept
    }

    /// The next event, waiting for one; nil once closed.
    func next() async -> WebhookPayload? {
        await withCheckedContinuation { cont in
            let ready: WebhookPayload?? = state.withLock { s in
                if s.head < s.items.count {
                    defer { s.head += 1 }
                    return .some(s.items[s.head])
                }
                if s.closed { return .some(nil) }
                s.waiter = cont
                return nil
            }
            if let ready { cont.resume(returning: ready) }
        }
    }

    /// Wakes the worker with nil; what was waiting is dropped.
    func close() {
        let waiter = state.withLock { s in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    var waiting: Int { state.withLock { $0.items.count - $0.head } }
    var dropped: Int { state.withLock { $0.dropped } }
}
