import BiliupValues
import Foundation
import GRDB

/// A watched streamer: one row of `streamer`.
public struct StreamerRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var name: String
    /// Room URLs, tried in order.
    public var urls: [String]
    public var origin: Origin
    /// Plugin options, overriding the plugin's defaults (`options = { qn = 10000 }`).
    public var options: [String: JSONValue]
    /// The name of the upload template, if any.
    public var template: String?
    /// Windows when recording is allowed ("20:00-02:00", "sat,sun 10:00-12:00"); empty means always.
    public var schedule: [String]
    public var titleInclude: [String]
    public var titleExclude: [String]
    /// Global options overridden for this streamer (format, split, output...).
    public var overrides: [String: JSONValue]
    public var danmaku: Bool
    /// Gifts, super chats and guard purchases in the XML too (v5).
    public var danmakuDetail: Bool
    /// An `.ass` beside each segment's XML (v5).
    public var danmakuASS: Bool
    /// Paused through the API; kept when main.lua is reloaded.
    public var paused: Bool
    /// Set by the store when the row is saved.
    public var createdAt: Date
    /// Set by the store when a save changes the row.
    public var updatedAt: Date

    public init(
        id: Int64? = nil, name: String, urls: [String], origin: Origin = .api,
        options: [String: JSONValue] = [:], template: String? = nil, schedule: [String] = [],
        titleInclude: [String] = [], titleExclude: [String] = [], overrides: [String: JSONValue] = [:],
        danmaku: Bool = false, danmakuDetail: Bool = false, danmakuASS: Bool = false, paused: Bool = false, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.name = name
        self.urls = urls
        self.origin = origin
        self.options = options
        self.template = template
        self.schedule = schedule
        self.titleInclude = titleInclude
        self.titleExclude = titleExclude
        self.overrides = overrides
        self.danmaku = danmaku
        self.danmakuDetail = danmakuDetail
        self.danmakuASS = danmakuASS
        self.paused = paused
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension StreamerRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "streamer"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension StreamerRecord: ScriptDeclared {
    static let noun = "streamer"

    func declaresSame(as other: StreamerRecord) -> Bool {
        name == other.name && urls == other.urls && origin == other.origin && options == other.options
            && template == other.template && schedule == other.schedule
            && titleInclude == other.titleInclude && titleExclude == other.titleExclude
            && overrides == other.overrides && danmaku == other.danmaku
            && danmakuDetail == other.danmakuDetail && danmakuASS == other.danmakuASS
    }

    func keepingStoredState(of stored: StreamerRecord) -> StreamerRecord {
        var kept = self
        kept.paused = stored.paused
        return kept
    }
}
