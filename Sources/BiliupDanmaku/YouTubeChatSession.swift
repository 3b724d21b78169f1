import Foundation

/// YouTube's live chat, polled: each request posts the last continuation token to `get_live_chat`, and
/// each answer carries the next token and how long to wait.
public final class YouTubeChatSession: ChatPollingSession {
    /// The wait when the server names none, as the web client polls.
    public static let defaultDelay: Duration = .seconds(1)
    /// Bounds on the server's `timeoutMs`: never a tight loop, and never so long that the chat lags the
    /// video by more than a few seconds.
    public static let minimumDelay: Duration = .milliseconds(200)
    public static let maximumDelay: Duration = .seconds(10)

    private let apiURL: String
    private let clientVersion: String
    private let headers: [ChatHeader]
    public private(set) var continuation: String

    /// - Parameters:
    ///   - apiURL: `https://www.youtube.com/youtubei/v1/live_chat/get_live_chat?key=…`.
    ///   - continuation: the first token (from the watch page, or built from the video id).
    ///   - clientVersion: the WEB client version the token was made for.
    public init(apiURL: String, continuation: String, clientVersion: String, headers: [ChatHeader] = []) {
        self.apiURL = apiURL
        self.continuation = continuation
        self.clientVersion = clientVersion
        self.headers = headers
    }

    private struct RequestBody: Encodable {
        struct Client: Encodable {
            let clientName = "WEB"
            let clientVersion: String
        }
        struct Context: Encodable { let client: Client }
        let context: Context
        let continuation: String
    }

    public func nextRequest() -> ChatPollRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings cannot fail.
        let body = try! encoder.encode(RequestBody(context: .init(client: .init(clientVersion: clientVersion)),
                                                   continuation: continuation))
        var requestHeaders = headers
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            requestHeaders.append(ChatHeader("Content-Type", "application/json"))
        }
        return ChatPollRequest(url: apiURL, method: "POST", headers: requestHeaders, body: Array(body))
    }

    public func receive(status: Int, body: [UInt8], at time: Date) throws(DanmakuDecodeError) -> ChatPollReceipt {
        guard status == 200 else { throw .malformed("live_chat answered HTTP \(status)") }
        let chat = try YouTubeLiveChat.decode(body, receivedAt: time)
        continuation = chat.continuation
        let delay = min(max(chat.timeout ?? Self.defaultDelay, Self.minimumDelay), Self.maximumDelay)
        return ChatPollReceipt(messages: chat.messages, delay: delay)
    }
}
