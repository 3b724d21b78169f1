import ArgumentParser
import BiliupNet
import BiliupStore
import BiliupUpload
import Foundation

/// What `upload` and `append` share: whose login, how files go up, how the submission is sent, and
/// where the resume records live.
struct UploadOptions: ParsableArguments {
    @Option(name: [.customShort("u"), .customLong("user-cookie")],
            help: ArgumentHelp("""
                biliup's cookies.json to log in with (may also stand before the subcommand, as in biliup: \
                `biliup -u FILE upload ...`). Default: ./cookies.json if it exists, else the only account of \
                the data directory.
                """, valueName: "FILE"))
    var userCookie: String?

    @Option(help: ArgumentHelp("An account stored by `biliup login`, by name (see `biliup accounts`).", valueName: "NAME"))
    var account: String?

    @Option(help: ArgumentHelp("""
                How the archive is submitted: app (the Android client's endpoint, signed with the access token; \
                biliup's default, allows many parts) or web (the creator center's, with the cookies and csrf).
                """, valueName: "app|web"))
    var submit = "app"

    @Option(name: [.customShort("l"), .customLong("line")],
            help: ArgumentHelp("""
                The upload line (CDN): auto probes the lines Bilibili offers and takes the fastest; or one \
                by biliup's name: 
                """ + UploadLine.names.dropFirst().joined(separator: ", ") + ".", valueName: "LINE"))
    var line = "auto"

    @Option(help: ArgumentHelp("Chunks of one file uploaded at once (biliup's --limit).", valueName: "N"))
    var limit = 3

    @Flag(help: "Print one JSON object per event on standard output; the last is {\"aid\":…,\"bvid\":…} (or {\"error\":…}).")
    var json = false

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("""
                Data directory, as for `run`: accounts and the resume records of uploads are in \
                DIR/biliup.sqlite3, so the same command run again continues an interrupted upload.
                """, valueName: "DIR"))
    var dataDirectory = "data"

    @Option(name: .customLong("host-remap"),
            help: ArgumentHelp("Send requests for HOST to BASE_URL instead (repeatable; also BILIUP_HOST_REMAP); for mirrors and tests.",
                               valueName: "HOST=BASE_URL"))
    var hostRemaps: [String] = []

    func validate() throws {
        if SubmitMode(rawValue: submit) == nil { throw ValidationError("--submit: \"\(submit)\" is neither app nor web") }
        if limit < 1 { throw ValidationError("--limit: must be at least 1") }
        if userCookie != nil && account != nil { throw ValidationError("-u/--user-cookie and --account: give one of them") }
        _ = try uploadLine()
        do { _ = try remap() } catch { throw ValidationError(error.description) }
    }

    var mode: SubmitMode { SubmitMode(rawValue: submit) ?? .app }

    func uploadLine() throws -> UploadLine {
        guard let line = UploadLine(named: line) else {
            throw ValidationError("--line: \"\(line)\" is not a line (\(UploadLine.names.joined(separator: ", ")))")
        }
        return line
    }

    func remap() throws(HostRemapError) -> HostRemap {
        var remap = try HostRemap.environment(ProcessInfo.processInfo.environment["BILIUP_HOST_REMAP"])
        for spec in hostRemaps { try remap.add(spec) }
        return remap
    }

    /// The login to upload as, and its account's id when it is a stored account (resume records are
    /// kept per account).
    func login(store: Store) throws(CommandFailure) -> (LoginInfo, accountId: Int64?) {
        if let userCookie { return (try Self.readCookieFile(userCookie), nil) }
        if let account {
            guard let record = try storeRead({ try store.account(named: account) }) else {
                throw CommandFailure("--account: no account \"\(account)\" in \(dataDirectory) (see `biliup accounts`; `biliup login` adds one)")
            }
            return (try Self.loginInfo(of: record), record.id)
        }
        if FileManager.default.fileExists(atPath: "cookies.json") { return (try Self.readCookieFile("cookies.json"), nil) }
        let accounts = try storeRead { try store.accounts() }
        guard accounts.count == 1, let only = accounts.first else {
            throw CommandFailure(accounts.isEmpty
                ? "no login: give -u cookies.json, or log in first (`biliup login`)"
                : "\(accounts.count) accounts in \(dataDirectory): say which with --account NAME")
        }
        return (try Self.loginInfo(of: only), only.id)
    }

    private static func readCookieFile(_ path: String) throws(CommandFailure) -> LoginInfo {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("-u/--user-cookie: cannot read \(path)")
        }
        do { return try LoginInfo.reading(data) } catch { throw CommandFailure("\(path): \(error.message)") }
    }

    private static func loginInfo(of record: AccountRecord) throws(CommandFailure) -> LoginInfo {
        do { return try LoginInfo.reading(Data(record.loginInfo.utf8)) } catch {
            throw CommandFailure("account \"\(record.name)\": its stored login is damaged (\(error.message)); log in again")
        }
    }

    private func storeRead<T>(_ body: () throws -> T) throws(CommandFailure) -> T {
        do { return try body() } catch { throw CommandFailure("\(dataDirectory): \(error)") }
    }
}

/// A command's failure as the one line the user reads.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }

    /// An uploader error, naming the command-line option where it is about a submission field.
    init(_ error: UploadError) {
        if let field = StudioField.of(error) {
            var text = "\(Self.option(for: field)): \(error.message)"
            if let code = error.code { text += " (code \(code))" }
            message = text
        } else {
            message = error.description
        }
    }

    static func option(for field: StudioField) -> String {
        field == .videos ? "FILE" : "--" + field.rawValue
    }
}
