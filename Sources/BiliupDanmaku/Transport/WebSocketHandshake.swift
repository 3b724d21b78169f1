import BiliupNet
import Foundation

/// The client side of the RFC 6455 opening handshake: the upgrade request, and the check of the server's
/// answer (101, `Upgrade: websocket`, `Connection: upgrade`, and `Sec-WebSocket-Accept` derived from our
/// random key, which proves the server speaks WebSocket and is not a cache replaying something).
struct WebSocketHandshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// A real answer's head is a few hundred bytes; anything longer is not a WebSocket server.
    static let maxResponseHeadBytes = 16 << 10
    /// Set by the handshake itself: from an endpoint they would break the upgrade.
    static let reservedHeaders: Set<String> = ["upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
                                               "sec-websocket-extensions"]

    /// Base64 of 16 random bytes.
    let key: String
    private var head: [UInt8] = []

    init(key: String? = nil) {
        if let key {
            self.key = key
        } else {
            var random = SystemRandomNumberGenerator()
            self.key = Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }).base64EncodedString()
        }
    }

    static func acceptValue(for key: String) -> String {
        Data(Digest.sha1(Array((key + guid).utf8))).base64EncodedString()
    }

    /// The upgrade request. `headers` come from the endpoint (cookies, origin, user agent).
    func request(target: ChatTarget, headers: [ChatHeader], defaultUserAgent: String) throws(ChatTransportError) -> [UInt8] {
        let pairs = headers.map { ($0.name, $0.value) }
        if let problem = RequestHeaderRules.problem(in: pairs) { throw .invalidHeader(problem) }
        if let reserved = headers.first(where: { WebSocketHandshake.reservedHeaders.contains($0.name.lowercased()) }) {
            throw .invalidHeader("header \"\(reserved.name)\" is set by the WebSocket handshake and cannot be given")
        }
        var text = "GET \(target.path) HTTP/1.1\r\nHost: \(target.host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) { text += "User-Agent: \(defaultUserAgent)\r\n" }
        for h in headers { text += "\(h.name): \(h.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Takes bytes of the server's answer. Returns nil while the head is incomplete, then the bytes that
    /// followed the head (the first frames, if the server sent them at once). Throws if the answer is not
    /// a valid upgrade; the error names the status or the header at fault, never the body.
    mutating func receive(_ bytes: some Collection<UInt8>) throws(ChatTransportError) -> [UInt8]? {
        let searchFrom = max(0, head.count - 3)
        head.append(contentsOf: bytes)
        guard let end = WebSocketHandshake.headEnd(head, from: searchFrom) else {
            if head.count > WebSocketHandshake.maxResponseHeadBytes {
                throw .tooLarge(what: "WebSocket handshake response head", limit: WebSocketHandshake.maxResponseHeadBytes)
            }
            return nil
        }
        guard end <= WebSocketHandshake.maxResponseHeadBytes else {
            throw .tooLarge(what: "WebSocket handshake response head", limit: WebSocketHandshake.maxResponseHeadBytes)
        }
        try check(head: head[..<end])
        return Array(head[(end + 4)...])
    }

    private static func headEnd(_ bytes: [UInt8], from: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = from
        while i + 3 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    private func check(head: ArraySlice<UInt8>) throws(ChatTransportError) {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let status = lines[0].split(separator: " ", maxSplits: 2)
        guard status.count >= 2, status[0].hasPrefix("HTTP/1."), let code = Int(status[1]) else {
            throw .handshake("the server's answer is not an HTTP response")
        }
        guard code == 101 else { throw .handshake("the server answered HTTP \(code) instead of 101 Switching Protocols") }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name] = fields[name].map { "\($0), \(value)" } ?? value
        }
        guard fields["upgrade"]?.lowercased() == "websocket" else { throw .handshake("no \"Upgrade: websocket\" in the answer") }
        let connection = fields["connection"]?.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        guard connection.contains("upgrade") else { throw .handshake("no \"Connection: Upgrade\" in the answer") }
        guard fields["sec-websocket-accept"] == WebSocketHandshake.acceptValue(for: key) else {
            throw .handshake("Sec-WebSocket-Accept does not match the key sent")
        }
        // None were offered: a server that applies one anyway sends frames this client cannot read.
        guard fields["sec-websocket-extensions"] == nil else { throw .handshake("the server chose an extension that was not offered") }
    }
}
