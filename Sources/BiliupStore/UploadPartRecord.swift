import GRDB

/// One chunk of an upload that UPOS accepted: one row of `uploadPart`, written as soon as its PUT succeeds.
public struct UploadPartRecord: Codable, Sendable, Equatable, Hashable {
    public var uploadFileId: Int64
    /// 1-based, as UPOS counts.
    public var partNumber: Int
    /// What the PUT answered as the part's ETag; the complete call lists it.
    public var eTag: String
    public var bytes: Int64

    public init(uploadFileId: Int64, partNumber: Int, eTag: String, bytes: Int64) {
        self.uploadFileId = uploadFileId
        self.partNumber = partNumber
        self.eTag = eTag
        self.bytes = bytes
    }
}

extension UploadPartRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "uploadPart"
}
