import Foundation

/// One connection to Douyin's chat push (`wss://webcast…douyin.com/webcast/im/push/v2/?…&signature=…`; the
/// signed URL and cookie come from the plugin's `danmaku` step). Nothing to register: the URL names the
/// room. A heartbeat goes out at once and every 10 s; each response that asks for it is acknowledged.
public final class DouyinChatSession: ChatSession {
    private let decoder: DouyinDecoder

    public init(decompressedLimit: Int = Inflate.defaultLimit) {
        decoder = DouyinDecoder(decompressedLimit: decompressedLimit)
    }

    /// The web client's first frame is a heartbeat too; the server starts pushing without waiting for it.
    public func openingFrames() -> [ChatFrame] {
        [.binary(DouyinFrames.heartbeat())]
    }

    public var heartbeatInterval: Duration? { DouyinFrames.heartbeatInterval }

    public func heartbeatFrame() -> ChatFrame? {
        .binary(DouyinFrames.heartbeat())
    }

    public func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        guard case .binary(let bytes) = frame else {
            throw DanmakuDecodeError.malformed("douyin sends binary frames only, got text")
        }
        let result = try decoder.decode(bytes, receivedAt: time)
        return ChatReceipt(messages: result.messages, replies: result.ack.map { [.binary($0)] } ?? [])
    }
}
