import BiliupStore
import BiliupValues
import Foundation

/// Checks JSON values against the schemas of an OpenAPI 3.0 document, as a generated client or a
/// fuzzer reads them: `$ref`, `allOf`, `nullable`, `type`, `enum`, `minimum`/`maximum`, `items`,
/// `properties`, `required` and `additionalProperties`. Written apart from the server's own Schema
/// type on purpose: it reads the document the server serves, not the Swift that produced it.
struct OpenAPIValidator {
    let document: JSONValue

    init(document data: Data) throws {
        document = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The schema of the JSON answer `status` of `method path`, nil when the document gives none.
    func responseSchema(_ method: String, _ path: String, status: Int) -> JSONValue? {
        document["paths"]?[path]?[method.lowercased()]?["responses"]?[String(status)]?["content"]?["application/json"]?["schema"]
    }

    /// What is wrong with `value` as an instance of `schema` ([] when it conforms); `at` names the spot.
    func violations(of value: JSONValue, against schema: JSONValue, at path: String = "body") -> [String] {
        if let ref = schema["$ref"]?.string {
            guard let resolved = resolve(ref) else { return ["\(path): unresolvable \(ref)"] }
            return violations(of: value, against: resolved, at: path)
        }
        if value == .null {
            return schema["nullable"] == .bool(true) || isEmpty(schema) ? [] : ["\(path): null, but not nullable"]
        }
        var found: [String] = []
        if case .array(let all)? = schema["allOf"] {
            for part in all { found += violations(of: value, against: part, at: path) }
        }
        if case .array(let allowed)? = schema["enum"], !allowed.contains(value) {
            found.append("\(path): \(value) is not one of \(allowed)")
        }
        switch schema["type"]?.string {
        case "string"?:
            guard case .string = value else { return found + ["\(path): expected a string, got \(value)"] }
        case "integer"?:
            guard case .int(let n) = value else { return found + ["\(path): expected an integer, got \(value)"] }
            if let min = schema["minimum"]?.double, Double(n) < min { found.append("\(path): \(n) < minimum \(min)") }
            if let max = schema["maximum"]?.double, Double(n) > max { found.append("\(path): \(n) > maximum \(max)") }
        case "number"?:
            switch value {
            case .int, .number: break
            default: return found + ["\(path): expected a number, got \(value)"]
            }
        case "boolean"?:
            guard case .bool = value else { return found + ["\(path): expected true or false, got \(value)"] }
        case "array"?:
            guard case .array(let items) = value else { return found + ["\(path): expected an array, got \(value)"] }
            if let itemSchema = schema["items"] {
                for (i, item) in items.enumerated() { found += violations(of: item, against: itemSchema, at: "\(path)[\(i)]") }
            }
        case "object"?:
            guard case .object(let object) = value else { return found + ["\(path): expected an object, got \(value)"] }
            found += objectViolations(object, schema, path)
        case nil:
            break
        case let other?:
            found.append("\(path): the schema has an unknown type \(other)")
        }
        return found
    }

    private func objectViolations(_ object: [String: JSONValue], _ schema: JSONValue, _ path: String) -> [String] {
        var found: [String] = []
        let properties = schema["properties"]?.objectValue ?? [:]
        if case .array(let required)? = schema["required"] {
            for key in required.compactMap(\.string) where object[key] == nil { found.append("\(path).\(key): required, missing") }
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if let propertySchema = properties[key] {
                found += violations(of: value, against: propertySchema, at: "\(path).\(key)")
            } else {
                switch schema["additionalProperties"] {
                case .bool(false)?: found.append("\(path).\(key): not in the schema (additionalProperties: false)")
                case .object(let valueSchema)?: found += violations(of: value, against: .object(valueSchema), at: "\(path).\(key)")
                default: break
                }
            }
        }
        return found
    }

    private func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    private func isEmpty(_ schema: JSONValue) -> Bool { schema.objectValue?.isEmpty ?? false }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var double: Double? {
        switch self {
        case .int(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }
}
