import BiliupStore
import BiliupTestSupport
import Foundation
import Synchronization
import Testing

/// `/api/webhooks`: admins only; secrets written, never read back; bad input (a non-http URL, a private
/// host while `block_private_addresses` is on, fields too large, unknown fields) a clear 4xx naming the
/// field; main.lua's webhooks read-only; a test delivery that reaches a real receiver.
@Suite struct WebhookRoutesTests {
    @Test func onlyAdminsSeeOrChangeWebhooks() async throws {
        try await withServer(users: rootAndViewer) { server in
            let viewer = try await server.login("viewer", "viewerpass")
            let anonymous = try await server.request("GET", "/api/webhooks")
            #expect(anonymous.status == 401 && anonymous.errorCode == "login_required")
            for (method, path) in [("GET", "/api/webhooks"), ("POST", "/api/webhooks"), ("PUT", "/api/webhooks/1"),
                                   ("DELETE", "/api/webhooks/1"), ("POST", "/api/webhooks/1/test")] {
                let json: Any? = ["POST", "PUT"].contains(method) ? ["url": "https://hooks.example.com/x"] : nil
                let reply = try await server.request(method, path, json: json, token: viewer)
                #expect(reply.status == 403 && reply.errorCode == "forbidden", "\(method) \(path) as viewer: \(reply.status)")
            }
            #expect(try server.store.webhooks().isEmpty)
        }
    }

    @Test func addListChangeAndDelete() async throws {
        try await withServer(users: rootAndViewer) { server in
            let admin = try await server.login("root", "rootpass1")
            let made = try await server.request("POST", "/api/webhooks", json: [
                "url": "https://hooks.example.com/biliup", "events": ["segment", "stream_end", "segment"], "secret": "topsecret",
            ], token: admin)
            #expect(made.status == 201, "\(made.status) \(String(decoding: made.body, as: UTF8.self))")
            #expect(made.json["name"] as? String == "https://hooks.example.com/biliup", "the name defaults to the URL")
            #expect(made.json["events"] as? [String] == ["segment", "stream_end"], "duplicates dropped")
            #expect(made.json["has_secret"] as? Bool == true && made.json["origin"] as? String == "api")
            #expect(!String(decoding: made.body, as: UTF8.self).contains("topsecret"), "the secret is never read back")
            let id = try #require(integer(made.json["id"]))

            let list = try await server.request("GET", "/api/webhooks", token: admin)
            #expect(list.status == 200 && list.items.count == 1)
            #expect(list.items.first?["delivered"] as? Int == 0 && list.items.first?["queued"] as? Int == 0)
            #expect(!String(decoding: list.body, as: UTF8.self).contains("topsecret"))

            let changed = try await server.request("PUT", "/api/webhooks/\(id)", json: ["name": "ops", "events": ["error"], "secret": ""], token: admin)
            #expect(changed.status == 200, "\(String(decoding: changed.body, as: UTF8.self))")
            #expect(changed.json["name"] as? String == "ops" && changed.json["events"] as? [String] == ["error"])
            #expect(changed.json["has_secret"] as? Bool == false)
            #expect(try server.store.webhooks().first?.url == "https://hooks.example.com/biliup")

            let second = try await server.request("POST", "/api/webhooks", json: ["url": "https://other.example/x", "name": "ops"], token: admin)
            #expect(second.status == 409, "a name is one webhook's: \(second.status)")

            #expect(try await server.request("DELETE", "/api/webhooks/\(id)", token: admin).status == 204)
            #expect(try await server.request("DELETE", "/api/webhooks/\(id)", token: admin).status == 404)
            #expect(try await server.request("PUT", "/api/webhooks/\(id)", json: ["name": "x"], token: admin).status == 404)
        }
    }

    @Test func badInputIsAClear4xx() async throws {
        try await withServer(users: rootAndViewer) { server in
            let admin = try await server.login("root", "rootpass1")
            let cases: [(body: Any, status: Int, field: String)] = [
                (["events": ["segment"]], 400, "url"),
                (["url": "ftp://hooks.example.com/x"], 400, "url"),
                (["url": "file:///etc/passwd"], 400, "url"),
                (["url": "gopher://127.0.0.1:6379/_FLUSHALL"], 400, "url"),
                (["url": "javascript:alert(1)"], 400, "url"),
                (["url": "https://hooks.example.com/x\r\nX-Injected: 1"], 400, "url"),
                (["url": "https://hooks.example.com/" + String(repeating: "a", count: 5000)], 400, "url"),
                (["url": "https://hooks.example.com/x", "events": ["segment", "rm -rf"]], 400, "events"),
                (["url": "https://hooks.example.com/x", "events": [String]()], 400, "events"),
                (["url": "https://hooks.example.com/x", "secret": String(repeating: "s", count: 10_000)], 400, "secret"),
                (["url": "https://hooks.example.com/x", "name": String(repeating: "n", count: 500)], 400, "name"),
                (["url": "https://hooks.example.com/x", "name": "a\u{7}b"], 400, "name"),
                (["url": "https://hooks.example.com/x", "secrett": "x"], 400, "secrett"),
                (["url": 42], 400, "url"),
            ]
            for c in cases {
                let reply = try await server.request("POST", "/api/webhooks", json: c.body, token: admin)
                #expect(reply.status == c.status, "\(String(describing: c.body).prefix(120)): \(reply.status) \(reply.errorMessage ?? "")")
                #expect((reply.errorMessage ?? "").contains(c.field), "\(String(describing: c.body).prefix(120)): \(reply.errorMessage ?? "")")
            }
            let huge = try await server.request("POST", "/api/webhooks", json: ["url": "https://x.example/", "secret": String(repeating: "s", count: 2 << 20)], token: admin)
            #expect(huge.status == 413, "\(huge.status)")
            let notJSON = try await server.request("POST", "/api/webhooks", json: "{not json", token: admin)
            #expect(notJSON.status == 400)
            #expect(try server.store.webhooks().isEmpty, "nothing bad was stored")
        }
    }

