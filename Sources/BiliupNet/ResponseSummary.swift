import Foundation

/// How an error describes a response that was not what was asked for: status, content type and size,
/// never its bytes. The URL may be another service's (an internal admin page, a database answering on
/// its port), and error messages reach events, logs and the API, where whoever gave the URL reads them.
public enum ResponseSummary {
    /// Longest content type shown; a real one is a few dozen characters.
    static let maxContentTypeCharacters = 80

    /// "HTTP 200, Content-Type text/html, 512 bytes" (parts that are unknown left out).
    public static func describe(status: Int? = nil, contentType: String?, bytes: Int) -> String {
        var parts: [String] = []
        if let status { parts.append("HTTP \(status)") }
        if let type = contentType.map(shown), !type.isEmpty { parts.append("Content-Type \(type)") }
        parts.append(bytes == 1 ? "1 byte" : "\(bytes) bytes")
        return parts.joined(separator: ", ")
    }

    /// A content type as it may appear in a message: printable ASCII only, and short.
    private static func shown(_ type: String) -> String {
        let printable = type.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }
        let text = String(String.UnicodeScalarView(printable)).trimmingCharacters(in: .whitespaces)
        return text.count > maxContentTypeCharacters ? text.prefix(maxContentTypeCharacters) + "…" : text
    }
}
