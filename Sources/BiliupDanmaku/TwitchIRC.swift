import Foundation

/// Twitch chat over IRC-on-WebSocket: the lines a client sends to join anonymously, and a decoder of
/// the server's lines.
public enum TwitchIRC {
    /// Anonymous read-only login: any `justinfan<number>` nick with any password is accepted.
    public static func registration(channel: String, nickNumber: Int) -> [String] {
        ["CAP REQ :twitch.tv/tags twitch.tv/commands", "PASS SCHMOOPIIE", "NICK justinfan\(nickNumber)",
         "JOIN #\(channel.lowercased())"]
    }

    /// The client's own keep-alive, besides answering the server's PINGs (biliup sends the same).
    public static let heartbeat = "PING"
    public static let heartbeatInterval: Duration = .seconds(40)

    public enum Event: Sendable, Equatable {
        case message(DanmakuMessage)
        /// A line to send back at once: the server drops clients that leave a PING unanswered.
        case reply(String)
    }

    /// One WebSocket message may hold several CRLF-terminated lines.
    public static func decode(_ text: String, receivedAt: Date) -> [Event] {
        text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }).compactMap {
            event(from: Substring($0), receivedAt: receivedAt)
        }
    }

    static func event(from line: Substring, receivedAt: Date) -> Event? {
        var rest = line
        var tags: [Substring: String] = [:]
        if rest.hasPrefix("@") {
            guard let space = rest.firstIndex(of: " ") else { return nil }
            for tag in rest[rest.index(after: rest.startIndex)..<space].split(separator: ";") {
                let parts = tag.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                tags[parts[0]] = parts.count > 1 ? unescapeTagValue(parts[1]) : ""
            }
            rest = rest[space...].drop { $0 == " " }
        }
        var nick: Substring = ""
        if rest.hasPrefix(":") {
            guard let space = rest.firstIndex(of: " ") else { return nil }
            nick = rest[rest.index(after: rest.startIndex)..<space].prefix { $0 != "!" }
            rest = rest[space...].drop { $0 == " " }
        }
        let command = rest.prefix { $0 != " " }
        let parameters = rest.dropFirst(command.count).drop { $0 == " " }
        switch command {
        case "PING":
            return .reply("PONG \(parameters)")
        case "PRIVMSG":
            guard let colon = parameters.range(of: " :") else { return nil }
            var text = String(parameters[colon.upperBound...])
            // A /me action arrives wrapped in CTCP ACTION markers.
            if text.hasPrefix("\u{1}ACTION "), text.hasSuffix("\u{1}") {
                text = String(text.dropFirst(8).dropLast())
            }
            let color = tags["color"].flatMap { $0.hasPrefix("#") ? Int($0.dropFirst(), radix: 16) : nil }
            let name = tags["display-name"].flatMap { $0.isEmpty ? nil : $0 } ?? String(nick)
            return .message(DanmakuMessage(text: text, userName: name, uid: tags["user-id"].flatMap { Int64($0) } ?? 0,
                                           color: color.map { $0 & 0xFFFFFF } ?? 0xFFFFFF, receivedAt: receivedAt))
        default:
            return nil
        }
    }

    /// IRCv3 tag value escapes.
    static func unescapeTagValue(_ value: Substring) -> String {
        var out = ""
        var iterator = value.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else { out.append(character); continue }
            switch iterator.next() {
            case ":": out.append(";")
            case "s": out.append(" ")
            case "r": out.append("\r")
            case "n": out.append("\n")
            case let other?: out.append(other)
            case nil: break
            }
        }
        return out
    }
}