    @Test func privateHostsAreRefusedWhileBlockPrivateAddressesIsOn() async throws {
        try await withServer(users: rootAndViewer) { server in
            let admin = try await server.login("root", "rootpass1")
            let local = try await server.request("POST", "/api/webhooks", json: ["url": "http://127.0.0.1:9/x", "name": "local"], token: admin)
            #expect(local.status == 201, "off (the default), a local receiver is the user's own: \(local.status)")
            #expect(try await server.request("PUT", "/api/config", json: ["block_private_addresses": true], token: admin).status == 200)
            for url in ["http://127.0.0.1:6379/", "http://localhost/x", "http://[::1]/x", "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data",
                        "http://192.168.0.1/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/"] {
                let reply = try await server.request("POST", "/api/webhooks", json: ["url": url], token: admin)
                #expect(reply.status == 400 && (reply.errorMessage ?? "").contains("block_private_addresses"), "\(url): \(reply.status) \(reply.errorMessage ?? "")")
            }
            let id = try #require(integer(local.json["id"]))
            let moved = try await server.request("PUT", "/api/webhooks/\(id)", json: ["url": "http://192.168.1.1/x"], token: admin)
            #expect(moved.status == 400)
            let test = try await server.request("POST", "/api/webhooks/\(id)/test", token: admin)
            #expect(test.status == 200 && test.json["delivered"] as? Bool == false, "\(String(decoding: test.body, as: UTF8.self))")
            #expect((test.json["error"] as? String ?? "").contains("block_private_addresses"), "refused at connect too: \(test.json)")
            let public_ = try await server.request("POST", "/api/webhooks", json: ["url": "https://hooks.example.com/x"], token: admin)
            #expect(public_.status == 201)
        }
    }

    @Test func aTestDeliveryReachesTheReceiverSigned() async throws {
        let receiver = try LoopbackHTTPServer()
        defer { receiver.stop() }
        let got = Mutex<[LoopbackRequest]>([])
        receiver.route("/hook") { request, response in
            got.withLock { $0.append(request) }
            response.send(status: 202)
        }
        try await withServer(users: rootAndViewer) { server in
            let admin = try await server.login("root", "rootpass1")
            let made = try await server.request("POST", "/api/webhooks", json: ["url": "\(receiver.baseURL)/hook", "secret": "k"], token: admin)
            let id = try #require(integer(made.json["id"]))
            let test = try await server.request("POST", "/api/webhooks/\(id)/test", token: admin)
            #expect(test.status == 200 && test.json["delivered"] as? Bool == true && test.json["status"] as? Int == 202, "\(test.json)")
            let request = try #require(got.withLock { $0.first })
            #expect(request.headers["x-biliup-event"] == "test")
            #expect(request.headers["x-biliup-delivery"] == test.json["delivery"] as? String)
            #expect(request.headers["x-biliup-signature"]?.hasPrefix("sha256=") == true)
            #expect(try await server.request("POST", "/api/webhooks/999/test", token: admin).status == 404)
        }
    }

    @Test func mainLuasWebhooksAreListedAndReadOnly() async throws {
        try await withServer(users: rootAndViewer) { server in
            let admin = try await server.login("root", "rootpass1")
            try server.store.syncScriptWebhooks([WebhookRecord(name: "from-lua", origin: .script, url: "https://hooks.example.com/lua",
                                                               events: ["segment"], secret: "x")])
            let list = try await server.request("GET", "/api/webhooks", token: admin)
            let item = try #require(list.items.first)
            #expect(item["origin"] as? String == "script" && item["has_secret"] as? Bool == true)
            let id = try #require(integer(item["id"]))
            let change = try await server.request("PUT", "/api/webhooks/\(id)", json: ["name": "mine"], token: admin)
            #expect(change.status == 409 && change.errorCode == "declared_in_script", "\(change.status)")
            #expect(try await server.request("DELETE", "/api/webhooks/\(id)", token: admin).status == 409)
        }
    }
}
