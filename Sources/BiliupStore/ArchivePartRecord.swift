import Foundation
import GRDB

/// Where one part of an archive is in its upload.
public enum ArchivePartState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case queued
    case uploading
    /// On Bilibili's servers: `remoteName` is what the submission names.
    case uploaded
    /// Stopped by the integrity gate (`error` says why): uploaded only if a person says so.
    case held
    /// Given up, or left out of its archive by a person.
    case failed
}

/// One file of an archive, in recording order: one row of `archivePart`.
public struct ArchivePartRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var archiveId: Int64
    /// 0-based recording order.
    public var position: Int
    public var segmentId: Int64?
    public var path: String
    /// The part's title in the archive.
    public var title: String
    public var uploadFileId: Int64?
    public var state: ArchivePartState
    /// Failed uploads so far (a rate limit does not count).
    public var tries: Int
    public var nextTryAt: Date?
    public var error: String?
    /// The uploaded file's name on Bilibili's side (the stem of its upos_uri), once uploaded.
    public var remoteName: String?
    /// The file's size when it was queued.
    public var bytes: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64? = nil, archiveId: Int64, position: Int, segmentId: Int64?, path: String, title: String,
                uploadFileId: Int64? = nil, state: ArchivePartState = .queued, tries: Int = 0, nextTryAt: Date? = nil,
                error: String? = nil, remoteName: String? = nil, bytes: Int64 = 0, createdAt: Date = Date(),
                updatedAt: Date = Date()) {
        self.id = id
        self.archiveId = archiveId
        self.position = position
        self.segmentId = segmentId
        self.path = path
        self.title = title
        self.uploadFileId = uploadFileId
        self.state = state
        self.tries = tries
        self.nextTryAt = nextTryAt
        self.error = error
        self.remoteName = remoteName
        self.bytes = bytes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension ArchivePartRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "archivePart"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
