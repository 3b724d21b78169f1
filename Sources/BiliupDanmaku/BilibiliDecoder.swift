import Foundation

/// What a Bilibili chat server says, decoded from one WebSocket message. Notification commands other
/// than chat, gifts, super chats and guard purchases are dropped here.
public enum BilibiliEvent: Sendable, Equatable {
    case popularity(UInt32)
    /// The answer to the auth packet; code 0 means accepted.
    case authReply(code: Int64)
    case message(DanmakuMessage)
}

public struct BilibiliDecoder: Sendable {
    public var decompressedLimit: Int

    public init(decompressedLimit: Int = Inflate.defaultLimit) {
        self.decompressedLimit = decompressedLimit
    }

    public func decode(_ message: [UInt8], receivedAt: Date) throws -> [BilibiliEvent] {
        var events: [BilibiliEvent] = []
        try decode(message, receivedAt: receivedAt, insideCompressed: false, into: &events)
        return events
    }

    private func decode(_ bytes: [UInt8], receivedAt: Date, insideCompressed: Bool,
                        into events: inout [BilibiliEvent]) throws {
        let (packets, trailing) = try BilibiliPacket.split(bytes)
        if trailing > 0, packets.last?.operation != BilibiliPacket.Operation.heartbeatReply {
            throw DanmakuDecodeError.malformed("\(trailing) bytes after the last packet")
        }
        for packet in packets {
            switch packet.operation {
            case BilibiliPacket.Operation.heartbeatReply:
                guard packet.body.count >= 4 else { throw DanmakuDecodeError.truncated }
                events.append(.popularity(packet.body.readBigEndianUInt32(at: 0)))
            case BilibiliPacket.Operation.authReply:
                let reply = try ScannedJSON(packet.body).root
                events.append(.authReply(code: reply["code"]?.int64Value ?? -1))
            case BilibiliPacket.Operation.notification:
                try decodeNotification(packet, receivedAt: receivedAt, insideCompressed: insideCompressed, into: &events)
            default:
                continue
            }
        }
    }

    private func decodeNotification(_ packet: BilibiliPacket, receivedAt: Date, insideCompressed: Bool,
                                    into events: inout [BilibiliEvent]) throws {
        switch packet.version {
        case BilibiliPacket.Version.zlib, BilibiliPacket.Version.brotli:
            // The server compresses a batch once; a compressed packet inside one is not something it sends.
            guard !insideCompressed else { throw DanmakuDecodeError.malformed("nested compression") }
            let inner = packet.version == BilibiliPacket.Version.zlib
                ? try Inflate.zlib(packet.body, limit: decompressedLimit)
                : try Inflate.brotli(packet.body, limit: decompressedLimit)
            try decode(inner, receivedAt: receivedAt, insideCompressed: true, into: &events)
        case BilibiliPacket.Version.json, BilibiliPacket.Version.plain:
            if let message = Self.message(from: try ScannedJSON(packet.body).root, receivedAt: receivedAt) {
                events.append(.message(message))
            }
        default:
            throw DanmakuDecodeError.malformed("protocol version \(packet.version)")
        }
    }

    /// Field positions as the web client reads them (biliup's protocols/bilibili.rs agrees).
    static func message(from notification: JSONElement, receivedAt: Date) -> DanmakuMessage? {
        guard let cmd = notification["cmd"]?.stringValue else { return nil }
        // Looked up only where read: finding a key that is absent scans the whole notification.
        var data: JSONElement? { notification["data"] }
        // The command's name ends at a colon (`DANMU_MSG:4:0:2:2:2:0`); read as bytes, since walking
        // Characters costs grapheme breaking on every message.
        switch Substring(cmd.utf8.prefix(while: { $0 != UInt8(ascii: ":") })) {
        case "DANMU_MSG":
            // Each array is walked once, and only as far as read: an item's lookup skips every item
            // before it, and the header's item 15 holds a whole JSON document in a string.
            guard let info = notification["info"]?.prefix(3), let text = info[1]?.stringValue else { return nil }
            let head = info[0]?.prefix(16)
            let user = info[2]?.prefix(2)
            let color = head?[3]?.int64Value.map { Int($0 & 0xFFFFFF) } ?? 0xFFFFFF
            return DanmakuMessage(text: head.flatMap(sticker).map { "表情【\($0)】" } ?? text,
                                  userName: user?[1]?.stringValue ?? "",
                                  uid: user?[0]?.int64Value ?? 0, color: color, receivedAt: receivedAt)
        case "LIVE_INTERACTIVE_GAME":
            // Chat sent through an interactive game, shown as ordinary chat.
            guard let text = data?["msg"]?.stringValue, !text.isEmpty else { return nil }
            return DanmakuMessage(text: text, userName: data?["uname"]?.stringValue ?? "",
                                  uid: data?["uid"]?.int64Value ?? 0, receivedAt: receivedAt)
        case "SEND_GIFT":
            guard let gift = data?["giftName"]?.stringValue else { return nil }
            return DanmakuMessage(kind: .gift, text: "", userName: data?["uname"]?.stringValue ?? "",
                                  uid: data?["uid"]?.int64Value ?? 0, receivedAt: receivedAt,
                                  price: data?["price"]?.int64Value ?? 0, count: data?["num"]?.int64Value ?? 1,
                                  giftName: gift)
        case "SUPER_CHAT_MESSAGE":
            guard let text = data?["message"]?.stringValue else { return nil }
            let yuan = data?["price"]?.int64Value ?? 0
            return DanmakuMessage(kind: .superChat, text: text,
                                  userName: data?["user_info"]?["uname"]?.stringValue ?? "",
                                  uid: data?["uid"]?.int64Value ?? 0, receivedAt: receivedAt,
                                  price: yuan.multipliedReportingOverflow(by: 1000).partialValue, count: 1,
                                  giftName: "醒目留言")
        case "GUARD_BUY":
            guard let gift = data?["gift_name"]?.stringValue else { return nil }
            return DanmakuMessage(kind: .guardBuy, text: "", userName: data?["username"]?.stringValue ?? "",
                                  uid: data?["uid"]?.int64Value ?? 0, receivedAt: receivedAt,
                                  price: data?["price"]?.int64Value ?? 0, count: data?["num"]?.int64Value ?? 1,
                                  giftName: gift)
        default:
            return nil
        }
    }

    /// A sticker sent as chat: its `info[1]` is only a placeholder. The header says so with type 1 at
    /// `info[0][12]` and names the sticker in the object at `info[0][13]` (a string "{}" for text);
    /// biliup reads the name from the JSON string at `info[0][15].extra`, which is where it is looked
    /// for when the object has none. biliup writes it as 表情【id】.
    private static func sticker(_ head: JSONItems) -> String? {
        if let options = head[13], options.isObject,
           let unique = options["emoticon_unique"]?.stringValue, !unique.isEmpty {
            return unique
        }
        guard head[12]?.int64Value == 1,
              let extra = head[15]?["extra"]?.stringBytes,
              let parsed = try? ScannedJSON(extra).root,
              let unique = parsed["emoticon_unique"]?.stringValue, !unique.isEmpty else { return nil }
        return unique
    }
}
