/// One query parameter of a route, as openapi.json documents it. The route reads it with
/// `Request.int`/`Request.time`, which refuse what this schema excludes.
struct QueryParameter: Sendable {
    /// Store ids are positive.
    static let ids = 1...Int.max
    /// Offsets into a list fit SQLite's and Swift's integers alike.
    static let offsets = 0...Int(Int32.max)

    let name: String
    let description: String
    let schema: Schema

    /// An integer within `range` (the same range the route passes to `Request.int`).
    static func integer(_ name: String, _ description: String, in range: ClosedRange<Int>) -> QueryParameter {
        QueryParameter(name: name, description: description, schema: .integer(minimum: Int64(range.lowerBound), maximum: Int64(range.upperBound)))
    }

    static func string(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, description: description, schema: .string())
    }
}
