import BiliupNet
import BiliupValues
import Foundation

/// The JSON body of one delivery: `{type, id, time, streamer, session, message, data}`. `id` is unique per
/// event (a receiver that sees it twice, after a retry whose answer was lost, knows it is the same event);
/// `data` is the event's own (for a segment: path, bytes, duration and its integrity `report`).
struct WebhookPayload: Sendable {
    let type: String
    let id: String
    let body: [UInt8]

    /// `type` replaces the event's kind (a `test` delivery).
    init(_ event: EngineEvent, type: String? = nil, id: UUID = UUID()) {
        self.type = type ?? event.kind.rawValue
        self.id = id.uuidString.lowercased()
        var object: [String: JSONValue] = [
            "type": .string(self.type), "id": .string(self.id), "time": .number(event.at.timeIntervalSince1970),
            "streamer": event.streamer.map(JSONValue.string) ?? .null, "session": event.sessionId.map(JSONValue.int) ?? .null,
            "level": .string(event.level.rawValue), "message": .string(event.message), "data": .object(event.data),
        ]
        if let streamerId = event.streamerId { object["streamer_id"] = .int(streamerId) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A JSONValue always encodes (non-finite numbers aside, which events do not carry); an empty
        // object would still tell the receiver an event came.
        body = Array((try? encoder.encode(JSONValue.object(object))) ?? Data("{}".utf8))
    }
}

/// `X-Biliup-Signature: sha256=HEX`: HMAC-SHA256 of the exact body bytes under the webhook's secret, as
/// GitHub signs its webhooks; the receiver computes the same over what it read and compares.
enum WebhookSignature {
    static let header = "X-Biliup-Signature"

    static func value(secret: String, body: [UInt8]) -> String {
        "sha256=" + Digest.hex(Digest.hmac(.sha256, key: Array(secret.utf8), message: body))
    }
}
