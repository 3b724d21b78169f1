import BiliupNet
import BiliupScript
import BiliupServer
import BiliupStore
import Foundation
import Testing

@Suite struct APIAuthTests {
    @Test func loopbackWithoutUsersNeedsNoLogin() async throws {
        try await withServer { server in
            let me = try await server.request("GET", "/api/me")
            #expect(me.status == 200)
            #expect(me.json["login_required"] as? Bool == false)
            expectNull(me.json, "user")
            #expect(try await server.request("GET", "/api/status").status == 200)
            #expect(try await server.request("GET", "/api/streamers").status == 200)
            // Admin routes are open too while no one can log in.
            #expect(try await server.request("GET", "/api/users").status == 200)
            // A wrong token is no better than none, and no worse.
            #expect(try await server.request("GET", "/api/status", token: "nonsense").status == 200)

            // The first user added makes a login necessary.
            let added = try await server.request("POST", "/api/users", json: ["name": "first", "password": "firstpass1", "admin": true])
            #expect(added.status == 201, "\(added.text)")
            let me2 = try await server.request("GET", "/api/me")
            #expect(me2.json["login_required"] as? Bool == true)
            expectError(try await server.request("GET", "/api/status"), 401, "login_required")
            expectError(try await server.request("GET", "/api/users"), 401, "login_required")
            let token = try await server.login("first", "firstpass1")
            #expect(try await server.request("GET", "/api/status", token: token).status == 200)
        }
    }

