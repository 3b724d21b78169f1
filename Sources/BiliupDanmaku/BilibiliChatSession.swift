import Foundation

/// One Bilibili chat connection: the auth packet, a heartbeat every 30 s, and binary WebSocket messages
/// decoded by `BilibiliDecoder`. An auth reply with a non-zero code ends the connection, as the server
/// would close it anyway.
public final class BilibiliChatSession: ChatSession {
    private let roomID: Int64
    private let viewerUID: Int64
    private let token: String
    private let decoder = BilibiliDecoder()

    /// - Parameters:
    ///   - roomID: the long (real) room id.
    ///   - viewerUID: the logged-in viewer's mid, 0 when anonymous.
    ///   - token: getDanmuInfo's token.
    public init(roomID: Int64, viewerUID: Int64, token: String) {
        self.roomID = roomID
        self.viewerUID = viewerUID
        self.token = token
    }

    public func openingFrames() -> [ChatFrame] {
        [.binary(BilibiliClientFrames.auth(viewerUID: viewerUID, roomID: roomID, token: token))]
    }

    public var heartbeatInterval: Duration? { BilibiliClientFrames.heartbeatInterval }

    public func heartbeatFrame() -> ChatFrame? { .binary(BilibiliClientFrames.heartbeat()) }

    public func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        guard case .binary(let bytes) = frame else { throw .malformed("a text message on a binary protocol") }
        let events: [BilibiliEvent]
        do {
            events = try decoder.decode(bytes, receivedAt: time)
        } catch let error as DanmakuDecodeError {
            throw error
        } catch {
            throw .malformed("undecodable packet")
        }
        var receipt = ChatReceipt()
        for event in events {
            switch event {
            case .message(let message):
                receipt.messages.append(message)
            case .authReply(let code) where code != 0:
                throw .malformed("auth refused with code \(code)")
            case .authReply, .popularity:
                continue
            }
        }
        return receipt
    }
}
