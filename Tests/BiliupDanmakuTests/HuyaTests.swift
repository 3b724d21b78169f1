import BiliupValues
import Foundation
import Testing
@testable import BiliupDanmaku

/// Huya frames written byte by byte with the Tars head layout (tag << 4 | type, then the value), independently
/// of the Tars encoder the client uses.
enum HuyaWire {
    static func head(_ tag: UInt8, _ type: UInt8) -> [UInt8] { [tag << 4 | type] }
    /// Tags ≥ 15 take a second byte.
    static func longHead(_ tag: UInt8, _ type: UInt8) -> [UInt8] { [0xf0 | type, tag] }
    static func int8(_ tag: UInt8, _ v: Int8) -> [UInt8] { v == 0 ? head(tag, 12) : head(tag, 0) + [UInt8(bitPattern: v)] }
    static func int32(_ tag: UInt8, _ v: Int32) -> [UInt8] { head(tag, 2) + withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    static func int64(_ tag: UInt8, _ v: Int64) -> [UInt8] { head(tag, 3) + withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    static func string(_ tag: UInt8, _ s: String) -> [UInt8] { head(tag, 6) + [UInt8(s.utf8.count)] + Array(s.utf8) }
    static func simpleList(_ tag: UInt8, _ bytes: [UInt8]) -> [UInt8] {
        head(tag, 13) + [0x00] + (bytes.count < 128 ? [0x00, UInt8(bytes.count)] : [0x01] + withUnsafeBytes(of: UInt16(bytes.count).bigEndian) { Array($0) }) + bytes
    }
    static func structure(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] { head(tag, 10) + body + [0x0b] }

    /// `WebSocketCommand{0 iCmdType 7, 1 vData WSPushMessage{0 ePushType 0, 1 iUri, 2 sMsg, 3 iProtocolType 1,
    /// 4 sGroupId, 5 lMsgId}}` as the server pushes it (its uri as int64: the server's own writer picks no
    /// narrow width for it, which readers must accept).
    static func push(uri: Int64, message: [UInt8], groupID: String = "live:1234567") -> [UInt8] {
        let push = int8(0, 0) + int64(1, uri) + simpleList(2, message) + int8(3, 1) + string(4, groupID) + int64(5, 7_423_112_918_332)
        return int8(0, 7) + simpleList(1, push)
    }

    /// `MessageNotice`: sender struct, tid/sid, content, show mode, content format, bullet format, term type,
    /// empty decoration vectors (tag 8, list of 0).
    static func messageNotice(uid: Int64, nick: String, content: String, bulletColor: Int32 = -1, contentColor: Int32 = -1) -> [UInt8] {
        let sender = int64(0, uid) + int64(1, 0x1234) + string(2, nick) + int8(3, 1) + string(4, "https://huyaimg.msstatic.com/avatar.jpg")
        let contentFormat = int32(0, contentColor) + int8(1, 4) + int8(2, 0)
        let bulletFormat = int32(0, bulletColor) + int8(1, 4) + int8(2, 0) + int8(3, 1) + int8(4, 0)
        return structure(0, sender) + int64(1, 61_796_367) + int64(2, 61_796_367) + string(3, content) + int8(4, 0)
            + structure(5, contentFormat) + structure(6, bulletFormat) + int8(7, 0) + head(8, 9) + int8(0, 0)
    }

    /// `SendItemSubBroadcastPacket` with the fields up to sPropsName (tag 20).
    static func giftBroadcast(itemType: Int32, count: Int32, senderUID: Int64, senderNick: String, propsName: String?) -> [UInt8] {
        var bytes = int32(0, itemType) + string(1, "pay-1") + int32(2, count) + int64(3, 1_199_513_219_532) + int64(4, senderUID)
            + string(5, "主播") + string(6, senderNick) + string(7, "")
        if let propsName { bytes += longHead(20, 6) + [UInt8(propsName.utf8.count)] + Array(propsName.utf8) }
        return bytes
    }
}

@Suite struct HuyaTests {
    let now = Date(timeIntervalSince1970: 1_733_120_000)
    let presenter: Int64 = 1_199_513_219_532

    @Test func registrationIsAWebSocketCommandHoldingWSUserInfo() {
        // lUid and lGroupId 1199513219532 = 0x0000_0117_488F_31CC need 8 bytes (type 3).
        let uid: [UInt8] = [0x00, 0x00, 0x01, 0x17, 0x48, 0x8f, 0x31, 0xcc]
        let userInfo: [UInt8] = [0x03] + uid + [0x1c, 0x26, 0x00, 0x36, 0x00, 0x4c, 0x5c] + [0x63] + uid + [0x70, 0x03]
        let expected: [UInt8] = [0x00, 0x01, 0x1d, 0x00, 0x00, UInt8(userInfo.count)] + userInfo
        #expect(HuyaFrames.registration(presenterUID: presenter) == expected)
        #expect(HuyaChatSession(presenterUID: presenter).openingFrames() == [.binary(expected)])
    }

    /// biliup's fixed 112-byte heartbeat, captured from one room; its last byte (0x20) is a stray head with no
    /// value after the complete command, which the server ignores.
    static let biliupHeartbeat: [UInt8] = [
        0x00, 0x03, 0x1d, 0x00, 0x00, 0x69, 0x00, 0x00, 0x00, 0x69, 0x10, 0x03, 0x2c, 0x3c, 0x4c, 0x56,
        0x08, 0x6f, 0x6e, 0x6c, 0x69, 0x6e, 0x65, 0x75, 0x69, 0x66, 0x0f, 0x4f, 0x6e, 0x55, 0x73, 0x65,
        0x72, 0x48, 0x65, 0x61, 0x72, 0x74, 0x42, 0x65, 0x61, 0x74, 0x7d, 0x00, 0x00, 0x3c, 0x08, 0x00,
        0x01, 0x06, 0x04, 0x74, 0x52, 0x65, 0x71, 0x1d, 0x00, 0x00, 0x2f, 0x0a, 0x0a, 0x0c, 0x16, 0x00,
        0x26, 0x00, 0x36, 0x07, 0x61, 0x64, 0x72, 0x5f, 0x77, 0x61, 0x70, 0x46, 0x00, 0x0b, 0x12, 0x03,
        0xae, 0xf0, 0x0f, 0x22, 0x03, 0xae, 0xf0, 0x0f, 0x3c, 0x42, 0x6d, 0x52, 0x02, 0x60, 0x5c, 0x60,
        0x01, 0x7c, 0x82, 0x00, 0x0b, 0xb0, 0x1f, 0x9c, 0xac, 0x0b, 0x8c, 0x98, 0x0c, 0xa8, 0x0c, 0x20,
    ]

    @Test func heartbeatIsBiliupsWupRequestBuiltForTheRoom() throws {
        let captured = HuyaFrames.HeartbeatFields(presenterUID: 0x6d52_0260, topSID: 0x03ae_f00f, subSID: 0x03ae_f00f,
                                                  lineType: 1, attendee: 0x000b_b01f)
        #expect(HuyaFrames.heartbeat(captured) == Array(Self.biliupHeartbeat.dropLast()))

        // For another room only the presenter changes, at its place inside the WUP body.
        let session = HuyaChatSession(presenterUID: presenter)
        #expect(session.heartbeatInterval == .seconds(60))
        guard case .binary(let frame)? = session.heartbeatFrame() else { Issue.record("no heartbeat"); return }
        let command = TarsFields(try Tars.decode(frame))
        #expect(command.int(0) == 3)
        let wup = try #require(command.bytes(1))
        #expect(Array(wup.prefix(4)) == withUnsafeBytes(of: UInt32(wup.count).bigEndian) { Array($0) })
        let request = TarsFields(try Tars.decode(Array(wup.dropFirst(4))))
        #expect(request.text(5) == "onlineui" && request.text(6) == "OnUserHeartBeat")
        guard case .map(let arguments)? = request.value(7).flatMap({ if case .bytes(let b) = $0 { try? Tars.decode(b).first?.1 } else { nil } }),
              case .bytes(let tReq)? = arguments.first?.1 else { Issue.record("no tReq"); return }
        #expect(arguments.first?.0 == .string("tReq"))
        let heartbeat = try #require(TarsFields(try Tars.decode(tReq)).structure(0))
        #expect(heartbeat.int(4) == presenter)
        #expect(heartbeat.structure(0)?.text(3) == "adr_wap")
    }

    @Test func decodesChatWithSenderAndColour() throws {
        let decoder = HuyaDecoder()
        let coloured = HuyaWire.push(uri: 1400, message: HuyaWire.messageNotice(uid: 1_599_512_345, nick: "虎牙用户", content: "666 好活", bulletColor: 0x00FF_7F00))
        #expect(try decoder.decode(coloured, receivedAt: now) == [
            DanmakuMessage(text: "666 好活", userName: "虎牙用户", uid: 1_599_512_345, color: 0xFF7F00, receivedAt: now),
        ])
        // -1 is "no colour": the content format's colour is used, else white.
        let contentColoured = HuyaWire.push(uri: 1400, message: HuyaWire.messageNotice(uid: 7, nick: "a", content: "b", contentColor: 0x123456))
        #expect(try decoder.decode(contentColoured, receivedAt: now).first?.color == 0x123456)
        let plain = HuyaWire.push(uri: 1400, message: HuyaWire.messageNotice(uid: 7, nick: "a", content: "b"))
        #expect(try decoder.decode(plain, receivedAt: now).first?.color == 0xFFFFFF)
        let empty = HuyaWire.push(uri: 1400, message: HuyaWire.messageNotice(uid: 7, nick: "a", content: ""))
        #expect(try decoder.decode(empty, receivedAt: now) == [])
    }

