import BiliupServer
import BiliupStore
import BiliupValues
import Foundation
import Testing

/// openapi.json against the server that serves it: every JSON answer of every GET route, with data of
/// every kind in the store, validates against the document's response schema (every required key
/// there, no undocumented key, the documented types), so the DTOs and the schemas cannot drift apart.
@Suite struct OpenAPISchemaTests {
    @Test func everyGetAnswerMatchesItsDocumentedSchema() async throws {
        try await withServer(users: rootAndViewer) { server in
            let token = try await server.login("root", "rootpass1")
            let ids = try await fillStore(server, token: token)
            let documentReply = try await server.request("GET", "/api/openapi.json")
            #expect(documentReply.status == 200, "openapi.json is public: \(documentReply.status)")
            let validator = try OpenAPIValidator(document: documentReply.body)
            let routes = try await server.documentedRoutes()
            var checked: Set<String> = []
            for route in routes where route.method == "GET" {
                // The file is bytes (its media types are checked below); the WebSocket needs an upgrade.
                if route.path == "/api/segments/{id}/file" || route.path == "/api/ws" { continue }
                // A QR login needs Bilibili (a stand-in): AccountRoutesTests checks its answers against the schema.
                if route.path == "/api/accounts/qr/{id}" { continue }
                // Prometheus text, not JSON: MetricsTests runs promtool on it.
                if route.path == "/metrics" { continue }
                let key = "\(route.method) \(route.path)"
                for path in concretePaths(route.path, ids) {
                    let reply = try await server.request("GET", path, token: token)
                    #expect(reply.status == 200, "\(key) as \(path): \(reply.status) \(reply.text.prefix(300))")
                    let schema = try #require(validator.responseSchema("GET", route.path, status: 200), "\(key): no response schema")
                    let answer = try JSONDecoder().decode(JSONValue.self, from: reply.body)
                    let problems = validator.violations(of: answer, against: schema)
                    #expect(problems.isEmpty, "\(key) as \(path): \(problems.prefix(10))")
                    checked.insert(key)
                }
            }
            let gets = Set(routes.filter { $0.method == "GET" }.map { "GET \($0.path)" })
                .subtracting(["GET /api/segments/{id}/file", "GET /api/ws", "GET /api/accounts/qr/{id}", "GET /metrics"])
            #expect(checked == gets, "not checked: \(gets.subtracting(checked).sorted())")

            // The answers of the routes that change things, and an error, too.
            let made = try await server.request("POST", "/api/streamers", json: ["name": "carol", "url": deadURL("carol"), "paused": true], token: token)
            expectConforms(validator, made, "POST", "/api/streamers", status: 201)
            let newToken = try await server.request("POST", "/api/tokens", json: ["name": "ci", "expires_in": 3600], token: token)
            expectConforms(validator, newToken, "POST", "/api/tokens", status: 201)
            let login = try await server.request("POST", "/api/login", json: ["username": "viewer", "password": "viewerpass"])
            expectConforms(validator, login, "POST", "/api/login", status: 200)
            let config = try await server.request("PUT", "/api/config", json: ["split_time": 600], token: token)
            expectConforms(validator, config, "PUT", "/api/config", status: 200)
            let missing = try await server.request("GET", "/api/streamers/999999", token: token)
            let error = try JSONDecoder().decode(JSONValue.self, from: missing.body)
            #expect(validator.violations(of: error, against: .object(["$ref": "#/components/schemas/Error"])).isEmpty, "\(missing.text)")

            // The segment file's media type is one the document lists.
            let file = try await server.request("GET", "/api/segments/\(ids.segment)/file", token: token)
            let fileTypes = validator.document["paths"]?["/api/segments/{id}/file"]?["get"]?["responses"]?["200"]?["content"]?.objectValue ?? [:]
            #expect(file.status == 200 && fileTypes.keys.contains(file.header("Content-Type") ?? "-"),
                    "\(file.status) \(file.header("Content-Type") ?? "-") not in \(fileTypes.keys.sorted())")
        }
    }

    /// The validator is not vacuous: an undocumented key, a missing one and a wrong type are each caught.
    @Test func theValidatorCatchesDrift() async throws {
        try await withServer { server in
            let validator = try OpenAPIValidator(document: try await server.request("GET", "/api/openapi.json").body)
            let me = try #require(validator.responseSchema("GET", "/api/me", status: 200))
            #expect(validator.violations(of: ["login_required": false, "user": nil], against: me).isEmpty)
            #expect(!validator.violations(of: ["login_required": false, "user": nil, "extra": 1], against: me).isEmpty)
            #expect(!validator.violations(of: ["login_required": false], against: me).isEmpty)
            #expect(!validator.violations(of: ["login_required": "no", "user": nil], against: me).isEmpty)
            #expect(!validator.violations(of: ["login_required": false, "user": ["id": 1, "name": "x"]], against: me).isEmpty)
            #expect(validator.violations(of: ["login_required": false, "user": ["id": 1, "name": "x", "admin": true]], against: me).isEmpty)
        }
    }

    /// Every request body is a closed object (`additionalProperties: false`) whose properties are what
    /// the route reads; integer path parameters start at 1; query parameters have types.
    @Test func requestSchemasAreClosedAndParametersTyped() async throws {
        try await withServer { server in
            let document = try JSONDecoder().decode(JSONValue.self, from: try await server.request("GET", "/api/openapi.json").body)
            var bodies: [String: [String]] = [:]
            for route in try await server.documentedRoutes() {
                let operation = document["paths"]?[route.path]?[route.method.lowercased()]
                if let schema = operation?["requestBody"]?["content"]?["application/json"]?["schema"] {
                    #expect(schema["type"] == "object" && schema["additionalProperties"] == .bool(false), "\(route.method) \(route.path)")
                    bodies["\(route.method) \(route.path)"] = (schema["properties"]?.objectValue ?? [:]).keys.sorted()
                }
                if case .array(let parameters)? = operation?["parameters"] {
                    for p in parameters {
                        #expect(p["schema"]?["type"] != nil, "\(route.method) \(route.path) \(p["name"]?.string ?? "-")")
                        if p["in"] == "path" { #expect(p["schema"]?["minimum"] == .int(1), "\(route.path)") }
                    }
                }
            }
            let streamerFields = ["danmaku", "danmaku_ass", "danmaku_detail", "name", "options", "overrides", "paused", "schedule", "template", "title_exclude", "title_include", "url", "urls"]
            #expect(bodies["POST /api/streamers"] == streamerFields)
            #expect(bodies["PUT /api/streamers/{id}"] == streamerFields)
            #expect(bodies["POST /api/templates"] == ["fields", "name"])
            #expect(bodies["POST /api/users"] == ["admin", "name", "password"])
            #expect(bodies["PUT /api/users/{id}"] == ["admin", "password"])
            #expect(bodies["POST /api/tokens"] == ["expires_in", "name"])
            #expect(bodies["POST /api/login"] == ["password", "username"])
            #expect(bodies["PUT /api/config"]?.contains("split_time") == true && bodies["PUT /api/config"]?.contains("data_dir") == false)
            #expect(bodies["POST /api/accounts/qr"] == ["name"])
            #expect(bodies["POST /api/accounts/import"] == ["cookies", "name"])
            #expect(bodies["POST /api/webhooks"] == ["events", "name", "secret", "url"])
            #expect(bodies["PUT /api/webhooks/{id}"] == ["events", "name", "secret", "url"])
            #expect(bodies.count == 13, "\(bodies.keys.sorted())")
            let login = document["paths"]?["/api/login"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
            #expect(login?["required"] == ["password", "username"])
        }
    }

    struct Ids {
        let streamer: Int64
        let template: Int64
        let session: Int64
        let segment: Int64
        let removedSegment: Int64
        let user: Int64
    }

    /// A streamer (with overrides, paused), a template, a user, a token, a session with a finished and a
    /// removed segment, and events: every answer then has its optional parts filled in somewhere.
    private func fillStore(_ server: TestServer, token: String) async throws -> Ids {
        let streamer = try await server.addStreamer("alice", ["overrides": ["format": "mkv"], "schedule": ["20:00-02:00"],
                                                               "options": ["qn": 10000], "template": "game"], token: token)
        let streamerId = try #require(integer(streamer["id"]))
        _ = try await server.addStreamer("bob", ["paused": true], token: token)
        let template = try await server.request("POST", "/api/templates", json: ["name": "game", "fields": ["tid": 171, "tags": ["a"]]], token: token)
        let user = try await server.request("POST", "/api/users", json: ["name": "carol", "password": "carolpass1"], token: token)
        _ = try await server.request("POST", "/api/tokens", json: ["name": "ci", "expires_in": 3600], token: token)
        let session = try server.store.openSession(streamerId: streamerId, streamerName: "alice", plugin: "generic", url: deadURL("alice"),
                                                   title: "a title", at: Date())
        let file = server.dir.appendingPathComponent("recordings/alice/a.mkv")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: file)
        let segment = try server.store.addSegment(sessionId: session.id!, path: file.path, at: Date())
        try server.store.finishSegment(id: segment.id!, at: Date(), duration: 1.5, bytes: 3, report: ["fixes": ["a"], "ok": true])
        let removed = try server.store.addSegment(sessionId: session.id!, path: file.path + ".2.mkv", at: Date())
        try server.store.removeSegment(id: removed.id!, reason: "too small")
        try server.store.closeSession(id: session.id!, at: Date(), reason: "offline")
        _ = try server.store.append([EventRecord(kind: "segment", level: .warn, streamerId: streamerId, sessionId: session.id, message: "m",
                                                 data: ["bytes": 3, "nested": ["a": nil]])])
        return Ids(streamer: streamerId, template: try #require(template.id), session: session.id!, segment: segment.id!,
                   removedSegment: removed.id!, user: try #require(user.id))
    }

    /// The paths to request for a route: each id of the right kind, and the lists with their query options.
    private func concretePaths(_ route: String, _ ids: Ids) -> [String] {
        switch route {
        case "/api/streamers/{id}": return ["/api/streamers/\(ids.streamer)"]
        case "/api/templates/{id}": return ["/api/templates/\(ids.template)"]
        case "/api/sessions/{id}": return ["/api/sessions/\(ids.session)"]
        case "/api/segments/{id}": return ["/api/segments/\(ids.segment)", "/api/segments/\(ids.removedSegment)"]
        case "/api/streamers": return [route, "\(route)?q=ali&limit=1&offset=0"]
        case "/api/sessions": return [route, "\(route)?streamer_id=\(ids.streamer)"]
        case "/api/events": return [route, "\(route)?streamer_id=\(ids.streamer)&limit=5"]
        default: return [route]
        }
    }

    private func expectConforms(_ validator: OpenAPIValidator, _ reply: TestServer.Reply, _ method: String, _ path: String, status: Int,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, "\(method) \(path): \(reply.status) \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        guard let schema = validator.responseSchema(method, path, status: status),
              let answer = try? JSONDecoder().decode(JSONValue.self, from: reply.body) else {
            Issue.record("\(method) \(path): no schema or no JSON answer", sourceLocation: sourceLocation)
            return
        }
        let problems = validator.violations(of: answer, against: schema)
        #expect(problems.isEmpty, "\(method) \(path): \(problems.prefix(10))", sourceLocation: sourceLocation)
    }
}
