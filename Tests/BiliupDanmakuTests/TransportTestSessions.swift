@testable import BiliupDanmaku
import Foundation
import Synchronization

/// Events of a `ChatConnection` as a test sees them, with waits that give up only after a hang guard.
final class TransportEventLog: Sendable {
    private let events = Mutex<[ChatEvent]>([])
    private let condition = NSCondition()

    func record(_ event: ChatEvent) {
        events.withLock { $0.append(event) }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    var all: [ChatEvent] { events.withLock { $0 } }
    var texts: [String] { all.flatMap { e -> [String] in if case .messages(let m) = e { return m.map(\.text) }; return [] } }
    var reasons: [String] { all.compactMap { e in if case .disconnected(_, let r) = e { return r }; return nil } }
    var connections: Int { all.filter { if case .connected = $0 { return true }; return false }.count }

    /// Waits until `predicate` holds; false after the hang guard (120 s).
    @discardableResult
    func wait(until predicate: (TransportEventLog) -> Bool) -> Bool {
        let guardEnd = Date(timeIntervalSinceNow: 120)
        condition.lock()
        defer { condition.unlock() }
        while !predicate(self) {
            if !condition.wait(until: min(guardEnd, Date(timeIntervalSinceNow: 0.5))) && Date() >= guardEnd { return predicate(self) }
        }
        return true
    }
}

/// A session that says "hello" on opening, turns each frame into one message (text as is, binary as
/// `bin:<bytes>`), answers "ping-me" with "pong-you", sends "hb" heartbeats, and rejects "bad".
final class TransportEchoSession: ChatSession {
    let heartbeatInterval: Duration?
    let opening: [ChatFrame]

    init(heartbeat: Duration? = nil, opening: [ChatFrame] = [.text("hello")]) {
        heartbeatInterval = heartbeat
        self.opening = opening
    }

    func openingFrames() -> [ChatFrame] { opening }
    func heartbeatFrame() -> ChatFrame? { .text("hb") }

    func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        switch frame {
        case .text("bad"):
            throw .malformed("bad frame")
        case .text("ping-me"):
            return ChatReceipt(messages: [message("ping-me", time)], replies: [.text("pong-you")])
        case .text(let t):
            return ChatReceipt(messages: [message(t, time)])
        case .binary(let b):
            return ChatReceipt(messages: [message("bin:" + b.map(String.init).joined(separator: ","), time)])
        }
    }

    private func message(_ text: String, _ time: Date) -> DanmakuMessage {
        DanmakuMessage(text: text, userName: "u", uid: 1, receivedAt: time)
    }
}

/// Douyu-like raw TCP: the stream is cut into lines; each complete line is a message.
final class TransportLineSession: ChatSession {
    private var pending: [UInt8] = []
    let heartbeatInterval: Duration? = nil
    func openingFrames() -> [ChatFrame] { [.binary(Array("LOGIN\n".utf8))] }
    func heartbeatFrame() -> ChatFrame? { nil }

    func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        guard case .binary(let bytes) = frame else { throw .malformed("text on a TCP stream") }
        pending += bytes
        var messages: [DanmakuMessage] = []
        while let nl = pending.firstIndex(of: 10) {
            messages.append(DanmakuMessage(text: String(decoding: pending[..<nl], as: UTF8.self), userName: "u", uid: 2, receivedAt: time))
            pending.removeFirst(nl + 1)
        }
        return ChatReceipt(messages: messages)
    }
}

/// Polls `…/chat?c=N`, reads the body as one message and the next continuation, waits 20 ms.
final class TransportPollSession: ChatPollingSession {
    private var continuation = 0
    let base: String

    init(base: String) { self.base = base }

    func nextRequest() -> ChatPollRequest {
        ChatPollRequest(url: "\(base)/chat?c=\(continuation)", method: "POST", headers: [ChatHeader("X-Test", "poll")],
                        body: Array("{\"c\":\(continuation)}".utf8))
    }

    func receive(status: Int, body: [UInt8], at time: Date) throws(DanmakuDecodeError) -> ChatPollReceipt {
        guard status == 200 else { throw .malformed("status \(status)") }
        continuation += 1
        return ChatPollReceipt(messages: [DanmakuMessage(text: String(decoding: body, as: UTF8.self), userName: "u", uid: 3, receivedAt: time)],
                               delay: .milliseconds(20))
    }
}
