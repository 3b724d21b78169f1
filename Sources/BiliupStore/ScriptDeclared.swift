import Foundation
import GRDB

/// A row that main.lua can declare by name (streamers, templates, webhooks), so that one sync routine
/// (`Store.syncScript`) serves both tables.
protocol ScriptDeclared: StoredRecord, MutablePersistableRecord, Codable, Sendable, Equatable {
    /// "streamer", "template" or "webhook", for messages.
    static var noun: String { get }
    var id: Int64? { get set }
    var name: String { get }
    var origin: Origin { get set }
    var createdAt: Date { get set }
    var updatedAt: Date { get set }
    /// Whether both declare the same thing: the fields main.lua sets, not the id, the dates, or state
    /// that lives only in the store (a streamer paused through the API).
    func declaresSame(as other: Self) -> Bool
    /// This declaration, carrying over from the stored row what main.lua does not declare.
    func keepingStoredState(of stored: Self) -> Self
}

/// What a sync with main.lua changed, by name. Names are in the order they were declared
/// (`added`, `changed`) or sorted (`removed`).
public struct ScriptSync: Sendable, Equatable {
    public var added: [String]
    public var changed: [String]
    public var removed: [String]

    public init(added: [String] = [], changed: [String] = [], removed: [String] = []) {
        self.added = added
        self.changed = changed
        self.removed = removed
    }

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }
}
