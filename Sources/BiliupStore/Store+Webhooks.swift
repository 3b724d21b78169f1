import Foundation
import GRDB

// Webhooks: saved one by one (the API) or synced as a set (main.lua), like templates.
extension Store {
    /// Inserts (no id) or updates (id) a webhook; a name taken by another one is a conflict.
    public func saveWebhook(_ webhook: WebhookRecord) throws -> WebhookRecord {
        try write { db in try save(webhook, db: db) }
    }

    /// All webhooks, by name.
    public func webhooks() throws -> [WebhookRecord] {
        try read { db in try WebhookRecord.order(Column("name")).fetchAll(db) }
    }

    public func webhook(id: Int64) throws -> WebhookRecord? {
        try read { db in try WebhookRecord.fetchOne(db, key: id) }
    }

    public func deleteWebhook(id: Int64) throws {
        try write { db in try delete(WebhookRecord.self, id: id, db: db) }
    }

    /// Makes the script webhooks exactly `declared`, as `syncScriptTemplates` does for templates.
    @discardableResult
    public func syncScriptWebhooks(_ declared: [WebhookRecord]) throws -> ScriptSync {
        try write { db in try syncScript(declared, db: db) }
    }
}
