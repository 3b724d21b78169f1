import BiliupNet
import BiliupTestSupport
import Foundation
import Testing

@Suite struct HTTPClientTests {
    @Test func fetchReturnsStatusHeadersAndBody() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/hello") { req, w in
            w.send(status: 200, headers: ["Content-Type": "text/plain", "X-Seen-Agent": req.headers["user-agent"] ?? ""],
                   body: Data("hello \(req.query["name"] ?? "")".utf8))
        }
        server.route("/moved") { _, w in w.send(status: 302, headers: ["Location": "/hello?name=moved"]) }
        server.route("/echo") { req, w in w.send(status: 201, body: req.body) }

        let r = try await HTTPClient.fetch(HTTPRequest(url: "\(server.baseURL)/hello?name=x")).get()
        #expect(r.status == 200)
        #expect(r.text == "hello x")
        #expect(r.headers["content-type"] == "text/plain")
        #expect(r.headers["x-seen-agent"]?.hasPrefix("Mozilla/5.0") == true)

        let moved = try await HTTPClient.fetch(HTTPRequest(url: "\(server.baseURL)/moved")).get()
        #expect(moved.text == "hello moved")
        #expect(moved.effectiveURL.hasSuffix("/hello?name=moved"))

        let posted = try await HTTPClient.fetch(HTTPRequest(url: "\(server.baseURL)/echo", method: "POST",
                                                            body: Array("payload".utf8))).get()
        #expect(posted.status == 201)
        #expect(posted.text == "payload")
    }

    @Test func errorsSayWhatHappened() async throws {
        let refused = await HTTPClient.fetch(HTTPRequest(url: "http://127.0.0.1:\(LoopbackHTTPServer.unusedPort())/x"))
        guard case .failure(.connect) = refused else { Issue.record("expected a connect error, got \(refused)"); return }

        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/big") { _, w in w.send(status: 200, body: Data(count: 200_000)) }
        var req = HTTPRequest(url: "\(server.baseURL)/big")
        req.maxBodyBytes = 100_000
        let big = await HTTPClient.fetch(req)
        #expect(big.failureValue == .tooLarge(limit: 100_000))

        let bad = await HTTPClient.fetch(HTTPRequest(url: "not a url"))
        #expect(bad.failureValue == .invalidURL("not a url"))
    }

    /// A consumer that stops reading must hold the transfer to a fixed amount of memory, then get every byte.
    @Test func streamingBodyPausesWhenTheReaderFallsBehind() async throws {
        let total = 24 << 20
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/bulk") { _, w in
            guard w.sendHead(status: 200, headers: ["Content-Type": "application/octet-stream"]) else { return }
            var sent = 0
            while sent < total {
                let chunk = Data((0..<65536).map { UInt8(truncatingIfNeeded: (sent + $0) % 251) })
                guard w.write(chunk) else { return }
                sent += chunk.count
            }
            w.close()
        }
        let t = try HTTPClient.openStream(HTTPRequest(url: "\(server.baseURL)/bulk"))
        guard case .success(let head) = await onThread({ t.waitForResponse(timeout: .seconds(10)) }) else {
            Issue.record("no response"); return
        }
        #expect(head.status == 200)
        try await Task.sleep(for: .seconds(1))  // reader asleep: the transfer must pause, not buffer
        #expect(t.receivedBytes <= Int64(StreamTransfer.ringBytes))

        let (offset, intact, failure) = await onThread { () -> (Int, Bool, NetError?) in
            var buf = [UInt8](repeating: 0, count: 100_000)
            var offset = 0
            var intact = true
            while true {
                let r = buf.withUnsafeMutableBytes { t.read(into: $0.baseAddress!, capacity: $0.count, timeout: .seconds(10)) }
                switch r {
                case .bytes(let n):
                    for i in 0..<n where buf[i] != UInt8(truncatingIfNeeded: (offset + i) % 251) { intact = false }
                    offset += n
                case .end: return (offset, intact, nil)
                case .failed(let e): return (offset, intact, e)
                }
            }
        }
        #expect(failure == nil)
        #expect(offset == total)
        #expect(intact)
    }

    @Test func streamThatGoesQuietIsReportedAsStalled() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/quiet") { _, w in
            guard w.sendHead(status: 200) else { return }
            _ = w.write(Data("FLV".utf8))
            Thread.sleep(forTimeInterval: 3)
            w.close()
        }
        let t = try HTTPClient.openStream(HTTPRequest(url: "\(server.baseURL)/quiet"))
        let (first, second) = await onThread { () -> (StreamTransfer.ReadResult, StreamTransfer.ReadResult) in
            var buf = [UInt8](repeating: 0, count: 16)
            let first = buf.withUnsafeMutableBytes { t.read(into: $0.baseAddress!, capacity: 16, timeout: .seconds(2)) }
            let second = buf.withUnsafeMutableBytes { t.read(into: $0.baseAddress!, capacity: 16, timeout: .milliseconds(500)) }
            return (first, second)
        }
        #expect(first == .bytes(3))
        #expect(second == .failed(.stalled(seconds: 0.5)))
        t.cancel()
    }

    @Test func streamErrorStatusIsAFailure() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let t = try HTTPClient.openStream(HTTPRequest(url: "\(server.baseURL)/missing"))
        let head = await onThread { t.waitForResponse(timeout: .seconds(5)) }
        guard case .failure(.httpStatus(404, _)) = head else { Issue.record("expected HTTP 404, got \(head)"); return }
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
