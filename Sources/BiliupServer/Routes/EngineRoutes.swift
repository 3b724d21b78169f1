import BiliupEngine
import BiliupStore
import Foundation
import Hummingbird

/// `/api/status`, `/api/config`, `/api/plugins`, `/api/events`.
enum EngineRoutes {
    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/status", "Version, uptime, running recordings, queue and disk") { _, _ in
            let status = await s.engine.status()
            return JSON.response(StatusDTO(version: s.version, startedAt: status.startedAt.timeIntervalSince1970,
                                           uptime: Date().timeIntervalSince(status.startedAt).rounded(), streamers: status.streamers,
                                           recordings: status.recordings.map(RecordingDTO.init), queue: status.queue,
                                           disk: .init(path: status.diskPath, free: Nullable(status.diskFree), total: Nullable(status.diskTotal))))
        }
        table.add(.get, "/api/config", "Global options in effect and where each comes from") { _, _ in
            JSON.response(ConfigDTO(await s.engine.globalSettings()))
        }
        table.add(.put, "/api/config", "Set global options (null clears the API's value)", body: "{option: value | null}") { request, context in
            let changes = try await JSON.decode([String: JSONValue].self, from: request, context: context)
            try context.requireAdmin(toChange: changes.keys, s.authenticator)
            return JSON.response(ConfigDTO(try await s.engine.updateGlobalSettings(changes)))
        }
        table.add(.get, "/api/plugins", "Platform plugins, their URL patterns and options, and files that fail to load") { _, _ in
            let catalog = await s.plugins.catalog()
            var data = try JSONEncoder().encode(catalog)
            if data.isEmpty { data = Data("{}".utf8) }
            return JSON.response(ByteBuffer(data: data))
        }
        table.add(.get, "/api/events", "The event log, in id order",
                  query: [("limit", "1 to 1000, default 100"), ("before_id", "older than this id"), ("after_id", "newer than this id"),
                          ("streamer_id", "only this streamer's")]) { request, _ in
            let limit = try request.int("limit", default: 100, in: 1...1000)!
            let events = try s.store.events(afterId: try request.int("after_id", in: 0...Int.max).map(Int64.init),
                                            beforeId: try request.int("before_id", in: 1...Int.max).map(Int64.init), limit: limit,
                                            streamerId: try request.int("streamer_id", in: 1...Int.max).map(Int64.init))
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

struct ConfigDTO: Encodable {
    let options: [String: JSONValue]
    let sources: [String: String]
    let editable: [String]
    let readOnly: [String: JSONValue]

    init(_ v: GlobalSettingsView) {
        options = v.values
        sources = v.sources.mapValues(\.rawValue)
        editable = GlobalSettings.keys
        readOnly = v.readOnly
    }
}
