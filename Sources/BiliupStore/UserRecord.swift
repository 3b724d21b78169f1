import Foundation
import GRDB

/// Someone who may log in to the HTTP API: one row of `user`.
public struct UserRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var name: String
    /// A bcrypt hash ("$2b$..."); the store never sees a password.
    public var passwordHash: String
    /// Admins also manage users and API tokens.
    public var admin: Bool
    public var createdAt: Date

    public init(id: Int64? = nil, name: String, passwordHash: String, admin: Bool, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.passwordHash = passwordHash
        self.admin = admin
        self.createdAt = createdAt
    }
}

extension UserRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "user"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// What a token is for.
public enum TokenKind: String, Codable, Sendable, DatabaseValueConvertible {
    /// Made by a login (the web page's cookie, or a script's bearer token); ends with logout or expiry.
    case session
    /// Made by an admin for a program, named, until revoked or its expiry.
    case api
}

/// A bearer secret of a user, stored as its SHA-256 only: one row of `token`.
public struct TokenRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var userId: Int64
    public var kind: TokenKind
    public var name: String
    /// Lowercase hex SHA-256 of the secret.
    public var secretHash: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?

    public init(id: Int64? = nil, userId: Int64, kind: TokenKind, name: String, secretHash: String,
                createdAt: Date = Date(), expiresAt: Date? = nil, lastUsedAt: Date? = nil) {
        self.id = id
        self.userId = userId
        self.kind = kind
        self.name = name
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    public func isExpired(at now: Date) -> Bool { expiresAt.map { $0 <= now } ?? false }
}

extension TokenRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "token"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
