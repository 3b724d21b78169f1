import GRDB

/// Every failure of the store, with a message a user can act on ("streamer 'x' exists",
/// "cannot open data/biliup.sqlite3: disk I/O error"). `kind` lets a client choose a reaction
/// (the HTTP API answers 404 for `.notFound` and 409 for `.conflict`) without parsing the message.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The database file could not be opened, created or migrated.
        case open
        /// The named or numbered row does not exist.
        case notFound
        /// The change contradicts what is stored: a duplicate name, a closed session, a finished segment.
        case conflict
        /// SQLite failed (I/O, full disk, corruption).
        case database
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// A store error as is; anything else (a GRDB `DatabaseError`, an encoding error) as a `.database`
    /// error naming the file, since that is what the user can check (space, permissions, the file itself).
    static func wrapping(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            return StoreError(.database, "\(path): \(error.message ?? "\(error.resultCode)")")
        }
        return StoreError(.database, "\(path): \(error)")
    }
}
