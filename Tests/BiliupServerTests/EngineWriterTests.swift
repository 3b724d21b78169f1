import BiliupEngine
import BiliupStore
import Foundation
import Testing

/// Templates, users and tokens change through the engine's commands, which publish what changed
/// (and never a secret): the API, the WebSocket, the log and hooks all see one stream of changes.
@Suite struct EngineWriterTests {
    @Test func everyChangeThroughTheAPIIsAnEvent() async throws {
        let server = try await TestServer.start(users: [("root", "correct horse", true)])
        let events = server.bus.subscribe()
        let token = try await server.login("root", "correct horse")

        let made = try await server.request("POST", "/api/templates", json: ["name": "daily", "fields": ["tid": 171]], token: token)
        #expect(made.status == 201)
        let templateId = try #require(made.json["id"] as? Int)
        #expect(try await server.request("PUT", "/api/templates/\(templateId)", json: ["name": "nightly"], token: token).status == 200)
        #expect(try await server.request("DELETE", "/api/templates/\(templateId)", token: token).status == 204)
        let user = try await server.request("POST", "/api/users", json: ["name": "viewer", "password": "long enough"], token: token)
        #expect(user.status == 201)
        let userId = try #require(user.json["id"] as? Int)
        #expect(try await server.request("PUT", "/api/users/\(userId)", json: ["admin": true], token: token).status == 200)
        let apiToken = try await server.request("POST", "/api/tokens", json: ["name": "ci"], token: token)
        #expect(apiToken.status == 201)
        let secret = try #require(apiToken.json["token"] as? String)
        let tokenId = try #require(apiToken.json["id"] as? Int)
        #expect(try await server.request("DELETE", "/api/tokens/\(tokenId)", token: token).status == 204)
        #expect(try await server.request("DELETE", "/api/users/\(userId)", token: token).status == 204)
        #expect(try await server.request("POST", "/api/logout", token: token).status == 204)

        let expected = [
            "user 'root' logged in",
            "template 'daily' added through the API",
            "template 'nightly' changed through the API",
            "template 'nightly' deleted through the API",
            "user 'viewer' added",
            "user 'viewer' changed: admin true",
            "API token 'ci' made for user 'root'",
            "API token 'ci' revoked",
            "user 'viewer' deleted",
        ]
        var seen: [EngineEvent] = []
        for await event in events where event.kind == .config {
            seen.append(event)
            if event.message.contains("logged out") { break }
        }
        #expect(Array(seen.map(\.message).prefix(expected.count)) == expected)
        #expect(seen.last?.message == "user 'root' logged out")
        #expect(!seen.contains { $0.message.contains(secret) || $0.message.contains(token) })
        await server.stop()
    }

    @Test func aScriptTemplateIsRefusedByTheEngineWithItsFile() async throws {
        let server = try await TestServer.start()
        _ = try server.store.syncScriptTemplates([TemplateRecord(name: "from-lua", origin: .script)])
        let id = try #require(try server.store.templates().first?.id)
        let reply = try await server.request("PUT", "/api/templates/\(id)", json: ["name": "renamed"])
        #expect(reply.status == 409)
        #expect(reply.errorCode == "declared_in_script")
        #expect(try server.store.templates().first?.name == "from-lua")
        await server.stop()
    }
}
