import BiliupNet
import BiliupTestSupport
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct UploadTransferTests {
    /// Answers with what arrived: the body echoed, the method, length and Expect/Content-Type headers as headers.
    private static func echo(_ req: LoopbackRequest, _ w: ResponseWriter, status: Int = 200) {
        w.send(status: status, headers: ["X-Method": req.method, "X-Length": req.headers["content-length"] ?? "none",
                                         "X-Expect": req.headers["expect"] ?? "none",
                                         "X-Content-Type": req.headers["content-type"] ?? "none"],
               body: req.body)
    }

    @Test func putBodyArrivesByteIdenticalWithItsLengthAndNoExpect() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/chunk") { req, w in Self.echo(req, w) }
        let body = OwnedBody(count: 3 << 20, seed: 7)
        defer { body.free() }
        let reports = Mutex<[Int]>([])

        let r = try await HTTPClient.upload(HTTPRequest(url: "\(server.baseURL)/chunk?partNumber=1", method: "PUT"),
                                            body: body.bytes, progress: { n in reports.withLock { $0.append(n) } }).get()
        #expect(r.status == 200)
        #expect(r.headers["x-method"] == "PUT")
        #expect(r.headers["x-length"] == "\(body.count)")
        #expect(r.headers["x-expect"] == "none")
        #expect(r.headers["x-content-type"] == "none")
        #expect(r.body == Array(body.bytes))
        let seen = reports.withLock { $0 }
        #expect(seen.last == body.count)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func postKeepsTheCallersContentTypeAndAnErrorStatusIsAResponse() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/complete") { req, w in Self.echo(req, w, status: 500) }
        let body = OwnedBody(count: 1000, seed: 1)
        defer { body.free() }

        let request = HTTPRequest(url: "\(server.baseURL)/complete", method: "POST", headers: [("Content-Type", "application/json")])
        let r = try await HTTPClient.upload(request, body: body.bytes).get()
        #expect(r.status == 500)
        #expect(r.headers["x-method"] == "POST")
        #expect(r.headers["x-content-type"] == "application/json")
        #expect(r.body == Array(body.bytes))
    }

    @Test func emptyBodySendsZeroLength() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/empty") { req, w in Self.echo(req, w) }
        let r = try await HTTPClient.upload(HTTPRequest(url: "\(server.baseURL)/empty", method: "PUT"),
                                            body: UnsafeRawBufferPointer(start: nil, count: 0)).get()
        #expect(r.headers["x-length"] == "0")
        #expect(r.body.isEmpty)
    }

    @Test func concurrentUploadsEachArriveIntact() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/chunk") { req, w in Self.echo(req, w) }
        let bodies = (0..<4).map { OwnedBody(count: 2 << 20, seed: UInt8($0 + 1)) }
        defer { bodies.forEach { $0.free() } }

        let intact = await withTaskGroup(of: Bool.self) { group in
            for (i, body) in bodies.enumerated() {
                group.addTask {
                    let r = await HTTPClient.upload(HTTPRequest(url: "\(server.baseURL)/chunk?partNumber=\(i)", method: "PUT"),
                                                    body: body.bytes)
                    guard case .success(let response) = r else { return false }
                    return response.status == 200 && response.body == Array(body.bytes)
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(intact == [true, true, true, true])
    }

    @Test func cancellingTheTaskAbortsATransferAwaitingItsAnswer() async throws {
        let server = try LoopbackHTTPServer()
        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        defer {
            release.signal()
            server.stop()
        }
        server.route("/slow") { _, w in
            arrived.signal()
            release.wait()
            w.send(status: 200)
        }
        let body = OwnedBody(count: 1 << 20, seed: 3)
        defer { body.free() }

        // Only the cancel may end it: a busy machine can take longer than the default 20 s to get from
        // the server's arrival to the cancel.
        let request = HTTPRequest(url: "\(server.baseURL)/slow", method: "PUT", timeout: .seconds(600))
        let task = Task { await HTTPClient.upload(request, body: body.bytes) }
        let reached = await onThread { arrived.wait(timeout: .now() + 120) == .success }
        #expect(reached)
        task.cancel()
        let result = await task.value
        #expect(result.failureValue == .cancelled, "\(result)")
    }

    @Test func anAlreadyCancelledTaskSendsNothing() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let requests = server.countRequests(answering: 200)
        let body = OwnedBody(count: 1000, seed: 4)
        defer { body.free() }

        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await HTTPClient.upload(HTTPRequest(url: "\(server.baseURL)/x", method: "PUT"), body: body.bytes)
        }
        #expect(await task.value.failureValue == .cancelled)
        #expect(requests.count == 0)
    }

    @Test func aBodyInTheRequestOrABodylessMethodIsRefused() async throws {
        let body = OwnedBody(count: 10, seed: 5)
        defer { body.free() }
        let doubled = await HTTPClient.upload(HTTPRequest(url: "http://127.0.0.1:1/x", method: "PUT", body: [1]), body: body.bytes)
        guard case .failure(.invalidRequest) = doubled else { Issue.record("expected invalidRequest, got \(doubled)"); return }
        let get = await HTTPClient.upload(HTTPRequest(url: "http://127.0.0.1:1/x"), body: body.bytes)
        guard case .failure(.invalidRequest) = get else { Issue.record("expected invalidRequest, got \(get)"); return }
    }
}

/// Memory the test owns across awaits, as the uploader's chunk buffers are: a byte pattern that differs per seed.
private struct OwnedBody: @unchecked Sendable {
    let storage: UnsafeMutableRawBufferPointer
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(storage) }
    var count: Int { storage.count }

    init(count: Int, seed: UInt8) {
        storage = .allocate(byteCount: count, alignment: 16)
        for i in 0..<count { storage[i] = UInt8(truncatingIfNeeded: i % 251) &+ seed &* UInt8(truncatingIfNeeded: i >> 16) }
    }

    func free() { storage.deallocate() }
}
