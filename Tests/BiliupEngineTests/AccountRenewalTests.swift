import BiliupEngine
import BiliupStore
import BiliupTestSupport
import BiliupUpload
import BiliupValues
import Foundation
import Synchronization
import Testing

/// `run` and `server` keep tokens fresh: AccountRenewal against the Bilibili stand-in.
@Suite struct AccountRenewalTests {
    let standIn: BilibiliStandIn
    let book: AccountBook
    let account: StandInAccount

    init() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-renewal-\(UUID().uuidString.prefix(8))")
        standIn = try BilibiliStandIn(directory: dir.appendingPathComponent("standin"))
        book = AccountBook(store: try Store(path: dir.appendingPathComponent("biliup.sqlite3").path),
                           client: BilibiliClient(remap: standIn.remap))
        account = standIn.addAccount(mid: 5150, uname: "renew")
        try await book.add(LoginInfo.reading(Data(standIn.loginInfoJSON(for: account).utf8)), name: "main")
    }

    final class Events: Sendable {
        let list = Mutex<[EngineEvent]>([])
        func add(_ e: EngineEvent) { list.withLock { $0.append(e) } }
        var all: [EngineEvent] { list.withLock { $0 } }
    }

    static func waitFor(_ what: String, _ condition: () -> Bool) async {
        for _ in 0..<6000 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
        #expect(condition(), "timed out waiting for \(what)")
    }

    var infoChecks: Int { standIn.requests.filter { $0.path == "/x/passport-login/oauth2/info" }.count }

    @Test func laterRoundsRenewATokenThatPassportWantsRefreshed() async throws {
        let events = Events()
        let checksBefore = infoChecks
        let task = AccountRenewal(book: book, interval: .milliseconds(20), publish: { events.add($0) }).start()
        defer { task.cancel() }
        // The first round finds nothing due.
        await Self.waitFor("the first round") { infoChecks > checksBefore }
        #expect(events.all.isEmpty)

        standIn.requireRefresh(account.mid)
        await Self.waitFor("a renewal event") { !events.all.isEmpty }
        task.cancel()
        let event = try #require(events.all.first)
        #expect(event.kind == .state && event.level == .info)
        #expect(event.message.hasPrefix("account main: token renewed, valid until "), "\(event.message)")
        #expect(event.data["account"] == .string("main"))
        let renewed = try #require(standIn.account(mid: account.mid))
        #expect(renewed.accessToken != account.accessToken)
        #expect(try book.login("main").tokenInfo.accessToken == renewed.accessToken)
        for e in events.all {
            #expect(!e.message.contains(renewed.accessToken) && !e.message.contains(renewed.refreshToken))
        }
    }

    @Test func aRefusedTokenIsAWarningThatSaysHowToLogInAgain() async throws {
        standIn.expireToken(account.mid)
        let events = Events()
        await AccountRenewal(book: book, interval: .seconds(3600), publish: { events.add($0) }).round()
        let warning = try #require(events.all.first)
        #expect(events.all.count == 1)
        #expect(warning.level == .warn)
        #expect(warning.message.hasPrefix("account main needs a new login: biliup login --name main"), "\(warning.message)")
        #expect(warning.data["needs_login"] == .bool(true))
        #expect(try book.entry("main").state == .needsLogin)
    }
}
