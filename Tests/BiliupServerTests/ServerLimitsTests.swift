import BiliupEngine
import BiliupServer
import Foundation
import NIOCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Connections that never finish a request, too many connections or subscribers, oversized targets
/// and URLs: each bounded, with a clear answer where there is one to give.
@Suite struct ServerLimitsTests {
    @Test func idleAndHalfHeaderConnectionsAreClosed() async throws {
        try await withServer(configure: { $0.limits.headerTimeout = .seconds(1) }) { server in
            let raw = RawHTTP(port: server.port)
            let closed = try await RawHTTP.offPool { () -> [Bool] in
                let idle = try raw.connect()
                let half = try raw.connect()
                let trickle = try raw.connect()
                defer { [idle, half, trickle].forEach { close($0) } }
                try raw.write(half, "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                // A byte now and then does not keep a header open past its time.
                for _ in 0..<3 {
                    try raw.write(trickle, "a")
                    usleep(500_000)
                }
                return [idle, half, trickle].map { RawHTTP.closedByServer($0, within: 20) }
            }
            #expect(closed == [true, true, true], "idle, half header, trickle: \(closed)")
            // A keep-alive connection is kept while it works and closed when it falls quiet.
            let keptAndClosed = try await RawHTTP.offPool { () -> (Int, Bool) in
                let fd = try raw.connect()
                defer { close(fd) }
                var answers = 0
                for _ in 0..<3 {
                    try raw.write(fd, "GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    if recv(fd, &buffer, buffer.count, 0) > 0 { answers += 1 }
                }
                return (answers, RawHTTP.closedByServer(fd, within: 20))
            }
            #expect(keptAndClosed.0 == 3 && keptAndClosed.1)
            #expect(server.server.openConnections == 0 || server.server.openConnections == 1)
        }
    }

    @Test func connectionsBeyondTheCapAreClosed() async throws {
        try await withServer(configure: { $0.limits.maxConnections = 4 }) { server in
            let raw = RawHTTP(port: server.port)
            let result = try await RawHTTP.offPool { () -> (Bool, Int) in
                let held = try (0..<4).map { _ in try raw.connect() }
                defer { held.forEach { close($0) } }
                usleep(200_000)
                let extra = try raw.connect()
                defer { close(extra) }
                let refused = RawHTTP.closedByServer(extra, within: 20)
                // The held ones still work.
                try raw.write(held[0], "GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                let answer = RawHTTP.parseStatus(raw.readAll(held[0]))
                return (refused, answer)
            }
            #expect(result.0, "the fifth connection was kept open")
            #expect(result.1 == 200)
            // Once they are gone, new connections are served again.
            var served = false
            for _ in 0..<100 where !served {
                served = (try? await raw.send("GET", "/api/me").status) == 200
                if !served { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(served)
        }
    }

    @Test func webSocketsBeyondTheCapAreClosedWithTheReason() async throws {
        try await withServer(configure: { $0.maxWebSockets = 1 }) { server in
            let raw = RawHTTP(port: server.port)
            let upgrade = "GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            let (first, second) = try await RawHTTP.offPool { () -> (String, [UInt8]) in
                let a = try raw.connect()
                defer { close(a) }
                try raw.write(a, upgrade)
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = recv(a, &buffer, buffer.count, 0)
                let firstAnswer = String(decoding: buffer[0..<max(n, 0)], as: UTF8.self)
                // The first subscriber holds the one place once it receives events: until then the
                // server may not have counted it (a loaded machine took over 200 ms).
                var wait = timeval(tv_sec: 0, tv_usec: 100_000)
                setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
                var received = 0
                for _ in 0..<600 where received <= 0 {
                    server.bus.publish(EngineEvent(.state, message: "probe"))
                    received = recv(a, &buffer, buffer.count, 0)
                }
                guard received > 0 else { return (firstAnswer, []) }
                let b = try raw.connect()
                defer { close(b) }
                try raw.write(b, upgrade)
                return (firstAnswer, raw.readAll(b))
            }
            #expect(first.hasPrefix("HTTP/1.1 101"))
            let text = String(decoding: second, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 101"), "\(text.prefix(100))")
            // After the 101, a close frame: 0x88, length, code 1013, the reason.
            let blank: [UInt8] = [13, 10, 13, 10]
            guard let end = (0..<max(0, second.count - 3)).first(where: { Array(second[$0..<$0 + 4]) == blank }) else {
                Issue.record("no answer")
                return
            }
            let frame = Array(second[(end + 4)...])
            #expect(frame.first == 0x88)
            #expect(frame.count > 4 && Int(frame[2]) << 8 | Int(frame[3]) == 1013)
            #expect(text.contains("too many subscribers"))
        }
    }

    @Test func aWebSocketWithoutLoginIsA401JSON() async throws {
        try await withServer(users: rootAndViewer) { server in
            let reply = try await RawHTTP(port: server.port).send("GET", "/api/ws", headers: [
                ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")])
            #expect(reply.status == 401 && reply.errorCode == "login_required", "\(reply.status) \(reply.body)")
        }
    }

    @Test func longTargetsAndURLsAreRefused() async throws {
        try await withServer { server in
            let raw = RawHTTP(port: server.port)
            let long = try await raw.send("GET", "/api/streamers?q=" + String(repeating: "a", count: 5000))
            #expect(long.status == 414 && long.errorCode == "uri_too_long")
            let huge = "http://127.0.0.1:9/" + String(repeating: "x", count: 900_000)
            let added = try await server.request("POST", "/api/streamers", json: ["name": "huge", "url": huge])
            expectError(added, 400, "invalid_field")
            #expect(added.body.count < 1000, "the URL is not echoed back")
            let options = try await server.request("POST", "/api/streamers", json: ["name": "opts", "url": deadURL("o"),
                                                                                    "options": ["cookie": String(repeating: "c", count: 20_000)]])
            expectError(options, 400, "invalid_field")
        }
    }

    @Test func answersCarrySafetyHeadersAndA405NamesItsMethods() async throws {
        try await withServer { server in
            let r = try server.recordedSegment()
            let file = try await server.request("GET", "/api/segments/\(r.segment.id!)/file")
            #expect(file.status == 200)
            #expect(file.header("X-Content-Type-Options") == "nosniff")
            let error = try await server.request("GET", "/api/nothing")
            #expect(error.header("X-Content-Type-Options") == "nosniff")
            let wrong = try await server.request("PATCH", "/api/streamers")
            expectError(wrong, 405, "method_not_allowed")
            #expect(wrong.header("Allow") == "GET, POST")
        }
    }

    @Test func theLoginCookieIsSecureBehindATLSProxy() async throws {
        try await withServer(users: rootAndViewer) { server in
            let plain = try await server.request("POST", "/api/login", json: ["username": "root", "password": "rootpass1"])
            #expect(plain.header("Set-Cookie")?.contains("Secure") == false)
            let proxied = try await server.request("POST", "/api/login", json: ["username": "root", "password": "rootpass1"],
                                                   headers: ["X-Forwarded-Proto": "https"])
            let cookie = proxied.header("Set-Cookie") ?? ""
            #expect(cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
        }
    }

    @Test func onlyAdminsChangeWhereFilesGo() async throws {
        try await withServer(users: rootAndViewer) { server in
            let viewer = try await server.login("viewer", "viewerpass")
            let admin = try await server.login("root", "rootpass1")
            let config = try await server.request("PUT", "/api/config", json: ["output": "{streamer}/x_%H%M%S"], token: viewer)
            expectError(config, 403, "forbidden")
            #expect(config.errorMessage?.contains("output") == true)
            #expect(try await server.request("PUT", "/api/config", json: ["format": "ts"], token: viewer).status == 200)
            let streamer = try await server.request("POST", "/api/streamers", json: ["name": "v", "url": deadURL("v"),
                                                                                     "overrides": ["output": "{streamer}/y"]], token: viewer)
            expectError(streamer, 403, "forbidden")
            #expect(try await server.request("PUT", "/api/config", json: ["output": "{streamer}/x_%H%M%S"], token: admin).status == 200)
        }
    }
}

extension RawHTTP {
    static func parseStatus(_ bytes: [UInt8]) -> Int {
        (try? parse(bytes).status) ?? 0
    }
}
