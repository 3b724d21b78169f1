import Foundation

/// One Douyu chat connection over raw TCP: login and join the whole room's group, a heartbeat every
/// 45 s, and the byte stream reassembled into frames by `DouyuDecoder` (a read may hold part of a frame).
public final class DouyuChatSession: ChatSession {
    private let roomID: String
    private var decoder = DouyuDecoder()

    public init(roomID: String) {
        self.roomID = roomID
    }

    public func openingFrames() -> [ChatFrame] {
        // The server accepts joingroup right behind loginreq, without waiting for loginres.
        [.binary(DouyuFrames.login(roomID: roomID)), .binary(DouyuFrames.joinGroup(roomID: roomID))]
    }

    public var heartbeatInterval: Duration? { DouyuFrames.heartbeatInterval }

    public func heartbeatFrame() -> ChatFrame? { .binary(DouyuFrames.heartbeat()) }

    public func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        guard case .binary(let bytes) = frame else { throw .malformed("a text message on a byte stream") }
        do {
            return ChatReceipt(messages: try decoder.feed(bytes, receivedAt: time))
        } catch let error as DanmakuDecodeError {
            throw error
        } catch {
            throw .malformed("undecodable frame")
        }
    }
}
