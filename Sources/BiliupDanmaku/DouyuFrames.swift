import Foundation

/// Douyu's chat over TCP: frames of `u32 LE length, u32 LE length (again), u16 LE type, 2 zero bytes,
/// STT body, NUL`, where length counts everything after the first field. Clients send type 689, the
/// server answers with 690.
public enum DouyuFrames {
    public static let clientType: UInt16 = 689
    public static let heartbeatInterval: Duration = .seconds(45)

    public static func frame(_ body: String) -> [UInt8] {
        let payload = Array(body.utf8)
        let length = UInt32(9 + payload.count)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: clientType.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + [0, 0] + payload + [0]
    }

    public static func login(roomID: String) -> [UInt8] {
        frame(DouyuSTT.encode([("type", "loginreq"), ("roomid", roomID)]))
    }

    /// Group -9999 is the whole room, as the web player joins it.
    public static func joinGroup(roomID: String) -> [UInt8] {
        frame(DouyuSTT.encode([("type", "joingroup"), ("rid", roomID), ("gid", "-9999")]))
    }

    public static func heartbeat() -> [UInt8] {
        frame(DouyuSTT.encode([("type", "mrkl")]))
    }
}

/// Reassembles Douyu frames from a TCP byte stream (a read may hold part of a frame or several) and
/// turns chat and gift messages into `DanmakuMessage`s; other message types are dropped.
public struct DouyuDecoder: Sendable {
    /// Real frames are a few hundred bytes; a length past this is a broken stream, not a message.
    public static let maxFrameLength = 1 << 20
    private var pending: [UInt8] = []
    /// The stream broke after frames that were whole: they are handed out first, and the break is
    /// thrown at the next feed, so a message that shared a TCP read with garbage is not lost with it.
    private var brokenAt: DanmakuDecodeError?

    public init() {}

    public mutating func feed(_ bytes: [UInt8], receivedAt: Date) throws -> [DanmakuMessage] {
        if let brokenAt { throw brokenAt }
        pending.append(contentsOf: bytes)
        var messages: [DanmakuMessage] = []
        var offset = 0
        while pending.count - offset >= 12 {
            let length = Int(readUInt32LE(at: offset))
            guard length >= 9, length <= Self.maxFrameLength, readUInt32LE(at: offset + 4) == length else {
                pending.removeAll()
                let error = DanmakuDecodeError.malformed("frame length fields")
                if messages.isEmpty { throw error }
                brokenAt = error
                return messages
            }
            guard pending.count - offset >= 4 + length else { break }
            let body = pending[(offset + 12)..<(offset + 4 + length)]
            // The body ends in NUL; decoding stops there as the server's own reader does.
            let text = String(decoding: body.prefix { $0 != 0 }, as: UTF8.self)
            if let message = Self.message(from: DouyuSTT.decode(text), receivedAt: receivedAt) {
                messages.append(message)
            }
            offset += 4 + length
        }
        pending.removeFirst(offset)
        return messages
    }

    private func readUInt32LE(at offset: Int) -> UInt32 {
        pending[offset..<(offset + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Chat colour codes 0–6 (white, red, green, blue, orange, purple, pink) with the RGB values biliup
    /// writes for them, so files from both read alike.
    static let colors = [16_777_215, 16_717_077, 2_000_880, 8_046_667, 16_744_192, 10_172_916, 16_738_740]

    static func message(from fields: [String: String], receivedAt: Date) -> DanmakuMessage? {
        switch fields["type"] {
        case "chatmsg":
            guard let text = fields["txt"], !text.isEmpty else { return nil }
            let color = fields["col"].flatMap(Int.init).flatMap { colors.indices.contains($0) ? colors[$0] : nil } ?? 0xFFFFFF
            return DanmakuMessage(text: text, userName: fields["nn"] ?? "", uid: fields["uid"].flatMap { Int64($0) } ?? 0,
                                  color: color, receivedAt: receivedAt)
        case "dgb":
            return DanmakuMessage(kind: .gift, text: "", userName: fields["nn"] ?? "",
                                  uid: fields["uid"].flatMap { Int64($0) } ?? 0, receivedAt: receivedAt,
                                  count: fields["gfcnt"].flatMap { Int64($0) } ?? 1,
                                  giftName: fields["gfn"] ?? "礼物")
        default:
            return nil
        }
    }
}
