import BiliupTestSupport
import Foundation
import Testing

/// `biliup login`, `accounts` and `renew` as a user runs them, against the Bilibili stand-in.
@Suite struct LoginCLITests {
    /// The stand-in, a data directory, and biliup run against both with a fast QR poll.
    struct Setup {
        let standIn: BilibiliStandIn
        let dataDir: URL
        let alice: StandInAccount

        init(_ name: String) throws {
            let dir = try scratchDirectory(name)
            standIn = try BilibiliStandIn(directory: dir.appendingPathComponent("standin"))
            dataDir = dir.appendingPathComponent("data")
            alice = standIn.addAccount(mid: 1001, uname: "alice")
        }

        func biliup(_ args: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            let remaps = standIn.remapRules.flatMap { ["--host-remap", $0] }
            let command = ["BILIUP_QR_POLL_MS=10", BiliupProcess.binary] + args + ["--data-dir", dataDir.path] + remaps
            return try await onThread { try runTool("/usr/bin/env", command) }
        }

        func accounts() async throws -> [[String: Any]] {
            let listed = try await biliup(["accounts", "--json"])
            #expect(listed.status == 0, "\(listed.stderr)")
            return try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        }
    }

    @Test func qrLoginThenListExportRenewAndRemove() async throws {
        let s = try Setup("login-qr")
        defer { s.standIn.stop() }
        s.standIn.qrScanAfterPolls(2, account: s.alice, scannedPolls: 1)
        let qrFile = s.dataDir.deletingLastPathComponent().appendingPathComponent("qr.png").path

        let login = try await s.biliup(["login", "--name", "main", "--qr-file", qrFile])

        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.contains("▀") || login.stdout.contains("▄"))  // the QR drawn in half blocks
        #expect(login.stdout.contains("/x/passport-tv-login/h5/qrcode/auth?auth_code="))
        #expect(login.stdout.contains("waiting for the scan"))
        #expect(login.stdout.contains("scanned, confirm on the phone"))
        #expect(login.stdout.contains("logged in as alice (mid 1001), saved as account main"))
        #expect(!FileManager.default.fileExists(atPath: qrFile))  // a used code's image is not left behind

        let listed = try await s.accounts()
        #expect(listed.count == 1)
        #expect(listed.first?["name"] as? String == "main")
        #expect(listed.first?["mid"] as? Int == 1001)
        #expect(listed.first?["uname"] as? String == "alice")
        #expect(listed.first?["state"] as? String == "ok")
        #expect(listed.first?["expiresAt"] is String)
        let text = try await s.biliup(["accounts"])
        for output in [text.stdout, login.stdout, login.stderr] {
            for secret in [s.alice.sessdata, s.alice.biliJct, s.alice.accessToken, s.alice.refreshToken] {
                #expect(!output.contains(secret))
            }
        }

        let exported = s.dataDir.deletingLastPathComponent().appendingPathComponent("cookies.json").path
        let export = try await s.biliup(["accounts", "export", "main", exported])
        #expect(export.status == 0, "\(export.stderr)")
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: exported))) as? [String: Any]
        #expect(Set(file?.keys.map { $0 } ?? []) == ["cookie_info", "sso", "token_info", "platform"])
        #expect(file?["platform"] as? String == "BiliTV")
        #expect((file?["token_info"] as? [String: Any])?["access_token"] as? String == s.alice.accessToken)
        #expect(try FileManager.default.attributesOfItem(atPath: exported)[.posixPermissions] as? Int == 0o600)

        let renew = try await s.biliup(["renew", "main"])
        #expect(renew.status == 0, "\(renew.stderr)")
        #expect(renew.stdout.contains("renewed 'main'"))
        #expect(s.standIn.account(mid: 1001)?.accessToken != s.alice.accessToken)

        let remove = try await s.biliup(["accounts", "remove", "main"])
        #expect(remove.status == 0, "\(remove.stderr)")
        #expect(try await s.accounts().isEmpty)
        let again = try await s.biliup(["accounts", "remove", "main"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("no account 'main'") || again.stderr.contains("not found"))
    }

    @Test func anExpiredCodeWithoutATerminalStopsWithAClearMessage() async throws {
        let s = try Setup("login-expired")
        defer { s.standIn.stop() }
        s.standIn.qrExpire()

        let login = try await s.biliup(["login"])

        #expect(login.status == 1)
        #expect(login.stdout.contains("the QR code expired"))
        #expect(login.stderr.contains("expired before it was confirmed"))
        #expect(try await s.accounts().isEmpty)
    }

    @Test func aCookieFileIsImportedOnlyWhenBilibiliAcceptsIt() async throws {
        let s = try Setup("login-cookies")
        defer { s.standIn.stop() }
        let dir = s.dataDir.deletingLastPathComponent()
        let good = dir.appendingPathComponent("good.json")
        let forged = dir.appendingPathComponent("forged.json")
        let file = s.standIn.loginInfoJSON(for: s.alice)
        try Data(file.utf8).write(to: good)
        try Data(file.replacingOccurrences(of: s.alice.sessdata, with: "forged").utf8).write(to: forged)

        let refused = try await s.biliup(["login", "--cookie-file", forged.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("was not imported"))
        #expect(refused.stderr.contains("账号未登录"))
        #expect(try await s.accounts().isEmpty)

        let imported = try await s.biliup(["login", "--cookie-file", good.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("logged in as alice (mid 1001), saved as account alice"))
        #expect(try await s.accounts().map { $0["name"] as? String } == ["alice"])
    }
}
