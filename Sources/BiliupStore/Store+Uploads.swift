import Foundation
import GRDB

// UPOS upload sessions and their finished parts, so that an interrupted upload resumes where it stopped.
extension Store {
    /// Records a new upload session (state and dates as given are replaced: it starts `uploading`, now).
    @discardableResult
    public func startUploadFile(_ file: UploadFileRecord) throws -> UploadFileRecord {
        try write { db in
            var file = file
            let now = Date.storeNow
            file.id = nil
            file.state = .uploading
            file.remoteName = nil
            file.createdAt = now
            file.updatedAt = now
            try file.insert(db)
            return file
        }
    }

    /// The newest session of this file (same path, size and mtime) under this account that is still of
    /// use: `uploading` (resume it) or `uploaded` (nothing to send). Abandoned sessions are never returned.
    public func resumableUploadFile(path: String, size: Int64, mtime: Double, accountId: Int64?) throws -> UploadFileRecord? {
        try read { db in
            try UploadFileRecord
                .filter(Column("path") == path && Column("size") == size && Column("mtime") == mtime)
                .filter(Column("accountId") == accountId)
                .filter([UploadFileState.uploading, .uploaded].contains(Column("state")))
                .order(Column("id").desc)
                .fetchOne(db)
        }
    }

    public func uploadFile(id: Int64) throws -> UploadFileRecord? {
        try read { db in try UploadFileRecord.fetchOne(db, key: id) }
    }

    /// Every session recorded for a file path, oldest first (history, tests, the API's queue view).
    public func uploadFiles(path: String) throws -> [UploadFileRecord] {
        try read { db in try UploadFileRecord.filter(Column("path") == path).order(Column("id")).fetchAll(db) }
    }

    /// Records a part UPOS accepted; the same part accepted again (a resend) replaces the row.
    public func saveUploadPart(_ part: UploadPartRecord) throws {
        try write { db in try part.upsert(db) }
    }

    /// The session's accepted parts, by part number.
    public func uploadParts(uploadFileId: Int64) throws -> [UploadPartRecord] {
        try read { db in
            try UploadPartRecord.filter(Column("uploadFileId") == uploadFileId).order(Column("partNumber")).fetchAll(db)
        }
    }

    /// Moves a session on: `uploaded` with the name a submission uses, or `abandoned`.
    @discardableResult
    public func markUploadFile(id: Int64, state: UploadFileState, remoteName: String? = nil) throws -> UploadFileRecord {
        try write { db in
            guard var file = try UploadFileRecord.fetchOne(db, key: id) else {
                throw StoreError(.notFound, "upload \(id) not found")
            }
            file.state = state
            if let remoteName { file.remoteName = remoteName }
            file.updatedAt = Date.storeNow
            try file.update(db)
            return file
        }
    }
}
