import BiliupStore
import BiliupUpload
import BiliupValues
import Foundation

/// A QR login just started: the URL to show as a QR code, and until when it can be scanned.
public struct QRLoginStart: Sendable, Equatable {
    public let id: Int64
    public let url: String
    public let expiresAt: Date
}

// The engine's commands for Bilibili accounts (the API's accounts routes call these). Cookies and
// tokens go from Bilibili to the store and never into an answer or an event.
extension Engine {
    /// The accounts, by name.
    public func accounts() throws(EngineError) -> [AccountBook.Entry] {
        do { return try store.accounts().map(AccountBook.Entry.init) } catch { throw EngineError(error) }
    }

    /// Asks passport for a TV QR code. The login is kept (a few at once, the oldest dropped) until
    /// it is confirmed, cancelled or its code expires; `name` names the account it stores.
    public func startQRLogin(name: String? = nil) async throws(EngineError) -> QRLoginStart {
        let book = try accountBook()
        let name = try Self.accountName(name)
        let ticket: QRLogin.Ticket
        do { ticket = try await QRLogin(client: book.client).requestCode() } catch { throw Self.bilibili(error, refusal: .upstream) }
        let login = qrLogins.add(authCode: ticket.authCode, url: ticket.url, name: name, now: clock.now)
        return QRLoginStart(id: login.id, url: login.url, expiresAt: login.expiresAt)
    }

    /// Asks passport once how the login stands (at most once a second per login: a faster caller gets
    /// the last answer again). A confirmed login is checked and stored, and its account returned.
    public func pollQRLogin(id: Int64) async throws(EngineError) -> QRLoginProgress {
        let book = try accountBook()
        let now = clock.now
        guard var login = qrLogins.login(id, now: now) else { throw Self.unknownQRLogin(id) }
        if login.progress.isFinal || login.polling { return login.progress }
        if let last = login.lastPollAt, now.timeIntervalSince(last) < PendingQRLogins.pollInterval { return login.progress }
        login.polling = true
        login.lastPollAt = now
        qrLogins.update(login)
        let state: QRLoginState
        do {
            state = try await QRLogin(client: book.client).poll(login.authCode)
        } catch {
            login.polling = false
            qrLogins.update(login)
            throw Self.bilibili(error, refusal: .upstream)
        }
        // Cancelled while passport was asked: the person no longer wants this login.
        if let current = qrLogins.login(id, now: clock.now), current.progress == .cancelled { return .cancelled }
        login.polling = false
        switch state {
        case .code, .waiting: login.progress = .waiting
        case .scanned: login.progress = .scanned
        case .expired: login.progress = .expired
        case .done(let info):
            let account: AccountBook.Entry
            do {
                account = try await store(info, as: login.name, book)
            } catch {
                // Passport hands a confirmed login out once: this code is used up.
                login.progress = .expired
                qrLogins.update(login)
                throw error
            }
            login.progress = .done(account)
            publish(EngineEvent(.config, message: "account '\(account.name)' logged in by QR code", data: Self.eventData(account)))
        }
        qrLogins.update(login)
        return login.progress
    }

    public func cancelQRLogin(id: Int64) throws(EngineError) {
        guard var login = qrLogins.login(id, now: clock.now) else { throw Self.unknownQRLogin(id) }
        guard !login.progress.isFinal else { return }
        login.progress = .cancelled
        qrLogins.update(login)
    }

    /// Stores biliup's cookies.json once Bilibili has accepted it.
    public func importAccount(cookiesJSON: Data, name: String? = nil) async throws(EngineError) -> AccountBook.Entry {
        let book = try accountBook()
        let name = try Self.accountName(name)
        let info: LoginInfo
        do { info = try LoginInfo.reading(cookiesJSON) } catch { throw EngineError.invalid("cookies", error.message) }
        let account = try await store(info, as: name, book)
        publish(EngineEvent(.config, message: "account '\(account.name)' imported from cookies", data: Self.eventData(account)))
        return account
    }

