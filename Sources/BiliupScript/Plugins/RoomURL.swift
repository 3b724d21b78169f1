import Foundation

/// A URL as a user pastes it, in the one form plugins see: surrounding whitespace trimmed, `https://`
/// added when no scheme is given, scheme and host lower-cased, `/` as the path of a bare host (as a
/// browser shows it), the fragment dropped (a browser never sends it) unless it is the route of a
/// single-page site on its bare host (`m.afreecatv.com/#/player/<bj>`), which then stands as the path.
struct RoomURL: Equatable {
    /// The normalised URL, what `match` patterns are tried against and what `check` receives.
    let text: String
    /// http or https: only these have room forms (a plugin never fetches any other scheme).
    let isWeb: Bool
    /// Host without a leading `www.`, then the path without trailing slashes: what room forms are
    /// matched against, so one pattern covers `https://www.huya.com/123/` and `huya.com/123`.
    let key: String
    private let query: Substring

    init(_ pasted: String) {
        var s = Substring(pasted.trimmingCharacters(in: .whitespacesAndNewlines))
        if let hash = s.firstIndex(of: "#") {
            let route = s[s.index(after: hash)...]
            s = s[..<hash]
            if route.hasPrefix("/"), let bare = Self.bareHostPrefix(s) { s = bare + route }
        }
        var scheme = "https"
        if let separator = s.range(of: "://"), Self.isScheme(s[..<separator.lowerBound]) {
            scheme = s[..<separator.lowerBound].lowercased()
            s = s[separator.upperBound...]
        } else if s.hasPrefix("//") {
            s = s.dropFirst(2)
        }
        let hostEnd = s.firstIndex { $0 == "/" || $0 == "?" } ?? s.endIndex
        let host = s[..<hostEnd].lowercased()
        let rest = s[hostEnd...].hasPrefix("/") ? s[hostEnd...] : Substring("/" + s[hostEnd...])
        text = "\(scheme)://\(host)\(rest)"
        isWeb = scheme == "http" || scheme == "https"
        let queryStart = rest.firstIndex(of: "?")
        var path = queryStart.map { rest[..<$0] } ?? rest
        while path.hasSuffix("/") { path = path.dropLast() }
        let bareHost = host.hasPrefix("www.") ? host.dropFirst(4) : Substring(host)
        key = String(bareHost) + path
        query = queryStart.map { rest[rest.index(after: $0)...] } ?? ""
    }

    /// `s` without the slash when it is only a scheme and host (`https://m.site.com/`): what a route in
    /// the fragment may stand behind.
    private static func bareHostPrefix(_ s: Substring) -> Substring? {
        let afterScheme = s.range(of: "://").map { s[$0.upperBound...] } ?? s
        guard let slash = afterScheme.firstIndex(of: "/") else { return afterScheme.contains("?") ? nil : s }
        return afterScheme[slash...] == "/" ? s[..<slash] : nil
    }

    /// A scheme: a letter, then letters, digits, `+`, `-` or `.` (RFC 3986), so `huya.com/x?u=http://y`
    /// is not read as one.
    private static func isScheme(_ s: Substring) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    /// The first non-empty value of query parameter `name`, percent-decoded.
    func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, kv[0] == name else { continue }
            let value = String(kv[1]).removingPercentEncoding ?? String(kv[1])
            if !value.isEmpty { return value }
        }
        return nil
    }
}