    @Test func nonLoopbackWithoutUsersRefusesToStart() async throws {
        await #expect(throws: (any Error).self) {
            let server = try await TestServer.start(bind: "0.0.0.0")
            await server.stop()
        }
    }

    @Test func nonLoopbackWithUsersAlwaysNeedsALogin() async throws {
        try await withServer(users: [("root", "rootpass1", true)], bind: "0.0.0.0") { server in
            let me = try await server.request("GET", "/api/me")
            #expect(me.json["login_required"] as? Bool == true)
            expectError(try await server.request("GET", "/api/status"), 401, "login_required")
            let token = try await server.login("root", "rootpass1")
            #expect(try await server.request("GET", "/api/status", token: token).status == 200)
        }
    }

    @Test func loginGivesATokenThatWorksAsBearerAndAsCookie() async throws {
        try await withServer(users: rootAndViewer) { server in
            let before = Date().timeIntervalSince1970
            let reply = try await server.request("POST", "/api/login", json: ["username": "root", "password": "rootpass1"])
            #expect(reply.status == 200, "\(reply.text)")
            let token = try #require(reply.json["token"] as? String)
            #expect(token.count >= 32)
            let user = reply.json["user"] as? [String: Any] ?? [:]
            #expect(user["name"] as? String == "root")
            #expect(user["admin"] as? Bool == true)
            #expect(integer(user["id"]) != nil)
            #expect(user["password_hash"] == nil && !reply.text.contains("$2"), "no password hash in the answer")
            let expires = try #require(number(reply.json["expires_at"]))
            #expect(abs(expires - (before + 30 * 86400)) < 600, "30 days: \(expires - before)")

            let cookie = try #require(reply.header("Set-Cookie"))
            #expect(cookie.hasPrefix("biliup_session=\(token)"), "\(cookie)")
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/"))
            #expect(cookie.contains("Max-Age=2592000") || cookie.contains("Expires="), "30 days: \(cookie)")

            let bearer = try await server.request("GET", "/api/me", token: token)
            #expect(bearer.json["login_required"] as? Bool == true)
            #expect((bearer.json["user"] as? [String: Any])?["name"] as? String == "root")
            #expect(try await server.request("GET", "/api/status", token: token).status == 200)

            let viaCookie = try await server.request("GET", "/api/me", cookie: "biliup_session=\(token)")
            #expect((viaCookie.json["user"] as? [String: Any])?["name"] as? String == "root")
            #expect(try await server.request("GET", "/api/streamers", cookie: "theme=dark; biliup_session=\(token); x=y").status == 200)

            // Wrong ones.
            expectError(try await server.request("GET", "/api/status", token: token + "x"), 401, "login_required")
            expectError(try await server.request("GET", "/api/status", cookie: "biliup_session=\(token)x"), 401, "login_required")
            expectError(try await server.request("GET", "/api/status", cookie: "other_cookie=\(token)"), 401, "login_required")
            expectError(try await server.request("GET", "/api/status", headers: ["Authorization": "Basic cm9vdDpyb290cGFzczE="]), 401)
            expectError(try await server.request("GET", "/api/status", headers: ["Authorization": "Bearer"]), 401)
        }
    }

    @Test func wrongPasswordsAreRefused() async throws {
        try await withServer(users: rootAndViewer) { server in
            for (name, password) in [("root", "wrongpass1"), ("root", ""), ("nobody", "rootpass1"), ("ROOT", "rootpass1")] {
                let reply = try await server.request("POST", "/api/login", json: ["username": name, "password": password])
                expectError(reply, 401, "bad_credentials", "\(name)/\(password)")
                #expect(reply.header("Set-Cookie") == nil)
            }
            for body: Any in ["", "{}", #"{"username": "root"}"#, #"{"username": 5, "password": "rootpass1"}"#, "nope"] {
                expectError(try await server.request("POST", "/api/login", json: body), 400, nil, "\(body)")
            }
        }
    }

    @Test func logoutRevokesTheToken() async throws {
        try await withServer(users: rootAndViewer) { server in
            let token = try await server.login("root", "rootpass1")
            let other = try await server.login("root", "rootpass1")
            #expect(token != other)
            // Used once, so that it is cached.
            #expect(try await server.request("GET", "/api/status", token: token).status == 200)
            let out = try await server.request("POST", "/api/logout", token: token)
            #expect(out.status == 204)
            let cleared = try #require(out.header("Set-Cookie"))
            #expect(cleared.hasPrefix("biliup_session=;") || cleared.hasPrefix("biliup_session=\"\""), "\(cleared)")
            #expect(cleared.contains("Max-Age=0") || cleared.contains("Expires="), "\(cleared)")
            expectError(try await server.request("GET", "/api/status", token: token), 401, "login_required")
            expectError(try await server.request("GET", "/api/status", cookie: "biliup_session=\(token)"), 401, "login_required")
            let me = try await server.request("GET", "/api/me", token: token)
            expectNull(me.json, "user")
            // The other login is still good.
            #expect(try await server.request("GET", "/api/status", token: other).status == 200)

            // Logging out with the cookie works the same.
            #expect(try await server.request("POST", "/api/logout", cookie: "biliup_session=\(other)").status == 204)
            expectError(try await server.request("GET", "/api/status", token: other), 401, "login_required")
            // Logged out, logging out needs a login.
            expectError(try await server.request("POST", "/api/logout"), 401, "login_required")
        }
    }

    @Test func nonAdminsCannotManageUsersOrTokens() async throws {
        try await withServer(users: rootAndViewer) { server in
            let viewer = try await server.login("viewer", "viewerpass")
            let me = try await server.request("GET", "/api/me", token: viewer)
            #expect((me.json["user"] as? [String: Any])?["admin"] as? Bool == false)
            let rootId = try #require(try server.store.user(named: "root")?.id)
            let requests: [(String, String, Any?)] = [
                ("GET", "/api/users", nil), ("POST", "/api/users", ["name": "eve", "password": "evepass12", "admin": true]),
                ("PUT", "/api/users/\(rootId)", ["password": "hijacked1"]), ("DELETE", "/api/users/\(rootId)", nil),
                ("GET", "/api/tokens", nil), ("POST", "/api/tokens", ["name": "mine"]), ("DELETE", "/api/tokens/1", nil),
            ]
            for (method, path, body) in requests {
                expectError(try await server.request(method, path, json: body, token: viewer), 403, "forbidden", "\(method) \(path)")
            }
            #expect(try server.store.user(named: "eve") == nil)
            #expect(try server.store.apiTokens().isEmpty)
            _ = try await server.login("root", "rootpass1")  // the password is unchanged
            // Everything else is open to them.
            #expect(try await server.request("GET", "/api/streamers", token: viewer).status == 200)
            #expect(try await server.request("POST", "/api/streamers", json: ["name": "v", "url": deadURL("v")], token: viewer).status == 201)
            #expect(try await server.request("GET", "/api/config", token: viewer).status == 200)
        }
    }

    @Test func adminManagesUsers() async throws {
        try await withServer(users: rootAndViewer) { server in
            let root = try await server.login("root", "rootpass1")
            let list = try await server.request("GET", "/api/users", token: root)
            #expect(list.status == 200)
            #expect(Set(list.items.compactMap { $0["name"] as? String }) == ["root", "viewer"])
            #expect(!list.text.contains("password") && !list.text.contains("$2"), "no password hashes: \(list.text)")

            for (what, body) in [("weak", ["name": "dave", "password": "short"]), ("too long", ["name": "dave", "password": String(repeating: "p", count: 80)]),
                                 ("no password", ["name": "dave"]), ("no name", ["password": "davepass1"]), ("blank name", ["name": "  ", "password": "davepass1"])] {
                expectError(try await server.request("POST", "/api/users", json: body, token: root), 400, nil, what)
            }
            expectError(try await server.request("POST", "/api/users", json: ["name": "dave", "password": "davepass1", "admin": "yes"], token: root), 400)
            #expect(try server.store.user(named: "dave") == nil)

            let added = try await server.request("POST", "/api/users", json: ["name": "dave", "password": "davepass1"], token: root)
            #expect(added.status == 201, "\(added.text)")
            #expect(added.json["name"] as? String == "dave")
            #expect(added.json["admin"] as? Bool == false)
            #expect(!added.text.contains("password"))
            let daveId = try #require(added.id)
            expectError(try await server.request("POST", "/api/users", json: ["name": "dave", "password": "davepass2"], token: root), 409, "conflict")

            let dave = try await server.login("dave", "davepass1")
            expectError(try await server.request("GET", "/api/users", token: dave), 403, "forbidden")

            // Made an admin.
            let promoted = try await server.request("PUT", "/api/users/\(daveId)", json: ["admin": true], token: root)
            #expect(promoted.status == 200)
            #expect(promoted.json["admin"] as? Bool == true)
            #expect(try await server.request("GET", "/api/users", token: dave).status == 200)

            // A new password: weak is refused, a good one replaces the old.
            expectError(try await server.request("PUT", "/api/users/\(daveId)", json: ["password": "x"], token: root), 400, "invalid_field")
            #expect(try await server.request("PUT", "/api/users/\(daveId)", json: ["password": "newdavepass"], token: root).status == 200)
            _ = try await server.login("dave", "newdavepass")
            expectError(try await server.request("POST", "/api/login", json: ["username": "dave", "password": "davepass1"]), 401, "bad_credentials")

            expectError(try await server.request("PUT", "/api/users/999999", json: ["admin": true], token: root), 404, "not_found")

            let deleted = try await server.request("DELETE", "/api/users/\(daveId)", token: root)
            #expect(deleted.status == 204)
            #expect(try server.store.user(named: "dave") == nil)
            // Their logins end with them.
            expectError(try await server.request("GET", "/api/status", token: dave), 401, "login_required")
            expectError(try await server.request("POST", "/api/login", json: ["username": "dave", "password": "newdavepass"]), 401, "bad_credentials")
            expectError(try await server.request("DELETE", "/api/users/\(daveId)", token: root), 404, "not_found")
        }
    }

    @Test func adminManagesAPITokens() async throws {
        try await withServer(users: rootAndViewer) { server in
            let root = try await server.login("root", "rootpass1")
            for (what, body) in [("no name", [String: Any]()), ("blank", ["name": " "]), ("negative expiry", ["name": "a", "expires_in": -5]),
                                 ("zero expiry", ["name": "a", "expires_in": 0]), ("text expiry", ["name": "a", "expires_in": "soon"]),
                                 ("long name", ["name": String(repeating: "t", count: 101)])] as [(String, [String: Any])] {
                expectError(try await server.request("POST", "/api/tokens", json: body, token: root), 400, nil, what)
            }
            #expect(try server.store.apiTokens().isEmpty)

            let made = try await server.request("POST", "/api/tokens", json: ["name": "ci"], token: root)
            #expect(made.status == 201, "\(made.text)")
            let secret = try #require(made.json["token"] as? String)
            let tokenId = try #require(made.id)
            #expect(made.json["name"] as? String == "ci")
            #expect(made.json["expires_at"] == nil || made.json["expires_at"] is NSNull)
            #expect(secret.count >= 32)

            // Usable as a bearer token.
            let me = try await server.request("GET", "/api/me", token: secret)
            #expect((me.json["user"] as? [String: Any])?["name"] as? String == "root")
            #expect(try await server.request("GET", "/api/streamers", token: secret).status == 200)

            // Listed, without the secret; login sessions are not listed.
            let list = try await server.request("GET", "/api/tokens", token: root)
            #expect(list.status == 200)
            #expect(list.items.count == 1)
            #expect(list.items.first?["name"] as? String == "ci")
            #expect(integer(list.items.first?["id"]) == tokenId)
            #expect(list.items.first?["token"] == nil || list.items.first?["token"] is NSNull)
            #expect(!list.text.contains(secret))
            #expect(number(list.items.first?["last_used_at"]) != nil, "it was used: \(list.text)")

            // With an expiry.
            let expiring = try await server.request("POST", "/api/tokens", json: ["name": "short", "expires_in": 3600], token: root)
            #expect(expiring.status == 201)
            #expect(abs((number(expiring.json["expires_at"]) ?? 0) - (Date().timeIntervalSince1970 + 3600)) < 600)

            // A login session is not an API token: not revocable here.
            let sessionTokenId = try #require(try server.store.token(secretHash: sha256Hex(root))?.0.id)
            expectError(try await server.request("DELETE", "/api/tokens/\(sessionTokenId)", token: root), 404, "not_found")

            let revoked = try await server.request("DELETE", "/api/tokens/\(tokenId)", token: root)
            #expect(revoked.status == 204)
            expectError(try await server.request("GET", "/api/streamers", token: secret), 401, "login_required")
            expectError(try await server.request("DELETE", "/api/tokens/\(tokenId)", token: root), 404, "not_found")
            let after = try await server.request("GET", "/api/tokens", token: root)
            #expect(after.items.map { $0["name"] as? String } == ["short"])
        }
    }

    @Test func anExpiredAPITokenIsRefused() async throws {
        try await withServer(users: rootAndViewer) { server in
            let root = try await server.login("root", "rootpass1")
            let made = try await server.request("POST", "/api/tokens", json: ["name": "brief", "expires_in": 1], token: root)
            #expect(made.status == 201)
            let secret = try #require(made.json["token"] as? String)
            try await Task.sleep(for: .milliseconds(2500))
            expectError(try await server.request("GET", "/api/status", token: secret), 401, "login_required")
        }
    }
}

/// The store's hash of a token secret (lowercase hex SHA-256), to find a login's row.
func sha256Hex(_ text: String) -> String {
    Digest.sha256(Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
}
