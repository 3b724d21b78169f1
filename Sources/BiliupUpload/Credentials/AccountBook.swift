import BiliupStore
import Foundation

/// The Bilibili accounts of a data directory: logins checked with the server before they are stored,
/// loaded by name for uploads, listed without secrets, exported as biliup's cookies.json, and their
/// tokens renewed before they expire.
public struct AccountBook: Sendable {
    public let store: Store
    public let client: BilibiliClient
    private let now: @Sendable () -> Date

    public init(store: Store, client: BilibiliClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.client = client
        self.now = now
    }

    /// An account as it may be shown anywhere: no cookies, no tokens.
    public struct Entry: Codable, Sendable, Equatable {
        /// The store's id of the account (0 for a record not saved yet).
        public let id: Int64
        public let name: String
        public let mid: Int64
        public let uname: String
        public let expiresAt: Date?
        public let lastCheckedAt: Date?
        public let state: AccountState
        public let stateMessage: String?

        public init(_ record: AccountRecord) {
            id = record.id ?? 0
            name = record.name
            mid = record.mid
            uname = record.uname
            expiresAt = record.expiresAt
            lastCheckedAt = record.lastCheckedAt
            state = record.state
            stateMessage = record.stateMessage
        }
    }

    public enum Renewal: Sendable, Equatable {
        case renewed(Entry)
        /// Checked and still good for longer than the window.
        case notDue(Entry)
    }

    /// Checks `login` with Bilibili (nav for the cookies; OAuth2 info for the token when the login has an
    /// app) and stores it as `name`, or as its user name when `name` is nil. A login the server refuses
    /// is not stored. A token passport advises refreshing is refreshed first.
    @discardableResult
    public func add(_ login: LoginInfo, name: String? = nil) async throws -> Entry {
        let check = AccountCheck(client: client)
        let identity = try await check.identity(login)
        if login.tokenInfo.mid != 0, identity.mid != login.tokenInfo.mid {
            throw UploadError(.invalidInput, "account check", "the cookies are of mid \(identity.mid) but the token is of mid \(login.tokenInfo.mid)")
        }
        var login = login
        var expiresIn = login.tokenInfo.expiresIn
        if let status = try await check.tokenStatus(login) {
            if status.refresh {
                login = try await TokenRenewal(client: client).refresh(login)
                expiresIn = login.tokenInfo.expiresIn
            } else {
                expiresIn = status.expiresIn
            }
        }
        let name = name ?? identity.uname
        guard !name.isEmpty else { throw UploadError(.invalidInput, "saving the account", "the account has no user name; give one with --name") }
        let checked = now()
        let record = AccountRecord(name: name, mid: identity.mid, uname: identity.uname, loginInfo: try Self.text(login),
                                   expiresAt: checked.addingTimeInterval(TimeInterval(expiresIn)), lastCheckedAt: checked)
        return Entry(try store.saveAccount(record))
    }

    public func list() throws -> [Entry] { try store.accounts().map(Entry.init) }

    public func entry(_ name: String) throws -> Entry { Entry(try record(name)) }

    /// The stored login of `name`, as an upload needs it.
    public func login(_ name: String) throws -> LoginInfo {
        try LoginInfo.reading(Data(try record(name).loginInfo.utf8))
    }

    public func remove(_ name: String) throws { try store.removeAccount(named: name) }

    /// Writes `name`'s login to `path` as biliup's cookies.json (mode 0600, replaced atomically).
    public func export(_ name: String, to path: String) throws {
        try PrivateFile.write(try login(name).fileBytes(), to: path)
    }

    /// Refreshes `name`'s tokens now. A refusal marks the account as needing a new login, with the
    /// server's message, and is rethrown.
    @discardableResult
    public func renew(_ name: String) async throws -> Entry {
        let record = try record(name)
        let login = try LoginInfo.reading(Data(record.loginInfo.utf8))
        let renewed: LoginInfo
        do throws(UploadError) {
            renewed = try await TokenRenewal(client: client).refresh(login)
        } catch {
            try markRefused(record, error)
            throw error
        }
        var updated = record
        let checked = now()
        updated.loginInfo = try Self.text(renewed)
        updated.expiresAt = checked.addingTimeInterval(TimeInterval(renewed.tokenInfo.expiresIn))
        updated.lastCheckedAt = checked
        updated.state = .ok
        updated.stateMessage = nil
        return Entry(try store.saveAccount(updated))
    }

    /// Renews `name` when its token expires within `window` or passport advises a refresh; otherwise
    /// records that the token was checked and is fine.
    public func renewIfDue(_ name: String, within window: TimeInterval) async throws -> Renewal {
        let record = try record(name)
        if let expiresAt = record.expiresAt, expiresAt.timeIntervalSince(now()) < window {
            return .renewed(try await renew(name))
        }
        let login = try LoginInfo.reading(Data(record.loginInfo.utf8))
        let status: AccountCheck.TokenStatus?
        do throws(UploadError) {
            status = try await AccountCheck(client: client).tokenStatus(login)
        } catch {
            try markRefused(record, error)
            throw error
        }
        if status?.refresh == true { return .renewed(try await renew(name)) }
        var updated = record
        let checked = now()
        if let status { updated.expiresAt = checked.addingTimeInterval(TimeInterval(status.expiresIn)) }
        updated.lastCheckedAt = checked
        updated.state = .ok
        updated.stateMessage = nil
        return .notDue(Entry(try store.saveAccount(updated)))
    }

    private func record(_ name: String) throws -> AccountRecord {
        guard let record = try store.account(named: name) else {
            throw StoreError(.notFound, "no account '\(name)' (see `biliup accounts`)")
        }
        return record
    }

    /// The server said no (as opposed to not answering): the account needs a person to log in again.
    private func markRefused(_ record: AccountRecord, _ error: UploadError) throws {
        guard [.needsLogin, .api].contains(error.kind), let id = record.id else { return }
        try store.markAccount(id: id, state: .needsLogin, message: error.message, checkedAt: now())
    }

    private static func text(_ login: LoginInfo) throws -> String { String(decoding: try login.fileBytes(), as: UTF8.self) }
}
