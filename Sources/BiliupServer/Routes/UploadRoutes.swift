import BiliupEngine
import BiliupStore
import Foundation
import Hummingbird

/// `/api/uploads` (the queue: archives not submitted yet, with live progress) and `/api/archives`
/// (what Bilibili accepted).
enum UploadRoutes {
    static let maxPage = 500

    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/uploads", "The upload queue: archives not submitted yet, oldest first, with their parts and progress",
                  response: .json(.ref("UploadList"))) { _, _ in
            JSON.response(Items(items: try await s.engine.uploads().map(UploadDTO.init)))
        }
        table.add(.post, "/api/uploads/{id}/retry", "Try a held, failed or waiting archive again now", response: .json(.ref("Upload"))) { _, context in
            JSON.response(UploadDTO(try await s.engine.retryUpload(archiveId: try context.id())))
        }
        table.add(.post, "/api/uploads/{id}/cancel", "Stop an archive's uploads and give it up (its files stay)",
                  response: .json(.ref("Upload"))) { _, context in
            let id = try context.id()
            try await s.engine.cancelUpload(archiveId: id)
            guard let cancelled = try await s.engine.uploads().first(where: { $0.archive.id == id }) else {
                throw APIError.notFound("archive \(id) not found")
            }
            return JSON.response(UploadDTO(cancelled))
        }
        table.add(.post, "/api/uploads/parts/{id}/retry", "Try one part again now (a held part goes up as it is)",
                  response: .json(.ref("Upload"))) { _, context in
            JSON.response(UploadDTO(try await s.engine.retryUpload(partId: try context.id())))
        }
        table.add(.get, "/api/archives", "Archives Bilibili accepted, newest first",
                  query: [.integer("limit", "default 50", in: 1...maxPage), .integer("offset", "default 0", in: QueryParameter.offsets)],
                  response: .json(.ref("ArchivePage"))) { request, _ in
            let limit = try request.int("limit", default: 50, in: 1...maxPage)!
            let offset = try request.int("offset", default: 0, in: QueryParameter.offsets)!
            let archives = try await s.engine.submittedArchives(limit: limit, offset: offset)
            let items = try await s.store.off { store in
                try archives.map { a in
                    ArchiveDTO(a, account: try a.accountId.flatMap { try store.account(id: $0)?.name },
                               parts: try store.archiveParts(archiveId: a.id ?? 0))
                }
            }
            return JSON.response(Page(items: items, total: nil, limit: limit, offset: offset))
        }
    }
}
