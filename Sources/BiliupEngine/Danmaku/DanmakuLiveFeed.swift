import BiliupDanmaku
import BiliupValues
import Foundation
import Synchronization

/// A recording's chat as `danmaku` events for live views: the newest few messages, at most one event
/// every `interval`. A busy room says hundreds of things a second; a page shows a handful of lines, and
/// every event costs every subscriber. The XML beside each segment is the record, so what is not shown
/// here is not lost.
final class DanmakuLiveFeed: Sendable {
    /// Least time between two events of one recording.
    static let interval: Duration = .milliseconds(500)
    /// Messages an event carries at most: the newest ones.
    static let shown = 5

    private struct State {
        var pending: [DanmakuMessage] = []
        /// Messages received since the last event (shown or not).
        var count = 0
        var lastPublished: ContinuousClock.Instant?
        var flushScheduled = false
        var closed = false
    }

    private let state = Mutex(State())
    private let streamer: String
    private let streamerId: Int64?
    private let publish: @Sendable (EngineEvent) -> Void

    init(streamer: String, streamerId: Int64?, publish: @escaping @Sendable (EngineEvent) -> Void) {
        self.streamer = streamer
        self.streamerId = streamerId
        self.publish = publish
    }

    /// Messages just received (the capture's `onMessages`, on its writer thread). Never blocks.
    func received(_ messages: [DanmakuMessage]) {
        guard !messages.isEmpty else { return }
        let now = ContinuousClock.now
        let due = state.withLock { s -> Duration?? in
            guard !s.closed else { return .none }
            s.pending.append(contentsOf: messages.suffix(Self.shown))
            if s.pending.count > Self.shown { s.pending.removeFirst(s.pending.count - Self.shown) }
            s.count += messages.count
            let wait = s.lastPublished.map { Self.interval - (now - $0) } ?? .zero
            if wait <= .zero { return .some(nil) }  // publish now
            if s.flushScheduled { return .none }
            s.flushScheduled = true
            return .some(wait)
        }
        switch due {
        case .none: return
        case .some(nil): flush()
        case .some(let wait?):
            Task.detached { [self] in
                try? await Task.sleep(for: wait)
                flush()
            }
        }
    }

    /// No event after this one returns (the recording ended).
    func close() {
        state.withLock { $0.closed = true }
    }

    private func flush() {
        let taken = state.withLock { s -> ([DanmakuMessage], Int)? in
            s.flushScheduled = false
            guard !s.closed, s.count > 0 else { return nil }
            defer {
                s.pending.removeAll(keepingCapacity: true)
                s.count = 0
                s.lastPublished = .now
            }
            return (s.pending, s.count)
        }
        guard let (messages, count) = taken else { return }
        var event = EngineEvent(.danmaku, level: .debug, streamer: streamer, message: "\(count) chat message(s)",
                                data: ["messages": .array(messages.map(Self.json)), "count": .int(Int64(count))])
        event.streamerId = streamerId
        publish(event)
    }

    /// One message as a live view reads it (docs/api.md, WebSocket `danmaku`).
    static func json(_ m: DanmakuMessage) -> JSONValue {
        var o: [String: JSONValue] = ["kind": .string(m.kind.rawValue), "user": .string(m.userName), "text": .string(m.text),
                                      "time": .number(m.receivedAt.timeIntervalSince1970)]
        if m.color != 0xFFFFFF { o["color"] = .int(Int64(m.color)) }
        if m.price != 0 { o["price"] = .int(m.price) }
        if m.count != 0 { o["count"] = .int(m.count) }
        if !m.giftName.isEmpty { o["gift"] = .string(m.giftName) }
        return .object(o)
    }
}
