import BiliupMedia
import BiliupStore
import Foundation
import Hummingbird

/// `/api/sessions` and `/api/segments`: what was recorded, and the files themselves.
enum HistoryRoutes {
    /// The most sessions one answer holds: each carries its segments, so fewer than streamers.
    static let maxPage = 500

    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/sessions", "Recording history, newest first, with segments",
                  query: [.integer("streamer_id", "only this streamer's", in: QueryParameter.ids),
                          .string("from", "started at or after (unix seconds or ISO 8601)"), .string("to", "started before"), .integer("limit", "default 50", in: 1...maxPage),
                          .integer("offset", "default 0", in: QueryParameter.offsets)],
                  response: .json(.ref("SessionPage"))) { request, _ in
            let limit = try request.int("limit", default: 50, in: 1...maxPage)!
            let offset = try request.int("offset", default: 0, in: QueryParameter.offsets)!
            let streamerId = try request.int("streamer_id", in: QueryParameter.ids).map(Int64.init)
            let (from, to) = (try request.time("from"), try request.time("to"))
            let items = try await s.store.off { store in
                try store.sessions(streamerId: streamerId, from: from, to: to, limit: limit, offset: offset)
                    .map { SessionDTO($0, segments: try store.segments(sessionId: $0.id!)) }
            }
            return JSON.response(Page(items: items, total: nil, limit: limit, offset: offset))
        }
        table.add(.get, "/api/sessions/{id}", "One session with its segments", response: .json(.ref("Session"))) { _, context in
            let id = try context.id()
            let found = try await s.store.off { store in try store.session(id: id).map { SessionDTO($0, segments: try store.segments(sessionId: id)) } }
            guard let found else { throw APIError.notFound("session \(id) not found") }
            return JSON.response(found)
        }
        table.add(.get, "/api/segments/{id}", "One segment with its integrity report", response: .json(.ref("Segment"))) { _, context in
            JSON.response(SegmentDTO(try await segment(s, try context.id()), withReport: true))
        }
        table.add(.get, "/api/segments/{id}/file", "The segment's file (supports Range, plays in a browser)",
                  response: .file(mediaTypes: OutputFormat.allCases.map(\.mimeType).sorted())) { request, context in
            let segment = try await segment(s, try context.id())
            guard segment.state != .removed else { throw APIError.notFound("segment \(segment.id!) was removed: \(segment.removedReason ?? "")") }
            let file = try SegmentFile(recordedPath: segment.path)
            return try await file.response(for: request, context: context)
        }
    }

    private static func segment(_ s: ServerServices, _ id: Int64) async throws -> SegmentRecord {
        guard let segment = try await s.store.off({ try $0.segment(id: id) }) else { throw APIError.notFound("segment \(id) not found") }
        return segment
    }
}
