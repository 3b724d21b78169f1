import BiliupNet
import BiliupStore
import BiliupTestSupport
import BiliupUpload
import Foundation
import Testing

@Suite struct AccountBookTests {
    static let lifetime: TimeInterval = 15_552_000
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    /// A stand-in with one account, a book over a new store, and a clock the test moves.
    struct Setup {
        let standIn: BilibiliStandIn
        let alice: StandInAccount
        let book: AccountBook
        let clock: TestClock
        /// biliup's cookies.json for alice, as the stand-in hands it out at the start.
        let cookiesFile: String
        var client: BilibiliClient { book.client }

        init(_ name: String) throws {
            standIn = try BilibiliStandIn(directory: try loginScratch(name))
            alice = standIn.addAccount(mid: 1001, uname: "alice")
            cookiesFile = standIn.loginInfoJSON(for: alice)
            let clock = TestClock(AccountBookTests.start)
            self.clock = clock
            book = AccountBook(store: try loginStore(name), client: BilibiliClient(remap: standIn.remap), now: { clock.now })
        }

        func imported() throws -> LoginInfo { try LoginInfo.reading(Data(cookiesFile.utf8)) }
    }

    @Test func anImportedCookiesFileIsCheckedAndStoredUnderTheGivenName() async throws {
        let s = try Setup("import")
        defer { s.standIn.stop() }
        let entry = try await s.book.add(try s.imported(), name: "main")

        #expect(entry.name == "main")
        #expect(entry.uname == "alice")
        #expect(entry.mid == 1001)
        #expect(entry.lastCheckedAt == Self.start)
        #expect(try s.book.list() == [entry])
        #expect(try s.book.login("main") == (try s.imported()))
        let paths = Set(s.standIn.requests.map(\.path))
        #expect(paths.isSuperset(of: ["/x/web-interface/nav", "/x/passport-login/oauth2/info"]))

        // The listing, as shown anywhere, holds no secret of the login.
        let listed = String(decoding: try JSONEncoder().encode(try s.book.list()), as: UTF8.self)
        for secret in [s.alice.sessdata, s.alice.biliJct, s.alice.accessToken, s.alice.refreshToken] {
            #expect(!listed.contains(secret))
        }
    }

    @Test func cookiesTheServerRefusesAreNotStoredAndTheErrorSaysWhy() async throws {
        let s = try Setup("refused")
        defer { s.standIn.stop() }
        let forged = try LoginInfo.reading(Data(s.cookiesFile.replacingOccurrences(of: s.alice.sessdata, with: "forged").utf8))
        do {
            try await s.book.add(forged, name: "main")
            Issue.record("forged cookies were accepted")
        } catch let error as UploadError {
            #expect(error.kind == .needsLogin)
            #expect(error.message.contains("账号未登录"))
            #expect(!error.description.contains("forged"))
        }

        s.standIn.expireToken(1001)
        do {
            try await s.book.add(try s.imported(), name: "main")
            Issue.record("an expired token was accepted")
        } catch let error as UploadError {
            #expect(error.kind == .needsLogin)
            #expect(error.message.contains("Access Key错误"))
        }
        #expect(try s.book.list().isEmpty)
    }

    @Test func exportWritesBiliupsCookiesJsonWithMode0600() async throws {
        let s = try Setup("export")
        defer { s.standIn.stop() }
        try await s.book.add(try s.imported(), name: "main")
        let path = try loginScratch("export-file").appendingPathComponent("cookies.json").path
        // An older file readable by everyone is replaced, not written into.
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))

        try s.book.export("main", to: path)

        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: Data(s.cookiesFile.utf8)) as? NSDictionary
        #expect(written != nil)
        #expect(written == original)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["cookies.json"])
    }

    @Test func renewRotatesTheTokensAndMovesTheExpiry() async throws {
        let s = try Setup("renew")
        defer { s.standIn.stop() }
        let before = try s.imported()
        try await s.book.add(before, name: "main")
        s.clock.now = Self.start.addingTimeInterval(86_400)

        let entry = try await s.book.renew("main")

        let after = try s.book.login("main")
        #expect(after.tokenInfo.accessToken != before.tokenInfo.accessToken)
        #expect(after.tokenInfo.accessToken == s.standIn.account(mid: 1001)?.accessToken)
        #expect(after.tokenInfo.refreshToken == s.standIn.account(mid: 1001)?.refreshToken)
        #expect(after.platform == "BiliTV")
        #expect(entry.expiresAt == s.clock.now.addingTimeInterval(Self.lifetime))
        do {
            _ = try await AccountCheck(client: s.client).tokenStatus(before)
            Issue.record("the old token still works")
        } catch {
            #expect(error.kind == .needsLogin)
        }
        #expect(try await AccountCheck(client: s.client).tokenStatus(after)?.mid == 1001)
    }

    @Test func renewIfDueRenewsNearExpiryOrWhenPassportAsksAndOtherwiseOnlyChecks() async throws {
        let s = try Setup("renew-if-due")
        defer { s.standIn.stop() }
        try await s.book.add(try s.imported(), name: "main")
        let token = { try s.book.login("main").tokenInfo.accessToken }
        let first = try token()

        s.clock.now = Self.start.addingTimeInterval(86_400)
        guard case .notDue(let checked) = try await s.book.renewIfDue("main", within: 30 * 86_400) else {
            Issue.record("renewed a token 179 days from expiry")
            return
        }
        #expect(checked.lastCheckedAt == s.clock.now)
        #expect(try token() == first)

        s.standIn.requireRefresh(1001)
        guard case .renewed = try await s.book.renewIfDue("main", within: 30 * 86_400) else {
            Issue.record("ignored passport's refresh advice")
            return
        }
        let second = try token()
        #expect(second != first)

        s.clock.now = s.clock.now.addingTimeInterval(Self.lifetime - 10 * 86_400)
        guard case .renewed(let renewed) = try await s.book.renewIfDue("main", within: 30 * 86_400) else {
            Issue.record("did not renew a token 10 days from expiry")
            return
        }
        #expect(try token() != second)
        #expect(renewed.expiresAt == s.clock.now.addingTimeInterval(Self.lifetime))
    }

    @Test func aRefusedRenewalMarksTheAccountAsNeedingALogin() async throws {
        let s = try Setup("renew-refused")
        defer { s.standIn.stop() }
        let login = try s.imported()
        try await s.book.add(login, name: "main")
        // Refreshed elsewhere (another machine with the same cookies.json): the stored tokens are spent.
        _ = try await TokenRenewal(client: s.client).refresh(login)

        do {
            try await s.book.renew("main")
            Issue.record("spent tokens were renewed")
        } catch let error as UploadError {
            #expect(error.kind == .needsLogin)
        }
        let entry = try s.book.entry("main")
        #expect(entry.state == .needsLogin)
        #expect(entry.stateMessage == "登录已过期，请重新登录")
    }

    @Test func aLoginWithoutAnAppSaysItCannotBeRefreshed() async throws {
        let s = try Setup("renew-web-only")
        defer { s.standIn.stop() }
        var login = try s.imported()
        login.platform = nil
        try await s.book.add(login, name: "web")
        #expect(!s.standIn.requests.contains { $0.path == "/x/passport-login/oauth2/info" })

        do {
            try await s.book.renew("web")
            Issue.record("renewed a login without an app")
        } catch let error as UploadError {
            #expect(error.kind == .invalidInput)
            #expect(error.message.contains("cannot be refreshed"))
        }
        #expect(try s.book.entry("web").state == .ok)
    }
}

/// The time an `AccountBook` under test sees; tests move it.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}
