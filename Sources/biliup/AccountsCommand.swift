import ArgumentParser
import BiliupNet
import BiliupStore
import BiliupUpload
import Foundation

struct AccountsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "List, export and remove the Bilibili accounts uploads are made as.",
        discussion: """
            Accounts are added with `biliup login` and kept in DATA_DIR/biliup.sqlite3, shared with a running \
            `biliup run` or `biliup server`. Listings never show cookies or tokens.
            """,
        subcommands: [List.self, Export.self, Remove.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the accounts: name, mid, Bilibili user name, token expiry, last check with Bilibili, state.",
            discussion: "State is `ok`, or `needsLogin` (with Bilibili's reason) when its cookies or token were refused: run `biliup login --name NAME` again.")
        @OptionGroup var account: AccountStoreOptions
        @Flag(help: "Print a JSON array (dates in ISO 8601).") var json = false

        func run() throws {
            let entries = try account.attempt { try account.book().list() }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                return
            }
            guard !entries.isEmpty else {
                print("no accounts; add one with `biliup login`")
                return
            }
            let now = Date()
            let rows = [["NAME", "MID", "USER", "TOKEN EXPIRES", "LAST CHECK", "STATE"]] + entries.map { e in
                [e.name, String(e.mid), e.uname, e.expiresAt.map { Self.when($0, now: now) } ?? "-",
                 e.lastCheckedAt.map { Self.when($0, now: now) } ?? "never",
                 e.state == .ok ? "ok" : "needs login: \(e.stateMessage ?? "refused")"]
            }
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces))
            }
        }

        static func when(_ date: Date, now: Date) -> String {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            let days = Int((date.timeIntervalSince(now) / 86_400).rounded())
            let relative = days == 0 ? "today" : days > 0 ? "in \(days) d" : "\(-days) d ago"
            return "\(formatter.string(from: date)) (\(relative))"
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an account's login as biliup's cookies.json (for biliup's `-u` or another machine).",
            discussion: "FILE is created with mode 0600 (it holds the cookies and tokens) or replaced atomically.")
        @OptionGroup var account: AccountStoreOptions
        @Argument(help: "The account's name (see `biliup accounts`).") var name: String
        @Argument(help: "The file to write.") var file: String

        func run() throws {
            try account.attempt { try account.book().export(name, to: file) }
            print("account '\(name)' written to \(file)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget an account (its cookies and tokens). Uploads and archives made as it keep their history.")
        @OptionGroup var account: AccountStoreOptions
        @Argument(help: "The account's name.") var name: String

        func run() throws {
            try account.attempt { try account.book().remove(name) }
            print("account '\(name)' removed")
        }
    }
}

/// `--data-dir` (where the accounts are stored), and how Bilibili is reached: `--host-remap`, `--proxy`.
struct AccountStoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Data directory holding biliup.sqlite3.", valueName: "DIR"))
    var dataDirectory = "data"

    @Option(name: .customLong("host-remap"),
            help: ArgumentHelp("Send requests for HOST to BASE_URL instead (repeatable; also BILIUP_HOST_REMAP).", valueName: "HOST=BASE_URL"))
    var hostRemaps: [String] = []

    @Option(help: ArgumentHelp("Reach Bilibili through this proxy.", valueName: "URL")) var proxy: String?

    func validate() throws {
        do { _ = try remap() } catch { throw ValidationError(error.description) }
    }

    func remap() throws(HostRemapError) -> HostRemap {
        var remap = try HostRemap.environment(ProcessInfo.processInfo.environment["BILIUP_HOST_REMAP"])
        for spec in hostRemaps { try remap.add(spec) }
        return remap
    }

    func book() throws -> AccountBook {
        AccountBook(store: try openStore(dataDirectory: dataDirectory), client: BilibiliClient(remap: (try? remap()) ?? HostRemap(), proxy: proxy))
    }

    /// `work`'s value; a failure is printed as "biliup: reason" and exits 1.
    func attempt<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail("\(error)")
        }
    }
}

/// Prints "biliup: message" to standard error; the exit status to throw.
func fail(_ message: String, status: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("biliup: \(message)\n".utf8))
    return ExitCode(status)
}
