import BiliupNet

/// Where a stream chat really connects after the host remap, and what the WebSocket upgrade names.
struct ChatTarget: Equatable {
    /// `http://authority` or `https://authority`: what libcurl connects to (connect-only: TLS or not).
    var connectURL: String
    /// The remapped authority without user info: the upgrade's Host header, so a relay or stand-in sees
    /// the host it is reached by.
    var host: String
    /// Path and query of the upgrade request, at least "/".
    var path: String
    var tls: Bool

    /// A `ws://` or `wss://` URL. After the remap, `http`/`ws` mean a plain connection, `https`/`wss` TLS.
    static func webSocket(_ url: String, remap: HostRemap) throws(ChatTransportError) -> ChatTarget {
        guard let original = URLParts(url), ["ws", "wss"].contains(original.scheme) else {
            throw .invalidURL("\(url): expected ws:// or wss://")
        }
        return try target(remap.apply(url), original: url, plain: ["ws", "http"], secure: ["wss", "https"], needsPort: false)
    }

    /// A `tcp://host:port` URL (Douyu). A remap base `http://` (or `tcp://`) keeps it plain, `https://`
    /// wraps it in TLS.
    static func tcp(_ url: String, remap: HostRemap) throws(ChatTransportError) -> ChatTarget {
        guard let original = URLParts(url), original.scheme == "tcp" else {
            throw .invalidURL("\(url): expected tcp://host:port")
        }
        return try target(remap.apply(url), original: url, plain: ["tcp", "http"], secure: ["https"], needsPort: true)
    }

    private static func target(_ url: String, original: String, plain: Set<String>, secure: Set<String>,
                               needsPort: Bool) throws(ChatTransportError) -> ChatTarget {
        guard let parts = URLParts(url) else { throw .invalidURL("\(original): cannot be read as a URL") }
        let tls: Bool
        if plain.contains(parts.scheme) {
            tls = false
        } else if secure.contains(parts.scheme) {
            tls = true
        } else {
            throw .invalidURL("\(original) (remapped to \(parts.scheme)://): scheme not allowed for chat")
        }
        let authority = parts.authority
        guard !authority.contains("@") else { throw .invalidURL("\(original): user info is not allowed in chat URLs") }
        guard !parts.host.isEmpty else { throw .invalidURL("\(original): no host") }
        guard authority.allSatisfy({ !$0.isWhitespace && $0 != "\\" }) else {
            throw .invalidURL("\(original): invalid characters in the host")
        }
        if needsPort {
            let portText = authority.hasSuffix("]") ? "" : authority.split(separator: ":").last.map(String.init) ?? ""
            guard authority.contains(":"), let port = Int(portText), (1...65535).contains(port) else {
                throw .invalidURL("\(original): a TCP chat URL needs host:port")
            }
        }
        var path = parts.pathAndQuery.isEmpty ? "/" : parts.pathAndQuery
        if path.hasPrefix("?") { path = "/" + path }
        guard path.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw .invalidURL("\(original): the path contains spaces or control characters")
        }
        return ChatTarget(connectURL: (tls ? "https://" : "http://") + authority, host: authority, path: path, tls: tls)
    }
}
