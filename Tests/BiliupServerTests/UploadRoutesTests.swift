import BiliupServer
import BiliupStore
import BiliupValues
import Foundation
import Testing

/// The upload queue and the submitted archives as the API shows and changes them, over a queue
/// written to the store as the engine writes it (this server has no uploader: nothing moves by itself).
@Suite struct UploadRoutesTests {
    struct Queue {
        let failed: ArchiveRecord
        let failedParts: [ArchivePartRecord]
        let held: ArchiveRecord
        let heldPart: ArchivePartRecord
        let submitted: ArchiveRecord
    }

    private func fillQueue(_ server: TestServer) throws -> Queue {
        let store = server.store
        let failed = try store.addArchive(ArchiveRecord(accountId: nil, sessionId: nil, template: "game", title: "Failed archive", studio: ["tid": 171],
                                                        state: .failed, tries: 4, error: "submit: code 21003"))
        let failedParts = [
            try store.addArchivePart(ArchivePartRecord(archiveId: failed.id!, position: 0, segmentId: nil, path: "/rec/a.flv", title: "P1",
                                                       state: .uploaded, bytes: 1000)),
            try store.addArchivePart(ArchivePartRecord(archiveId: failed.id!, position: 1, segmentId: nil, path: "/rec/b.flv", title: "P2",
                                                       state: .failed, tries: 3, nextTryAt: Date() + 600, error: "chunk 2: HTTP 500", bytes: 2000)),
        ]
        let held = try store.addArchive(ArchiveRecord(accountId: nil, sessionId: nil, template: "game", title: "Held archive", studio: [:], state: .held))
        let heldPart = try store.addArchivePart(ArchivePartRecord(archiveId: held.id!, position: 0, segmentId: nil, path: "/rec/c.flv", title: "P1",
                                                                  state: .held, error: "codec changed mid-file", bytes: 3000))
        var submitted = try store.addArchive(ArchiveRecord(accountId: nil, sessionId: nil, template: "game", title: "Done archive", studio: [:]))
        _ = try store.addArchivePart(ArchivePartRecord(archiveId: submitted.id!, position: 0, segmentId: nil, path: "/rec/d.flv", title: "P1",
                                                       state: .uploaded, bytes: 4000))
        submitted.state = .submitted
        submitted.aid = 170_001
        submitted.bvid = "BV17x411w7KC"
        submitted.submittedAt = Date()
        submitted = try store.updateArchive(submitted)
        return Queue(failed: failed, failedParts: failedParts, held: held, heldPart: heldPart, submitted: submitted)
    }

    @Test func theQueueIsListedRetriedAndCancelled() async throws {
        try await withServer(users: rootAndViewer) { server in
            let token = try await server.login("viewer", "viewerpass")
            let queue = try fillQueue(server)
            let validator = try OpenAPIValidator(document: try await server.request("GET", "/api/openapi.json").body)

            let list = try await server.request("GET", "/api/uploads", token: token)
            expectDocumented(validator, list, "GET", "/api/uploads", status: 200)
            #expect(list.items.map { integer($0["id"]) } == [queue.failed.id, queue.held.id], "submitted archives are not in the queue")
            let failed = try #require(list.items.first)
            #expect(failed["state"] as? String == "failed" && failed["error"] as? String == "submit: code 21003" && integer(failed["tries"]) == 4)
            let parts = try #require(failed["parts"] as? [[String: Any]])
            #expect(parts.map { $0["state"] as? String } == ["uploaded", "failed"])
            #expect(parts[1]["error"] as? String == "chunk 2: HTTP 500" && number(parts[1]["next_try_at"]) != nil && integer(parts[1]["bytes"]) == 2000)
            expectNull(parts[1], "sent", "not uploading:")

            let retried = try await server.request("POST", "/api/uploads/\(queue.failed.id!)/retry", token: token)
            expectDocumented(validator, retried, "POST", "/api/uploads/{id}/retry", status: 200)
            #expect(retried.json["state"] as? String == "ready", "no recording goes on: ready to submit once its parts are up")
            let retriedParts = try #require(retried.json["parts"] as? [[String: Any]])
            #expect(retriedParts.map { $0["state"] as? String } == ["uploaded", "queued"])
            #expect(integer(retriedParts[1]["tries"]) == 0)
            expectNull(retriedParts[1], "error")

            let part = try await server.request("POST", "/api/uploads/parts/\(queue.heldPart.id!)/retry", token: token)
            expectDocumented(validator, part, "POST", "/api/uploads/parts/{id}/retry", status: 200)
            #expect(integer(part.json["id"]) == queue.held.id && (part.json["parts"] as? [[String: Any]])?.first?["state"] as? String == "queued")
            let uploadedPart = try await server.request("POST", "/api/uploads/parts/\(queue.failedParts[0].id!)/retry", token: token)
            #expect(uploadedPart.status == 409, "an uploaded part is not uploaded again: \(uploadedPart.text)")

            let cancelled = try await server.request("POST", "/api/uploads/\(queue.held.id!)/cancel", token: token)
            expectDocumented(validator, cancelled, "POST", "/api/uploads/{id}/cancel", status: 200)
            #expect(cancelled.json["state"] as? String == "failed" && cancelled.json["error"] as? String == "cancelled by the user")
            #expect(try server.store.archivePart(id: queue.heldPart.id!)?.state == .failed)

            let submitted = try await server.request("POST", "/api/uploads/\(queue.submitted.id!)/retry", token: token)
            #expect(submitted.status == 409 && submitted.errorMessage?.contains("BV17x411w7KC") == true, "\(submitted.text)")
            #expect(try await server.request("POST", "/api/uploads/999/cancel", token: token).status == 404)
            #expect(try await server.request("POST", "/api/uploads/parts/999/retry", token: token).status == 404)
        }
    }

    @Test func submittedArchivesArePagedWithTheirBilibiliLinks() async throws {
        try await withServer(users: rootAndViewer) { server in
            let token = try await server.login("viewer", "viewerpass")
            let queue = try fillQueue(server)
            let validator = try OpenAPIValidator(document: try await server.request("GET", "/api/openapi.json").body)
            let page = try await server.request("GET", "/api/archives", token: token)
            expectDocumented(validator, page, "GET", "/api/archives", status: 200)
            #expect(page.items.map { integer($0["id"]) } == [queue.submitted.id])
            let archive = try #require(page.items.first)
            #expect(archive["bvid"] as? String == "BV17x411w7KC" && integer(archive["aid"]) == 170_001)
            #expect(archive["url"] as? String == "https://www.bilibili.com/video/BV17x411w7KC")
            #expect((archive["parts"] as? [[String: Any]])?.map { $0["path"] as? String } == ["/rec/d.flv"])
            #expect(integer(page.json["limit"]) == 50 && integer(page.json["offset"]) == 0)
            #expect(try await server.request("GET", "/api/archives?offset=1", token: token).items.isEmpty)
            #expect(try await server.request("GET", "/api/archives?limit=0", token: token).status == 400)
        }
    }
}
