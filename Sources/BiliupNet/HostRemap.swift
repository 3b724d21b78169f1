/// Sends requests for chosen remote hosts to other base URLs, without editing any plugin: tests point
/// platforms at local fakes with it, and users behind a reverse proxy or mirror can do the same.
///
/// A rule is `HOST=BASE`: `api.live.bilibili.com=http://127.0.0.1:8080/bili` turns
/// `https://api.live.bilibili.com/room/v1?id=1` into `http://127.0.0.1:8080/bili/room/v1?id=1`.
/// `*.example.com` matches every subdomain (not example.com itself). The first matching rule wins.
public struct HostRemap: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var host: String
        public var base: String
    }

    public private(set) var rules: [Rule] = []

    public init() {}

    public init(parsing specs: [String]) throws(HostRemapError) {
        for spec in specs {
            try add(spec)
        }
    }

    /// Rules from `BILIUP_HOST_REMAP`: comma- or whitespace-separated `HOST=BASE` pairs.
    public static func environment(_ value: String?) throws(HostRemapError) -> HostRemap {
        guard let value else { return HostRemap() }
        let specs = value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
        return try HostRemap(parsing: specs)
    }

    public mutating func add(_ spec: String) throws(HostRemapError) {
        guard let eq = spec.firstIndex(of: "=") else {
            throw HostRemapError("'\(spec)': expected HOST=BASE_URL")
        }
        let host = spec[..<eq].lowercased()
        var base = String(spec[spec.index(after: eq)...])
        guard !host.isEmpty, !host.contains("/"), let parts = URLParts(base), !parts.host.isEmpty else {
            throw HostRemapError("'\(spec)': expected HOST=BASE_URL, e.g. api.example.com=http://127.0.0.1:8080/api")
        }
        while base.hasSuffix("/") { base.removeLast() }
        rules.append(Rule(host: host, base: base))
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// The URL a request for `url` really goes to.
    public func apply(_ url: String) -> String {
        guard !rules.isEmpty, let parts = URLParts(url) else { return url }
        let host = parts.host.lowercased()
        for rule in rules where matches(rule.host, host) {
            return rule.base + (parts.pathAndQuery.isEmpty ? "/" : parts.pathAndQuery)
        }
        return url
    }

    private func matches(_ pattern: String, _ host: String) -> Bool {
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst(1)) }
        return pattern == host
    }
}

/// Just enough URL splitting for remapping and redirects: `scheme://authority/path?query#fragment`.
public struct URLParts: Sendable {
    public var scheme: String
    public var authority: String
    public var pathAndQuery: String

    public init?(_ url: String) {
        guard let sep = url.range(of: "://") else { return nil }
        scheme = String(url[..<sep.lowerBound]).lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else { return nil }
        let rest = url[sep.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        authority = String(rest[..<end])
        var tail = String(rest[end...])
        if let hash = tail.firstIndex(of: "#") { tail = String(tail[..<hash]) }
        pathAndQuery = tail
    }

    /// The host without user info and port (IPv6 brackets kept off).
    public var host: String {
        var a = Substring(authority)
        if let at = a.lastIndex(of: "@") { a = a[a.index(after: at)...] }
        if a.hasPrefix("["), let close = a.firstIndex(of: "]") { return String(a[a.index(after: a.startIndex)..<close]) }
        if let colon = a.lastIndex(of: ":") { a = a[..<colon] }
        return String(a)
    }

    public var origin: String { "\(scheme)://\(authority)" }

    /// Resolves a `Location` header against this URL.
    public func resolve(_ reference: String) -> String {
        if URLParts(reference) != nil { return reference }
        if reference.hasPrefix("//") { return "\(scheme):\(reference)" }
        if reference.hasPrefix("/") { return origin + reference }
        let path = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if reference.hasPrefix("?") { return origin + (path.isEmpty ? "/" : path) + reference }
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
        return origin + directory + reference
    }
}

/// A `HOST=BASE` rule that cannot be read; the message names the rule and the expected form.
public struct HostRemapError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { "host remap: \(message)" }
}
