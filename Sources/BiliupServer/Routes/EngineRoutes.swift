import BiliupEngine
import BiliupStore
import BiliupValues
import Foundation
import Hummingbird

/// `/api/status`, `/api/config`, `/api/plugins`, `/api/events`.
enum EngineRoutes {
    /// The most events one answer holds: a screen of log and more, still quick to encode.
    static let maxEvents = 1000

    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/status", "Version, uptime, running recordings, queue and disk", response: .json(.ref("Status"))) { _, _ in
            let status = await s.engine.status()
            return JSON.response(StatusDTO(version: s.version, startedAt: status.startedAt.timeIntervalSince1970,
                                           uptime: Date().timeIntervalSince(status.startedAt).rounded(), streamers: status.streamers,
                                           recordings: status.recordings.map(RecordingDTO.init), queue: status.queue,
                                           disk: .init(path: status.diskPath, free: Nullable(status.diskFree), total: Nullable(status.diskTotal))))
        }
        table.add(.get, "/api/config", "Global options in effect and where each comes from", response: .json(.ref("Config"))) { _, _ in
            JSON.response(ConfigDTO(await s.engine.globalSettings()))
        }
        table.add(.put, "/api/config", "Set global options (null clears the API's value)", body: ConfigInput.self,
                  response: .json(.ref("Config"))) { request, context in
            let input = try await JSON.decode(ConfigInput.self, from: request, context: context)
            try context.requireAdmin(toChange: input.changes.keys, s.authenticator)
            return JSON.response(ConfigDTO(try await s.engine.updateGlobalSettings(input.changes)))
        }
        table.add(.get, "/api/plugins", "Platform plugins, their URL patterns and options, and files that fail to load",
                  response: .json(.ref("Plugins"))) { _, _ in
            JSON.response(await s.engine.pluginCatalog())
        }
        table.add(.get, "/api/events", "The event log, in id order",
                  query: [.integer("limit", "default 100", in: 1...maxEvents),
                          .integer("before_id", "older than this id", in: QueryParameter.ids),
                          .integer("after_id", "newer than this id", in: 0...Int.max),
                          .integer("streamer_id", "only this streamer's", in: QueryParameter.ids)],
                  response: .json(.ref("EventList"))) { request, _ in
            let limit = try request.int("limit", default: 100, in: 1...maxEvents)!
            let afterId = try request.int("after_id", in: 0...Int.max).map(Int64.init)
            let beforeId = try request.int("before_id", in: QueryParameter.ids).map(Int64.init)
            let streamerId = try request.int("streamer_id", in: QueryParameter.ids).map(Int64.init)
            let events = try await s.store.off { try $0.events(afterId: afterId, beforeId: beforeId, limit: limit, streamerId: streamerId) }
            return JSON.response(Items(items: events.map(EventDTO.init)))
        }
    }
}

struct StatusDTO: Encodable {
    struct Disk: Encodable {
        let path: String
        let free: Nullable<Int64>
        let total: Nullable<Int64>
    }
    let version: String
    let startedAt: Double
    let uptime: Double
    let streamers: Int
    let recordings: [RecordingDTO]
    let queue: [String]
    let disk: Disk
}

/// `PUT /api/config`: option → value, or null to clear the API's value. The keys are the options the
/// API may set; the engine checks the values.
struct ConfigInput: RequestBody {
    let changes: [String: JSONValue]

    init(from decoder: any Decoder) throws {
        changes = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    /// What each option takes (the engine's GlobalSettings.normalised has the last word); an option
    /// missing here is documented as any value.
    static let shapes: [String: Schema] = [
        "output": .string(), "format": .string(),
        "split_time": duration, "check_interval": duration, "delay": duration,
        "split_size": size, "min_segment_size": size, "min_free_disk": size,
        "max_recordings": .integer(minimum: 1), "block_private_addresses": .boolean,
    ]
    /// Seconds, or a string such as "30s", "10m", "1h".
    static let duration = Schema.oneOf([.number, .string()])
    /// Bytes, or a string such as "500MB", "2GB".
    static let size = Schema.oneOf([.integer(minimum: 0), .string()])

    static var schema: ObjectSchema {
        ObjectSchema(properties: Dictionary(uniqueKeysWithValues: GlobalSettings.keys.map { ($0, Schema.nullable(shapes[$0] ?? .any)) }),
                     required: [], closed: true)
    }
}

struct ConfigDTO: Encodable {
    let options: [String: JSONValue]
    let sources: [String: String]
    let editable: [String]
    let readOnly: [String: JSONValue]
    let choices: [String: [String]]

    init(_ v: GlobalSettingsView) {
        options = v.values
        sources = v.sources.mapValues(\.rawValue)
        editable = GlobalSettings.keys
        readOnly = v.readOnly
        choices = v.choices
    }
}
