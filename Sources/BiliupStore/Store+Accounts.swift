import Foundation
import GRDB

// Bilibili accounts.
extension Store {
    /// Stores `account` under its name: a new row, or the same name's row replaced (a new login of the
    /// same account keeps its id, so uploads and archives that name it stay attached).
    @discardableResult
    public func saveAccount(_ account: AccountRecord) throws -> AccountRecord {
        try write { db in
            var account = account
            let now = Date.storeNow
            account.updatedAt = now
            account.expiresAt = account.expiresAt?.roundTripped
            account.lastCheckedAt = account.lastCheckedAt?.roundTripped
            if let existing = try AccountRecord.filter(Column("name") == account.name).fetchOne(db) {
                account.id = existing.id
                account.createdAt = existing.createdAt
                try account.update(db)
            } else {
                account.id = nil
                account.createdAt = now
                try account.insert(db)
            }
            return account
        }
    }

    public func accounts() throws -> [AccountRecord] {
        try read { db in try AccountRecord.order(Column("name")).fetchAll(db) }
    }

    public func account(named name: String) throws -> AccountRecord? {
        try read { db in try AccountRecord.filter(Column("name") == name).fetchOne(db) }
    }

    public func account(id: Int64) throws -> AccountRecord? {
        try read { db in try AccountRecord.fetchOne(db, key: id) }
    }

    /// Deletes the account; its uploads and archives keep their history without it.
    public func removeAccount(named name: String) throws {
        try write { db in
            guard try AccountRecord.filter(Column("name") == name).deleteAll(db) > 0 else {
                throw StoreError(.notFound, "account '\(name)' not found")
            }
        }
    }

    /// Records the outcome of asking Bilibili about the account (validation, renewal, a refused upload).
    @discardableResult
    public func markAccount(id: Int64, state: AccountState, message: String?, checkedAt: Date = Date()) throws -> AccountRecord {
        try write { db in
            guard var account = try AccountRecord.fetchOne(db, key: id) else {
                throw StoreError(.notFound, "account \(id) not found")
            }
            account.state = state
            account.stateMessage = message
            account.lastCheckedAt = checkedAt.roundTripped
            account.updatedAt = Date.storeNow
            try account.update(db)
            return account
        }
    }
}
