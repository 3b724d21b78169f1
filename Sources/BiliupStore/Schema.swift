import GRDB

/// The database schema, as migrations.
///
/// A migration that has shipped is never edited: users' databases already ran it, and GRDB would not
/// run it again. Every later change (a column, a table, an index) is a new migration appended here
/// ("v2", "v3", ...), so that any older database upgrades in place without losing data.
///
/// Dates are REAL unix seconds (see `StoredRecord`); JSON columns are TEXT written by the records'
/// Codable conformance.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: createV1)
        migrator.registerMigration("v2", migrate: createV2)
        return migrator
    }

    private static func createV1(_ db: Database) throws {
        try db.create(table: "streamer") { t in
            // AUTOINCREMENT: ids of deleted streamers are never reused, so the streamerId kept in events
            // (which have no foreign key, to outlive the streamer) never points at somebody else.
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull()
            t.column("urls", .text).notNull()  // JSON array of strings
            t.column("origin", .text).notNull().check { ["script", "api"].contains($0) }
            t.column("options", .text).notNull().defaults(to: "{}")  // JSON object: plugin options
            t.column("template", .text)  // template name; a name, not a key, as in main.lua
            t.column("schedule", .text).notNull().defaults(to: "[]")  // JSON array of windows
            t.column("titleInclude", .text).notNull().defaults(to: "[]")
            t.column("titleExclude", .text).notNull().defaults(to: "[]")
            t.column("overrides", .text).notNull().defaults(to: "{}")  // JSON object: global options
            t.column("danmaku", .boolean).notNull().defaults(to: false)
            t.column("paused", .boolean).notNull().defaults(to: false)
            t.column("createdAt", .double).notNull()
            t.column("updatedAt", .double).notNull()
        }
        try db.create(index: "streamer_on_name", on: "streamer", columns: ["name"], unique: true)

        try db.create(table: "template") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull()
            t.column("origin", .text).notNull().check { ["script", "api"].contains($0) }
            t.column("fields", .text).notNull().defaults(to: "{}")  // JSON object: title, tid, tags...
            t.column("createdAt", .double).notNull()
            t.column("updatedAt", .double).notNull()
        }
        try db.create(index: "template_on_name", on: "template", columns: ["name"], unique: true)

        try db.create(table: "session") { t in
            t.autoIncrementedPrimaryKey("id")
            // SET NULL: removing a streamer keeps its recording history (under streamerName).
            t.column("streamerId", .integer).references("streamer", onDelete: .setNull)
            t.column("streamerName", .text).notNull()
            t.column("plugin", .text).notNull()
            t.column("url", .text).notNull()
            t.column("title", .text)
            t.column("startedAt", .double).notNull()
            t.column("endedAt", .double)  // NULL while the broadcast is being recorded
            t.column("endReason", .text)
            // Totals of the session's finished segments, kept by the store when a segment changes.
            t.column("bytes", .integer).notNull().defaults(to: 0)
            t.column("duration", .double).notNull().defaults(to: 0)
            t.column("segmentCount", .integer).notNull().defaults(to: 0)
        }
        // A streamer's history, newest first; also serves the foreign key's SET NULL on delete.
        try db.create(index: "session_on_streamerId_startedAt", on: "session", columns: ["streamerId", "startedAt"])
        // All streamers' history, newest first (the API's default listing).
        try db.create(index: "session_on_startedAt", on: "session", columns: ["startedAt"])

        try db.create(table: "segment") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("sessionId", .integer).notNull().references("session", onDelete: .cascade)
            t.column("path", .text).notNull()
            t.column("state", .text).notNull().check { ["recording", "finished", "removed"].contains($0) }
            t.column("startedAt", .double).notNull()
            t.column("endedAt", .double)
            t.column("duration", .double).notNull().defaults(to: 0)
            t.column("bytes", .integer).notNull().defaults(to: 0)
            t.column("report", .text)  // JSON object: the recorder's integrity report
            t.column("removedReason", .text)  // why a segment is "removed" (too small, file gone...)
            t.column("createdAt", .double).notNull()
        }
        try db.create(index: "segment_on_sessionId", on: "segment", columns: ["sessionId"])

        try db.create(table: "event") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("at", .double).notNull()
            t.column("kind", .text).notNull()
            t.column("level", .text).notNull().check { ["debug", "info", "warn", "error"].contains($0) }
            // No foreign keys: the log outlives the streamers and sessions it mentions.
            t.column("streamerId", .integer)
            t.column("sessionId", .integer)
            t.column("message", .text).notNull()
            t.column("data", .text).notNull().defaults(to: "{}")  // JSON object
        }
        try db.create(index: "event_on_at", on: "event", columns: ["at"])
        // One streamer's log (the API's per-streamer view) without scanning every event.
        try db.create(index: "event_on_streamerId", on: "event", columns: ["streamerId"])
    }

    /// v2: who may use the HTTP API (users, their login sessions and API tokens) and the global options
    /// set through it.
    private static func createV2(_ db: Database) throws {
        try db.create(table: "user") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull()
            t.column("passwordHash", .text).notNull()  // bcrypt; never the password
            t.column("admin", .boolean).notNull().defaults(to: false)
            t.column("createdAt", .double).notNull()
        }
        try db.create(index: "user_on_name", on: "user", columns: ["name"], unique: true)

        try db.create(table: "token") { t in
            t.autoIncrementedPrimaryKey("id")
            // CASCADE: deleting a user logs them out everywhere.
            t.column("userId", .integer).notNull().references("user", onDelete: .cascade)
            t.column("kind", .text).notNull().check { ["session", "api"].contains($0) }
            t.column("name", .text).notNull()
            // SHA-256 of the secret: a copy of the database does not give anyone a login.
            t.column("secretHash", .text).notNull()
            t.column("createdAt", .double).notNull()
            t.column("expiresAt", .double)  // NULL: until revoked
            t.column("lastUsedAt", .double)
        }
        try db.create(index: "token_on_secretHash", on: "token", columns: ["secretHash"], unique: true)
        try db.create(index: "token_on_userId", on: "token", columns: ["userId"])

        try db.create(table: "setting") { t in
            t.primaryKey("key", .text)
            t.column("value", .text).notNull()  // JSON
        }
    }
}
