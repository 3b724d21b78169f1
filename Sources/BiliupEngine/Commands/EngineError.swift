import BiliupStore

/// Why a command to the engine (from the API or the CLI) was refused. `kind` lets a client pick its
/// answer (the API: 400, 404, 409) without parsing the message.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A field of the request is wrong; `field` names it.
        case invalid
        case notFound
        /// A name is taken, or the streamer is in a state that forbids the change.
        case conflict
        /// main.lua owns the streamer or template: edit the file.
        case declaredInScript
        /// The store failed (disk, database).
        case storage
        /// Bilibili could not be reached or answered in a way that cannot be read.
        case upstream
    }

    public let kind: Kind
    public let message: String
    /// The request field at fault, for `.invalid`.
    public let field: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }

    public var description: String { message }

    static func invalid(_ field: String, _ message: String) -> EngineError {
        EngineError(.invalid, "\(field): \(message)", field: field)
    }

    /// A store failure (or any other) as the engine reports it.
    init(_ error: any Error) {
        if let error = error as? EngineError { self = error; return }
        guard let error = error as? StoreError else { self.init(.storage, "\(error)"); return }
        switch error.kind {
        case .notFound: self.init(.notFound, error.message)
        case .conflict: self.init(.conflict, error.message)
        case .open, .database: self.init(.storage, error.message)
        }
    }
}
