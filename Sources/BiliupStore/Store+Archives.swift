import Foundation
import GRDB

// The upload queue: archives and their parts in recording order. The engine works it; these are its
// transactions.
extension Store {
    /// Adds an archive (its id set in the answer).
    public func addArchive(_ archive: ArchiveRecord) throws -> ArchiveRecord {
        try write { db in
            var archive = archive
            archive.id = nil
            archive.createdAt = .storeNow
            archive.updatedAt = archive.createdAt
            try archive.insert(db)
            return archive
        }
    }

    /// Adds a part after the archive's last one.
    public func addArchivePart(_ part: ArchivePartRecord) throws -> ArchivePartRecord {
        try write { db in
            var part = part
            part.id = nil
            part.position = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(position) + 1, 0) FROM archivePart WHERE archiveId = ?",
                                             arguments: [part.archiveId]) ?? 0
            part.createdAt = .storeNow
            part.updatedAt = part.createdAt
            try part.insert(db)
            return part
        }
    }

    /// Writes a changed archive (updatedAt set by the store).
    @discardableResult
    public func updateArchive(_ archive: ArchiveRecord) throws -> ArchiveRecord {
        try write { db in
            var archive = archive
            archive.updatedAt = .storeNow
            archive.nextTryAt = archive.nextTryAt?.roundTripped
            archive.submittedAt = archive.submittedAt?.roundTripped
            try archive.update(db)
            return archive
        }
    }

    /// Writes a changed part (updatedAt set by the store).
    @discardableResult
    public func updateArchivePart(_ part: ArchivePartRecord) throws -> ArchivePartRecord {
        try write { db in
            var part = part
            part.updatedAt = .storeNow
            part.nextTryAt = part.nextTryAt?.roundTripped
            try part.update(db)
            return part
        }
    }

    public func archive(id: Int64) throws -> ArchiveRecord? {
        try read { db in try ArchiveRecord.fetchOne(db, key: id) }
    }

    public func archive(sessionId: Int64) throws -> ArchiveRecord? {
        try read { db in try ArchiveRecord.filter(Column("sessionId") == sessionId).order(Column("id")).fetchOne(db) }
    }

    public func archivePart(id: Int64) throws -> ArchivePartRecord? {
        try read { db in try ArchivePartRecord.fetchOne(db, key: id) }
    }

    /// Archives in the given states, oldest first (newest first with `newestFirst`).
    public func archives(in states: [ArchiveState], newestFirst: Bool = false, limit: Int = 1000, offset: Int = 0) throws -> [ArchiveRecord] {
        try read { db in
            try ArchiveRecord.filter(states.contains(Column("state")))
                .order(newestFirst ? Column("id").desc : Column("id"))
                .limit(limit, offset: offset)
                .fetchAll(db)
        }
    }

    /// An archive's parts in recording order.
    public func archiveParts(archiveId: Int64) throws -> [ArchivePartRecord] {
        try read { db in try ArchivePartRecord.filter(Column("archiveId") == archiveId).order(Column("position")).fetchAll(db) }
    }

    /// Queued parts of archives still in the queue, oldest archive first, each in recording order.
    public func queuedArchiveParts() throws -> [ArchivePartRecord] {
        try read { db in
            try ArchivePartRecord.fetchAll(db, sql: """
                SELECT archivePart.* FROM archivePart JOIN archive ON archive.id = archivePart.archiveId
                WHERE archivePart.state = ? AND archive.state IN (?, ?)
                ORDER BY archive.id, archivePart.position
                """, arguments: [ArchivePartState.queued, ArchiveState.collecting, ArchiveState.ready])
        }
    }

    /// Bytes of the files that wait in the queue (not uploaded yet, in an archive not submitted).
    public func queuedUploadBytes() throws -> Int64 {
        try read { db in
            try Int64.fetchOne(db, sql: """
                SELECT COALESCE(SUM(archivePart.bytes), 0) FROM archivePart JOIN archive ON archive.id = archivePart.archiveId
                WHERE archivePart.state IN (?, ?, ?) AND archive.state IN (?, ?, ?)
                """, arguments: [ArchivePartState.queued, ArchivePartState.uploading, ArchivePartState.held,
                                 ArchiveState.collecting, ArchiveState.ready, ArchiveState.held]) ?? 0
        }
    }

    /// After a kill or restart: parts left "uploading" are queued again (the uploader resumes them at the
    /// chunk), and collecting archives whose session is closed become ready. Returns the parts requeued.
    @discardableResult
    public func resumeArchiveQueue() throws -> Int {
        try write { db in
            try db.execute(sql: """
                UPDATE archive SET state = ?, updatedAt = ?
                WHERE state = ? AND (sessionId IS NULL OR sessionId IN (SELECT id FROM session WHERE endedAt IS NOT NULL))
                """, arguments: [ArchiveState.ready, Date.storeNow.storedValue, ArchiveState.collecting])
            try db.execute(sql: "UPDATE archivePart SET state = ?, updatedAt = ? WHERE state = ?",
                           arguments: [ArchivePartState.queued, Date.storeNow.storedValue, ArchivePartState.uploading])
            return db.changesCount
        }
    }
}
