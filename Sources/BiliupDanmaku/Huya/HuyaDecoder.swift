import BiliupValues
import Foundation

/// Turns Huya's binary WebSocket messages into `DanmakuMessage`s: `WebSocketCommand{0 iCmdType, 1 vData}`;
/// command 7 carries `WSPushMessage{0 ePushType, 1 iUri, 2 sMsg, …}` whose `sMsg` is the Tars body of the
/// struct `iUri` names. Chat (`MessageNotice`, uri 1400) and gifts (`SendItemSubBroadcastPacket`, uri 6501)
/// are kept; everything else (registration and heartbeat answers, other notices) is dropped.
public struct HuyaDecoder: Sendable {
    public enum URI {
        public static let messageNotice: Int64 = 1400
        public static let giftBroadcast: Int64 = 6501
    }

    public init() {}

    public func decode(_ message: [UInt8], receivedAt: Date) throws(DanmakuDecodeError) -> [DanmakuMessage] {
        let command = try Self.fields(message)
        guard let type = command.int(0) else { throw DanmakuDecodeError.malformed("huya command without a type") }
        guard type == HuyaFrames.Command.messagePush else { return [] }
        guard let data = command.bytes(1) else { throw DanmakuDecodeError.malformed("huya push without data") }
        let push = try Self.fields(data)
        guard let uri = push.int(1), let body = push.bytes(2) else {
            throw DanmakuDecodeError.malformed("huya push without uri or message")
        }
        switch uri {
        case URI.messageNotice:
            return try Self.chat(Self.fields(body), receivedAt: receivedAt).map { [$0] } ?? []
        case URI.giftBroadcast:
            return try Self.gift(Self.fields(body), receivedAt: receivedAt).map { [$0] } ?? []
        default:
            return []
        }
    }

    /// `MessageNotice{0 tUserInfo SenderInfo{0 lUid, 1 lImid, 2 sNickName, …}, 1 lTid, 2 lSid, 3 sContent,
    /// 4 iShowMode, 5 tFormat ContentFormat{0 iFontColor, …}, 6 tBulletFormat BulletFormat{0 iFontColor, …}, …}`.
    /// A colour of -1 means the default (white).
    static func chat(_ notice: TarsFields, receivedAt: Date) -> DanmakuMessage? {
        guard let text = notice.text(3), !text.isEmpty else { return nil }
        let sender = notice.structure(0)
        let colors: [Int64] = [notice.structure(6)?.int(0), notice.structure(5)?.int(0)].compactMap { $0 }
        let color = colors.first(where: { $0 >= 0 }).map { Int($0 & 0xFFFFFF) } ?? 0xFFFFFF
        return DanmakuMessage(text: text, userName: sender?.text(2) ?? "", uid: sender?.int(0) ?? 0, color: color,
                              receivedAt: receivedAt)
    }

    /// `SendItemSubBroadcastPacket{0 iItemType, 1 strPayId, 2 iItemCount, 3 lPresenterUid, 4 lSenderUid,
    /// 5 sPresenterNick, 6 sSenderNick, …, 20 sPropsName, …}`. Older servers leave out the gift's name, which
    /// then reads as 礼物 (gift) like Douyu's unnamed gifts.
    static func gift(_ packet: TarsFields, receivedAt: Date) -> DanmakuMessage? {
        guard let count = packet.int(2), count > 0 else { return nil }
        let name = packet.text(20).flatMap { $0.isEmpty ? nil : $0 } ?? "礼物"
        return DanmakuMessage(kind: .gift, text: "", userName: packet.text(6) ?? "", uid: packet.int(4) ?? 0,
                              receivedAt: receivedAt, count: count, giftName: name)
    }

    static func fields(_ bytes: [UInt8]) throws(DanmakuDecodeError) -> TarsFields {
        do {
            return TarsFields(try Tars.decode(bytes))
        } catch {
            // The reason names an offset and what was wrong there, never the bytes themselves.
            throw error.reason.hasPrefix("input ends") ? .truncated : .malformed("huya: \(error)")
        }
    }
}

/// The fields of a decoded Tars struct, looked up by tag (the first one, should a tag repeat).
struct TarsFields {
    let fields: [(Int, TarsValue)]

    init(_ fields: [(Int, TarsValue)]) {
        self.fields = fields
    }

    func value(_ tag: Int) -> TarsValue? {
        fields.first { $0.0 == tag }?.1
    }

    func int(_ tag: Int) -> Int64? {
        if case .int(let v) = value(tag) { v } else { nil }
    }

    /// A string, with bytes that are not UTF-8 replaced rather than the whole text dropped.
    func text(_ tag: Int) -> String? {
        if case .string(let bytes) = value(tag) { String(decoding: bytes, as: UTF8.self) } else { nil }
    }

    /// A `vector<byte>` field (Tars' simple list).
    func bytes(_ tag: Int) -> [UInt8]? {
        if case .bytes(let v) = value(tag) { v } else { nil }
    }

    func structure(_ tag: Int) -> TarsFields? {
        if case .structure(let v) = value(tag) { TarsFields(v) } else { nil }
    }
}
