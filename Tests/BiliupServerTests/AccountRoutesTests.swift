import BiliupNet
import BiliupServer
import BiliupStore
import BiliupTestSupport
import BiliupUpload
import BiliupValues
import Foundation
import Testing

/// Runs `body` against a server whose engine reaches Bilibili through `standIn`, with an admin
/// (root) and a viewer.
func withAccountServer(_ body: (TestServer, BilibiliStandIn, _ admin: String) async throws -> Void) async throws {
    let standIn = try BilibiliStandIn(directory: FileManager.default.temporaryDirectory.appendingPathComponent("standin-\(UUID().uuidString)"))
    defer { standIn.stop() }
    let server = try await TestServer.start(users: rootAndViewer, bilibili: BilibiliClient(remap: standIn.remap))
    do {
        try await body(server, standIn, try await server.login("root", "rootpass1"))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

extension TestServer {
    /// Polls a QR login until it leaves waiting/scanned (the engine asks passport at most once a second).
    func pollQR(_ id: Int64, token: String) async throws -> (reply: Reply, states: [String]) {
        var states: [String] = []
        while true {
            let reply = try await request("GET", "/api/accounts/qr/\(id)", token: token)
            let state = reply.json["state"] as? String ?? "-"
            if states.last != state { states.append(state) }
            guard reply.status == 200, state == "waiting" || state == "scanned" else { return (reply, states) }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The event log as text, once it holds an event whose message contains `marker`.
    func eventLog(containing marker: String, token: String) async throws -> String {
        while true {
            let text = try await request("GET", "/api/events?limit=1000", token: token).text
            if text.contains(marker) { return text }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// The secrets of a stand-in account, none of which may appear in an answer or an event.
func secrets(of account: StandInAccount) -> [String] {
    [account.sessdata, account.biliJct, account.accessToken, account.refreshToken]
}

@Suite struct AccountRoutesTests {
    @Test func qrLoginShowsTheCodeAndStoresTheAccountWithoutSecrets() async throws {
        try await withAccountServer { server, standIn, admin in
            let upper = standIn.addAccount(mid: 4242, uname: "upper")
            standIn.qrScanAfterPolls(2, account: upper, scannedPolls: 1)
            let validator = try OpenAPIValidator(document: try await server.request("GET", "/api/openapi.json").body)

            let start = try await server.request("POST", "/api/accounts/qr", json: [String: Any](), token: admin)
            #expect(start.status == 201, "\(start.text)")
            expectDocumented(validator, start, "POST", "/api/accounts/qr", status: 201)
            let png = try #require((start.json["qr_png"] as? String)?.split(separator: ",").last.flatMap { Data(base64Encoded: String($0)) })
            #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
            #expect((start.json["url"] as? String)?.contains("auth_code=") == true)
            #expect((number(start.json["expires_at"]) ?? 0) > Date().timeIntervalSince1970 + 100)
            let id = try #require(integer(start.json["id"]))

            // Back-to-back polls: passport is asked at most once a second, whatever the client does. On a
            // loaded machine the eight calls may span seconds, so the code may move on during them.
            let began = Date()
            var seen: [String] = []
            for _ in 0..<8 {
                let reply = try await server.request("GET", "/api/accounts/qr/\(id)", token: admin)
                #expect(reply.status == 200, "\(reply.text)")
                seen.append(reply.json["state"] as? String ?? "?")
            }
            let passportPolls = standIn.requests.filter { $0.path.hasSuffix("/qrcode/poll") }.count
            #expect(passportPolls >= 1 && passportPolls <= Int(Date().timeIntervalSince(began)) + 1, "\(passportPolls) passport polls")

            let (done, states) = try await server.pollQR(id, token: admin)
            // Every answer passport gave reaches the caller that asked: each state shows, in order, once.
            let sequence = (seen + states).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
            #expect(sequence == ["waiting", "scanned", "done"], "\(seen + states)")
            expectDocumented(validator, done, "GET", "/api/accounts/qr/{id}", status: 200)
            let account = try #require(done.json["account"] as? [String: Any])
            #expect(account["name"] as? String == "upper" && integer(account["mid"]) == 4242 && account["state"] as? String == "ok")

            let list = try await server.request("GET", "/api/accounts", token: admin)
            expectDocumented(validator, list, "GET", "/api/accounts", status: 200)
            #expect(list.items.map { $0["name"] as? String } == ["upper"])
            #expect(number(list.items.first?["expires_at"]) != nil)
            let stored = try #require(try server.store.account(named: "upper"))
            #expect(stored.loginInfo.contains(upper.sessdata), "the store keeps the login")

            let events = try await server.eventLog(containing: "logged in by QR code", token: admin)
            for answer in [start.text, done.text, list.text, events] {
                for secret in secrets(of: upper) { #expect(!answer.contains(secret), "a secret in \(answer.prefix(200))") }
            }
            // Done is final: asking again does not ask passport again.
            let again = try await server.request("GET", "/api/accounts/qr/\(id)", token: admin)
            #expect(again.json["state"] as? String == "done")
        }
    }

    @Test func anExpiredCodeSaysSoAndACancelledOneStops() async throws {
        try await withAccountServer { server, standIn, admin in
            let first = try await server.request("POST", "/api/accounts/qr", json: ["name": "later"], token: admin)
            let firstId = try #require(integer(first.json["id"]))
            let cancel = try await server.request("DELETE", "/api/accounts/qr/\(firstId)", token: admin)
            #expect(cancel.status == 204)
            let cancelled = try await server.request("GET", "/api/accounts/qr/\(firstId)", token: admin)
            #expect(cancelled.json["state"] as? String == "cancelled", "\(cancelled.text)")

            standIn.qrExpire()
            let second = try await server.request("POST", "/api/accounts/qr", json: [String: Any](), token: admin)
            let (expired, states) = try await server.pollQR(try #require(integer(second.json["id"])), token: admin)
            #expect(states.last == "expired" && expired.status == 200, "\(states) \(expired.text)")
            expectNull(expired.json, "account")
            #expect(try server.store.accounts().isEmpty)

            let unknown = try await server.request("GET", "/api/accounts/qr/99", token: admin)
            #expect(unknown.status == 404 && unknown.errorCode == "not_found")
        }
    }

    @Test func importChecksTheCookiesWithBilibili() async throws {
        try await withAccountServer { server, standIn, admin in
            let account = standIn.addAccount(mid: 77, uname: "imported")
            let cookies = try #require(try JSONSerialization.jsonObject(with: Data(standIn.loginInfoJSON(for: account).utf8)) as? [String: Any])
            let good = try await server.request("POST", "/api/accounts/import", json: ["cookies": cookies, "name": "main"], token: admin)
            #expect(good.status == 201, "\(good.text)")
            #expect(good.json["name"] as? String == "main" && integer(good.json["mid"]) == 77 && good.json["uname"] as? String == "imported")

            // The same file with a SESSDATA nobody issued.
            let forgedText = standIn.loginInfoJSON(for: account).replacingOccurrences(of: account.sessdata, with: "forged0123456789")
            let forged = try #require(try JSONSerialization.jsonObject(with: Data(forgedText.utf8)) as? [String: Any])
            let refused = try await server.request("POST", "/api/accounts/import", json: ["cookies": forged, "name": "forged"], token: admin)
            #expect(refused.status == 400 && refused.errorCode == "invalid_field", "\(refused.status) \(refused.text)")
            #expect(refused.errorMessage?.contains("cookies") == true)

            let notCookies = try await server.request("POST", "/api/accounts/import", json: ["cookies": ["a": 1]], token: admin)
            #expect(notCookies.status == 400 && notCookies.errorMessage?.contains("token_info") == true, "\(notCookies.text)")

            let list = try await server.request("GET", "/api/accounts", token: admin)
            #expect(list.items.map { $0["name"] as? String } == ["main"])
            let events = try await server.eventLog(containing: "imported from cookies", token: admin)
            for answer in [good.text, refused.text, list.text, events] {
                for secret in secrets(of: account) + ["forged0123456789"] { #expect(!answer.contains(secret), "a secret in \(answer.prefix(200))") }
            }
        }
    }

    @Test func renewRefreshesTokensAndRemoveForgets() async throws {
        try await withAccountServer { server, standIn, admin in
            let account = standIn.addAccount(mid: 88, uname: "renewer")
            let cookies = try #require(try JSONSerialization.jsonObject(with: Data(standIn.loginInfoJSON(for: account).utf8)) as? [String: Any])
            let added = try await server.request("POST", "/api/accounts/import", json: ["cookies": cookies], token: admin)
            let id = try #require(integer(added.json["id"]))

            let renewed = try await server.request("POST", "/api/accounts/\(id)/renew", token: admin)
            #expect(renewed.status == 200, "\(renewed.text)")
            let rotated = try #require(standIn.account(mid: 88))
            #expect(rotated.accessToken != account.accessToken, "the stand-in issued new tokens")
            let stored = try #require(try server.store.account(id: id))
            #expect(stored.loginInfo.contains(rotated.accessToken) && !stored.loginInfo.contains(account.accessToken))
            for secret in secrets(of: rotated) { #expect(!renewed.text.contains(secret)) }

            let removed = try await server.request("DELETE", "/api/accounts/\(id)", token: admin)
            #expect(removed.status == 204)
            #expect(try await server.request("GET", "/api/accounts", token: admin).items.isEmpty)
            #expect(try await server.request("DELETE", "/api/accounts/\(id)", token: admin).status == 404)
            #expect(try await server.request("POST", "/api/accounts/\(id)/renew", token: admin).status == 404)
        }
    }

    @Test func aViewerMayListButNotChangeAccounts() async throws {
        try await withAccountServer { server, standIn, admin in
            let account = standIn.addAccount(mid: 99, uname: "guarded")
            let cookies = try #require(try JSONSerialization.jsonObject(with: Data(standIn.loginInfoJSON(for: account).utf8)) as? [String: Any])
            let id = try #require(integer(try await server.request("POST", "/api/accounts/import", json: ["cookies": cookies], token: admin).json["id"]))
            let viewer = try await server.login("viewer", "viewerpass")
            #expect(try await server.request("GET", "/api/accounts", token: viewer).items.count == 1)
            let refused = [
                try await server.request("POST", "/api/accounts/qr", json: [String: Any](), token: viewer),
                try await server.request("POST", "/api/accounts/import", json: ["cookies": cookies], token: viewer),
                try await server.request("POST", "/api/accounts/\(id)/renew", token: viewer),
                try await server.request("DELETE", "/api/accounts/\(id)", token: viewer),
            ]
            #expect(refused.map(\.status) == [403, 403, 403, 403])
            #expect(standIn.requests.filter { $0.path.contains("qrcode") }.isEmpty, "no QR code was asked for")
        }
    }

    @Test func bilibiliOutOfReachIsA502ThatEchoesNothing() async throws {
        var remap = HostRemap()
        for host in ["passport.bilibili.com", "api.bilibili.com", "member.bilibili.com"] { try remap.add("\(host)=http://127.0.0.1:9") }
        let server = try await TestServer.start(users: rootAndViewer, bilibili: BilibiliClient(remap: remap))
        let admin = try await server.login("root", "rootpass1")
        let reply = try await server.request("POST", "/api/accounts/qr", json: [String: Any](), token: admin)
        #expect(reply.status == 502 && reply.errorCode == "bilibili_unreachable", "\(reply.status) \(reply.text)")
        #expect(reply.errorMessage?.contains("QR login code") == true, "says what was being done: \(reply.text)")
        await server.stop()

        // A run without an account book says so instead of failing somewhere else.
        try await withServer(users: rootAndViewer) { server in
            let admin = try await server.login("root", "rootpass1")
            let reply = try await server.request("POST", "/api/accounts/qr", json: [String: Any](), token: admin)
            #expect(reply.status == 409 && reply.errorMessage?.contains("no Bilibili accounts") == true, "\(reply.text)")
            #expect(try await server.request("GET", "/api/accounts", token: admin).status == 200)
        }
    }
}

/// `reply` has `status` and matches the answer schema openapi.json documents for it.
func expectDocumented(_ validator: OpenAPIValidator, _ reply: TestServer.Reply, _ method: String, _ path: String, status: Int,
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
