import Foundation

/// TwitCasting's comment feed on loopback. `POST https://twitcasting.tv/eventpubsuburl.php` with the
/// form fields `movie_id` (and `password`, empty for public movies) answers `{"url": "wss://…"}`; the
/// WebSocket there sends each batch of comments as a text message holding a JSON array. There is no
/// registration frame and no heartbeat; a connection whose path's token was not handed out by
/// `eventpubsuburl.php` is refused.
///
/// Each comment object carries the poster both as `author` and as `from_user` (captures of the feed
/// differ between the two spellings; biliup reads `from_user.name`).
public final class TwitCastingChatStandIn: ChatStandIn, @unchecked Sendable {
    public static let apiHost = "twitcasting.tv"
    public static let pubSubHost = "pubsub.twitcasting.tv"
    public let platform = "twitcasting"
    public let movieID: String
    public let password: String
    public let server: LoopbackChatServer
    /// The URL a plugin's `danmaku` step gets from `eventpubsuburl.php` (a fresh token each call; this is
    /// the first one).
    public var chatURL: String { "wss://\(Self.pubSubHost)/event/pubsub/\(Self.token(1))" }
    public var remapRules: [String] {
        ["\(Self.apiHost)=http://127.0.0.1:\(server.port)", "\(Self.pubSubHost)=http://127.0.0.1:\(server.port)"]
    }
    public var sent: [StandInChatMessage] { feed.sent }
    public var report: ChatStandInReport { log.snapshot }

    private let feed: ChatFeed
    private let log = ChatStandInLog()
    private let tokens = TokenBook()

    public init(movieID: String = "820000001", password: String = "", script: ChatScript = ChatScript()) throws {
        self.movieID = movieID
        self.password = password
        feed = ChatFeed(script: script, supported: [.chat])
        server = try LoopbackChatServer()
        server.route("/eventpubsuburl.php") { [unowned self] request, response in pubSubURL(request, response) }
        for number in 1...TokenBook.capacity {
            server.webSocket("/event/pubsub/\(Self.token(number))") { [unowned self] request, socket in serve(request, socket) }
        }
    }

    public func stop() { server.stop() }

    /// Hands out a pubsub URL as `eventpubsuburl.php` does, for tests that stand in for the plugin step.
    public func handOutURL() -> String {
        "wss://\(Self.pubSubHost)/event/pubsub/\(Self.token(tokens.issue()))"
    }

    static func token(_ number: Int) -> String { String(format: "standin%04dZm9v", number) }

    private func pubSubURL(_ request: LoopbackRequest, _ response: ResponseWriter) {
        log.update { $0.requests.append((request.path, request.headers)) }
        let form = Self.form(request.body)
        guard request.method == "POST", form["movie_id"] == movieID, (form["password"] ?? "") == password else {
            log.refused("eventpubsuburl.php: \(request.method) movie_id \(form["movie_id"] ?? "missing")")
            response.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"error":{"code":404}}"#.utf8))
            return
        }
        let number = tokens.issue()
        let body = #"{"url":"wss:\/\/\#(Self.pubSubHost)\/event\/pubsub\/\#(Self.token(number))"}"#
        response.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
    }

    func commentJSON(_ message: StandInChatMessage) -> [String: Any] {
        let screenName = "viewer\(message.uid)"
        let user: [String: Any] = ["id": "\(message.uid)", "screenName": screenName, "screen_id": screenName,
                                   "name": message.userName, "profileImage": "https://imagegw02.twitcasting.tv/image3s/x.jpg",
                                   "image": "https://imagegw02.twitcasting.tv/image3s/x.jpg", "grade": 0]
        return ["type": "comment", "id": 30_000_000_000 + message.index, "message": message.text,
                "rawMessage": message.text, "createdAt": Int64(Date().timeIntervalSince1970 * 1000),
                "author": user, "from_user": user, "numComments": message.index + 1]
    }

    private func serve(_ request: LoopbackRequest, _ socket: StandInWebSocket) {
        log.connected(path: request.path, headers: request.headers)
        defer { if let problem = socket.protocolError { log.protocolError(problem) } }
        guard tokens.wasIssued(request.path) else {
            log.refused("pubsub token \(request.path) was never handed out")
            socket.close(code: 1008)
            return
        }
        log.registered()
        Thread.detachNewThread { [self] in sendScript(socket) }
        while let message = socket.receive() {
            log.protocolError("client sent \(message)")  // the feed is one-way
        }
    }

    private func sendScript(_ socket: StandInWebSocket) {
        feed.run(maxBatch: 10, isOpen: { !socket.isClosed }, send: { messages in
            // Only strings, numbers, arrays and dictionaries: serialization cannot fail.
            let data = try! JSONSerialization.data(withJSONObject: messages.map(commentJSON), options: [.withoutEscapingSlashes])
            return socket.send(.text(String(decoding: data, as: UTF8.self)))
        }, fault: { kind in
            log.fault(kind)
            socket.sendWebSocketFault(kind)
        })
    }

    static func form(_ body: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }
}

/// The pubsub tokens handed out; each reconnect asks for a new one, as the site's player does.
private final class TokenBook: @unchecked Sendable {
    /// Routes are made up front for this many tokens: far more reconnects than any test makes.
    static let capacity = 64
    private let lock = NSLock()
    private var issued = 0

    func issue() -> Int {
        lock.withLock {
            issued = min(issued + 1, Self.capacity)
            return issued
        }
    }

    func wasIssued(_ path: String) -> Bool {
        let count = lock.withLock { issued }
        return (1...max(count, 1)).contains { count > 0 && path.hasSuffix(TwitCastingChatStandIn.token($0)) }
    }
}
