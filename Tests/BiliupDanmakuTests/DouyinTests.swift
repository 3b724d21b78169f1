import Foundation
import Testing
@testable import BiliupDanmaku

/// Douyin frames written field by field with hand-computed keys (field << 3 | wire type), independently of
/// the client's protobuf writer.
enum DouyinWire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var rest = value
        repeat {
            let low = UInt8(rest & 0x7f)
            rest >>= 7
            out.append(rest == 0 ? low : low | 0x80)
        } while rest != 0
        return out
    }
    static func uint(_ field: UInt64, _ value: UInt64) -> [UInt8] { varint(field << 3) + varint(value) }
    static func bytes(_ field: UInt64, _ value: [UInt8]) -> [UInt8] { varint(field << 3 | 2) + varint(UInt64(value.count)) + value }
    static func string(_ field: UInt64, _ value: String) -> [UInt8] { bytes(field, Array(value.utf8)) }

    /// `User{1 id, 2 shortId, 3 nickName, 38 displayId}`.
    static func user(id: UInt64, nick: String) -> [UInt8] {
        uint(1, id) + uint(2, 12_345) + string(3, nick) + string(38, "dy_\(id)")
    }
    /// `Common{1 method, 2 msgId, 3 roomId, 4 createTime}`.
    static func common(_ method: String) -> [UInt8] {
        string(1, method) + uint(2, 7_311_000_000_000_000_001) + uint(3, 7_310_000_000_000_000_000) + uint(4, 1_733_120_000_000)
    }
    static func chat(userID: UInt64, nick: String, content: String) -> [UInt8] {
        bytes(1, common("WebcastChatMessage")) + bytes(2, user(id: userID, nick: nick)) + string(3, content) + uint(4, 0)
    }
    /// `GiftMessage{1 common, 2 giftId, 5 repeatCount, 6 comboCount, 7 user, 9 repeatEnd, 15 gift GiftStruct{5 id,
    /// 10 combo, 11 type, 12 diamondCount, 16 name}}`.
    static func gift(userID: UInt64, nick: String, name: String, diamonds: UInt64, type: UInt64, repeatCount: UInt64, repeatEnd: UInt64) -> [UInt8] {
        let giftStruct = uint(5, 685) + uint(10, type == 1 ? 1 : 0) + uint(11, type) + uint(12, diamonds) + string(16, name)
        return bytes(1, common("WebcastGiftMessage")) + uint(2, 685) + uint(5, repeatCount) + uint(6, repeatCount)
            + bytes(7, user(id: userID, nick: nick)) + uint(9, repeatEnd) + bytes(15, giftStruct)
    }
    /// `Message{1 method, 2 payload, 3 msgId, 4 msgType}`.
    static func message(_ method: String, _ payload: [UInt8]) -> [UInt8] {
        string(1, method) + bytes(2, payload) + uint(3, 7_311_000_000_000_000_002) + uint(4, 0)
    }
    /// `Response{1 messages…, 2 cursor, 3 fetchInterval, 4 now, 5 internalExt, 9 needAck}`.
    static func response(_ messages: [[UInt8]], internalExt: String, needAck: Bool) -> [UInt8] {
        messages.flatMap { bytes(1, $0) } + string(2, "t-1733120000000_r-1") + uint(3, 0) + uint(4, 1_733_120_000_000)
            + string(5, internalExt) + (needAck ? uint(9, 1) : [])
    }
    /// `PushFrame{1 seqId, 2 logId, 5 headers, 6 payloadEncoding "pb", 7 payloadType, 8 payload}` with the
    /// payload gzip-compressed, as the server sends with `compress=gzip`.
    static func push(logID: UInt64, payloadType: String = "msg", payload: [UInt8]?, gzip: Bool = true) -> [UInt8] {
        let header = bytes(5, string(1, "compress_type") + string(2, "gzip"))
        var frame = uint(1, 0) + uint(2, logID) + header + string(6, "pb") + string(7, payloadType)
        if let payload { frame += bytes(8, gzip ? deflated(payload, windowBits: 31) : payload) }
        return frame
    }
}

@Suite struct DouyinTests {
    let now = Date(timeIntervalSince1970: 1_733_120_000)

