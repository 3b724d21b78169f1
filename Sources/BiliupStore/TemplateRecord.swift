import BiliupValues
import Foundation
import GRDB

/// An upload template (title, tid, tags, description...): one row of `template`.
public struct TemplateRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var name: String
    public var origin: Origin
    /// The template's fields, as declared; the uploader gives them meaning.
    public var fields: [String: JSONValue]
    /// Set by the store when the row is saved.
    public var createdAt: Date
    /// Set by the store when a save changes the row.
    public var updatedAt: Date

    public init(
        id: Int64? = nil, name: String, origin: Origin = .api, fields: [String: JSONValue] = [:],
        createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.name = name
        self.origin = origin
        self.fields = fields
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension TemplateRecord: FetchableRecord, MutablePersistableRecord, StoredRecord {
    public static let databaseTableName = "template"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension TemplateRecord: ScriptDeclared {
    static let noun = "template"

    func declaresSame(as other: TemplateRecord) -> Bool {
        name == other.name && origin == other.origin && fields == other.fields
    }

    func keepingStoredState(of stored: TemplateRecord) -> TemplateRecord { self }
}
