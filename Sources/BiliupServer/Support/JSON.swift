import Foundation
import Hummingbird

/// The API's JSON: snake_case keys (the Swift names are camelCase), sorted so that responses are
/// stable, dates as unix seconds.
enum JSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .secondsSince1970
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    static func encode(_ value: some Encodable) -> Data {
        // Our DTOs hold only strings, numbers, bools and JSON values; non-finite doubles are the only
        // failure, and none are produced.
        (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"response not encodable"}}"#.utf8)
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        response(ByteBuffer(data: encode(value)), status: status)
    }

    static func response(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }

    /// Decodes a request body, with errors that say which field is wrong. A field the type does not
    /// have is refused (`unknown_field`), after type errors (they name the field the client meant)
    /// but before a missing required field (a misspelt name is the likelier cause of that).
    static func decode<T: RequestBody>(_ type: T.Type, from request: Request, context: APIContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: APIContext.maxBody)
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("a JSON body is required", code: "invalid_json") }
        let data = Data(buffer: buffer)
        // Not an object (or not JSON): the decoder below says so.
        let keys = try? keyLister.decode(KeyList.self, from: data).keys
        let unknown = keys.flatMap { UnknownField.error(for: $0, known: T.schema.properties.keys) }
        do {
            let value = try decoder.decode(T.self, from: data)
            if let unknown { throw unknown }
            return value
        } catch DecodingError.keyNotFound(let key, let context) {
            throw unknown ?? DecodingError.keyNotFound(key, context)
        }
    }

    /// Reads the keys as sent (no key strategy), with the same parser as `decoder`, so that both see
    /// the same object.
    private static let keyLister = JSONDecoder()

    /// The keys of a JSON object, whatever their values.
    private struct KeyList: Decodable {
        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        let keys: [String]

        init(from decoder: any Decoder) throws {
            keys = try decoder.container(keyedBy: Key.self).allKeys.map(\.stringValue)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "body" : snakeCase(p)
        }
        switch error {
        case .typeMismatch(let type, let c): return "\(path(c)): expected \(typeName(type))"
        case .valueNotFound(let type, let c): return "\(path(c)): expected \(typeName(type)), got null"
        case .keyNotFound(let key, let c):
            let parent = path(c)
            return "\(parent == "body" ? "" : parent + ".")\(snakeCase(key.stringValue)): required"
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty ? "the body is not valid JSON" : "\(path(c)): \(c.debugDescription)"
        @unknown default: return "invalid JSON"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        default: String(describing: type).contains("Dictionary") ? "an object" : String(describing: type)
        }
    }

    /// A Swift name as the API spells it (`titleInclude` → `title_include`).
    static func snakeCase(_ s: String) -> String {
        var out = ""
        for c in s {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
