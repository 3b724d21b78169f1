import BiliupValues
import Foundation
import GRDB

/// Where an archive (one submission) is in its life.
public enum ArchiveState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Its session still records: parts keep coming and are uploaded as they come.
    case collecting
    /// Every part is known; it is submitted once all of them are uploaded.
    case ready
    /// Bilibili accepted it (code 0): aid and bvid are set.
    case submitted
    /// Given up (`error` says why); a retry puts it back in the queue.
    case failed
    /// Waits for a person: a part was held by the integrity gate.
    case held
}

/// One Bilibili archive (稿件) in the upload queue: one row of `archive`.
public struct ArchiveRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var accountId: Int64?
    public var sessionId: Int64?
    /// The template it was made from; its account, line, submission mode and after_upload apply.
    public var template: String?
    public var title: String
    /// The submission body without its parts (Studio's JSON), rendered when the archive was made.
    public var studio: [String: JSONValue]
    public var state: ArchiveState
    public var aid: Int64?
    public var bvid: String?
    public var appendTo: String?
    /// Failed submissions so far (a rate limit does not count).
    public var tries: Int
    /// When the next submission may be tried; nil: at once.
    public var nextTryAt: Date?
    public var error: String?
    public var submittedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64? = nil, accountId: Int64?, sessionId: Int64?, template: String?, title: String,
                studio: [String: JSONValue], state: ArchiveState = .collecting, aid: Int64? = nil, bvid: String? = nil,
                appendTo: String? = nil, tries: Int = 0, nextTryAt: Date? = nil, error: String? = nil,
                submittedAt: Date? = nil, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.accountId = accountId
        self.sessionId = sessionId
        self.template = template
        self.title = title
        self.studio = studio
        self.state = state
        self.aid = aid
        self.bvid = bvid
        self.appendTo = appendTo
        self.tries = tries
        self.nextTryAt = nextTryAt
        self.error = error
        self.submittedAt = submittedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension ArchiveRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "archive"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
