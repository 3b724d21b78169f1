import BiliupValues
import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct BilibiliChatSessionTests {
    let now = Date(timeIntervalSince1970: 1_733_120_000.5)

    @Test func authenticatesWithTheViewerAndTheLongRoomID() throws {
        let session = BilibiliChatSession(roomID: 21_452_505, viewerUID: 9_876, token: "tok+en/=")
        let frames = session.openingFrames()
        try #require(frames.count == 1)
        guard case .binary(let bytes) = frames[0] else { Issue.record("auth must be binary"); return }
        // Header: total length, header length 16, version 1, op 7, sequence 1 (big-endian).
        let total = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        #expect(total == bytes.count)
        #expect(Array(bytes[4..<16]) == [0, 16, 0, 1, 0, 0, 0, 7, 0, 0, 0, 1])
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(bytes[16...]))
        #expect(body == ["uid": 9_876, "roomid": 21_452_505, "protover": 3, "platform": "web", "type": 2, "key": "tok+en/="])
        #expect(session.heartbeatInterval == .seconds(30))
        #expect(session.heartbeatFrame() == .binary(bilibiliPacket(operation: 2, version: 1, body: Array("[object Object]".utf8))))
    }

    @Test func yieldsMessagesFromCompressedBatchesAndIgnoresPopularity() throws {
        let session = BilibiliChatSession(roomID: 1, viewerUID: 0, token: "t")
        let authReply = bilibiliPacket(operation: 8, version: 1, body: Array(#"{"code":0}"#.utf8))
        #expect(try session.receive(.binary(authReply), at: now) == ChatReceipt())
        let popularity = bilibiliPacket(operation: 3, version: 1, body: [0, 0, 1, 0]) + Array("[object Object]".utf8)
        #expect(try session.receive(.binary(popularity), at: now) == ChatReceipt())
        let receipt = try session.receive(.binary(bilibiliPacket(operation: 5, version: 3, body: brotliDanmuAndGift)), at: now)
        #expect(receipt.replies.isEmpty)
        #expect(receipt.messages == [
            DanmakuMessage(text: "弹幕 <b>&\"hi\"", userName: "观众甲", uid: 12345, color: 16772431, receivedAt: now),
            DanmakuMessage(kind: .gift, text: "", userName: "送礼人", uid: 678, receivedAt: now, price: 100, count: 5,
                           giftName: "小心心"),
        ])
        let zlib = try session.receive(.binary(bilibiliPacket(operation: 5, version: 2, body: deflated(notification(danmuJSON)))), at: now)
        #expect(zlib.messages.map(\.userName) == ["观众甲"])
    }

    @Test func refusedAuthBombsAndTextFramesEndTheConnection() {
        let session = BilibiliChatSession(roomID: 1, viewerUID: 0, token: "stale")
        let refused = bilibiliPacket(operation: 8, version: 1, body: Array(#"{"code":-101}"#.utf8))
        #expect(throws: DanmakuDecodeError.malformed("auth refused with code -101")) {
            try session.receive(.binary(refused), at: now)
        }
        #expect(throws: DanmakuDecodeError.tooLarge(limit: Inflate.defaultLimit)) {
            try session.receive(.binary(bilibiliPacket(operation: 5, version: 3, body: brotliBomb)), at: now)
        }
        #expect(throws: DanmakuDecodeError.truncated) {
            try session.receive(.binary(Array(notification(danmuJSON).dropLast(3))), at: now)
        }
        #expect(throws: DanmakuDecodeError.self) { try session.receive(.text("{}"), at: now) }
    }
}
