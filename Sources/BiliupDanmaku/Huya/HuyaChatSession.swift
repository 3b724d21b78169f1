import Foundation

/// One connection to Huya's chat (`wss://cdnws.api.huya.com/`): registers for the presenter's room, sends the
/// WUP heartbeat every 60 s, and decodes pushed chat and gifts. The server sends nothing that needs an answer.
public final class HuyaChatSession: ChatSession {
    public let presenterUID: Int64
    private let decoder = HuyaDecoder()

    /// `presenterUID` is the anchor's uid (the plugin's `presenter_uid`), which names the room's group.
    public init(presenterUID: Int64) {
        self.presenterUID = presenterUID
    }

    public func openingFrames() -> [ChatFrame] {
        [.binary(HuyaFrames.registration(presenterUID: presenterUID))]
    }

    public var heartbeatInterval: Duration? { HuyaFrames.heartbeatInterval }

    public func heartbeatFrame() -> ChatFrame? {
        .binary(HuyaFrames.heartbeat(.init(presenterUID: presenterUID)))
    }

    public func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        guard case .binary(let bytes) = frame else {
            throw DanmakuDecodeError.malformed("huya sends binary frames only, got text")
        }
        return ChatReceipt(messages: try decoder.decode(bytes, receivedAt: time))
    }
}
