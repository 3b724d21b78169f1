import Foundation
import GRDB

/// Whether an account's login is still accepted.
public enum AccountState: String, Codable, Sendable, DatabaseValueConvertible {
    case ok
    /// Bilibili refused its cookies or token: someone must log in again.
    case needsLogin
}

/// A Bilibili account the uploader submits as: one row of `account`.
public struct AccountRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    /// The user's name for it (unique): Bilibili's user name unless given at login.
    public var name: String
    public var mid: Int64
    /// Bilibili's user name, as last seen.
    public var uname: String
    /// biliup's cookies.json, as JSON text. A secret: never logged, never in an answer.
    public var loginInfo: String
    /// When the access token expires; nil: no token (web cookies only).
    public var expiresAt: Date?
    public var lastCheckedAt: Date?
    public var state: AccountState
    /// Why it needs a new login.
    public var stateMessage: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64? = nil, name: String, mid: Int64, uname: String, loginInfo: String, expiresAt: Date?,
                lastCheckedAt: Date? = nil, state: AccountState = .ok, stateMessage: String? = nil,
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.name = name
        self.mid = mid
        self.uname = uname
        self.loginInfo = loginInfo
        self.expiresAt = expiresAt
        self.lastCheckedAt = lastCheckedAt
        self.state = state
        self.stateMessage = stateMessage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension AccountRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "account"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
