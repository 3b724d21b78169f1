import Foundation

/// Huya's chat server (`wss://cdnws.api.huya.com/`) on loopback, speaking Tars in binary messages.
/// Every message is a `WebSocketCommand {0 iCmdType, 1 vData}`. The client must first register
/// (iCmdType 1) with a `WSUserInfo` whose group is the presenter (`6 lGroupId` = presenter uid,
/// `7 lGroupType` = 3); it is answered with a `RegisterRsp` (iCmdType 2, result 0), and then chat flows as
/// `MsgPushReq` (iCmdType 7) holding a `WSPushMessage {1 iUri 1400, 2 sMsg}` whose `sMsg` is a
/// `MessageNotice {0 tUserInfo {0 lUid, 2 sNickName}, 3 sContent, 6 tBulletFormat {0 iFontColor}}`.
/// A heartbeat (a WUP request, iCmdType 3, to `onlineui`/`OnUserHeartBeat`) is answered with a WUP
/// response (iCmdType 4).
public final class HuyaChatStandIn: ChatStandIn, @unchecked Sendable {
    public static let chatHost = "cdnws.api.huya.com"
    public let platform = "huya"
    public let presenterUID: Int64
    public let server: LoopbackChatServer
    public var chatURL: String { "wss://\(Self.chatHost)/" }
    public var remapRules: [String] { ["\(Self.chatHost)=http://127.0.0.1:\(server.port)"] }
    public var sent: [StandInChatMessage] { feed.sent }
    public var report: ChatStandInReport { log.snapshot }

    public enum Command {
        public static let registerRequest: Int64 = 1, registerResponse: Int64 = 2
        public static let wupRequest: Int64 = 3, wupResponse: Int64 = 4, push: Int64 = 7
    }
    public static let chatURI: Int64 = 1400

    private let feed: ChatFeed
    private let log = ChatStandInLog()

    public init(presenterUID: Int64 = 1_199_561_209_513, script: ChatScript = ChatScript()) throws {
        self.presenterUID = presenterUID
        feed = ChatFeed(script: script, supported: [.chat])
        server = try LoopbackChatServer()
        server.webSocket("/") { [unowned self] request, socket in serve(request, socket) }
    }

    public func stop() { server.stop() }

    static func command(_ type: Int64, _ data: [UInt8]) -> [UInt8] {
        var w = StandInTars.Writer()
        w.int(0, type)
        w.bytes(1, data)
        return w.bytes
    }

    /// The push carrying `message`: a MessageNotice inside a WSPushMessage inside a WebSocketCommand.
    func push(_ message: StandInChatMessage) -> [UInt8] {
        var notice = StandInTars.Writer()
        notice.structure(0) { user in
            user.int(0, message.uid)
            user.int(1, message.uid + 1_000_000)  // lImid
            user.string(2, message.userName)
            user.int(3, 1)  // iGender
        }
        notice.int(1, presenterUID)  // lTid
        notice.int(2, presenterUID)  // lSid
        notice.string(3, message.text)
        notice.int(4, 0)  // iShowMode
        notice.structure(5) { format in format.int(0, -1); format.int(1, 4); format.int(2, 0) }
        notice.structure(6) { bullet in
            bullet.int(0, message.color == 0xFFFFFF ? -1 : Int64(message.color))  // -1: the default white
            bullet.int(1, 4); bullet.int(2, 0); bullet.int(3, 1); bullet.int(4, 0)
        }
        var push = StandInTars.Writer()
        push.int(0, 5)  // ePushType
        push.int(1, Self.chatURI)
        push.bytes(2, notice.bytes)
        push.int(3, 2)  // iProtocolType
        push.string(4, "live:\(presenterUID)")
        push.int(5, 7_000_000_000 + Int64(message.index))  // lMsgId
        return Self.command(Command.push, push.bytes)
    }

