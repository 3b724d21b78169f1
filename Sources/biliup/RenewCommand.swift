import ArgumentParser
import BiliupEngine
import BiliupUpload
import Foundation

struct RenewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Refresh accounts' access tokens and cookies now (all accounts, or the one named).",
        discussion: """
            Uses each login's refresh token (passport OAuth2 refresh); the old token stops working. A login \
            Bilibili refuses is marked as needing a new login (see `biliup accounts`). Logins imported \
            without an app token (platform null) cannot be refreshed. Exit status 1 when any account failed.
            """)

    @OptionGroup var account: AccountStoreOptions
    @Argument(help: "The account to renew (default: every account).") var name: String?

    func run() throws {
        let book = try account.attempt { try account.book() }
        let names = try name.map { [$0] } ?? account.attempt { try book.list().map(\.name) }
        guard !names.isEmpty else { throw fail("no accounts; add one with `biliup login`") }
        var failed = 0
        for name in names {
            let result: Result<AccountBook.Entry, any Error> = blocking {
                do { return .success(try await book.renew(name)) } catch { return .failure(error) }
            }
            switch result {
            case .success(let entry):
                print("renewed '\(name)': token valid until \(entry.expiresAt.map { AccountsCommand.List.when($0, now: Date()) } ?? "-")")
            case .failure(let error):
                failed += 1
                FileHandle.standardError.write(Data("biliup: cannot renew '\(name)': \(error)\n".utf8))
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
