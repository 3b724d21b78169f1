import Foundation

/// One Twitch chat connection: IRC lines over WebSocket text messages, an anonymous registration, the
/// client's own PING every 40 s, and PONGs sent back at once for the server's PINGs.
public final class TwitchChatSession: ChatSession {
    private let channel: String
    private let nickNumber: Int

    /// - Parameter nickNumber: the number in the anonymous `justinfan` nick; any number is accepted, a
    ///   random one keeps two recorders of the same channel apart.
    public init(channel: String, nickNumber: Int = Int.random(in: 10_000...99_999)) {
        self.channel = channel
        self.nickNumber = nickNumber
    }

    public func openingFrames() -> [ChatFrame] {
        // One IRC line per WebSocket message, as Twitch's web client sends them.
        TwitchIRC.registration(channel: channel, nickNumber: nickNumber).map { .text($0) }
    }

    public var heartbeatInterval: Duration? { TwitchIRC.heartbeatInterval }

    public func heartbeatFrame() -> ChatFrame? { .text(TwitchIRC.heartbeat) }

    public func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        guard case .text(let text) = frame else { throw .malformed("a binary message on a text protocol") }
        var receipt = ChatReceipt()
        for event in TwitchIRC.decode(text, receivedAt: time) {
            switch event {
            case .message(let message): receipt.messages.append(message)
            case .reply(let line): receipt.replies.append(.text(line))
            }
        }
        return receipt
    }
}
