import BiliupServer
import BiliupStore
import Foundation
import Testing

@Suite struct APIValidationTests {
    /// A body over 1 MiB is a 413 JSON on every route that takes a body, and nothing is changed.
    @Test func oversizedBodiesAre413() async throws {
        try await withServer { server in
            let s = try await server.addStreamer("alice")
            let id = integer(s["id"])!
            let template = try await server.request("POST", "/api/templates", json: ["name": "tpl"])
            let tid = template.id ?? 1
            // Valid JSON, just too big: a long name.
            let big = try JSONSerialization.data(withJSONObject: ["name": String(repeating: "x", count: (1 << 20) + 10), "url": deadURL("big")])
            #expect(big.count > 1 << 20)
            let routes: [(String, String)] = [
                ("POST", "/api/streamers"), ("PUT", "/api/streamers/\(id)"), ("POST", "/api/templates"), ("PUT", "/api/templates/\(tid)"),
                ("PUT", "/api/config"), ("POST", "/api/login"), ("POST", "/api/users"), ("PUT", "/api/users/1"), ("POST", "/api/tokens"),
            ]
            for (method, path) in routes {
                let reply = try await server.request(method, path, json: big)
                expectError(reply, 413, "too_large", "\(method) \(path)")
            }
            // Far bigger (8 MiB) too.
            let huge = Data(repeating: UInt8(ascii: " "), count: 8 << 20)
            expectError(try await server.request("POST", "/api/streamers", json: huge), 413, "too_large", "8 MiB")
            #expect(try server.store.streamers().map(\.name) == ["alice"])
            #expect(try server.store.templates().map(\.name) == ["tpl"])
            // Exactly at the limit is not too large (a 400 for what it holds, not a 413).
            var atLimit = Data(#"{"name": 5, "pad": ""#.utf8)
            atLimit.append(Data(repeating: UInt8(ascii: "a"), count: (1 << 20) - atLimit.count - 2))
            atLimit.append(Data(#""}"#.utf8))
            #expect(atLimit.count == 1 << 20)
            expectError(try await server.request("POST", "/api/streamers", json: atLimit), 400, "invalid_json", "1 MiB exactly")
            // The server is still fine.
            #expect(try await server.request("GET", "/api/streamers").status == 200)
        }
    }

    @Test func pathIdsMustBePositiveIntegers() async throws {
        try await withServer { server in
            let paths = ["/api/streamers/%@", "/api/streamers/%@/start", "/api/streamers/%@/pause", "/api/templates/%@", "/api/sessions/%@",
                         "/api/segments/%@", "/api/segments/%@/file", "/api/users/%@", "/api/tokens/%@"]
            for template in paths {
                for bad in ["abc", "0", "-1", "1.0", "1e3", "0x10", "99999999999999999999", "%20", "1%20"] {
                    let path = template.replacingOccurrences(of: "%@", with: bad)
                    let method = path.hasSuffix("/start") || path.hasSuffix("/pause") ? "POST"
                        : path.hasPrefix("/api/users") || path.hasPrefix("/api/tokens") ? "DELETE" : "GET"
                    let reply = try await server.request(method, path)
                    expectError(reply, 400, "bad_request", "\(method) \(path)")
                }
                let method = template.hasSuffix("/start") || template.hasSuffix("/pause") ? "POST"
                    : template.hasPrefix("/api/users") || template.hasPrefix("/api/tokens") ? "DELETE" : "GET"
                let unknown = template.replacingOccurrences(of: "%@", with: "999999")
                expectError(try await server.request(method, unknown), 404, "not_found", "\(method) \(unknown)")
            }
        }
    }

    @Test func listQueryParameters() async throws {
        try await withServer { server in
            for query in ["limit=0", "limit=abc", "limit=1001", "limit=-5", "offset=-1", "offset=abc", "limit=1.5", "limit=1e2"] {
                expectError(try await server.request("GET", "/api/streamers?\(query)"), 400, "bad_request", query)
            }
            for query in ["limit=1000", "limit=1", "offset=0", "q=", "q=%2F..%2F", "q=%00", "unknown=1"] {
                let reply = try await server.request("GET", "/api/streamers?\(query)")
                #expect(reply.status == 200, "\(query): \(reply.text.prefix(200))")
            }
        }
    }

    @Test func templatesCRUD() async throws {
        try await withServer { server in
            let empty = try await server.request("GET", "/api/templates")
            #expect(empty.status == 200 && empty.items.isEmpty)

            let made = try await server.request("POST", "/api/templates", json: ["name": "game", "fields": ["tid": 171, "tags": ["a", "b"]]])
            #expect(made.status == 201, "\(made.text)")
            let id = try #require(made.id)
            #expect(made.json["name"] as? String == "game")
            #expect(made.json["origin"] as? String == "api")
            #expect(integer((made.json["fields"] as? [String: Any])?["tid"]) == 171)
            #expect(number(made.json["created_at"]) != nil && number(made.json["updated_at"]) != nil)

            let noFields = try await server.request("POST", "/api/templates", json: ["name": "bare"])
            #expect(noFields.status == 201)
            #expect((noFields.json["fields"] as? [String: Any])?.isEmpty == true)

            let list = try await server.request("GET", "/api/templates")
            #expect(list.items.map { $0["name"] as? String } == ["bare", "game"])

            let one = try await server.request("GET", "/api/templates/\(id)")
            #expect(one.status == 200 && one.json["name"] as? String == "game")

            // PUT: fields only, then name only.
            let fields = try await server.request("PUT", "/api/templates/\(id)", json: ["fields": ["tid": 172]])
            #expect(fields.status == 200)
            #expect(fields.json["name"] as? String == "game")
            #expect(integer((fields.json["fields"] as? [String: Any])?["tid"]) == 172)
            let renamed = try await server.request("PUT", "/api/templates/\(id)", json: ["name": "games"])
            #expect(renamed.json["name"] as? String == "games")
            #expect(integer((renamed.json["fields"] as? [String: Any])?["tid"]) == 172)
            #expect(try server.store.template(named: "games")?.fields["tid"] == .int(172))

            // Names are unique.
            expectError(try await server.request("POST", "/api/templates", json: ["name": "bare"]), 409, "conflict")
            expectError(try await server.request("PUT", "/api/templates/\(id)", json: ["name": "bare"]), 409, "conflict")

            // Validation.
            for (what, body) in [("no name", ["fields": [String: Any]()]), ("blank name", ["name": "  "]), ("name a number", ["name": 5]),
                                 ("fields a list", ["name": "x", "fields": [1]]), ("fields a string", ["name": "x", "fields": "tid"]),
                                 ("long name", ["name": String(repeating: "n", count: 101)])] as [(String, [String: Any])] {
                expectError(try await server.request("POST", "/api/templates", json: body), 400, nil, what)
            }
            for body in ["", "nope", "[]"] {
                expectError(try await server.request("POST", "/api/templates", json: body), 400, nil, "body \(body)")
                expectError(try await server.request("PUT", "/api/templates/\(id)", json: body), 400, nil, "PUT body \(body)")
            }
            expectError(try await server.request("PUT", "/api/templates/\(id)", json: ["name": ""]), 400, "invalid_field")
            expectError(try await server.request("PUT", "/api/templates/\(id)", json: ["fields": 5]), 400)
            #expect(try server.store.template(named: "games") != nil)

            let deleted = try await server.request("DELETE", "/api/templates/\(id)")
            #expect(deleted.status == 204)
            expectError(try await server.request("GET", "/api/templates/\(id)"), 404, "not_found")
            expectError(try await server.request("PUT", "/api/templates/\(id)", json: ["name": "x"]), 404, "not_found")
            expectError(try await server.request("DELETE", "/api/templates/\(id)"), 404, "not_found")
        }
    }

    @Test func scriptTemplatesAreReadOnly() async throws {
        try await withServer { server in
            try server.store.syncScriptTemplates([TemplateRecord(name: "lua-tpl", origin: .script, fields: ["tid": 1])])
            let id = try #require(try server.store.template(named: "lua-tpl")?.id)
            let one = try await server.request("GET", "/api/templates/\(id)")
            #expect(one.json["origin"] as? String == "script")
            expectError(try await server.request("PUT", "/api/templates/\(id)", json: ["fields": ["tid": 2]]), 409, "declared_in_script")
            expectError(try await server.request("DELETE", "/api/templates/\(id)"), 409, "declared_in_script")
            #expect(try server.store.template(named: "lua-tpl")?.fields == ["tid": 1])
            expectError(try await server.request("POST", "/api/templates", json: ["name": "lua-tpl"]), 409)
        }
    }

    /// Wrong content: the errors say which field is wrong, with the documented codes.
    @Test func errorMessagesNameTheField() async throws {
        try await withServer { server in
            let typed = try await server.request("POST", "/api/streamers", json: ["name": 5, "url": deadURL("a")])
            expectError(typed, 400, "invalid_json")
            #expect(typed.errorMessage?.contains("name") == true, "\(typed.errorMessage ?? "")")
            let nested = try await server.request("POST", "/api/streamers", json: ["name": "a", "urls": [deadURL("a"), 5]])
            expectError(nested, 400, "invalid_json")
            #expect(nested.errorMessage?.contains("urls") == true, "\(nested.errorMessage ?? "")")
            let notJSON = try await server.request("POST", "/api/streamers", json: "{\"name\": ")
            expectError(notJSON, 400, "invalid_json")
            let field = try await server.request("POST", "/api/streamers", json: ["name": "a", "url": deadURL("a"), "overrides": ["format": "avi"]])
            expectError(field, 400, "invalid_field")
            #expect(field.errorMessage?.contains("overrides.format") == true, "\(field.errorMessage ?? "")")
            // A text/plain body of JSON is still read as JSON (the content type is not what is checked).
            let plain = try await server.request("POST", "/api/streamers", json: #"{"name": "p", "url": "\#(deadURL("p"))"}"#,
                                                 headers: ["Content-Type": "text/plain"])
            #expect(plain.status == 201 || plain.status == 400 || plain.status == 415, "\(plain.status)")
            #expect(plain.status < 500)
        }
    }
}
