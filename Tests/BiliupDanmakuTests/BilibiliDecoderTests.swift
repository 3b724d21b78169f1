import BiliupValues
import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct BilibiliDecoderTests {
    let decoder = BilibiliDecoder()
    let now = Date(timeIntervalSince1970: 1_733_120_000.25)

    @Test func readsSeveralPacketsFromOneMessageByTheirOwnLengths() throws {
        // As captured: the op 3 reply's length covers 20 bytes, then the heartbeat body is echoed.
        let popularity = bilibiliPacket(operation: 3, version: 1, body: [0, 0, 0x30, 0x39]) + Array("[object Object]".utf8)
        let auth = bilibiliPacket(operation: 8, version: 1, body: Array(#"{"code":0}"#.utf8))
        #expect(try decoder.decode(auth + notification(danmuJSON), receivedAt: now) == [
            .authReply(code: 0),
            .message(DanmakuMessage(text: "弹幕 <b>&\"hi\"", userName: "观众甲", uid: 12345, color: 16772431, receivedAt: now)),
        ])
        #expect(try decoder.decode(popularity, receivedAt: now) == [.popularity(12345)])
    }

    @Test func unpacksZlibAndBrotliBatches() throws {
        let gift = #"{"cmd":"SEND_GIFT","data":{"uname":"送礼人","uid":678,"giftName":"小心心","price":100,"num":5}}"#
        let batch = notification(danmuJSON) + notification(gift)
        let zlibEvents = try decoder.decode(bilibiliPacket(operation: 5, version: 2, body: deflated(batch)), receivedAt: now)
        let brotliEvents = try decoder.decode(bilibiliPacket(operation: 5, version: 3, body: brotliDanmuAndGift), receivedAt: now)
        let expected: [BilibiliEvent] = [
            .message(DanmakuMessage(text: "弹幕 <b>&\"hi\"", userName: "观众甲", uid: 12345, color: 16772431, receivedAt: now)),
            .message(DanmakuMessage(kind: .gift, text: "", userName: "送礼人", uid: 678, receivedAt: now,
                                    price: 100, count: 5, giftName: "小心心")),
        ]
        #expect(zlibEvents == expected)
        #expect(brotliEvents == expected)
    }

    @Test func readsSuperChatsAndGuardPurchases() throws {
        let superChat = #"{"cmd":"SUPER_CHAT_MESSAGE","data":{"uid":"42","message":"加油","price":30,"user_info":{"uname":"SC人"}}}"#
        let guardBuy = #"{"cmd":"GUARD_BUY","data":{"uid":43,"username":"舰长人","gift_name":"舰长","price":198000,"num":1}}"#
        let ignored = #"{"cmd":"INTERACT_WORD","data":{"uname":"x"}}"#
        // As the server sends a sticker: type 1 at info[0][12], its options object at [13], and the
        // same name in [15].extra; an older shape names it in extra only.
        let sticker = #"{"cmd":"DANMU_MSG","info":[[0,1,25,16777215,0,0,0,"",0,0,0,"",1,{"bulge_display":1,"emoticon_unique":"official_124","height":60,"in_player_area":1,"is_dynamic":1,"url":"https://i0.hdslb.com/bfs/live/a.png","width":183},"{}",{"extra":"{\"emoticon_unique\":\"official_124\",\"dm_type\":1}"}],"[dog]",[7,"表情人"]]}"#
        let extraOnly = #"{"cmd":"DANMU_MSG","info":[[0,1,25,16777215,0,0,0,"",0,0,0,"",1,"{}","{}",{"extra":"{\"emoticon_unique\":\"room_9_1\"}"}],"[x]",[9,"贴纸人"]]}"#
        let game = #"{"cmd":"LIVE_INTERACTIVE_GAME","data":{"uname":"游戏人","uid":8,"msg":"from a game"}}"#
        #expect(try decoder.decode(notification(sticker) + notification(extraOnly) + notification(game), receivedAt: now) == [
            .message(DanmakuMessage(text: "表情【official_124】", userName: "表情人", uid: 7, receivedAt: now)),
            .message(DanmakuMessage(text: "表情【room_9_1】", userName: "贴纸人", uid: 9, receivedAt: now)),
            .message(DanmakuMessage(text: "from a game", userName: "游戏人", uid: 8, receivedAt: now)),
        ])
        let events = try decoder.decode(notification(superChat) + notification(ignored) + notification(guardBuy), receivedAt: now)
        #expect(events == [
            .message(DanmakuMessage(kind: .superChat, text: "加油", userName: "SC人", uid: 42, receivedAt: now,
                                    price: 30_000, count: 1, giftName: "醒目留言")),
            .message(DanmakuMessage(kind: .guardBuy, text: "", userName: "舰长人", uid: 43, receivedAt: now,
                                    price: 198_000, count: 1, giftName: "舰长")),
        ])
    }

    @Test func encodesTheAuthAndHeartbeatPackets() throws {
        let auth = BilibiliClientFrames.auth(viewerUID: 0, roomID: 21_452_505, token: "tok/en+=")
        #expect(Array(auth[0..<16]) == bilibiliPacket(operation: 7, version: 1, body: [], lengthField: UInt32(auth.count)))
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(auth[16...]))
        #expect(body == ["uid": 0, "roomid": 21_452_505, "protover": 3, "platform": "web", "type": 2, "key": "tok/en+="])
        #expect(BilibiliClientFrames.heartbeat() == bilibiliPacket(operation: 2, version: 1, body: Array("[object Object]".utf8)))
        #expect(BilibiliClientFrames.heartbeat().count == 31)
        let (packets, trailing) = try BilibiliPacket.split(auth)
        #expect(packets.map(\.operation) == [7] && trailing == 0)
    }

    @Test func rejectsWrongLengthsAndTrailingGarbage() {
        let danmu = notification(danmuJSON)
        let longer = bilibiliPacket(operation: 5, version: 0, body: Array(danmuJSON.utf8), lengthField: UInt32(danmu.count + 1))
        let shorter = bilibiliPacket(operation: 5, version: 0, body: Array(danmuJSON.utf8), lengthField: 15)
        #expect(throws: DanmakuDecodeError.truncated) { try decoder.decode(longer, receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(shorter, receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(danmu + [1, 2, 3], receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode([], receivedAt: now) }
        for cut in 1..<danmu.count {
            #expect(throws: DanmakuDecodeError.self) { try decoder.decode(Array(danmu[0..<cut]), receivedAt: now) }
        }
        let bomb = bilibiliPacket(operation: 5, version: 3, body: brotliBomb)
        #expect(throws: DanmakuDecodeError.tooLarge(limit: Inflate.defaultLimit)) { try decoder.decode(bomb, receivedAt: now) }
        let doublyCompressed = bilibiliPacket(operation: 5, version: 2, body: deflated(bilibiliPacket(operation: 5, version: 2, body: deflated(danmu))))
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(doublyCompressed, receivedAt: now) }
    }

    @Test func survivesMutatedFrames() {
        let gift = #"{"cmd":"SEND_GIFT","data":{"uname":"a","uid":1,"giftName":"g","price":1,"num":1}}"#
        let frames = [
            notification(danmuJSON) + notification(gift),
            bilibiliPacket(operation: 5, version: 2, body: deflated(notification(danmuJSON) + notification(gift))),
            bilibiliPacket(operation: 5, version: 3, body: brotliDanmuAndGift),
            bilibiliPacket(operation: 3, version: 1, body: [0, 0, 1, 0]) + Array("[object Object]".utf8),
        ]
        var failures = 0
        for (index, frame) in frames.enumerated() {
            for bytes in mutations(of: frame, count: fuzzIterations(default: 1500), seed: UInt64(index + 10)) {
                do { _ = try decoder.decode(bytes, receivedAt: now) } catch { failures += 1 }
            }
        }
        #expect(failures > 0)
    }
}
