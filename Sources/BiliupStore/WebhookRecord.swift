import Foundation
import GRDB

/// Where events are POSTed (`biliup.webhook { ... }` in main.lua, or `/api/webhooks`): one row of `webhook`.
public struct WebhookRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    /// The user's name for it; main.lua's default is the URL, so that a reload matches it again.
    public var name: String
    public var origin: Origin
    public var url: String
    /// Event kinds sent (`stream_start`, `segment`, ...), as declared.
    public var events: [String]
    /// The HMAC-SHA256 key of `X-Biliup-Signature`; empty: requests go unsigned. Never shown by the API.
    public var secret: String
    /// Set by the store when the row is saved.
    public var createdAt: Date
    /// Set by the store when a save changes the row.
    public var updatedAt: Date

    public init(id: Int64? = nil, name: String, origin: Origin = .api, url: String, events: [String], secret: String = "",
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.name = name
        self.origin = origin
        self.url = url
        self.events = events
        self.secret = secret
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension WebhookRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "webhook"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension WebhookRecord: ScriptDeclared {
    static let noun = "webhook"

    func declaresSame(as other: WebhookRecord) -> Bool {
        name == other.name && origin == other.origin && url == other.url && events == other.events && secret == other.secret
    }

    func keepingStoredState(of stored: WebhookRecord) -> WebhookRecord { self }
}
