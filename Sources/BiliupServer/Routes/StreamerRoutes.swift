import BiliupEngine
import BiliupStore
import Foundation
import Hummingbird

/// `/api/streamers`: the list, CRUD for the API's streamers, and start/stop/pause/resume for all.
enum StreamerRoutes {
    /// The most streamers one answer holds: a whole dashboard's worth, still quick to encode.
    static let maxPage = 1000

    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/streamers", "List streamers (by name) with their state and running recording",
                  query: [.integer("limit", "default 50", in: 1...maxPage), .integer("offset", "default 0", in: QueryParameter.offsets),
                          .string("q", "part of a name or URL")],
                  response: .json(.ref("StreamerPage"))) { request, _ in
            let limit = try request.int("limit", default: 50, in: 1...maxPage)!
            let offset = try request.int("offset", default: 0, in: QueryParameter.offsets)!
            let q = request.uri.queryParameters.get("q").map { String($0) }?.lowercased() ?? ""
            let revision = s.engine.revision.load(ordering: .relaxed)
            let body = try await s.responses.body(for: "streamers?\(limit)&\(offset)&\(q)", revision: revision) {
                var all = try await s.engine.streamers()
                if !q.isEmpty {
                    all = all.filter { r, _ in r.name.lowercased().contains(q) || r.urls.contains { $0.lowercased().contains(q) } }
                }
                let page = all.dropFirst(offset).prefix(limit).map { StreamerDTO($0.0, $0.1) }
                return ByteBuffer(data: JSON.encode(Page(items: Array(page), total: all.count, limit: limit, offset: offset)))
            }
            return JSON.response(body)
        }

        table.add(.post, "/api/streamers", "Add a streamer (needs name and url or urls)", body: StreamerInput.self,
                  response: .json(.ref("Streamer")), status: 201) { request, context in
            let input = try await JSON.decode(StreamerInput.self, from: request, context: context)
            try context.requireAdmin(toChange: input.overrides?.keys ?? [:].keys, s.authenticator)
            guard input.name != nil else { throw APIError(.badRequest, "invalid_field", "name: required") }
            guard input.url != nil || input.urls != nil else { throw APIError(.badRequest, "invalid_field", "url: required (or urls)") }
            let record = input.applied(to: StreamerRecord(name: "", urls: []))
            let added = try await s.engine.addStreamer(record)
            return try await one(s, added.id!, status: .created)
        }

        table.add(.get, "/api/streamers/{id}", "One streamer with its state", response: .json(.ref("Streamer"))) { _, context in
            try await one(s, try context.id())
        }

        table.add(.put, "/api/streamers/{id}", "Change an API streamer's fields (main.lua's: 409)", body: StreamerInput.self,
                  response: .json(.ref("Streamer"))) { request, context in
            let id = try context.id()
            let input = try await JSON.decode(StreamerInput.self, from: request, context: context)
            try context.requireAdmin(toChange: input.overrides?.keys ?? [:].keys, s.authenticator)
            let (current, _) = try await s.engine.streamer(id: id)
            _ = try await s.engine.updateStreamer(id: id, input.applied(to: current))
            // The engine keeps the pause state on an update: `paused` goes through its own commands.
            if let paused = input.paused, paused != current.paused {
                _ = paused ? try await s.engine.pause(id: id) : try await s.engine.resume(id: id)
            }
            return try await one(s, id)
        }

        table.add(.delete, "/api/streamers/{id}", "Delete an API streamer (its history stays)", response: nil, status: 204) { _, context in
            try await s.engine.removeStreamer(id: try context.id())
            return Response(status: .noContent)
        }

        let actions: [(String, String, @Sendable (Engine, Int64) async throws -> StreamerRecord)] = [
            ("start", "Check now and record if live, even outside its schedule or title filter", { try await $0.start(id: $1) }),
            ("stop", "Close the running recording; record again after the broadcast ends", { try await $0.stop(id: $1) }),
            ("pause", "No checks, no recording until resumed (kept across restarts)", { try await $0.pause(id: $1) }),
            ("resume", "Watch a paused streamer again", { try await $0.resume(id: $1) }),
        ]
        for (name, summary, action) in actions {
            table.add(.post, "/api/streamers/{id}/\(name)", summary, response: .json(.ref("Streamer"))) { _, context in
                let id = try context.id()
                _ = try await action(s.engine, id)
                return try await one(s, id)
            }
        }
    }

    private static func one(_ s: ServerServices, _ id: Int64, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (record, runtime) = try await s.engine.streamer(id: id)
        return JSON.response(StreamerDTO(record, runtime), status: status)
    }
}
