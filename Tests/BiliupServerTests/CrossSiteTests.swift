import BiliupServer
import Foundation
import Testing

/// Another web page the user visits, and a host name rebound to 127.0.0.1, must not drive the API,
/// with or without users; clients that are not browsers keep working.
@Suite struct CrossSiteTests {
    static let evil = "http://evil.example"

    @Test(arguments: [false, true]) func aPageOfAnotherSiteChangesNothing(withUsers: Bool) async throws {
        try await withServer(users: withUsers ? rootAndViewer : []) { server in
            let token = withUsers ? try await server.login("root", "rootpass1") : nil
            let auth = token.map { [("Authorization", "Bearer \($0)")] } ?? []
            let cookie = token.map { [("Cookie", "biliup_session=\($0)")] } ?? []
            let raw = RawHTTP(port: server.port)
            let body = #"{"name":"planted","url":"http://127.0.0.1:9/x.flv"}"#
            // A form post a page can send without asking: text/plain, its own Origin.
            let simple = try await raw.send("POST", "/api/streamers", headers: [("Origin", Self.evil), ("Content-Type", "text/plain")] + cookie, body: body)
            #expect(simple.status == 403 && simple.errorCode == "cross_site", "\(simple.status) \(simple.body)")
            // The same without Origin but as text/plain: still not JSON, so still refused.
            let plain = try await raw.send("POST", "/api/streamers", headers: [("Content-Type", "text/plain")] + auth, body: body)
            #expect(plain.status == 415 && plain.errorCode == "unsupported_media_type", "\(plain.status)")
            let form = try await raw.send("POST", "/api/streamers", headers: [("Content-Type", "application/x-www-form-urlencoded")] + auth, body: "name=x")
            #expect(form.status == 415)
            // Another port of this machine is another origin; Sec-Fetch-Site says so without Origin too.
            let otherPort = try await raw.send("POST", "/api/streamers",
                                               headers: [("Origin", "http://127.0.0.1:8080"), ("Content-Type", "application/json")] + cookie, body: body)
            #expect(otherPort.status == 403 && otherPort.errorCode == "cross_site")
            for site in ["cross-site", "same-site"] {
                let fetched = try await raw.send("GET", "/api/status", headers: [("Sec-Fetch-Site", site)] + cookie)
                #expect(fetched.status == 403, "\(site): \(fetched.status)")
            }
            let nullOrigin = try await raw.send("DELETE", "/api/streamers/1", headers: [("Origin", "null")] + cookie)
            #expect(nullOrigin.status == 403)
            #expect(try await server.request("GET", "/api/streamers", token: token).items.isEmpty)

            // The page's own origin, and a script with no Origin at all, work.
            let own = try await raw.send("POST", "/api/streamers", headers: [("Origin", "http://127.0.0.1:\(server.port)"),
                                                                              ("Sec-Fetch-Site", "same-origin"),
                                                                              ("Content-Type", "application/json")] + cookie, body: body)
            #expect(own.status == 201, "\(own.status) \(own.body)")
            let script = try await server.request("POST", "/api/streamers", json: ["name": "script", "url": deadURL("s")], token: token)
            #expect(script.status == 201)
            let bodyless = try await raw.send("POST", "/api/streamers/\(integer(script.json["id"]) ?? 0)/pause", headers: auth)
            #expect(bodyless.status == 200, "a POST without a body needs no Content-Type: \(bodyless.status)")
        }
    }

    @Test(arguments: [false, true]) func aReboundHostNameIsRefused(withUsers: Bool) async throws {
        try await withServer(users: withUsers ? rootAndViewer : []) { server in
            let token = withUsers ? try await server.login("root", "rootpass1") : nil
            let auth = token.map { [("Authorization", "Bearer \($0)")] } ?? []
            let raw = RawHTTP(port: server.port)
            let rebound = [("Host", "rebind.evil.example:\(server.port)")]
            let read = try await raw.send("GET", "/api/status", headers: rebound + auth)
            #expect(read.status == 403 && read.errorCode == "unknown_host", "\(read.status) \(read.body)")
            let write = try await raw.send("PUT", "/api/config", headers: rebound + auth + [("Content-Type", "application/json")], body: #"{"format":"ts"}"#)
            #expect(write.status == 403)
            let page = try await raw.send("GET", "/", headers: rebound)
            #expect(page.status == 403, "the web page is not served under a rebound name either")
            let socket = try await raw.send("GET", "/api/ws", headers: rebound + auth + [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                                                                          ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                                                                                          ("Sec-WebSocket-Version", "13")])
            #expect(socket.status == 403, "WebSocket under a rebound name: \(socket.status)")
            let foreignOrigin = try await raw.send("GET", "/api/ws", headers: auth + [("Origin", Self.evil), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                                                                      ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                                                                                      ("Sec-WebSocket-Version", "13")])
            #expect(foreignOrigin.status == 403, "WebSocket from another origin: \(foreignOrigin.status)")
            // Loopback names and IP literals are served.
            for host in ["localhost:\(server.port)", "127.0.0.1:\(server.port)", "[::1]:\(server.port)", "LOCALHOST"] {
                #expect(try await raw.send("GET", "/api/status", headers: [("Host", host)] + auth).status == 200, "\(host)")
            }
            #expect(try await raw.send("GET", "/api/status", headers: [("Host", "a b")] + auth).status != 200)
        }
    }

    @Test func configuredHostNamesAreServed() async throws {
        try await withServer(configure: { $0.hosts = ["recorder.lan", "biliup.example.com:443"] }) { server in
            let raw = RawHTTP(port: server.port)
            #expect(try await raw.send("GET", "/api/status", headers: [("Host", "recorder.lan:\(server.port)")]).status == 200)
            #expect(try await raw.send("GET", "/api/status", headers: [("Host", "biliup.example.com")]).status == 200)
            let proxied = try await raw.send("POST", "/api/streamers", headers: [("Host", "biliup.example.com"), ("Origin", "https://biliup.example.com"),
                                                                                  ("Content-Type", "application/json")],
                                             body: #"{"name":"viaproxy","url":"http://127.0.0.1:9/x.flv"}"#)
            #expect(proxied.status == 201, "the page served through a TLS proxy under its configured name: \(proxied.status) \(proxied.body)")
            #expect(try await raw.send("GET", "/api/status", headers: [("Host", "other.lan")]).status == 403)
        }
    }
}
