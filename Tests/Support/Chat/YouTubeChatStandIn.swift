import Foundation

/// YouTube's live chat polling endpoint (`POST https://www.youtube.com/youtubei/v1/live_chat/get_live_chat
/// ?key=…`) on loopback. The body must be JSON with `context.client.clientName` "WEB", a
/// `clientVersion`, and a `continuation` that is either the initial one (a new session) or one this
/// stand-in handed out; anything else is answered 400 `INVALID_ARGUMENT`, as YouTube does. Each answer
/// carries the messages due (chat as `liveChatTextMessageRenderer`, super chats as
/// `liveChatPaidMessageRenderer`) and the next continuation with a `timeoutMs` (small here, so tests
/// poll quickly).
public final class YouTubeChatStandIn: ChatStandIn, @unchecked Sendable {
    public static let host = "www.youtube.com"
    public static let apiKey = "AIzaSyAO_FJ2SlqU84TSTEHLGCiIlwY_Y9_11qcW8"
    public static let path = "/youtubei/v1/live_chat/get_live_chat"
    public let platform = "youtube"
    public let videoID: String
    /// What a plugin finds in the watch page (or builds): the chain starts here.
    public let initialContinuation: String
    public let timeoutMs: Int
    public let server: LoopbackChatServer
    public var chatURL: String { "https://\(Self.host)\(Self.path)?key=\(Self.apiKey)&prettyPrint=false" }
    public var remapRules: [String] { ["\(Self.host)=http://127.0.0.1:\(server.port)"] }
    public var sent: [StandInChatMessage] { feed.sent }
    public var report: ChatStandInReport { log.snapshot }

    private let feed: ChatFeed
    private let log = ChatStandInLog()
    private let chain = ContinuationChain()

    public init(videoID: String = "dQw4w9WgXcQ", timeoutMs: Int = 50, script: ChatScript = ChatScript()) throws {
        self.videoID = videoID
        self.timeoutMs = timeoutMs
        initialContinuation = "0ofMyANhGhhVQ3N0YW5kaW5fY2hhbm5lbF9pZF94eHgqJwoYVUNzdGFuZGlu\(videoID)"
        feed = ChatFeed(script: script, supported: [.chat, .superChat])
        server = try LoopbackChatServer()
        server.route(Self.path) { [unowned self] request, response in answer(request, response) }
    }

    public func stop() { server.stop() }

    func action(_ message: StandInChatMessage) -> [String: Any] {
        let half = message.text.index(message.text.startIndex, offsetBy: message.text.count / 2)
        let runs: [[String: Any]] = [["text": String(message.text[..<half])], ["text": String(message.text[half...])]]
        let common: [String: Any] = [
            "id": "ChwKGkNJU3RhbmRpbi\(message.index)", "timestampUsec": "\(Int64(Date().timeIntervalSince1970 * 1_000_000))",
            "authorName": ["simpleText": message.userName],
            "authorPhoto": ["thumbnails": [["url": "https://yt4.ggpht.com/x=s32", "width": 32, "height": 32]]],
            "authorExternalChannelId": "UCstandin\(message.uid)", "message": ["runs": runs],
        ]
        var item: [String: Any]
        if message.kind == .superChat {
            var paid = common
            paid["purchaseAmountText"] = ["simpleText": "¥\(message.price)"]
            paid["headerBackgroundColor"] = 4_278_239_141
            paid["bodyBackgroundColor"] = 4_280_150_454
            item = ["liveChatPaidMessageRenderer": paid]
        } else {
            item = ["liveChatTextMessageRenderer": common]
        }
        return ["addChatItemAction": ["item": item, "clientId": "CIstandin\(message.index)"]]
    }

    private func answer(_ request: LoopbackRequest, _ response: ResponseWriter) {
        log.update { $0.requests.append((request.path + "?" + request.rawQuery, request.headers)) }
        guard let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any],
              let client = (body["context"] as? [String: Any])?["client"] as? [String: Any],
              client["clientName"] as? String == "WEB", !((client["clientVersion"] as? String) ?? "").isEmpty,
              let continuation = body["continuation"] as? String,
              request.method == "POST", request.query["key"] == Self.apiKey else {
            return invalid(response, "request without WEB client context, continuation or key")
        }
        if continuation == initialContinuation {
            log.update { $0.connections += 1 }
        } else if !chain.issued(continuation) {
            return invalid(response, "unknown continuation \(continuation)")
        }
        log.registered()
        switch feed.poll(maxBatch: 20) {
        case .fault(let kind):
            log.fault(kind)
            fault(kind, response)
        case .messages(let batch):
            feed.markSent(batch)
            send(batch, response)
        case .finished, .stopped, nil:
            send([], response)
        }
    }

    private func send(_ messages: [StandInChatMessage], _ response: ResponseWriter) {
        let next = chain.issue()
        let object: [String: Any] = [
            "responseContext": ["serviceTrackingParams": [], "mainAppWebResponseContext": ["loggedOut": true]],
            "continuationContents": ["liveChatContinuation": [
                "continuations": [["invalidationContinuationData": [
                    "invalidationId": ["objectSource": 1056, "objectId": "Y2hhdH5zdGFuZGlu", "topic": "chat~standin"],
                    "timeoutMs": timeoutMs, "continuation": next]]],
                "actions": messages.map(action),
            ]],
        ]
        // Only strings, numbers, arrays and dictionaries: serialization cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])
        response.send(status: 200, headers: ["Content-Type": "application/json; charset=UTF-8"], body: data)
    }

    private func fault(_ kind: ChatFault.Kind, _ response: ResponseWriter) {
        switch kind {
        case .garbage:
            response.send(status: 200, headers: ["Content-Type": "text/html"], body: Data("<html><body>Sorry…</body></html>".utf8))
        case .truncated:
            response.send(status: 200, headers: ["Content-Type": "application/json"],
                          body: Data(#"{"continuationContents":{"liveChatContinuation":{"continuations":[{"invalidationCon"#.utf8))
        case .bomb:
            response.send(status: 200, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"],
                          body: Data(ChatCompression.gzipBomb))
        case .close:
            response.send(status: 503, headers: ["Content-Type": "text/html"], body: Data("<html>503</html>".utf8))
        case .reset:
            response.closeAbruptly()
        }
    }

    private func invalid(_ response: ResponseWriter, _ reason: String) {
        log.refused(reason)
        let body = #"{"error":{"code":400,"message":"Request contains an invalid argument.","errors":[{"message":"Request contains an invalid argument.","domain":"global","reason":"badRequest"}],"status":"INVALID_ARGUMENT"}}"#
        response.send(status: 400, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
    }
}

/// The continuations handed out, each valid for a next request.
private final class ContinuationChain: @unchecked Sendable {
    private let lock = NSLock()
    private var handedOut: Set<String> = []
    private var count = 0

    func issue() -> String {
        lock.withLock {
            count += 1
            let token = "0ofMyANsdGFuZGluLWNvbnRpbnVhdGlvbi0\(count)"
            handedOut.insert(token)
            return token
        }
    }

    func issued(_ token: String) -> Bool { lock.withLock { handedOut.contains(token) } }
}