    public func removeAccount(id: Int64) throws(EngineError) {
        let record = try accountRecord(id)
        do { try store.removeAccount(named: record.name) } catch { throw EngineError(error) }
        publish(EngineEvent(.config, message: "account '\(record.name)' removed", data: ["account": .string(record.name)]))
    }

    /// Refreshes the account's tokens now. A refusal marks it as needing a new login.
    public func renewAccount(id: Int64) async throws(EngineError) -> AccountBook.Entry {
        let book = try accountBook()
        let record = try accountRecord(id)
        do {
            try await book.renew(record.name)
        } catch {
            publishAccountState(record.name)
            throw Self.bilibili(error, refusal: .conflict)
        }
        let account = AccountBook.Entry(try accountRecord(id))
        publish(EngineEvent(.config, message: "account '\(account.name)' renewed", data: Self.eventData(account)))
        return account
    }

    // MARK: Helpers

    private func accountBook() throws(EngineError) -> AccountBook {
        guard let book = environment.accounts else {
            throw EngineError(.conflict, "this biliup has no Bilibili accounts (only `biliup server` and `biliup run` have)")
        }
        return book
    }

    private func accountRecord(_ id: Int64) throws(EngineError) -> AccountRecord {
        let record: AccountRecord?
        do { record = try store.account(id: id) } catch { throw EngineError(error) }
        guard let record else { throw EngineError(.notFound, "account \(id) not found") }
        return record
    }

    private func store(_ info: LoginInfo, as name: String?, _ book: AccountBook) async throws(EngineError) -> AccountBook.Entry {
        let entry: AccountBook.Entry
        do { entry = try await book.add(info, name: name) } catch { throw Self.bilibili(error, refusal: .invalid) }
        return AccountBook.Entry(try accountRecord(named: entry.name))
    }

    private func accountRecord(named name: String) throws(EngineError) -> AccountRecord {
        let record: AccountRecord?
        do { record = try store.account(named: name) } catch { throw EngineError(error) }
        guard let record else { throw EngineError(.notFound, "account '\(name)' not found") }
        return record
    }

    /// A renewal Bilibili refused has marked the account: the listing shows it, and so should the events.
    private func publishAccountState(_ name: String) {
        guard let record = try? store.account(named: name), record.state == .needsLogin else { return }
        publish(EngineEvent(.config, level: .warn, message: "account '\(name)' needs a new login: \(record.stateMessage ?? "")",
                            data: Self.eventData(AccountBook.Entry(record))))
    }

    private static func accountName(_ name: String?) throws(EngineError) -> String? {
        guard let name else { return nil }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 64 else { throw EngineError.invalid("name", "1 to 64 characters") }
        return trimmed
    }

    private static func unknownQRLogin(_ id: Int64) -> EngineError {
        EngineError(.notFound, "QR login \(id) not found (a login is forgotten once its code expired; start a new one)")
    }

    /// What a failure to talk to Bilibili is for the API: a refusal of what was sent (bad cookies, a
    /// lost login) is the request's fault, shown as `refusal`; anything else is Bilibili's (unreachable,
    /// an unreadable answer). UploadError's messages carry no secrets and no raw body.
    private static func bilibili(_ error: any Error, refusal: EngineError.Kind) -> EngineError {
        guard let error = error as? UploadError else { return EngineError(error) }
        switch error.kind {
        case .needsLogin, .api, .invalidInput:
            return refusal == .invalid ? .invalid("cookies", "Bilibili refused the login: \(error)") : EngineError(refusal, "Bilibili refused: \(error)")
        case .network, .http, .badResponse, .rateLimited, .file, .cancelled:
            return EngineError(.upstream, "Bilibili could not be asked: \(error)")
        }
    }

    private static func eventData(_ account: AccountBook.Entry) -> [String: JSONValue] {
        ["account": .string(account.name), "mid": .int(account.mid), "state": .string(account.state.rawValue)]
    }
}
