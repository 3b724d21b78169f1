import Foundation
import GRDB

/// Where one file's UPOS upload stands.
public enum UploadFileState: String, Codable, Sendable, DatabaseValueConvertible {
    /// The session is open: chunks are being sent, or can be sent when the upload resumes.
    case uploading
    /// UPOS accepted the complete call: `remoteName` is what a submission names.
    case uploaded
    /// The UPOS session expired (or was replaced); its parts are of no use any more.
    case abandoned
}

/// One file's UPOS upload session: one row of `uploadFile`. The file is identified by path, size and
/// mtime (a file that changed is a new upload) under an account.
public struct UploadFileRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var accountId: Int64?
    public var path: String
    public var size: Int64
    /// The file's modification time, unix seconds (with the fraction the file system keeps).
    public var mtime: Double
    /// The line's name (bda2, ...).
    public var line: String
    /// "//upos-....bilivideo.com", as preupload gave it.
    public var endpoint: String
    /// "upos://ugc/....mp4".
    public var uposURI: String
    /// X-Upos-Auth. A secret: never logged, never in an answer.
    public var auth: String
    public var bizId: Int64
    public var uploadId: String
    public var chunkSize: Int64
    public var state: UploadFileState
    /// The stem of upos_uri, set once the upload is complete.
    public var remoteName: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64? = nil, accountId: Int64?, path: String, size: Int64, mtime: Double, line: String,
                endpoint: String, uposURI: String, auth: String, bizId: Int64, uploadId: String, chunkSize: Int64,
                state: UploadFileState = .uploading, remoteName: String? = nil,
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.accountId = accountId
        self.path = path
        self.size = size
        self.mtime = mtime
        self.line = line
        self.endpoint = endpoint
        self.uposURI = uposURI
        self.auth = auth
        self.bizId = bizId
        self.uploadId = uploadId
        self.chunkSize = chunkSize
        self.state = state
        self.remoteName = remoteName
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension UploadFileRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "uploadFile"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
