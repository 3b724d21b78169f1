import BiliupEngine
import Foundation
import Synchronization

/// What a WebSocket subscriber wants: message types, a minimum level, one streamer or all.
struct Subscription: Sendable, Equatable {
    var types: Set<EventFeed.MessageType> = [.log, .state]
    var minimumLevel: EngineEvent.Level = .debug
    var streamerId: Int64?

    static let levels: [EngineEvent.Level] = [.debug, .info, .warn, .error]

    func wants(_ e: EventFeed.Entry) -> Bool {
        guard types.contains(e.type) else { return false }
        if let streamerId, e.streamerId != streamerId { return false }
        // Progress and chat are not log lines: the level filter does not apply to them.
        return e.type == .progress || e.type == .danmaku || Self.rank(e.level) >= Self.rank(minimumLevel)
    }

    static func rank(_ l: EngineEvent.Level) -> Int { levels.firstIndex(of: l) ?? 0 }

    /// From the upgrade request's query (`types=log,state&level=info&streamer_id=3`).
    init(query: [String: String]) throws(SubscriptionError) {
        try apply(types: query["types"].map { $0.split(separator: ",").map(String.init) }, level: query["level"],
                  streamerId: query["streamer_id"].map { $0.isEmpty ? .none : .some($0) })
    }

    /// A filter change sent by the client: `{"types": [...], "level": "...", "streamer_id": N | null}`.
    mutating func update(json: Data) throws(SubscriptionError) {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw SubscriptionError("expected a JSON object like {\"types\": [\"log\"], \"level\": \"info\", \"streamer_id\": 3}")
        }
        var streamer: String?? = nil
        if object.keys.contains("streamer_id") {
            switch object["streamer_id"] {
            case let n as NSNumber: streamer = .some(n.stringValue)
            default: streamer = .some(nil)
            }
        }
        guard object["types"] == nil || object["types"] is [String] else { throw SubscriptionError("types: expected a list of strings") }
        guard object["level"] == nil || object["level"] is String else { throw SubscriptionError("level: expected a string") }
        try apply(types: object["types"] as? [String], level: object["level"] as? String, streamerId: streamer)
    }

    private mutating func apply(types: [String]?, level: String?, streamerId: String??) throws(SubscriptionError) {
        if let types {
            var set = Set<EventFeed.MessageType>()
            for t in types where !t.isEmpty {
                guard let type = EventFeed.MessageType(rawValue: t) else { throw SubscriptionError("types: \"\(t)\" is not log, state, progress or danmaku") }
                set.insert(type)
            }
            self.types = set
        }
        if let level {
            guard let l = EngineEvent.Level(rawValue: level) else { throw SubscriptionError("level: \"\(level)\" is not debug, info, warn or error") }
            minimumLevel = l
        }
        if let streamerId {
            if let text = streamerId {
                guard let id = Int64(text), id > 0 else { throw SubscriptionError("streamer_id: expected a positive integer") }
                self.streamerId = id
            } else {
                self.streamerId = nil
            }
        }
    }

    init() {}
}

struct SubscriptionError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
