import GRDB

extension Store {
    /// Parts waiting in the upload queue (queued, uploading or held, in an archive not submitted yet) and
    /// their bytes: the same parts `queuedUploadBytes` adds up, counted in one query for `GET /metrics`.
    public func uploadQueueSize() throws -> (parts: Int, bytes: Int64) {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS parts, COALESCE(SUM(archivePart.bytes), 0) AS bytes
                FROM archivePart JOIN archive ON archive.id = archivePart.archiveId
                WHERE archivePart.state IN (?, ?, ?) AND archive.state IN (?, ?, ?)
                """, arguments: [ArchivePartState.queued, ArchivePartState.uploading, ArchivePartState.held,
                                 ArchiveState.collecting, ArchiveState.ready, ArchiveState.held])
            return (row?["parts"] ?? 0, row?["bytes"] ?? 0)
        }
    }
}
