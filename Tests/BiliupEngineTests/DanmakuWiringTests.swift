@testable import BiliupEngine
import BiliupScript
import Foundation
import Testing

/// `danmaku = true` on a room whose plugin names no chat: said once, and the video is recorded.
@Suite struct DanmakuWiringTests {
    @Test func aRoomWithoutChatParametersIsRecordedWithAWarning() async throws {
        let h = try EngineHarness([StreamerDeclaration(name: "alice", urls: [FakeRooms.url("alice")], danmaku: true)])
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "No chat here")
        let recording = try await h.recording("alice")
        try recording.writeFrames()
        await h.until("the segment in the store") {
            guard let session = try h.sessions("alice").first else { return false }
            return try h.store.segments(sessionId: session.id!).count == 1
        }
        await h.settled()
        let warnings = h.events(.error, "alice").filter { $0.message.hasPrefix("danmaku: ") }
        #expect(warnings.map(\.message) == ["danmaku: the fake plugin gives no chat parameters for this room; recording the video only"])
        #expect(warnings.first?.level == .warn)
        await h.stop()
    }

    @Test func withoutDanmakuNothingIsSaid() async throws {
        let h = try EngineHarness(EngineHarness.streamers("bob"))
        try await h.start()
        h.rooms.set("bob", liveWithTitle: "Show")
        let recording = try await h.recording("bob")
        try recording.writeFrames()
        await h.until("the segment in the store") {
            guard let session = try h.sessions("bob").first else { return false }
            return try h.store.segments(sessionId: session.id!).count == 1
        }
        await h.settled()
        #expect(!h.events.contains { $0.message.hasPrefix("danmaku") })
        await h.stop()
    }
}
