import Foundation

/// One TwitCasting chat connection: the WebSocket URL comes from `eventpubsuburl.php` (the plugin's
/// `danmaku` step asks for it); nothing is sent, and the server keeps the socket alive with WebSocket
/// pings, which the transport answers.
public final class TwitCastingChatSession: ChatSession {
    public init() {}

    public func openingFrames() -> [ChatFrame] { [] }

    public var heartbeatInterval: Duration? { nil }

    public func heartbeatFrame() -> ChatFrame? { nil }

    public func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        guard case .text(let text) = frame else { throw .malformed("a binary message on a text protocol") }
        return ChatReceipt(messages: try TwitCastingComments.decode(text, receivedAt: time))
    }
}
