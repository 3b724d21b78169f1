import BiliupValues
import Foundation
import GRDB

/// Where a segment file is in its life.
public enum SegmentState: String, Codable, Sendable, DatabaseValueConvertible {
    /// Being written.
    case recording
    /// Closed and kept: counted in its session's totals.
    case finished
    /// Discarded (too small, file gone...): not counted, not uploaded.
    case removed
}

/// One recorded file of a session: one row of `segment`.
public struct SegmentRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var sessionId: Int64
    public var path: String
    public var state: SegmentState
    public var startedAt: Date
    public var endedAt: Date?
    /// Seconds of media.
    public var duration: Double
    public var bytes: Int64
    /// The recorder's integrity report (gaps, repairs, timestamps), as it gave it.
    public var report: [String: JSONValue]?
    /// Why the segment was removed, when it was.
    public var removedReason: String?
    /// When the row was written.
    public var createdAt: Date

    public init(
        id: Int64? = nil, sessionId: Int64, path: String, state: SegmentState = .recording,
        startedAt: Date, endedAt: Date? = nil, duration: Double = 0, bytes: Int64 = 0,
        report: [String: JSONValue]? = nil, removedReason: String? = nil, createdAt: Date = Date()
    ) {
        self.id = id
        self.sessionId = sessionId
        self.path = path
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.duration = duration
        self.bytes = bytes
        self.report = report
        self.removedReason = removedReason
        self.createdAt = createdAt
    }
}

extension SegmentRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "segment"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
