import BiliupValues
import Foundation

/// A JSON object a route reads from its request body. Its fields are the only ones accepted: any
/// other key is refused (a misspelt one would otherwise be ignored without a word), and openapi.json
/// documents exactly them.
protocol RequestBody: Decodable {
    /// The fields, their shapes and which are required.
    static var schema: ObjectSchema { get }
    /// Narrower shapes than their Swift types give, for some fields (JSON name → shape), so that
    /// generated clients and fuzzers send values the route can take.
    static var narrowed: [String: Schema] { get }
}

extension RequestBody {
    /// The fields the type's own `init(from:)` reads.
    static var schema: ObjectSchema { FieldListing.schema(of: Self.self, narrowed: narrowed) }
    static var narrowed: [String: Schema] { [:] }
}

/// The error for a key the body type does not have, with the nearest known one when it looks like a
/// typo of it (`nmae` → `name`, `expiresIn` → `expires_in`).
enum UnknownField {
    static func error(for keys: some Sequence<String>, known: some Collection<String>) -> APIError? {
        guard let key = keys.filter({ !known.contains($0) }).sorted().first else { return nil }
        var hint = EditDistance.hint(for: key, among: known)
        if hint.isEmpty { hint = " (known fields: \(known.sorted().joined(separator: ", ")))" }
        return APIError(.badRequest, "unknown_field", "unknown field \"\(key)\"\(hint)")
    }
}