    @Test func heartbeatAndAckBytes() {
        #expect(DouyinFrames.heartbeat() == [0x3a, 0x02, 0x68, 0x62])
        // logId 300 is the two-byte varint ac 02.
        #expect(DouyinFrames.ack(logID: 300, internalExt: Array("ext".utf8))
                == [0x10, 0xac, 0x02, 0x3a, 0x03, 0x61, 0x63, 0x6b, 0x42, 0x03, 0x65, 0x78, 0x74])
        let session = DouyinChatSession()
        #expect(session.openingFrames() == [.binary([0x3a, 0x02, 0x68, 0x62])])
        #expect(session.heartbeatFrame() == .binary([0x3a, 0x02, 0x68, 0x62]))
        #expect(session.heartbeatInterval == .seconds(10))
    }

    @Test func decodesChatAndGiftsAndAcks() throws {
        let ext = "internal_src:dim|wss_push_room_id:7310000000000000000|wss_push_did:7311|first_req_ms:1733119999000|fetch_time:1733120000000|seq:1|wss_info:0-1733120000000-0-0"
        let response = DouyinWire.response([
            DouyinWire.message("WebcastMemberMessage", DouyinWire.bytes(2, DouyinWire.user(id: 1, nick: "进场"))),
            DouyinWire.message("WebcastChatMessage", DouyinWire.chat(userID: 3_094_000_000_000_001, nick: "抖音用户", content: "主播好 <3")),
            // A combo in progress, then its end: one gift of 10.
            DouyinWire.message("WebcastGiftMessage", DouyinWire.gift(userID: 42, nick: "送礼人", name: "小心心", diamonds: 1, type: 1, repeatCount: 9, repeatEnd: 0)),
            DouyinWire.message("WebcastGiftMessage", DouyinWire.gift(userID: 42, nick: "送礼人", name: "小心心", diamonds: 1, type: 1, repeatCount: 10, repeatEnd: 1)),
            // A gift that cannot combo is announced once.
            DouyinWire.message("WebcastGiftMessage", DouyinWire.gift(userID: 43, nick: "大哥", name: "嘉年华", diamonds: 30_000, type: 4, repeatCount: 1, repeatEnd: 0)),
            DouyinWire.message("WebcastLikeMessage", DouyinWire.uint(2, 15)),
        ], internalExt: ext, needAck: true)
        let frame = DouyinWire.push(logID: 7_311_234_567_890_123_456, payload: response)

        let receipt = try DouyinChatSession().receive(.binary(frame), at: now)
        #expect(receipt.messages == [
            DanmakuMessage(text: "主播好 <3", userName: "抖音用户", uid: 3_094_000_000_000_001, receivedAt: now),
            DanmakuMessage(kind: .gift, text: "", userName: "送礼人", uid: 42, receivedAt: now, price: 1, count: 10, giftName: "小心心"),
            DanmakuMessage(kind: .gift, text: "", userName: "大哥", uid: 43, receivedAt: now, price: 30_000, count: 1, giftName: "嘉年华"),
        ])
        let ack = DouyinWire.uint(2, 7_311_234_567_890_123_456) + DouyinWire.string(7, "ack") + DouyinWire.string(8, ext)
        #expect(receipt.replies == [.binary(ack)])
    }

    @Test func noAckUnlessAsked() throws {
        let response = DouyinWire.response([DouyinWire.message("WebcastChatMessage", DouyinWire.chat(userID: 1, nick: "a", content: "b"))],
                                           internalExt: "x", needAck: false)
        let receipt = try DouyinChatSession().receive(.binary(DouyinWire.push(logID: 5, payload: response)), at: now)
        #expect(receipt.messages.count == 1)
        #expect(receipt.replies == [])
        // An uncompressed payload reads as it stands.
        let plain = try DouyinDecoder().decode(DouyinWire.push(logID: 5, payload: response, gzip: false), receivedAt: now)
        #expect(plain.messages.map(\.text) == ["b"])
    }

    @Test func heartbeatAnswersCarryNothing() throws {
        let answer = DouyinWire.push(logID: 0, payloadType: "hb", payload: nil)
        #expect(try DouyinChatSession().receive(.binary(answer), at: now) == ChatReceipt())
    }

    @Test func rejectsGarbageTruncationAndBombs() {
        let decoder = DouyinDecoder()
        let response = DouyinWire.response([DouyinWire.message("WebcastChatMessage", DouyinWire.chat(userID: 1, nick: "a", content: "b"))],
                                           internalExt: "x", needAck: true)
        let frame = DouyinWire.push(logID: 9, payload: response)
        #expect(throws: DanmakuDecodeError.truncated) { try decoder.decode(Array(frame.dropLast(4)), receivedAt: now) }
        // The gzip stream cut short inside a whole frame.
        let gz = deflated(response, windowBits: 31)
        let cut = DouyinWire.uint(2, 9) + DouyinWire.string(7, "msg") + DouyinWire.bytes(8, Array(gz.prefix(gz.count / 2)))
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(cut, receivedAt: now) }
        // 9 MiB of zeros behind 9 KiB of gzip: past the 8 MiB limit.
        let bomb = DouyinWire.uint(2, 9) + DouyinWire.string(7, "msg") + DouyinWire.bytes(8, deflated([UInt8](repeating: 0, count: 9 << 20), windowBits: 31))
        #expect(throws: DanmakuDecodeError.tooLarge(limit: Inflate.defaultLimit)) { try decoder.decode(bomb, receivedAt: now) }
        // Wire type 3 (a group), an 11-byte varint, field number 0.
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode([0x0b, 0x0c], receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode([0x08] + [UInt8](repeating: 0xff, count: 10) + [0x01], receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode([0x00, 0x01], receivedAt: now) }
        // A length that runs past the end, and a Message whose payload is not protobuf.
        #expect(throws: DanmakuDecodeError.truncated) { try decoder.decode([0x42, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00], receivedAt: now) }
        let badChat = DouyinWire.push(logID: 1, payload: DouyinWire.response([DouyinWire.message("WebcastChatMessage", [0xff, 0xff])], internalExt: "", needAck: false))
        #expect(throws: DanmakuDecodeError.self) { try decoder.decode(badChat, receivedAt: now) }
        #expect(throws: DanmakuDecodeError.self) { try DouyinChatSession().receive(.text("hb"), at: now) }
    }

    @Test func protobufWireRoundTrips() throws {
        var writer = ProtobufWire.Writer()
        writer.varint(1, 0)
        writer.varint(2, UInt64.max)
        writer.string(3, "弹幕")
        writer.bytes(536_870_911, [1, 2, 3])
        let fields = try ProtobufWire.fields(writer.encoded[...])
        #expect(fields == [
            .init(number: 1, value: .varint(0)), .init(number: 2, value: .varint(UInt64.max)),
            .init(number: 3, value: .bytes(Array("弹幕".utf8)[...])), .init(number: 536_870_911, value: .bytes([1, 2, 3])),
        ])
        #expect(Array(writer.encoded.prefix(3)) == [0x08, 0x00, 0x10])
        // Fixed-width fields (wire types 1 and 5) are read little-endian.
        #expect(try ProtobufWire.fields([0x09, 1, 0, 0, 0, 0, 0, 0, 0x80, 0x15, 2, 0, 0, 0][...])
                == [.init(number: 1, value: .fixed64(0x8000_0000_0000_0001)), .init(number: 2, value: .fixed32(2))])
    }

    @Test func survivesMutatedFrames() {
        let response = DouyinWire.response([
            DouyinWire.message("WebcastChatMessage", DouyinWire.chat(userID: 1, nick: "昵称", content: "内容")),
            DouyinWire.message("WebcastGiftMessage", DouyinWire.gift(userID: 2, nick: "n", name: "g", diamonds: 1, type: 2, repeatCount: 1, repeatEnd: 0)),
        ], internalExt: "ext", needAck: true)
        // Mutating the outer frame mostly breaks the gzip layer; mutating an uncompressed frame reaches the
        // protobuf readers of every layer.
        var failures = 0
        for frame in [DouyinWire.push(logID: 1, payload: response), DouyinWire.push(logID: 1, payload: response, gzip: false)] {
            for bytes in mutations(of: frame, count: fuzzIterations(default: 2000), seed: 50) {
                do { _ = try DouyinDecoder().decode(bytes, receivedAt: now) } catch { failures += 1 }
            }
        }
        #expect(failures > 0)
    }
}
