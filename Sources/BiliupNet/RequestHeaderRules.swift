/// What a header from outside our own code (a `--header` option, a plugin's stream headers, a plugin's
/// `http.request{headers=...}`) may be. Such a header goes onto the wire as `Name: value`, so a CR or LF
/// would start a header (or a whole request) of the sender's choosing, and `Host`, `Content-Length` or
/// `Transfer-Encoding` would change where the request goes or how its body is framed.
public enum RequestHeaderRules {
    /// Far above any real header (cookies and signatures are a few KiB), far below what could fill memory.
    public static let maxValueBytes = 8 << 10
    /// Far above what a platform needs (a dozen at most), small enough that a list cannot be a flood.
    public static let maxCount = 64
    /// The longest method is a dozen letters (UPDATEREDIRECTREF, from WebDAV, has 17).
    static let maxMethodBytes = 32
    /// Names libcurl derives from the URL and the body; set by hand they redirect or desynchronise the request.
    static let reservedNames: Set<String> = ["host", "content-length", "transfer-encoding"]

    /// Why `headers` may not be sent, naming the first offending header; nil when they may.
    public static func problem(in headers: [(String, String)]) -> String? {
        if headers.count > maxCount { return "\(headers.count) headers, at most \(maxCount) are allowed" }
        for (name, value) in headers {
            if let p = problem(name: name, value: value) { return p }
        }
        return nil
    }

    /// Why the header `name: value` may not be sent, or nil.
    public static func problem(name: String, value: String) -> String? {
        let shownName = quoted(name)
        if name.isEmpty { return "a header has an empty name" }
        if !name.utf8.allSatisfy(isTokenByte) {
            return "header name \(shownName) may only contain letters, digits and !#$%&'*+-.^_`|~"
        }
        if reservedNames.contains(name.lowercased()) {
            return "header \(shownName) is set from the URL and body and cannot be given"
        }
        if value.utf8.count > maxValueBytes {
            return "header \(shownName): value of \(value.utf8.count) bytes is longer than \(maxValueBytes)"
        }
        if value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) { return "header \(shownName): value contains a line break (CR/LF)" }
        if value.utf8.contains(where: { $0 == 0 }) { return "header \(shownName): value contains a NUL byte" }
        if value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
            return "header \(shownName): value contains a control character"
        }
        return nil
    }

    /// Why `method` may not be sent (it goes onto the request line as it is), or nil.
    public static func problem(method: String) -> String? {
        guard !method.isEmpty, method.utf8.count <= maxMethodBytes, method.utf8.allSatisfy(isTokenByte) else {
            return "method \(quoted(method)) is not a method name (letters, e.g. GET or POST)"
        }
        return nil
    }

    /// RFC 9110 §5.6.2 tchar.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    /// A name as it may be shown: control characters escaped, so the message itself stays one line.
    private static func quoted(_ s: String) -> String {
        let shown = s.prefix(64).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return "\"\(shown)\(s.count > 64 ? "…" : "")\""
    }
}
