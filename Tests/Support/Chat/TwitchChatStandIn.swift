import Foundation

/// Twitch's IRC-over-WebSocket chat (`wss://irc-ws.chat.twitch.tv:443`) on loopback, in text messages
/// of CRLF-ended lines. The client must send `CAP REQ` asking for `twitch.tv/tags`, a `PASS`, `NICK
/// justinfan<digits>` (anonymous) and `JOIN #<channel>`; the server acknowledges as Twitch does (CAP ACK,
/// 001–376, JOIN echo, ROOMSTATE), then sends `PING :tmi.twitch.tv` and expects `PONG :tmi.twitch.tv`
/// (counted in `report.pongs`). Chat goes out as tagged PRIVMSG lines, several to a message. A client's
/// own `PING` is answered with `PONG` and counted as a heartbeat.
public final class TwitchChatStandIn: ChatStandIn, @unchecked Sendable {
    public static let chatHost = "irc-ws.chat.twitch.tv"
    public let platform = "twitch"
    public let channel: String
    public let server: LoopbackChatServer
    public var chatURL: String { "wss://\(Self.chatHost):443" }
    public var remapRules: [String] { ["\(Self.chatHost)=http://127.0.0.1:\(server.port)"] }
    public var sent: [StandInChatMessage] { feed.sent }
    public var report: ChatStandInReport { log.snapshot }

    private let feed: ChatFeed
    private let log = ChatStandInLog()

    public init(channel: String = "standin_channel", script: ChatScript = ChatScript()) throws {
        self.channel = channel.lowercased()
        feed = ChatFeed(script: script, supported: [.chat])
        server = try LoopbackChatServer()
        server.webSocket("/") { [unowned self] request, socket in serve(request, socket) }
    }

    public func stop() { server.stop() }

    /// The login Twitch derives from a display name; the stand-in's users are `viewer<uid>`.
    static func login(_ message: StandInChatMessage) -> String { "viewer\(message.uid)" }

    /// IRCv3 tag values escape `;`, space, backslash, CR and LF.
    static func tagValue(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\:")
            .replacingOccurrences(of: " ", with: "\\s").replacingOccurrences(of: "\r", with: "\\r")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    func privmsg(_ message: StandInChatMessage) -> String {
        let login = Self.login(message)
        let tags = ["badge-info=", "badges=subscriber/12,premium/1", "client-nonce=0f3c\(message.index)",
                    String(format: "color=#%06X", message.color), "display-name=\(Self.tagValue(message.userName))",
                    "emotes=", "first-msg=0", "flags=", "id=5b4a3c2d-0000-4000-8000-\(String(format: "%012d", message.index))",
                    "mod=0", "returning-chatter=0", "room-id=141981764", "subscriber=1",
                    "tmi-sent-ts=\(Int64(Date().timeIntervalSince1970 * 1000))", "turbo=0", "user-id=\(message.uid)", "user-type="]
        return "@\(tags.joined(separator: ";")) :\(login)!\(login)@\(login).tmi.twitch.tv PRIVMSG #\(channel) :\(message.text)\r\n"
    }

    private func serve(_ request: LoopbackRequest, _ socket: StandInWebSocket) {
        log.connected(path: request.path, headers: request.headers)
        defer { if let problem = socket.protocolError { log.protocolError(problem) } }
        var capRequested = false, passSent = false
        var nick: String?
        var joined = false
        while let message = socket.receive() {
            guard case .text(let text) = message else {
                log.protocolError("binary message")
                continue
            }
            for line in text.split(separator: "\r\n").map(String.init) where !line.isEmpty {
                let (command, argument) = Self.split(line)
                switch command {
                case "CAP":
                    guard argument.hasPrefix("REQ :"), argument.contains("twitch.tv/tags") else {
                        log.protocolError("CAP without REQ twitch.tv/tags: \(line)")
                        continue
                    }
                    capRequested = true
                    socket.send(.text(":tmi.twitch.tv CAP * ACK :\(argument.dropFirst(5))\r\n"))
                case "PASS":
                    passSent = true
                case "NICK":
                    guard passSent, argument.hasPrefix("justinfan"), argument.count > 9,
                          argument.dropFirst(9).allSatisfy(\.isNumber) else {
                        log.refused("NICK \(argument) (after PASS: \(passSent)), expected justinfan<digits> after PASS")
                        socket.close(code: 1000)
                        return
                    }
                    nick = argument
                    let welcome = ["001 \(argument) :Welcome, GLHF!", "002 \(argument) :Your host is tmi.twitch.tv",
                                   "003 \(argument) :This server is rather new", "004 \(argument) :-",
                                   "375 \(argument) :-", "372 \(argument) :You are in a maze of twisty passages, all alike.",
                                   "376 \(argument) :>"]
                    socket.send(.text(welcome.map { ":tmi.twitch.tv \($0)\r\n" }.joined()))
                case "JOIN":
                    guard let nick, capRequested, argument == "#\(channel)" else {
                        log.refused("JOIN \(argument) (nick \(nick ?? "none"), CAP \(capRequested)), expected #\(channel) after CAP and NICK")
                        socket.close(code: 1000)
                        return
                    }
                    guard !joined else { continue }
                    joined = true
                    log.registered()
                    let lines = [":\(nick)!\(nick)@\(nick).tmi.twitch.tv JOIN #\(channel)",
                                 ":\(nick).tmi.twitch.tv 353 \(nick) = #\(channel) :\(nick)",
                                 ":\(nick).tmi.twitch.tv 366 \(nick) #\(channel) :End of /NAMES list",
                                 "@emote-only=0;followers-only=-1;r9k=0;room-id=141981764;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #\(channel)",
                                 "PING :tmi.twitch.tv"]
                    socket.send(.text(lines.map { $0 + "\r\n" }.joined()))
                    Thread.detachNewThread { [self] in sendScript(socket) }
                case "PONG":
                    if argument == ":tmi.twitch.tv" || argument == "tmi.twitch.tv" {
                        log.update { $0.pongs += 1 }
                    } else {
                        log.protocolError("PONG with \(argument)")
                    }
                case "PING":
                    log.heartbeat()
                    socket.send(.text(":tmi.twitch.tv PONG tmi.twitch.tv \(argument)\r\n"))
                default:
                    log.protocolError("unexpected line \(line)")
                }
            }
        }
    }

    private static func split(_ line: String) -> (String, String) {
        guard let space = line.firstIndex(of: " ") else { return (line, "") }
        return (String(line[..<space]), String(line[line.index(after: space)...]))
    }

    private func sendScript(_ socket: StandInWebSocket) {
        feed.run(maxBatch: 5, isOpen: { !socket.isClosed }, send: { messages in
            socket.send(.text(messages.map(privmsg).joined()))
        }, fault: { kind in
            log.fault(kind)
            socket.sendWebSocketFault(kind)
        })
    }
}
