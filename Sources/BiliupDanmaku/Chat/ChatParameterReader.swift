import BiliupValues

/// Typed reads of one protocol's connection parameters, each failure a `ChatParameterError` naming
/// the key.
struct ChatParameterReader {
    let protocolName: String
    let parameters: [String: JSONValue]

    /// The longest string value a parameter may have; tokens and signed URLs are well below it.
    static let maxStringLength = 16 << 10

    func string(_ key: String) throws(ChatParameterError) -> String {
        guard case .string(let value)? = parameters[key], !value.isEmpty else {
            throw invalid(key, expected: "a string")
        }
        guard value.utf8.count <= Self.maxStringLength else {
            throw invalid(key, expected: "a string of at most \(Self.maxStringLength) bytes", got: "a longer one")
        }
        return value
    }

    func optionalString(_ key: String) throws(ChatParameterError) -> String? {
        switch parameters[key] {
        case nil, .null?: return nil
        default: return try string(key)
        }
    }

    /// Ids arrive as Lua integers, or as strings when they exceed 2^53 or come straight from a page.
    func int64(_ key: String) throws(ChatParameterError) -> Int64 {
        switch parameters[key] {
        case .int(let value)?:
            return value
        case .number(let value)? where value.rounded() == value && abs(value) < 9e15:
            return Int64(value)
        case .string(let text)?:
            guard let value = Int64(text) else { throw invalid(key, expected: "an integer", got: "a non-numeric string") }
            return value
        default:
            throw invalid(key, expected: "an integer")
        }
    }

    func optionalInt64(_ key: String, default fallback: Int64) throws(ChatParameterError) -> Int64 {
        switch parameters[key] {
        case nil, .null?: return fallback
        default: return try int64(key)
        }
    }

    /// A string or an integer, as text: Douyu's room id is either.
    func identifier(_ key: String) throws(ChatParameterError) -> String {
        if case .string = parameters[key] { return try string(key) }
        return String(try int64(key))
    }

    /// `url`, checked against the schemes the protocol's transport speaks.
    func url(schemes: [String]) throws(ChatParameterError) -> String {
        let url = try string("url")
        let scheme = url.prefix { $0 != ":" }.lowercased()
        guard schemes.contains(scheme), url.dropFirst(scheme.count).hasPrefix("://"),
              url.dropFirst(scheme.count + 3).first.map({ $0 != "/" }) ?? false else {
            let list = schemes.map { "\($0)://" }.joined(separator: " or ")
            throw invalid("url", expected: "a \(list) URL", got: "another string")
        }
        return url
    }

    /// `headers`: a table of name → value (absent means none), sorted by name so that requests are the
    /// same on every attempt.
    func headers() throws(ChatParameterError) -> [ChatHeader] {
        switch parameters["headers"] {
        case nil, .null?:
            return []
        case .object(let table)?:
            var headers: [ChatHeader] = []
            for (name, value) in table.sorted(by: { $0.key < $1.key }) {
                guard case .string(let text) = value else {
                    throw invalid("headers.\(name.prefix(40))", expected: "a string")
                }
                // A header name or value with a line break would inject more headers. Bytes, not
                // Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
                guard Self.isHeaderName(name), !text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                    throw invalid("headers", expected: "header names and single-line values", got: "a line break or a bad name")
                }
                headers.append(ChatHeader(name, text))
            }
            return headers
        case .array(let list)? where list.isEmpty:
            // An empty Lua table encodes as an empty array.
            return []
        default:
            throw invalid("headers", expected: "a table of name = value")
        }
    }

    private static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (0x21...0x7E).contains(byte) && !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
        }
    }

    func invalid(_ key: String, expected: String, got: String? = nil) -> ChatParameterError {
        .invalid(protocol: protocolName, key: key, expected: expected, got: got ?? Self.kind(of: parameters[key]))
    }

    static func kind(of value: JSONValue?) -> String {
        switch value {
        case nil, .null?: "nil"
        case .bool?: "a boolean"
        case .int?, .number?: "a number"
        case .string(let text)?: text.isEmpty ? "an empty string" : "a string"
        case .array?: "a list"
        case .object?: "a table"
        }
    }
}
