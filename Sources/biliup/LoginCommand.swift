import ArgumentParser
import BiliupEngine
import BiliupUpload
import Foundation

struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to Bilibili by scanning a QR code with the Bilibili app, or import biliup's cookies.json.",
        discussion: """
            The QR code is drawn in the terminal and written as an image (--qr-file, default DATA_DIR/login-qr.png, \
            removed afterwards); scan it with the Bilibili app and confirm on the phone. A code that expires is \
            replaced when you press Enter (without a terminal, login stops with exit status 1). Ctrl-C cancels.
            With --cookie-file, biliup's cookies.json (cookie_info, sso, token_info, platform) is checked with \
            Bilibili first and stored only when accepted.
            The account is stored in DATA_DIR/biliup.sqlite3 under its Bilibili user name, or NAME; logging in \
            again under the same name replaces it. See `biliup accounts` and `biliup renew`.
            """)

    @OptionGroup var account: AccountStoreOptions
    @Option(help: "The account's name (default: its Bilibili user name).") var name: String?
    @Option(name: .customLong("cookie-file"), help: ArgumentHelp("Import this biliup cookies.json instead of scanning a QR code.", valueName: "FILE"))
    var cookieFile: String?
    @Option(name: .customLong("qr-file"), help: ArgumentHelp("Where to write the QR code image (PNG).", valueName: "PATH"))
    var qrFile: String?

    /// Tests poll faster than Bilibili's one second.
    static let pollIntervalVariable = "BILIUP_QR_POLL_MS"

    func run() throws {
        if let cookieFile {
            try importCookies(from: cookieFile)
            return
        }
        let cancellation = LoginCancellation()
        _ = SignalTrap { _ in cancellation.cancel() }
        let book = try account.attempt { try account.book() }
        let qrPath = qrFile ?? (account.dataDirectory as NSString).appendingPathComponent("login-qr.png")
        defer { unlink(qrPath) }
        let login = try scanLoop(QRLogin(client: book.client, pollInterval: Self.pollInterval()), qrPath: qrPath, cancellation)
        let name = self.name
        let saved = cancellation.run { () async -> Result<AccountBook.Entry, any Error> in
            do { return .success(try await book.add(login, name: name)) } catch { return .failure(error) }
        }
        try report(saved)
    }

    private func importCookies(from path: String) throws {
        let login = try account.attempt { () throws -> LoginInfo in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw UploadError(.file, path, "cannot read the file")
            }
            return try LoginInfo.reading(data)
        }
        let book = try account.attempt { try account.book() }
        let name = self.name
        let saved: Result<AccountBook.Entry, any Error> = blocking {
            do { return .success(try await book.add(login, name: name)) } catch { return .failure(error) }
        }
        try report(saved, refusedPrefix: "\(path) was not imported")
    }

    private func report(_ saved: Result<AccountBook.Entry, any Error>, refusedPrefix: String = "the login was not saved") throws {
        switch saved {
        case .success(let entry):
            print("logged in as \(entry.uname) (mid \(entry.mid)), saved as account \(entry.name)")
        case .failure(let error):
            throw fail("\(refusedPrefix): \(error)")
        }
    }

    /// New codes until one is confirmed: each shown, polled, and on expiry replaced when the user asks.
    private func scanLoop(_ qr: QRLogin, qrPath: String, _ cancellation: LoginCancellation) throws -> LoginInfo {
        while true {
            let outcome = cancellation.run { () async -> Result<QRLoginState, UploadError> in
                do throws(UploadError) {
                    let ticket = try await qr.requestCode()
                    try Self.show(ticket, qrPath: qrPath)
                    return .success(try await qr.waitForConfirmation(ticket, report: Self.say))
                } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case .success(.done(let login)):
                return login
            case .success:
                guard isatty(STDIN_FILENO) != 0 else {
                    throw fail("the QR code expired before it was confirmed; run `biliup login` again")
                }
                Self.say("press Enter for a new code (Ctrl-C stops)")
                guard cancellation.waitForEnter() else { throw fail("login cancelled; nothing was saved", status: 130) }
            case .failure(let error) where error.kind == .cancelled:
                throw fail("login cancelled; nothing was saved", status: 130)
            case .failure(let error):
                throw fail("QR login failed: \(error)")
            }
        }
    }

    private static func show(_ ticket: QRLogin.Ticket, qrPath: String) throws(UploadError) {
        let code = try QRCode(encoding: ticket.url)
        try PrivateFile.write(code.png(), to: qrPath)
        say(code.terminalText)
        say("Scan the QR code with the Bilibili app (image: \(qrPath)), or open \(ticket.url) on a logged-in phone.")
    }

    private static func say(_ state: QRLoginState) {
        switch state {
        case .waiting: say("waiting for the scan...")
        case .scanned: say("scanned, confirm on the phone")
        case .expired: say("the QR code expired")
        case .code, .done: break
        }
    }

    /// A line on standard output now, not when the buffer fills (the output is often a pipe).
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private static func pollInterval() -> Duration {
        guard let text = ProcessInfo.processInfo.environment[pollIntervalVariable], let ms = Int(text), ms > 0 else { return .seconds(1) }
        return .milliseconds(ms)
    }
}

/// Ctrl-C during a login: the running request or poll is cancelled (the loop then says so and exits);
/// while waiting for Enter, which cannot be interrupted, the process exits at once. Nothing is saved
/// either way.
final class LoginCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private var cancelled = false
    private var waitingForEnter = false

    func cancel() {
        lock.lock()
        cancelled = true
        let task = self.task
        let waiting = waitingForEnter
        lock.unlock()
        task?.cancel()
        if waiting {
            FileHandle.standardError.write(Data("\nbiliup: login cancelled; nothing was saved\n".utf8))
            exit(130)
        }
    }

    /// `work`'s value, waited for on this thread; cancelled by `cancel()`.
    func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            box.value = await work()
            done.signal()
        }
        lock.lock()
        self.task = task
        if cancelled { task.cancel() }
        lock.unlock()
        done.wait()
        lock.lock()
        self.task = nil
        lock.unlock()
        return box.value!
    }

    /// Whether a line (Enter) came; false at the end of input.
    func waitForEnter() -> Bool {
        lock.lock()
        waitingForEnter = !cancelled
        let proceed = !cancelled
        lock.unlock()
        guard proceed else { return false }
        let line = readLine()
        lock.lock()
        waitingForEnter = false
        lock.unlock()
        return line != nil
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