    private func serve(_ request: LoopbackRequest, _ socket: StandInWebSocket) {
        log.connected(path: request.path, headers: request.headers)
        defer { if let problem = socket.protocolError { log.protocolError(problem) } }
        guard case .binary(let first)? = socket.receive() else { return log.refused("first message is not binary") }
        if let problem = checkRegistration(first) {
            log.refused(problem)
            socket.close(code: 1008)
            return
        }
        log.registered()
        var response = StandInTars.Writer()
        response.int(0, 0)  // iResCode
        response.int(1, 0)  // lRequestId
        response.string(2, "")
        guard socket.send(.binary(Self.command(Command.registerResponse, response.bytes))) else { return }
        Thread.detachNewThread { [self] in sendScript(socket) }
        while let message = socket.receive() {
            guard case .binary(let bytes) = message, let command = StandInTars.read(bytes),
                  let type = command[0]?.int, let data = command[1]?.bytes else {
                log.protocolError("client message is not a WebSocketCommand")
                continue
            }
            guard type == Command.wupRequest, Self.wupFunction(data) == "OnUserHeartBeat" else {
                log.protocolError("client command \(type)")
                continue
            }
            log.heartbeat()
            socket.send(.binary(Self.command(Command.wupResponse, Self.wupResponse())))
        }
    }

    private func checkRegistration(_ bytes: [UInt8]) -> String? {
        guard let command = StandInTars.read(bytes), let type = command[0]?.int else { return "register: not a WebSocketCommand" }
        guard type == Command.registerRequest else { return "register: iCmdType \(type), expected 1" }
        guard let data = command[1]?.bytes, let info = StandInTars.read(data) else { return "register: vData is not a WSUserInfo" }
        guard info[6]?.int == presenterUID else { return "register: lGroupId \(info[6]?.int.map(String.init) ?? "missing"), expected \(presenterUID)" }
        guard info[7]?.int == 3 else { return "register: lGroupType \(info[7]?.int.map(String.init) ?? "missing"), expected 3" }
        return nil
    }

    /// A WUP packet: a 4-byte length, then Tars fields with the function name at tag 6.
    static func wupFunction(_ data: [UInt8]) -> String? {
        guard data.count > 4, let fields = StandInTars.read(Array(data.dropFirst(4))) else { return nil }
        return fields[6]?.string
    }

    static func wupResponse() -> [UInt8] {
        var w = StandInTars.Writer()
        w.int(1, 3)  // iVersion
        w.int(2, 0)  // cPacketType
        w.int(3, 0)  // iMessageType
        w.int(4, 0)  // iRequestId
        w.string(5, "onlineui")
        w.string(6, "OnUserHeartBeat")
        w.bytes(7, [])
        w.int(8, 60)  // iTimeout
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt32(4 + w.bytes.count).bigEndian) { bytes += $0 }
        return bytes + w.bytes
    }

    private func sendScript(_ socket: StandInWebSocket) {
        feed.run(maxBatch: 1, isOpen: { !socket.isClosed }, send: { messages in
            messages.allSatisfy { socket.send(.binary(push($0))) }
        }, fault: { kind in
            log.fault(kind)
            switch kind {
            case .garbage:
                socket.send(.binary(StandInRandom.bytes(64, seed: 0x48_55_59_41)))
            case .truncated:
                var w = StandInTars.Writer()
                w.int(0, Command.push)
                w.bytes(1, Array(push(StandInChatMessage(index: 0, kind: .chat, text: "cut", userName: "x", uid: 1,
                                                         color: 0xFFFFFF, price: 0, count: 0, giftName: "")).prefix(10)),
                        lengthField: 400)
                socket.send(.binary(w.bytes))
            case .bomb:
                var w = StandInTars.Writer()
                w.int(0, Command.push)
                w.bytes(1, [0x10], lengthField: 0x7FFF_FFFF)
                socket.send(.binary(w.bytes))
            case .close:
                socket.close(code: 1000)
            case .reset:
                socket.closeAbruptly()
            }
        })
    }
}
