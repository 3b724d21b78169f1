import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct TwitCastingChatSessionTests {
    let now = Date(timeIntervalSince1970: 1_733_120_003)

    @Test func sendsNothingAndReadsCommentArrays() throws {
        let session = TwitCastingChatSession()
        #expect(session.openingFrames().isEmpty)
        #expect(session.heartbeatInterval == nil)
        #expect(session.heartbeatFrame() == nil)
        // Two lines in one message: biliup's shape (from_user) and the typed shape with author and a gift.
        let frame = #"[{"id":1,"message":"こんにちは \"world\"","from_user":{"id":"c:viewer","name":"視聴者","screen_name":"viewer"}},{"message":"second"}]"#
            + "\n"
            + #"[{"type":"comment","id":2,"message":"typed","createdAt":1733120003000,"author":{"id":"123","name":"作者"}},"#
            + #"{"type":"gift","id":3,"message":"♥","item":{"name":"お茶","image":"x"},"sender":{"id":"c:s","name":"贈り主"}},"#
            + #"{"type":"unknown","message":"skipped"},{"type":"comment","message":""}]"#
        let receipt = try session.receive(.text(frame), at: now)
        #expect(receipt.replies.isEmpty)
        #expect(receipt.messages == [
            DanmakuMessage(text: "こんにちは \"world\"", userName: "視聴者", uid: 0, receivedAt: now),
            DanmakuMessage(text: "second", userName: "", uid: 0, receivedAt: now),
            DanmakuMessage(text: "typed", userName: "作者", uid: 123, receivedAt: now),
            DanmakuMessage(kind: .gift, text: "♥", userName: "贈り主", uid: 0, receivedAt: now, count: 1, giftName: "お茶"),
        ])
    }

    @Test func controlObjectsAreSkippedAndGarbageThrows() throws {
        let session = TwitCastingChatSession()
        #expect(try session.receive(.text(#"{"type":"ping"}"#), at: now).messages.isEmpty)
        #expect(throws: DanmakuDecodeError.malformed("a line that is not JSON")) {
            try session.receive(.text(#"[{"message":"cut"#), at: now)
        }
        #expect(throws: DanmakuDecodeError.self) { try session.receive(.binary([0x5B, 0x5D]), at: now) }
    }

    @Test func survivesMutatedMessages() {
        let frame = Array(#"[{"message":"m","from_user":{"name":"n","id":"1"}},{"type":"gift","item":{"name":"g"}}]"#.utf8)
        var decoded = 0
        for bytes in mutations(of: frame, count: fuzzIterations(default: 2000), seed: 41) {
            decoded += (try? TwitCastingComments.decode(String(decoding: bytes, as: UTF8.self), receivedAt: now).count) ?? 0
        }
        #expect(decoded > 0)
    }
}
