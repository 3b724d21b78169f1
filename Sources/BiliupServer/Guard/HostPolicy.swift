import Foundation
import HTTPTypes

/// Which `Host` and `Origin` a request may carry. A web page of another site must not drive the API:
/// - DNS rebinding points a name the attacker owns at 127.0.0.1; the browser then sends that name as
///   `Host`. Only loopback names, IP literals (a rebound page never has one as its host name) and the
///   names the user configured (`server.hosts`) are served.
/// - A cross-site page (or another port of this machine) is named by `Origin` and `Sec-Fetch-Site`;
///   the API answers only its own origin. Clients that are not browsers send neither and are unaffected.
struct HostPolicy: Sendable {
    /// Host names served besides loopback names and IP literals, lowercased, without port.
    let extraHosts: Set<String>

    init(hosts: [String]) {
        extraHosts = Set(hosts.compactMap { Self.hostName(ofAuthority: $0.lowercased()) })
    }

    /// Why the request's `Host` is refused, or nil. A request without one (HTTP/1.0) names no host and
    /// so cannot be a rebound one.
    func refusal(host authority: String?) -> String? {
        guard let authority, !authority.isEmpty else { return nil }
        guard let name = Self.hostName(ofAuthority: authority.lowercased()) else { return "Host \"\(authority.prefix(100))\" is malformed" }
        if Self.isLoopbackName(name) || Self.isIPLiteral(name) || extraHosts.contains(name) { return nil }
        return "Host \"\(authority.prefix(100))\" is not served here: add it to main.lua's server.hosts (or --allow-host) to reach the API by that name"
    }

    /// Why a browser request from `Origin` / `Sec-Fetch-Site` is refused, or nil.
    func crossSiteRefusal(_ fields: HTTPFields, authority: String?) -> String? {
        if let site = fields[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site != "same-origin", site != "none" {
            return "a request from another site (Sec-Fetch-Site: \(site.prefix(20))) is refused"
        }
        guard let origin = fields[.origin] else { return nil }
        guard let url = URLComponents(string: origin), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let originHost = url.host?.lowercased(), let authority else {
            return "a request from origin \"\(origin.prefix(100))\" is refused"
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let originAuthority = Self.normalized(host: originHost, port: url.port ?? defaultPort)
        guard let requestHost = Self.hostName(ofAuthority: authority.lowercased()) else { return "Host is malformed" }
        let requestAuthority = Self.normalized(host: requestHost, port: Self.port(ofAuthority: authority) ?? defaultPort)
        return originAuthority == requestAuthority ? nil : "a request from origin \"\(origin.prefix(100))\" is refused: only this server's own page may call the API"
    }

    // MARK: Authority parsing

    /// "example.com:80" → "example.com", "[::1]:80" → "::1"; nil when malformed.
    static func hostName(ofAuthority authority: String) -> String? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let rest = authority[authority.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && Int(rest.dropFirst()) != nil) else { return nil }
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let first = parts.first, !first.isEmpty else { return nil }
        if parts.count == 2, Int(parts[1]) == nil { return nil }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-_"))
        guard first.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else { return nil }
        return String(first.hasSuffix(".") ? first.dropLast() : first)
    }

    static func port(ofAuthority authority: String) -> Int? {
        guard let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") else { return nil }
        return Int(authority[authority.index(after: colon)...])
    }

    static func normalized(host: String, port: Int) -> String {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return "\(bare):\(port)"
    }

    static func isLoopbackName(_ name: String) -> Bool {
        name == "localhost" || name.hasSuffix(".localhost")
    }

    static func isIPLiteral(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }
}
