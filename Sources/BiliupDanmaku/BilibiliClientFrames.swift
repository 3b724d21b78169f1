import Foundation

/// The packets a Bilibili chat client sends: the auth packet first, then a heartbeat every 30 seconds.
public enum BilibiliClientFrames {
    public static let heartbeatInterval: Duration = .seconds(30)

    private struct Auth: Encodable {
        let uid: Int64
        let roomid: Int64
        let protover = 3
        let platform = "web"
        let type = 2
        let key: String
    }

    /// - Parameters:
    ///   - viewerUID: the logged-in viewer's mid, 0 when anonymous — never the anchor's uid.
    ///   - roomID: the long (real) room id; the server closes the socket on a short id.
    ///   - token: getDanmuInfo's token.
    public static func auth(viewerUID: Int64, roomID: Int64, token: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and integers cannot fail.
        let body = try! encoder.encode(Auth(uid: viewerUID, roomid: roomID, key: token))
        return BilibiliPacket(version: BilibiliPacket.Version.plain, operation: BilibiliPacket.Operation.auth,
                              body: Array(body)).encoded()
    }

    /// The web client's body, a JavaScript object stringified, which the server echoes: 31 bytes in all,
    /// the length biliup's heartbeat declares.
    public static func heartbeat() -> [UInt8] {
        BilibiliPacket(version: BilibiliPacket.Version.plain, operation: BilibiliPacket.Operation.heartbeat,
                       body: Array("[object Object]".utf8)).encoded()
    }
}
