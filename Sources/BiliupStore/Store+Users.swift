import BiliupValues
import Foundation
import GRDB

// Users, their tokens, and the global options set through the API.
extension Store {
    /// Adds a user; a taken name is a `.conflict`.
    @discardableResult
    public func addUser(_ user: UserRecord) throws -> UserRecord {
        try write { db in
            if try UserRecord.filter(Column("name") == user.name).fetchCount(db) > 0 {
                throw StoreError(.conflict, "user '\(user.name)' exists")
            }
            var user = user
            user.id = nil
            user.createdAt = user.createdAt.roundTripped
            try user.insert(db)
            return user
        }
    }

    /// Changes a user's password hash or admin flag (nil: unchanged). Refuses to take away the last
    /// admin, who is the only one able to manage users.
    @discardableResult
    public func updateUser(id: Int64, passwordHash: String? = nil, admin: Bool? = nil) throws -> UserRecord {
        try write { db in
            guard var user = try UserRecord.fetchOne(db, key: id) else { throw StoreError(.notFound, "user \(id) not found") }
            if admin == false, user.admin, try Self.adminCount(db) == 1 {
                throw StoreError(.conflict, "user '\(user.name)' is the last admin")
            }
            if let passwordHash {
                user.passwordHash = passwordHash
                // A new password logs the user out of every session (not of named API tokens).
                try TokenRecord.filter(Column("userId") == id && Column("kind") == TokenKind.session).deleteAll(db)
            }
            if let admin { user.admin = admin }
            try user.update(db)
            return user
        }
    }

    /// Deletes a user and their tokens; the last admin cannot be deleted.
    public func deleteUser(id: Int64) throws {
        try write { db in
            guard let user = try UserRecord.fetchOne(db, key: id) else { throw StoreError(.notFound, "user \(id) not found") }
            if user.admin, try Self.adminCount(db) == 1 {
                throw StoreError(.conflict, "user '\(user.name)' is the last admin")
            }
            try UserRecord.deleteOne(db, key: id)
        }
    }

    public func users() throws -> [UserRecord] {
        try read { db in try UserRecord.order(Column("name")).fetchAll(db) }
    }

    public func user(id: Int64) throws -> UserRecord? {
        try read { db in try UserRecord.fetchOne(db, key: id) }
    }

    public func user(named name: String) throws -> UserRecord? {
        try read { db in try UserRecord.filter(Column("name") == name).fetchOne(db) }
    }

    public func userCount() throws -> Int {
        try read { db in try UserRecord.fetchCount(db) }
    }

    @discardableResult
    public func addToken(_ token: TokenRecord) throws -> TokenRecord {
        try write { db in
            guard try UserRecord.exists(db, key: token.userId) else { throw StoreError(.notFound, "user \(token.userId) not found") }
            var token = token
            token.id = nil
            token.createdAt = token.createdAt.roundTripped
            token.expiresAt = token.expiresAt?.roundTripped
            try token.insert(db)
            return token
        }
    }

    /// The token with this secret hash and its user, unless it expired (expired ones are deleted here).
    public func token(secretHash: String, at now: Date = Date()) throws -> (TokenRecord, UserRecord)? {
        let found = try read { db -> (TokenRecord, UserRecord)? in
            guard let token = try TokenRecord.filter(Column("secretHash") == secretHash).fetchOne(db),
                  let user = try UserRecord.fetchOne(db, key: token.userId) else { return nil }
            return (token, user)
        }
        if let (token, _) = found, token.isExpired(at: now), let id = token.id {
            try deleteToken(id: id)
            return nil
        }
        return found
    }

    public func token(id: Int64) throws -> TokenRecord? {
        try read { db in try TokenRecord.fetchOne(db, key: id) }
    }

    /// API tokens (never session tokens), newest first.
    public func apiTokens() throws -> [TokenRecord] {
        try read { db in
            try TokenRecord.filter(Column("kind") == TokenKind.api).order(Column("createdAt").desc, Column("id").desc).fetchAll(db)
        }
    }

    public func deleteToken(id: Int64) throws {
        try write { db in
            guard try TokenRecord.deleteOne(db, key: id) else { throw StoreError(.notFound, "token \(id) not found") }
        }
    }

    /// Notes when tokens were last used; ids that are gone are skipped.
    public func touchTokens(_ ids: [Int64], at: Date) throws {
        guard !ids.isEmpty else { return }
        try write { db in
            try TokenRecord.filter(keys: ids).updateAll(db, Column("lastUsedAt").set(to: at.storedValue))
        }
    }

    /// Global options set through the API, by key.
    public func settings() throws -> [String: JSONValue] {
        try read { db in
            var values: [String: JSONValue] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM setting") {
                let text: String = row["value"]
                values[row["key"]] = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            }
            return values
        }
    }

    /// Sets the given settings in one transaction; `.null` deletes one.
    public func updateSettings(_ changes: [String: JSONValue]) throws {
        try write { db in
            for (key, value) in changes {
                if value == .null {
                    try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key])
                } else {
                    let text = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
                    try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                   arguments: [key, text])
                }
            }
        }
    }

    private static func adminCount(_ db: Database) throws -> Int {
        try UserRecord.filter(Column("admin") == true).fetchCount(db)
    }
}