    @Test func decodesGifts() throws {
        let decoder = HuyaDecoder()
        let named = HuyaWire.push(uri: 6501, message: HuyaWire.giftBroadcast(itemType: 4, count: 99, senderUID: 55, senderNick: "送礼者", propsName: "虎粮"))
        #expect(try decoder.decode(named, receivedAt: now) == [
            DanmakuMessage(kind: .gift, text: "", userName: "送礼者", uid: 55, receivedAt: now, count: 99, giftName: "虎粮"),
        ])
        let unnamed = HuyaWire.push(uri: 6501, message: HuyaWire.giftBroadcast(itemType: 4, count: 1, senderUID: 55, senderNick: "x", propsName: nil))
        #expect(try decoder.decode(unnamed, receivedAt: now).first?.giftName == "礼物")
    }

    @Test func dropsWhatIsNotChat() throws {
        let decoder = HuyaDecoder()
        // Register response: WebSocketCommand{0: 2, 1: WSRegisterRsp{0 iResCode 0, 1 lRequestId, 2 sMessage}}.
        let registerResponse = HuyaWire.int8(0, 2) + HuyaWire.simpleList(1, HuyaWire.int8(0, 0) + HuyaWire.int8(1, 0) + HuyaWire.string(2, "ok"))
        #expect(try decoder.decode(registerResponse, receivedAt: now) == [])
        // A user-enter notice (uri 6504) is not read at all.
        #expect(try decoder.decode(HuyaWire.push(uri: 6504, message: [0xff, 0xff]), receivedAt: now) == [])
    }

    @Test func rejectsGarbageAndTruncatedFrames() {
        let decoder = HuyaDecoder()
        let chat = HuyaWire.push(uri: 1400, message: HuyaWire.messageNotice(uid: 7, nick: "a", content: "hello"))
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(Array(chat.dropLast(3)), receivedAt: now) }
        // A push whose message is cut inside the MessageNotice: the outer frame is whole.
        let inner = HuyaWire.messageNotice(uid: 7, nick: "a", content: "hello")
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(HuyaWire.push(uri: 1400, message: Array(inner.dropLast(4))), receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(Array("hello, world".utf8), receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode([], receivedAt: now) }
        // Type 7 without data, and a push without a uri.
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(HuyaWire.int8(0, 7), receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(HuyaWire.int8(0, 7) + HuyaWire.simpleList(1, HuyaWire.int8(0, 0)), receivedAt: now) }
        // A simple list claiming 2^31 bytes.
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(HuyaWire.int8(0, 7) + [0x1d, 0x00, 0x02, 0x7f, 0xff, 0xff, 0xff], receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) {
            try HuyaChatSession(presenterUID: 1).receive(.text("{}"), at: now)
        }
    }

    @Test func sessionReturnsMessagesAndNoReplies() throws {
        let session = HuyaChatSession(presenterUID: presenter)
        let receipt = try session.receive(.binary(HuyaWire.push(uri: 1400, message: HuyaWire.messageNotice(uid: 9, nick: "n", content: "c"))), at: now)
        #expect(receipt == ChatReceipt(messages: [DanmakuMessage(text: "c", userName: "n", uid: 9, receivedAt: now)]))
    }

    @Test func survivesMutatedFrames() {
        let frame = HuyaWire.push(uri: 1400, message: HuyaWire.messageNotice(uid: 9, nick: "昵称", content: "内容", bulletColor: 0xFF))
        var failures = 0
        for bytes in mutations(of: frame, count: fuzzIterations(default: 3000), seed: 40) {
            do { _ = try HuyaDecoder().decode(bytes, receivedAt: now) } catch { failures += 1 }
        }
        #expect(failures > 0)
    }
}
