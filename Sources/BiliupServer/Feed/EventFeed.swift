import BiliupEngine
import BiliupStore
import BiliupValues
import Foundation
import NIOCore
import Synchronization

/// The engine's events as WebSocket messages, encoded once and shared by every subscriber.
///
/// A ring of the newest `capacity` messages with a sequence number each; every subscriber keeps only
/// its cursor. Memory is the ring's whatever the number of subscribers, and a subscriber that stops
/// reading never holds anyone back: when it reads again, the messages it missed are gone and it is
/// told how many (`skipped`) before it continues from the oldest one left.
final class EventFeed: Sendable {
    /// Messages kept: three bursts of 10,000 events, about 10 MB.
    static let capacity = 32_768
    /// Waiting subscribers are woken at most this often. Waking every one of them at every message
    /// would send a burst as one frame per message per subscriber; a short delay lets a burst
    /// gather, so each subscriber reads it in a few large batches. It is also the most a live log
    /// line is delayed.
    static let wakeDelay: Duration = .milliseconds(5)

    struct Entry: Sendable {
        let seq: Int
        let type: MessageType
        let level: EngineEvent.Level
        let streamerId: Int64?
        /// The encoded message; a ByteBuffer so that every subscriber's frame shares the bytes.
        let message: ByteBuffer
    }

    enum MessageType: String, Sendable, CaseIterable {
        case log, state, progress
        /// Live chat of the recordings (`danmaku` events); rate-limited per subscriber.
        case danmaku
    }

    struct Batch: Sendable {
        var entries: [Entry] = []
        /// Messages lost between the cursor and the first entry.
        var skipped = 0
        var closed = false
    }

    private struct State {
        var ring: [Entry?] = Array(repeating: nil, count: EventFeed.capacity)
        /// The sequence number the next message gets; the first is 1.
        var next = 1
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var wakeScheduled = false
        var closed = false
    }

    private let state = Mutex(State())

    /// The last sequence number given out (0 before the first message).
    var lastSeq: Int { state.withLock { $0.next - 1 } }

    /// Feeds itself from the bus until the bus closes.
    func follow(_ bus: EventBus) -> Task<Void, Never> {
        let stream = bus.subscribe(backlog: Self.capacity)
        return Task.detached { [self] in
            for await event in stream { append(event) }
            close()
        }
    }

    /// Called from one task only (`follow`), so the number read here is still the next one after
    /// encoding, which happens outside the lock.
    func append(_ event: EngineEvent) {
        let seq = state.withLock { $0.next }
        let entry = Self.entry(seq: seq, event)
        let scheduleWake = state.withLock { s -> Bool in
            s.next = seq + 1
            s.ring[seq % Self.capacity] = entry
            guard !s.waiters.isEmpty, !s.wakeScheduled else { return false }
            s.wakeScheduled = true
            return true
        }
        if scheduleWake {
            Task.detached { [self] in
                try? await Task.sleep(for: Self.wakeDelay)
                wakeAll()
            }
        }
    }

    private func wakeAll() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.wakeScheduled = false
            defer { s.waiters.removeAll(keepingCapacity: true) }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    func close() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.closed = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// Up to `max` messages after `cursor`, waiting for one if there are none yet. Returns an empty
    /// batch when the task is cancelled or the feed closed.
    func read(after cursor: Int, max: Int = 256) async -> Batch {
        while true {
            if Task.isCancelled { return Batch(closed: true) }
            let batch = state.withLock { s -> Batch? in
                if cursor + 1 < s.next { return Self.collect(s, after: cursor, max: max) }
                return s.closed ? Batch(closed: true) : nil
            }
            if let batch { return batch }
            await wait(after: cursor)
        }
    }

    private func wait(after cursor: Int) async {
        let id = state.withLock { s -> Int in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if cursor + 1 < s.next || s.closed || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    private static func collect(_ s: State, after cursor: Int, max: Int) -> Batch {
        var batch = Batch()
        let oldest = Swift.max(1, s.next - capacity)
        var seq = cursor + 1
        if seq < oldest {
            batch.skipped = oldest - seq
            seq = oldest
        }
        let end = Swift.min(s.next, seq + max)
        batch.entries.reserveCapacity(end - seq)
        while seq < end {
            if let e = s.ring[seq % capacity] { batch.entries.append(e) }
            seq += 1
        }
        return batch
    }

    static func type(of kind: EngineEvent.Kind) -> MessageType {
        switch kind {
        case .progress, .uploadProgress: .progress
        case .streamStart, .streamEnd, .state, .config: .state
        case .segment, .error, .uploadStart, .uploadDone, .uploadError: .log
        case .danmaku: .danmaku
        }
    }

    private static func entry(seq: Int, _ e: EngineEvent) -> Entry {
        let type = type(of: e.kind)
        let message = Message(type: type.rawValue, seq: seq, kind: e.kind.rawValue, streamer: e.streamer, streamerId: e.streamerId,
                              sessionId: e.sessionId, level: e.level.rawValue, message: e.message,
                              timestamp: e.at.timeIntervalSince1970, data: e.data)
        return Entry(seq: seq, type: type, level: e.level, streamerId: e.streamerId, message: ByteBuffer(data: JSON.encode(message)))
    }

    private struct Message: Encodable {
        let type: String
        let seq: Int
        let kind: String
        let streamer: String?
        let streamerId: Int64?
        let sessionId: Int64?
        let level: String
        let message: String
        let timestamp: Double
        let data: [String: JSONValue]
    }
}
