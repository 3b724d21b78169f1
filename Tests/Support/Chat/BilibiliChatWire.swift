import Foundation

/// Bilibili's chat packets as the server writes and reads them, written here from the protocol
/// description (reference/biliup.md §5), not from the client's code: a 16-byte big-endian header
/// `total length, header length 16, version, operation, sequence` and a body.
enum BilibiliChatWire {
    static let heartbeat: UInt32 = 2, heartbeatReply: UInt32 = 3, notification: UInt32 = 5
    static let auth: UInt32 = 7, authReply: UInt32 = 8

    struct Packet {
        var version: UInt16
        var operation: UInt32
        var body: [UInt8]
    }

    static func packet(operation: UInt32, version: UInt16, body: [UInt8], sequence: UInt32 = 1,
                       lengthField: UInt32? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + body.count)
        appendBE(&bytes, lengthField ?? UInt32(16 + body.count))
        appendBE(&bytes, UInt16(16))
        appendBE(&bytes, version)
        appendBE(&bytes, operation)
        appendBE(&bytes, sequence)
        return bytes + body
    }

    /// The packets of a client message, strictly: every header says 16 and the lengths add up to the
    /// message exactly. nil for anything else, which the real server answers by closing.
    static func clientPackets(_ bytes: [UInt8]) -> [Packet]? {
        var packets: [Packet] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 16 else { return nil }
            let total = Int(readBE32(bytes, offset))
            let header = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
            guard header == 16, total >= 16, total <= bytes.count - offset else { return nil }
            let version = UInt16(bytes[offset + 6]) << 8 | UInt16(bytes[offset + 7])
            packets.append(Packet(version: version, operation: readBE32(bytes, offset + 8),
                                  body: Array(bytes[(offset + 16)..<(offset + total)])))
            offset += total
        }
        return packets.isEmpty ? nil : packets
    }

    /// The op 3 reply as captured from the real server: the header's length covers 20 bytes (the
    /// header and a 4-byte popularity), and the heartbeat's body follows in the same message.
    static func heartbeatReply(popularity: UInt32, echoing body: [UInt8]) -> [UInt8] {
        var popularityBytes: [UInt8] = []
        appendBE(&popularityBytes, popularity)
        return packet(operation: heartbeatReply, version: 1, body: popularityBytes) + body
    }

    /// A notification's JSON body for `message`, shaped as the server sends it (field order and the
    /// many fields a client ignores included, so a decoder is tested against the real clutter).
    static func notificationJSON(_ message: StandInChatMessage, roomID: Int64, now: Date) -> [UInt8] {
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        let seconds = ms / 1000
        let object: [String: Any]
        switch message.kind {
        case .chat:
            let extra = #"{"send_from_me":false,"mode":0,"color":\#(message.color),"dm_type":0,"font_size":25,"player_mode":1,"show_player_type":0,"content":"","user_hash":"2785392012","emoticon_unique":"","bulge_display":0,"recommend_score":3,"main_state_dm_color":"","objective_state_dm_color":"","direction":0,"pk_direction":0,"quartet_direction":0,"anniversary_crowd":0,"yeah_space_type":"","yeah_space_url":"","jump_to_url":"","space_type":"","space_url":"","animation":{},"emots":null,"is_audited":false,"id_str":"f2c0a1","icon":null,"show_reply":true,"reply_mid":0,"reply_uname":"","reply_uname_color":"","reply_is_mystery":false,"hit_combo":0}"#
            let flags: [String: Any] = ["mode": 0, "show_player_type": 0, "extra": extra]
            let head: [Any] = [0, 1, 25, message.color, ms, 1_733_120_000 + message.index, 0, "a1b2c3d4", 0, 0, 0, "", 0,
                               "{}", "{}", flags, ["activity_identity": "", "activity_source": 0, "not_show": 0], 42]
            let user: [Any] = [message.uid, message.userName, 0, 0, 0, 10000, 1, ""]
            object = ["cmd": "DANMU_MSG",
                      "info": [head, message.text, user, [], [0, 0, 9_868_950, ">50000", 0], ["", ""], 0, 0, NSNull(),
                               ["ts": seconds, "ct": "5C1A8E21"], 0, 0, NSNull(), NSNull(), 0, 105],
                      "dm_v2": ""]
        case .gift:
            object = ["cmd": "SEND_GIFT",
                      "data": ["action": "投喂", "batch_combo_id": "", "coin_type": "gold", "giftId": 31036,
                               "giftName": message.giftName, "giftType": 0, "num": message.count, "price": message.price,
                               "rnd": "\(ms)", "timestamp": seconds, "total_coin": message.price * message.count,
                               "uid": message.uid, "uname": message.userName, "face": "https://i0.hdslb.com/bfs/face/x.jpg"]]
        case .superChat:
            object = ["cmd": "SUPER_CHAT_MESSAGE", "roomid": roomID,
                      "data": ["id": 8_000_000 + message.index, "uid": message.uid, "price": message.price,
                               "rate": 1000, "message": message.text, "message_font_color": "#A3F6FF",
                               "start_time": seconds, "end_time": seconds + 60, "time": 60, "token": "A1B2C3",
                               "user_info": ["uname": message.userName, "face": "https://i0.hdslb.com/bfs/face/x.jpg",
                                             "guard_level": 0, "user_level": 1]],
                      "send_time": ms]
        case .guardBuy:
            object = ["cmd": "GUARD_BUY",
                      "data": ["uid": message.uid, "username": message.userName, "guard_level": 3, "num": message.count,
                               "price": message.price, "gift_id": 10003, "gift_name": message.giftName,
                               "start_time": seconds, "end_time": seconds]]
        }
        // The objects above hold only strings, numbers, arrays, dictionaries and NSNull.
        return Array(try! JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]))
    }

    private static func appendBE<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private static func readBE32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
