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
        migrator.registerMigration("v3", migrate: createV3)
        migrator.registerMigration("v4", migrate: createV4)
        migrator.registerMigration("v5", migrate: createV5)
        migrator.registerMigration("v6", migrate: createV6)
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

    /// v3: the uploader's memory. Bilibili accounts; every file upload with its finished chunks (so a
    /// killed upload resumes at the chunk); archives (one submission) with their parts in order.
    private static func createV3(_ db: Database) throws {
        try db.create(table: "account") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull()  // the user's name for it: Bilibili's user name or --name
            t.column("mid", .integer).notNull()  // Bilibili's user id
            t.column("uname", .text).notNull().defaults(to: "")  // Bilibili's user name, as last seen
            // biliup's cookies.json (LoginInfo) as JSON: cookies, SSO domains, tokens, platform. Secret.
            t.column("loginInfo", .text).notNull()
            t.column("expiresAt", .double)  // when the access token expires; NULL: no token
            t.column("lastCheckedAt", .double)  // when the server last accepted (or refused) it
            t.column("state", .text).notNull().defaults(to: "ok").check { ["ok", "needsLogin"].contains($0) }
            t.column("stateMessage", .text)  // why it needs a new login, in the server's words
            t.column("createdAt", .double).notNull()
            t.column("updatedAt", .double).notNull()
        }
        try db.create(index: "account_on_name", on: "account", columns: ["name"], unique: true)

        // One file's UPOS upload. Resuming needs the same file (path, size, mtime) under the same account.
        try db.create(table: "uploadFile") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("accountId", .integer).references("account", onDelete: .setNull)
            t.column("path", .text).notNull()
            t.column("size", .integer).notNull()
            t.column("mtime", .double).notNull()
            t.column("line", .text).notNull()  // the line's name (bda2, ...)
            t.column("endpoint", .text).notNull()  // "//upos-....bilivideo.com", as preupload gave it
            t.column("uposURI", .text).notNull()  // "upos://ugc/....mp4"
            t.column("auth", .text).notNull()  // X-Upos-Auth. Secret.
            t.column("bizId", .integer).notNull()
            t.column("uploadId", .text).notNull()
            t.column("chunkSize", .integer).notNull()
            t.column("state", .text).notNull().check { ["uploading", "uploaded", "abandoned"].contains($0) }
            t.column("remoteName", .text)  // the stem of upos_uri that a submission names, once complete
            t.column("createdAt", .double).notNull()
            t.column("updatedAt", .double).notNull()
        }
        try db.create(index: "uploadFile_on_identity", on: "uploadFile", columns: ["path", "size", "mtime"])

        try db.create(table: "uploadPart") { t in
            t.column("uploadFileId", .integer).notNull().references("uploadFile", onDelete: .cascade)
            t.column("partNumber", .integer).notNull()  // 1-based, as UPOS counts
            t.column("eTag", .text).notNull()
            t.column("bytes", .integer).notNull()
            t.primaryKey(["uploadFileId", "partNumber"])
        }

        // One Bilibili archive (稿件): from `biliup upload`, or a recorded session's segments.
        try db.create(table: "archive") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("accountId", .integer).references("account", onDelete: .setNull)
            t.column("sessionId", .integer).references("session", onDelete: .setNull)
            t.column("template", .text)  // template name; NULL for a one-off upload
            t.column("title", .text).notNull()
            t.column("studio", .text).notNull()  // JSON: the submission body, parts excluded
            // collecting: parts still come (the session records); ready: all parts known;
            // submitted: code 0 (aid/bvid set); failed: gave up (error says why); held: waits for a person
            t.column("state", .text).notNull().check { ["collecting", "ready", "submitted", "failed", "held"].contains($0) }
            t.column("aid", .integer)
            t.column("bvid", .text)
            t.column("appendTo", .text)  // BV/av id of an existing archive the parts are appended to
            t.column("tries", .integer).notNull().defaults(to: 0)
            t.column("nextTryAt", .double)
            t.column("error", .text)
            t.column("submittedAt", .double)
            t.column("createdAt", .double).notNull()
            t.column("updatedAt", .double).notNull()
        }
        try db.create(index: "archive_on_state", on: "archive", columns: ["state"])
        try db.create(index: "archive_on_sessionId", on: "archive", columns: ["sessionId"])

        try db.create(table: "archivePart") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("archiveId", .integer).notNull().references("archive", onDelete: .cascade)
            t.column("position", .integer).notNull()  // recording order, 0-based
            t.column("segmentId", .integer).references("segment", onDelete: .setNull)
            t.column("path", .text).notNull()
            t.column("title", .text).notNull()  // the part's title in the archive
            t.column("uploadFileId", .integer).references("uploadFile", onDelete: .setNull)
            // queued → uploading → uploaded; held: the integrity gate stopped it; failed: gave up
            t.column("state", .text).notNull().check { ["queued", "uploading", "uploaded", "held", "failed"].contains($0) }
            t.column("tries", .integer).notNull().defaults(to: 0)
            t.column("nextTryAt", .double)
            t.column("error", .text)
            t.column("createdAt", .double).notNull()
            t.column("updatedAt", .double).notNull()
        }
        try db.create(index: "archivePart_on_archiveId_position", on: "archivePart", columns: ["archiveId", "position"], unique: true)
        try db.create(index: "archivePart_on_state", on: "archivePart", columns: ["state"])
    }

    /// v4: what a queued part needs across restarts besides v3's columns: the name the submission gives
    /// it once uploaded (uploadFile rows belong to one UPOS session and may be replaced), and its size,
    /// so the queue's bytes are known without touching the files.
    private static func createV4(_ db: Database) throws {
        try db.alter(table: "archivePart") { t in
            t.add(column: "remoteName", .text)
            t.add(column: "bytes", .integer).notNull().defaults(to: 0)
        }
    }

    /// v5: a streamer's danmaku options besides `danmaku` itself: gifts and super chats in the XML
    /// (`danmakuDetail`) and an `.ass` beside each segment (`danmakuASS`).
    private static func createV5(_ db: Database) throws {
        try db.alter(table: "streamer") { t in
            t.add(column: "danmakuDetail", .boolean).notNull().defaults(to: false)
            t.add(column: "danmakuASS", .boolean).notNull().defaults(to: false)
        }
    }

    /// v6: webhooks, where events are POSTed (main.lua's and the API's, told apart by `origin`).
    private static func createV6(_ db: Database) throws {
        try db.create(table: "webhook") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull()
            t.column("origin", .text).notNull().check { ["script", "api"].contains($0) }
            t.column("url", .text).notNull()
            t.column("events", .text).notNull().defaults(to: "[]")  // JSON array of event kinds
            t.column("secret", .text).notNull().defaults(to: "")  // the HMAC key; needed as is to sign
            t.column("createdAt", .double).notNull()
            t.column("updatedAt", .double).notNull()
        }
        try db.create(index: "webhook_on_name", on: "webhook", columns: ["name"], unique: true)
    }
}
