import Foundation

/// Turns Douyin's binary WebSocket messages into `DanmakuMessage`s and the acknowledgement the server asks
/// for. A `PushFrame` of type `msg` carries a gzip-compressed `Response{1 repeated Message{1 method,
/// 2 payload}, 5 internalExt, 9 needAck}`; chat (`WebcastChatMessage`) and gifts (`WebcastGiftMessage`) are
/// kept, the many other methods (likes, entries, room stats…) dropped unread.
public struct DouyinDecoder: Sendable {
    /// What one PushFrame held.
    public struct Result: Sendable, Equatable {
        public var messages: [DanmakuMessage]
        /// The ack frame to send back at once, when the response asked for one.
        public var ack: [UInt8]?
    }

    public var decompressedLimit: Int

    public init(decompressedLimit: Int = Inflate.defaultLimit) {
        self.decompressedLimit = decompressedLimit
    }

    public func decode(_ message: [UInt8], receivedAt: Date) throws(DanmakuDecodeError) -> Result {
        let frame = try ProtobufFields(message[...])
        // Heartbeat answers ("hb") and anything else but pushed messages carry nothing to read.
        guard let type = frame.text(7), type == "msg" else { return Result(messages: [], ack: nil) }
        guard let payload = frame.bytes(8) else { throw DanmakuDecodeError.malformed("douyin push frame without payload") }
        let response = try ProtobufFields(try inflate(Array(payload))[...])
        var messages: [DanmakuMessage] = []
        for case .bytes(let entry) in response.all(1) {
            let item = try ProtobufFields(entry)
            guard let method = item.text(1), let body = item.bytes(2) else { continue }
            switch method {
            case "WebcastChatMessage":
                if let chat = try Self.chat(ProtobufFields(body), receivedAt: receivedAt) { messages.append(chat) }
            case "WebcastGiftMessage":
                if let gift = try Self.gift(ProtobufFields(body), receivedAt: receivedAt) { messages.append(gift) }
            default:
                continue
            }
        }
        let ack = (response.varint(9) ?? 0) != 0
            ? DouyinFrames.ack(logID: frame.varint(2) ?? 0, internalExt: Array(response.bytes(5) ?? []))
            : nil
        return Result(messages: messages, ack: ack)
    }

    /// Payloads are gzip as the connection URL asks (`compress=gzip`); one without the gzip magic is read as
    /// it stands, as the server sends when compression is off.
    private func inflate(_ payload: [UInt8]) throws(DanmakuDecodeError) -> [UInt8] {
        guard payload.starts(with: [0x1f, 0x8b]) else { return payload }
        do {
            return try Inflate.zlib(payload, limit: decompressedLimit)
        } catch let error as DanmakuDecodeError {
            throw error
        } catch {
            throw DanmakuDecodeError.malformed("douyin payload could not be inflated")
        }
    }

    /// `ChatMessage{1 common, 2 user User{1 id, 2 shortId, 3 nickName, …}, 3 content, …}`.
    static func chat(_ chat: ProtobufFields, receivedAt: Date) throws(DanmakuDecodeError) -> DanmakuMessage? {
        guard let text = chat.text(3), !text.isEmpty else { return nil }
        let user = try chat.message(2)
        return DanmakuMessage(text: text, userName: user?.text(3) ?? "", uid: Self.uid(user?.varint(1)),
                              receivedAt: receivedAt)
    }

    /// `GiftMessage{…, 5 repeatCount, 6 comboCount, 7 user, 9 repeatEnd, 15 gift GiftStruct{…, 11 type,
    /// 12 diamondCount, 16 name}, …}`. A combo gift (type 1) is announced again at every step of the combo
    /// with a growing repeatCount; only its last announcement (repeatEnd 1) is kept, so a combo of 10 is one
    /// gift of count 10, not 1 + 2 + … + 10.
    static func gift(_ gift: ProtobufFields, receivedAt: Date) throws(DanmakuDecodeError) -> DanmakuMessage? {
        let info = try gift.message(15)
        let isCombo = info?.varint(11) == 1
        guard !isCombo || gift.varint(9) == 1 else { return nil }
        let user = try gift.message(7)
        let count = Int64(clamping: max(gift.varint(5) ?? 1, 1))
        return DanmakuMessage(kind: .gift, text: "", userName: user?.text(3) ?? "", uid: Self.uid(user?.varint(1)),
                              receivedAt: receivedAt, price: Int64(clamping: info?.varint(12) ?? 0), count: count,
                              giftName: info?.text(16).flatMap { $0.isEmpty ? nil : $0 } ?? "礼物")
    }

    /// Douyin's user ids are unsigned 64-bit; real ones fit in Int64, a hostile one is clamped.
    private static func uid(_ value: UInt64?) -> Int64 {
        Int64(clamping: value ?? 0)
    }
}
