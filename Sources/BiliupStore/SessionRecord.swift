import Foundation
import GRDB

/// One broadcast of a streamer, from the moment it was seen live until it was declared over; its
/// recording may span many segments and reconnects. One row of `session`.
public struct SessionRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    /// nil once the streamer was deleted; `streamerName` keeps the history readable.
    public var streamerId: Int64?
    public var streamerName: String
    public var plugin: String
    public var url: String
    public var title: String?
    public var startedAt: Date
    /// nil while the broadcast is being recorded.
    public var endedAt: Date?
    /// Why it ended: the engine's words ("offline", "stopped", ...) or "interrupted" after a crash.
    public var endReason: String?
    /// Totals over the session's finished segments, kept by the store.
    public var bytes: Int64
    public var duration: Double
    public var segmentCount: Int

    public var isOpen: Bool { endedAt == nil }

    /// The endReason of sessions found open at start-up: the process died while recording.
    public static let interruptedReason = "interrupted"

    public init(
        id: Int64? = nil, streamerId: Int64?, streamerName: String, plugin: String, url: String,
        title: String?, startedAt: Date, endedAt: Date? = nil, endReason: String? = nil,
        bytes: Int64 = 0, duration: Double = 0, segmentCount: Int = 0
    ) {
        self.id = id
        self.streamerId = streamerId
        self.streamerName = streamerName
        self.plugin = plugin
        self.url = url
        self.title = title
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.endReason = endReason
        self.bytes = bytes
        self.duration = duration
        self.segmentCount = segmentCount
    }
}

extension SessionRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "session"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
