import Foundation

/// A JSON value's shape as openapi.json states it (the OpenAPI 3.0 subset the API needs). Inputs are
/// closed objects (unknown fields are refused); outputs list every key they always carry as required.
indirect enum Schema: Sendable {
    /// `pattern` is an ECMA regular expression the value matches somewhere (anchor it for the whole).
    case string(oneOf: [String]? = nil, pattern: String? = nil)
    case integer(minimum: Int64? = nil, maximum: Int64? = nil)
    case number
    case boolean
    case array(Schema)
    case object(ObjectSchema)
    /// An object whose keys are free (options, report) and whose values all have this shape.
    case map(Schema)
    /// Any JSON value (plugin options, template fields).
    case any
    /// A schema of `components/schemas`.
    case ref(String)
    /// The value, or JSON null.
    case nullable(Schema)
    /// A value of exactly one of these shapes (a duration as seconds or as "10m").
    case oneOf([Schema])

    static func object(_ properties: [String: Schema], optional: Set<String> = [], closed: Bool = true) -> Schema {
        .object(ObjectSchema(properties: properties, required: Set(properties.keys).subtracting(optional), closed: closed))
    }

    /// The OpenAPI form.
    var document: [String: Any] {
        switch self {
        case .string(let values, let pattern):
            var s: [String: Any] = ["type": "string"]
            if let values { s["enum"] = values }
            if let pattern { s["pattern"] = pattern }
            return s
        case .integer(let minimum, let maximum):
            var s: [String: Any] = ["type": "integer", "format": "int64"]
            if let minimum { s["minimum"] = minimum }
            if let maximum { s["maximum"] = maximum }
            return s
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .array(let items): return ["type": "array", "items": items.document]
        case .object(let object): return object.document
        case .map(let values): return ["type": "object", "additionalProperties": values.document]
        case .any: return [:]
        case .ref(let name): return ["$ref": "#/components/schemas/\(name)"]
        case .oneOf(let shapes): return ["oneOf": shapes.map(\.document)]
        case .nullable(let wrapped):
            switch wrapped {
            // 3.0 ignores keys beside a $ref, so a nullable reference goes through allOf.
            case .ref: return ["allOf": [wrapped.document], "nullable": true]
            // Any value already includes null.
            case .any: return [:]
            default:
                var s = wrapped.document
                s["nullable"] = true
                return s
            }
        }
    }
}

/// An object's keys: each with its shape, which ones are always there, and whether others may be.
struct ObjectSchema: Sendable {
    var properties: [String: Schema]
    var required: Set<String>
    /// No other keys: `additionalProperties: false`.
    var closed: Bool

    var document: [String: Any] {
        var s: [String: Any] = ["type": "object", "properties": properties.mapValues(\.document)]
        if !required.isEmpty { s["required"] = required.sorted() }
        if closed { s["additionalProperties"] = false }
        return s
    }
}
