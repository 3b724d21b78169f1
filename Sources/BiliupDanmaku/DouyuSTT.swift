/// Douyu's STT serialization: `key@=value/` pairs, with `@` written as `@A` and `/` as `@S` inside keys
/// and values.
public enum DouyuSTT {
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))@=\(escape($0.1))/" }.joined()
    }

    /// Keys without `@=` are skipped; on a repeated key the last value wins.
    public static func decode(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for item in text.split(separator: "/", omittingEmptySubsequences: true) {
            guard let separator = item.range(of: "@=") else { continue }
            fields[unescape(item[..<separator.lowerBound])] = unescape(item[separator.upperBound...])
        }
        return fields
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "@", with: "@A").replacingOccurrences(of: "/", with: "@S")
    }

    static func unescape(_ text: Substring) -> String {
        text.replacingOccurrences(of: "@S", with: "/").replacingOccurrences(of: "@A", with: "@")
    }
}
