import Foundation
import GRDB

// Streamers and templates: saved one by one (the API) or synced as a set (main.lua).
extension Store {
    /// Inserts `streamer` when its id is nil, else updates the row with that id (keeping its createdAt,
    /// and its updatedAt when nothing changed). A name is one streamer: inserting or renaming to a name
    /// that exists is a `.conflict`, never a silent update of the other streamer.
    @discardableResult
    public func saveStreamer(_ streamer: StreamerRecord) throws -> StreamerRecord {
        try write { db in try save(streamer, db: db) }
    }

    /// All streamers, by name.
    public func streamers() throws -> [StreamerRecord] {
        try read { db in try StreamerRecord.order(Column("name")).fetchAll(db) }
    }

    public func streamer(id: Int64) throws -> StreamerRecord? {
        try read { db in try StreamerRecord.fetchOne(db, key: id) }
    }

    public func streamer(named name: String) throws -> StreamerRecord? {
        try read { db in try StreamerRecord.filter(Column("name") == name).fetchOne(db) }
    }

    /// Deletes a streamer; its sessions stay, with streamerId nil and their streamerName.
    public func deleteStreamer(id: Int64) throws {
        try write { db in try delete(StreamerRecord.self, id: id, db: db) }
    }

    /// Makes the `origin == .script` streamers exactly `declared` (matched by name) in one
    /// transaction: new names are added, changed ones updated (their pause state kept), missing ones
    /// deleted. Streamers added through the API are untouched; a declared name that is one of them is a
    /// `.conflict`, as is a name declared twice.
    @discardableResult
    public func syncScriptStreamers(_ declared: [StreamerRecord]) throws -> ScriptSync {
        try write { db in try syncScript(declared, db: db) }
    }

    /// Inserts or updates a template, as `saveStreamer` does for streamers.
    @discardableResult
    public func saveTemplate(_ template: TemplateRecord) throws -> TemplateRecord {
        try write { db in try save(template, db: db) }
    }

    /// All templates, by name.
    public func templates() throws -> [TemplateRecord] {
        try read { db in try TemplateRecord.order(Column("name")).fetchAll(db) }
    }

    public func template(named name: String) throws -> TemplateRecord? {
        try read { db in try TemplateRecord.filter(Column("name") == name).fetchOne(db) }
    }

    /// Deletes a template. Streamers naming it keep the name: the engine reports the missing template.
    public func deleteTemplate(id: Int64) throws {
        try write { db in try delete(TemplateRecord.self, id: id, db: db) }
    }

    /// Makes the script templates exactly `declared`, as `syncScriptStreamers` does for streamers.
    @discardableResult
    public func syncScriptTemplates(_ declared: [TemplateRecord]) throws -> ScriptSync {
        try write { db in try syncScript(declared, db: db) }
    }

    func save<R: ScriptDeclared>(_ record: R, db: Database) throws -> R {
        let now = Date.storeNow
        var record = record
        let sameName = try R.filter(Column("name") == record.name).fetchOne(db)
        guard let id = record.id else {
            if sameName != nil { throw StoreError(.conflict, "\(R.noun) '\(record.name)' exists") }
            record.createdAt = now
            record.updatedAt = now
            try record.insert(db)
            return record
        }
        guard let stored = try R.fetchOne(db, key: id) else {
            throw StoreError(.notFound, "\(R.noun) \(id) not found")
        }
        if let sameName, sameName.id != id {
            throw StoreError(.conflict, "\(R.noun) '\(record.name)' exists")
        }
        record.createdAt = stored.createdAt
        record.updatedAt = stored.updatedAt
        guard record != stored else { return stored }
        record.updatedAt = now
        try record.update(db)
        return record
    }

    func delete<R: ScriptDeclared>(_: R.Type, id: Int64, db: Database) throws {
        guard try R.deleteOne(db, key: id) else {
            throw StoreError(.notFound, "\(R.noun) \(id) not found")
        }
    }

    func syncScript<R: ScriptDeclared>(_ declared: [R], db: Database) throws -> ScriptSync {
        let now = Date.storeNow
        var declaredNames = Set<String>()
        for record in declared where !declaredNames.insert(record.name).inserted {
            throw StoreError(.conflict, "\(R.noun) '\(record.name)' is declared twice")
        }
        let stored = try R.filter(Column("origin") == Origin.script).fetchAll(db)
        let storedByName = Dictionary(uniqueKeysWithValues: stored.map { ($0.name, $0) })
        var sync = ScriptSync()

        // Deletions first, so that nothing below can meet a row that is about to go.
        let gone = stored.filter { !declaredNames.contains($0.name) }
        try R.deleteAll(db, keys: gone.compactMap(\.id))
        sync.removed = gone.map(\.name).sorted()

        for var record in declared {
            record.origin = .script
            if let old = storedByName[record.name] {
                if record.declaresSame(as: old) { continue }
                record = record.keepingStoredState(of: old)
                record.id = old.id
                record.createdAt = old.createdAt
                record.updatedAt = now
                try record.update(db)
                sync.changed.append(record.name)
            } else {
                if try R.filter(Column("name") == record.name).fetchCount(db) > 0 {
                    throw StoreError(
                        .conflict,
                        "\(R.noun) '\(record.name)' is declared in main.lua and was also added through the API; rename or delete one")
                }
                record.id = nil
                record.createdAt = now
                record.updatedAt = now
                try record.insert(db)
                sync.added.append(record.name)
            }
        }
        return sync
    }
}
