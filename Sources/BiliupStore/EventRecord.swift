import BiliupValues
import Foundation
import GRDB

public enum EventLevel: String, Codable, Sendable, DatabaseValueConvertible {
    case debug, info, warn, error
}

/// One entry of the event log: every state change of the engine ("stream_start", "segment",
/// "stream_end", "error", "config", ...). One row of `event`; the store keeps the newest ones only.
public struct EventRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var at: Date
    /// What happened; the engine owns the vocabulary.
    public var kind: String
    public var level: EventLevel
    public var streamerId: Int64?
    public var sessionId: Int64?
    public var message: String
    /// Details for hooks and clients (path, duration, report...).
    public var data: [String: JSONValue]

    public init(
        id: Int64? = nil, at: Date = Date(), kind: String, level: EventLevel = .info,
        streamerId: Int64? = nil, sessionId: Int64? = nil, message: String,
        data: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.at = at
        self.kind = kind
        self.level = level
        self.streamerId = streamerId
        self.sessionId = sessionId
        self.message = message
        self.data = data
    }
}

extension EventRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "event"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
