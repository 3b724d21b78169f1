@testable import BiliupEngine
import BiliupDanmaku
import BiliupValues
import Foundation
import Synchronization
import Testing

/// The live chat events: a flood becomes a few events, each with the newest messages and the count of
/// everything received since the previous one; none after the recording ended.
@Suite struct DanmakuLiveFeedTests {
    private final class Published: Sendable {
        let events = Mutex<[(ContinuousClock.Instant, EngineEvent)]>([])
        func add(_ e: EngineEvent) { events.withLock { $0.append((.now, e)) } }
        var all: [(ContinuousClock.Instant, EngineEvent)] { events.withLock { $0 } }
    }

    private static func message(_ i: Int) -> DanmakuMessage {
        DanmakuMessage(text: "m\(i)", userName: "u\(i)", uid: Int64(i), receivedAt: Date(timeIntervalSince1970: Double(i)))
    }

    private static func count(_ e: EngineEvent) -> Int64 {
        if case .int(let n)? = e.data["count"] { return n }
        return -1
    }

    private static func texts(_ e: EngineEvent) -> [String] {
        guard case .array(let items)? = e.data["messages"] else { return [] }
        return items.compactMap { if case .object(let o) = $0, case .string(let t)? = o["text"] { t } else { nil } }
    }

    @Test func aFloodBecomesFewEventsWithTheNewestMessagesAndEveryMessageCounted() async throws {
        let published = Published()
        let feed = DanmakuLiveFeed(streamer: "alice", streamerId: 7) { published.add($0) }
        for i in 0..<300 { feed.received([Self.message(i)]) }
        // Everything is counted once the delayed event has gone out (hang guard only).
        for _ in 0..<1200 where published.all.reduce(0, { $0 + Self.count($1.1) }) < 300 {
            try await Task.sleep(for: .milliseconds(100))
        }
        let events = published.all.map(\.1)
        #expect(events.reduce(0) { $0 + Self.count($1) } == 300)
        #expect(events.count >= 2)
        #expect(events.allSatisfy { $0.kind == .danmaku && $0.isLiveOnly && !$0.isHookable && $0.streamer == "alice" && $0.streamerId == 7 })
        #expect(events.allSatisfy { Self.texts($0).count <= DanmakuLiveFeed.shown })
        // The first goes out at once with the first message; the last one carries the newest five.
        #expect(Self.texts(events[0]) == ["m0"])
        #expect(Self.texts(events.last!) == (295..<300).map { "m\($0)" })
        // Never two events closer than the interval (a lower bound: holds however loaded the machine is).
        let instants = published.all.map(\.0)
        for (a, b) in zip(instants, instants.dropFirst()) { #expect(b - a >= DanmakuLiveFeed.interval) }
    }

    @Test func nothingIsPublishedAfterClose() async throws {
        let published = Published()
        let feed = DanmakuLiveFeed(streamer: "bob", streamerId: nil) { published.add($0) }
        feed.received([Self.message(1)])
        feed.received([Self.message(2)])  // held for the interval
        feed.close()
        feed.received([Self.message(3)])
        try await Task.sleep(for: DanmakuLiveFeed.interval * 3)
        #expect(published.all.map { Self.texts($0.1) } == [["m1"]])
    }

    @Test func giftsAndSuperChatsCarryTheirFields() {
        let gift = DanmakuMessage(kind: .gift, text: "", userName: "g", uid: 1, color: 0xFF0000, receivedAt: Date(timeIntervalSince1970: 5),
                                  price: 100, count: 3, giftName: "小心心")
        #expect(DanmakuLiveFeed.json(gift) == .object(["kind": "gift", "user": "g", "text": "", "time": .number(5), "color": .int(0xFF0000),
                                                       "price": .int(100), "count": .int(3), "gift": "小心心"]))
        #expect(DanmakuLiveFeed.json(Self.message(2)) == .object(["kind": "chat", "user": "u2", "text": "m2", "time": .number(2)]))
    }
}
