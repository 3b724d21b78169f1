import Foundation

/// What a session made of one received frame: the messages in it, and the frames to send back at once
/// (acks, PONGs).
public struct ChatReceipt: Sendable, Equatable {
    public var messages: [DanmakuMessage]
    public var replies: [ChatFrame]

    public init(messages: [DanmakuMessage] = [], replies: [ChatFrame] = []) {
        self.messages = messages
        self.replies = replies
    }
}

/// One connection's worth of a platform's chat protocol over a WebSocket or TCP stream: registration,
/// heartbeat and decoding, with no I/O of its own. The transport makes a fresh session for every
/// connection and drives it from one thread.
public protocol ChatSession: AnyObject {
    /// Sent right after the connection opens, in order (auth, join, CAP REQ…).
    func openingFrames() -> [ChatFrame]
    /// How often `heartbeatFrame()` is sent; nil when the protocol has none.
    var heartbeatInterval: Duration? { get }
    func heartbeatFrame() -> ChatFrame?
    /// A frame as received. Throwing means the stream is broken: the transport resets the connection,
    /// reports why, and reconnects after its backoff.
    func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt
}

/// One request of a polling chat (YouTube's live_chat), before the host remap.
public struct ChatPollRequest: Sendable, Equatable {
    public var url: String
    public var method: String
    public var headers: [ChatHeader]
    public var body: [UInt8]?

    public init(url: String, method: String = "GET", headers: [ChatHeader] = [], body: [UInt8]? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }
}

/// A polling chat's protocol state, with no I/O: it names each request and reads each answer.
public protocol ChatPollingSession: AnyObject {
    func nextRequest() -> ChatPollRequest
    /// The answer to the last request, and how long to wait before the next one.
    func receive(status: Int, body: [UInt8], at time: Date) throws(DanmakuDecodeError) -> ChatPollReceipt
}

public struct ChatPollReceipt: Sendable, Equatable {
    public var messages: [DanmakuMessage]
    public var delay: Duration

    public init(messages: [DanmakuMessage] = [], delay: Duration) {
        self.messages = messages
        self.delay = delay
    }
}
