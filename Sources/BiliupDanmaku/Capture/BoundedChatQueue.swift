import Foundation

/// Carries chat events (from the connection's thread) and commands (from the recording's thread) to one
/// consumer, in order. It holds at most `capacity` chat messages: what does not fit is dropped and counted
/// at once, so a flood or a stalled disk never grows memory and never blocks the chat connection. Commands
/// and the connection's own events are never dropped; they are few (a segment every few minutes, a
/// reconnect every few seconds at most).
final class BoundedChatQueue<Command>: @unchecked Sendable {
    enum Entry {
        case chat(ChatEvent)
        case command(Command)
        /// Messages that did not fit, counted where they would have been: a command after them (a
        /// segment closing) comes after them too. Drops in a row are one entry.
        case dropped(count: Int, firstAt: Date)
    }

    let capacity: Int
    private let condition = NSCondition()
    private var entries: [Entry] = []
    private var queuedMessages = 0
    private var closed = false

    init(capacity: Int) {
        precondition(capacity > 0, "a chat queue needs room for at least one message")
        self.capacity = capacity
    }

    /// Messages waiting now.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedMessages
    }

    /// Queues what fits of `event` and returns how many of its messages were dropped. Never blocks for
    /// longer than the consumer's swap of the buffer. After `close()` everything is dropped.
    @discardableResult
    func offer(_ event: ChatEvent) -> Int {
        condition.lock()
        defer { condition.unlock() }
        guard case .messages(let batch) = event else {
            if closed { return 0 }
            entries.append(.chat(event))
            condition.signal()
            return 0
        }
        let room = closed ? 0 : max(0, capacity - queuedMessages)
        let kept = min(room, batch.count)
        if kept > 0 {
            entries.append(.chat(.messages(kept == batch.count ? batch : Array(batch.prefix(kept)))))
            queuedMessages += kept
            condition.signal()
        }
        let lost = batch.count - kept
        if lost > 0 && !closed {
            if case .dropped(let count, let firstAt)? = entries.last {
                entries[entries.count - 1] = .dropped(count: count + lost, firstAt: firstAt)
            } else {
                entries.append(.dropped(count: lost, firstAt: batch[kept].receivedAt))
            }
            condition.signal()
        }
        return lost
    }

    /// Queues a command; false once the queue is closed (the consumer is gone).
    @discardableResult
    func push(_ command: Command) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        entries.append(.command(command))
        condition.signal()
        return true
    }

    /// Waits until something is queued (or `deadline` passes, or the queue closes), then moves everything
    /// queued into `taken` (which should come in empty: its buffer is reused). Returns whether the queue
    /// is closed: nothing more will come.
    func take(into taken: inout [Entry], deadline: Date?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while entries.isEmpty && !closed {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        swap(&entries, &taken)
        queuedMessages = 0
        return closed
    }

    /// No more entries are accepted; a waiting `take` returns.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
