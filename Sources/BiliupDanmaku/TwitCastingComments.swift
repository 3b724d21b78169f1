import Foundation

/// TwitCasting's event pub/sub messages: each WebSocket text message holds one or more lines, each a
/// JSON array of events. A comment is `{message, from_user{name, id}}` (older servers, as biliup reads
/// them) or `{type: "comment", message, author{name, id}}`; a gift is `{type: "gift", message,
/// item{name}, sender{name}}`. Other events and JSON that is not an array (control messages) are skipped.
public enum TwitCastingComments {
    public static func decode(_ text: String, receivedAt: Date) throws(DanmakuDecodeError) -> [DanmakuMessage] {
        var messages: [DanmakuMessage] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            let value: JSONElement
            do {
                value = try ScannedJSON(Array(line.utf8)).root
            } catch {
                throw .malformed("a line that is not JSON")
            }
            messages += value.elements.compactMap { message(from: $0, receivedAt: receivedAt) }
        }
        return messages
    }

    static func message(from event: JSONElement, receivedAt: Date) -> DanmakuMessage? {
        let type = event["type"]?.stringValue ?? "comment"
        switch type {
        case "comment":
            guard let text = event["message"]?.stringValue, !text.isEmpty else { return nil }
            let user = event["from_user"] ?? event["author"]
            return DanmakuMessage(text: text, userName: user?["name"]?.stringValue ?? "",
                                  uid: user?["id"]?.int64Value ?? 0, receivedAt: receivedAt)
        case "gift":
            guard let gift = event["item"]?["name"]?.stringValue, !gift.isEmpty else { return nil }
            let sender = event["sender"] ?? event["from_user"] ?? event["author"]
            return DanmakuMessage(kind: .gift, text: event["message"]?.stringValue ?? "",
                                  userName: sender?["name"]?.stringValue ?? "", uid: sender?["id"]?.int64Value ?? 0,
                                  receivedAt: receivedAt, count: 1, giftName: gift)
        default:
            return nil
        }
    }
}
