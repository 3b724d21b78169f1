import BiliupEngine
import BiliupServer
import BiliupStore
import BiliupValues
import Foundation
import Testing

/// The API's contract (security issue 13, point 11): a field a route does not know is refused, not
/// ignored; every documented field does what it says; openapi.json needs no login.
@Suite struct APIContractTests {
    /// On main, `{"nmae": "x"}` was a 200 that changed nothing. Now every route that takes a body names
    /// the unknown field and the one it looks like, and changes nothing.
    @Test func misspeltFieldsAreRefusedWithADidYouMean() async throws {
        try await withServer(users: rootAndViewer) { server in
            let token = try await server.login("root", "rootpass1")
            let streamer = try #require(integer(try await server.addStreamer("alice", token: token)["id"]))
            let template = try #require(try await server.request("POST", "/api/templates", json: ["name": "tpl"], token: token).id)
            let cases: [(String, String, [String: Any], String, String)] = [
                ("POST", "/api/streamers", ["name": "bob", "url": deadURL("bob"), "dannmaku": true], "dannmaku", "danmaku"),
                ("PUT", "/api/streamers/\(streamer)", ["nmae": "x"], "nmae", "name"),
                ("PUT", "/api/streamers/\(streamer)", ["titleInclude": ["a"]], "titleInclude", "title_include"),
                ("PUT", "/api/streamers/\(streamer)", ["pasued": true], "pasued", "paused"),
                ("POST", "/api/templates", ["name": "t2", "feilds": [:]], "feilds", "fields"),
                ("PUT", "/api/templates/\(template)", ["nam": "t3"], "nam", "name"),
                ("POST", "/api/users", ["name": "dave", "password": "davepass12", "admn": true], "admn", "admin"),
                ("PUT", "/api/users/2", ["pasword": "newpass123"], "pasword", "password"),
                ("POST", "/api/tokens", ["name": "ci", "expiresIn": 60], "expiresIn", "expires_in"),
                ("PUT", "/api/config", ["split_tme": 60], "split_tme", "split_time"),
                // A misspelt required field: the typo is named, not "username: required".
                ("POST", "/api/login", ["usernme": "root", "password": "rootpass1"], "usernme", "username"),
            ]
            for (method, path, body, wrong, right) in cases {
                let reply = try await server.request(method, path, json: body, token: token)
                expectError(reply, 400, "unknown_field", "\(method) \(path)")
                #expect(reply.errorMessage == "unknown field \"\(wrong)\" (did you mean \"\(right)\"?)", "\(method) \(path): \(reply.text)")
            }
            // Whatever the unknown field's value: one out of a Double's range is never even read as a number.
            let outOfRange = try await server.request("POST", "/api/templates", json: #"{"name": "t5", "nmae": 1e400}"#, token: token)
            expectError(outOfRange, 400, "unknown_field", "a value out of range")
            // Nothing changed.
            #expect(try server.store.streamers().map(\.name) == ["alice"])
            #expect(try server.store.streamers().first?.paused == false)
            #expect(try server.store.templates().map(\.name) == ["tpl"])
            #expect(try server.store.users().map(\.name).sorted() == ["root", "viewer"])
            #expect(try server.store.apiTokens().isEmpty)
            #expect(try await server.request("GET", "/api/config", token: token).json["sources"].map { ($0 as? [String: Any])?["split_time"] as? String } == "default")
            // A name far from every field lists them instead of guessing.
            let far = try await server.request("POST", "/api/templates", json: ["name": "t4", "colour": "red"], token: token)
            #expect(far.errorCode == "unknown_field" && far.errorMessage == "unknown field \"colour\" (known fields: fields, name)", "\(far.text)")
            // A wrong type is still the type error, naming the field.
            let wrongType = try await server.request("PUT", "/api/streamers/\(streamer)", json: ["danmaku": "yes", "nmae": "x"], token: token)
            expectError(wrongType, 400, "invalid_json")
            #expect(wrongType.errorMessage == "danmaku: expected true or false", "\(wrongType.text)")
        }
    }

    /// Every route whose body openapi.json documents refuses a field outside it, whatever the route.
    @Test func everyDocumentedBodyIsClosed() async throws {
        try await withServer(users: rootAndViewer) { server in
            let token = try await server.login("root", "rootpass1")
            let streamer = try #require(integer(try await server.addStreamer("alice", token: token)["id"]))
            let template = try #require(try await server.request("POST", "/api/templates", json: ["name": "tpl"], token: token).id)
            var seen = 0
            for route in try await server.documentedRoutes() where route.operation["requestBody"] != nil {
                let path = route.path.replacingOccurrences(of: "{id}", with: route.path.hasPrefix("/api/templates") ? "\(template)"
                                                           : route.path.hasPrefix("/api/streamers") ? "\(streamer)" : "2")
                let reply = try await server.request(route.method, path, json: ["certainly_not_a_field": 1], token: token)
                expectError(reply, 400, "unknown_field", "\(route.method) \(route.path)")
                #expect(reply.errorMessage?.hasPrefix("unknown field \"certainly_not_a_field\"") == true, "\(reply.text)")
                seen += 1
            }
            #expect(seen == 13)
        }
    }

    /// On main, `{"paused": true}` answered 2xx and was ignored. Now a streamer can be added paused
    /// (never checked until resumed) and a PUT pauses and resumes it, as /pause and /resume do.
    @Test func pausedPausesAndResumes() async throws {
        try await withServer { server in
            let added = try await server.addStreamer("alice", ["paused": true])
            let id = try #require(integer(added["id"]))
            #expect(added["paused"] as? Bool == true && added["state"] as? String == "paused", "\(added)")
            #expect(try server.store.streamers().first?.paused == true)
            #expect(try await server.engine.streamer(id: id).1.phase == .paused)

            let resumed = try await server.request("PUT", "/api/streamers/\(id)", json: ["paused": false, "danmaku": true])
            #expect(resumed.status == 200 && resumed.json["paused"] as? Bool == false && resumed.json["danmaku"] as? Bool == true, "\(resumed.text)")
            #expect(try await server.engine.streamer(id: id).1.phase != .paused)
            #expect(try server.store.streamers().first?.paused == false)

            let paused = try await server.request("PUT", "/api/streamers/\(id)", json: ["paused": true])
            #expect(paused.json["paused"] as? Bool == true && paused.json["state"] as? String == "paused", "\(paused.text)")
            #expect(try await server.engine.streamer(id: id).1.phase == .paused)
            // Leaving it out keeps it; the same value again is no change.
            #expect(try await server.request("PUT", "/api/streamers/\(id)", json: ["schedule": ["20:00-22:00"]]).json["paused"] as? Bool == true)
            #expect(try await server.request("PUT", "/api/streamers/\(id)", json: ["paused": true]).status == 200)
            #expect(try await server.engine.streamer(id: id).1.phase == .paused)

            // Added without it: watched as before.
            let other = try await server.addStreamer("bob")
            #expect(other["paused"] as? Bool == false && other["state"] as? String != "paused", "\(other)")
        }
    }

    /// Found while fuzzing: on main, `"check_interval": 1e300` (per streamer or global) was accepted and
    /// crashed the whole server as soon as the scheduler turned it into a `Duration`. Durations are
    /// bounded now, and the server keeps running.
    @Test func hugeDurationsAreRefused() async throws {
        try await withServer { server in
            let id = try #require(integer(try await server.addStreamer("alice")["id"]))
            for key in ["check_interval", "split_time", "delay"] {
                for value: Any in [1e300, 1e20, Int64.max, "9999999h"] {
                    let put = try await server.request("PUT", "/api/streamers/\(id)", json: ["overrides": [key: value]])
                    expectError(put, 400, "invalid_field", "overrides.\(key) = \(value)")
                    #expect(put.errorMessage == "overrides.\(key): at most 30 days", "\(put.text)")
                    let post = try await server.request("POST", "/api/streamers", json: ["name": "b", "url": deadURL("b"), "overrides": [key: value]])
                    expectError(post, 400, "invalid_field", "POST overrides.\(key) = \(value)")
                    let config = try await server.request("PUT", "/api/config", json: [key: value])
                    expectError(config, 400, "invalid_field", "config \(key) = \(value)")
                    #expect(config.errorMessage == "\(key): at most 30 days", "\(config.text)")
                }
                let longest = try await server.request("PUT", "/api/streamers/\(id)", json: ["overrides": [key: 30 * 86400]])
                #expect(longest.status == 200, "\(longest.text)")
            }
            #expect(try await server.request("GET", "/api/status").status == 200)
        }
    }

    /// On main, openapi.json needed a login as soon as a user existed. It is public, as the login page's
    /// routes are, so a client generator or a fuzzer can read it first.
    @Test func openAPIIsPublicOnceUsersExist() async throws {
        try await withServer(users: rootAndViewer) { server in
            let reply = try await server.request("GET", "/api/openapi.json")
            #expect(reply.status == 200, "\(reply.status) \(reply.text.prefix(200))")
            let document = try JSONDecoder().decode(JSONValue.self, from: reply.body)
            #expect(document["paths"]?["/api/openapi.json"]?["get"]?["security"] == [])
            #expect(document["components"]?["schemas"]?["Streamer"] != nil)
            // The routes it describes still need the login.
            expectError(try await server.request("GET", "/api/streamers"), 401, "login_required")
        }
    }
}
