import Foundation

/// Bilibili's chat server (`wss://HOST/sub`) on loopback. A connection must open with an auth packet
/// (op 7) carrying the expected room id, viewer uid, token, `protover` 3, `platform` "web" and `type` 2;
/// anything else is refused by closing the socket, as the real server does. Accepted: op 8 `{"code":0}`,
/// then the script's messages as op 5 batches, each a compressed packet (protocol version 2 zlib or 3
/// brotli, alternating or fixed) holding one op 5 JSON packet per message. Heartbeats (op 2) get the op 3
/// reply the real server sends: a 20-byte packet with the popularity, then the heartbeat's body echoed.
public final class BilibiliChatStandIn: ChatStandIn, @unchecked Sendable {
    public enum Compression: Sendable {
        case zlib, brotli
        /// zlib and brotli batches in turn, starting with brotli.
        case alternating
    }

    public static let chatHost = "broadcastlv.chat.bilibili.com"
    public let platform = "bilibili"
    public let roomID: Int64
    public let viewerUID: Int64
    public let token: String
    public let server: LoopbackChatServer
    /// What getDanmuInfo would name: `wss://HOST:443/sub`.
    public var chatURL: String { "wss://\(Self.chatHost):443/sub" }
    public var remapRules: [String] { ["\(Self.chatHost)=http://127.0.0.1:\(server.port)"] }
    public var sent: [StandInChatMessage] { feed.sent }
    public var report: ChatStandInReport { log.snapshot }

    /// Messages per compressed batch at most: the real server batches what accumulated in ~100 ms.
    public static let maxBatch = 50
    public static let popularity: UInt32 = 12345

    private let feed: ChatFeed
    private let log = ChatStandInLog()
    private let compression: Compression
    private let batches = Batches()
    private let reusedFrames: ReusedFrames?

    /// - Parameter reuseFrames: flood mode, for the danmaku benchmark: a batch's compressed frame is built
    ///   once per batch size and compression and sent again for every later batch like it, so that this
    ///   stand-in's own JSON encoding and compression do not cap the rate on a small machine. Message
    ///   contents then repeat; their count is what a flood measures.
    public init(roomID: Int64 = 22_603_245, viewerUID: Int64 = 0, token: String = "standin-token-Zm9vYmFy",
                script: ChatScript = ChatScript(), compression: Compression = .alternating,
                reuseFrames: Bool = false) throws {
        self.roomID = roomID
        self.viewerUID = viewerUID
        self.token = token
        self.compression = compression
        reusedFrames = reuseFrames ? ReusedFrames() : nil
        feed = ChatFeed(script: script, supported: Set(StandInChatMessage.Kind.allCases))
        server = try LoopbackChatServer()
        server.webSocket("/sub") { [unowned self] request, socket in serve(request, socket) }
    }

    public func stop() { server.stop() }

    private func serve(_ request: LoopbackRequest, _ socket: StandInWebSocket) {
        log.connected(path: request.path + (request.rawQuery.isEmpty ? "" : "?\(request.rawQuery)"), headers: request.headers)
        defer { if let problem = socket.protocolError { log.protocolError(problem) } }
        guard case .binary(let first)? = socket.receive() else { return log.refused("first message is not binary") }
        if let problem = checkAuth(first) {
            log.refused(problem)
            socket.closeAbruptly()
            return
        }
        log.registered()
        guard socket.send(.binary(BilibiliChatWire.packet(operation: BilibiliChatWire.authReply, version: 1,
                                                         body: Array(#"{"code":0}"#.utf8)))) else { return }
        Thread.detachNewThread { [self] in sendScript(socket) }
        while let message = socket.receive() {
            guard case .binary(let bytes) = message, let packets = BilibiliChatWire.clientPackets(bytes) else {
                log.protocolError("client message is not a run of packets")
                socket.closeAbruptly()
                return
            }
            for packet in packets {
                guard packet.operation == BilibiliChatWire.heartbeat else {
                    log.protocolError("client packet with operation \(packet.operation)")
                    continue
                }
                log.heartbeat()
                socket.send(.binary(BilibiliChatWire.heartbeatReply(popularity: Self.popularity, echoing: packet.body)))
            }
        }
    }

    /// The auth packet's problems, as the real server would see them; nil when it is right.
    private func checkAuth(_ bytes: [UInt8]) -> String? {
        guard let packets = BilibiliChatWire.clientPackets(bytes), packets.count == 1 else { return "auth: not one packet" }
        let packet = packets[0]
        guard packet.operation == BilibiliChatWire.auth else { return "auth: operation \(packet.operation), expected 7" }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(packet.body))) as? [String: Any] else {
            return "auth: body is not a JSON object"
        }
        func number(_ key: String) -> Int64? { (object[key] as? NSNumber)?.int64Value }
        if number("roomid") != roomID { return "auth: roomid \(object["roomid"] ?? "missing"), expected \(roomID)" }
        if number("uid") != viewerUID { return "auth: uid \(object["uid"] ?? "missing"), expected \(viewerUID)" }
        if number("protover") != 3 { return "auth: protover \(object["protover"] ?? "missing"), expected 3" }
        if object["platform"] as? String != "web" { return "auth: platform is not web" }
        if number("type") != 2 { return "auth: type \(object["type"] ?? "missing"), expected 2" }
        if object["key"] as? String != token { return "auth: key is not the token" }
        return nil
    }

    private func sendScript(_ socket: StandInWebSocket) {
        feed.run(maxBatch: Self.maxBatch, isOpen: { !socket.isClosed }, send: { messages in
            let useBrotli = batches.nextIsBrotli(compression)
            let frame = { [roomID] in
                let inner = messages.flatMap {
                    BilibiliChatWire.packet(operation: BilibiliChatWire.notification, version: 0,
                                            body: BilibiliChatWire.notificationJSON($0, roomID: roomID, now: Date()))
                }
                let body = useBrotli ? ChatCompression.brotli(inner) : ChatCompression.zlib(inner)
                return BilibiliChatWire.packet(operation: BilibiliChatWire.notification, version: useBrotli ? 3 : 2, body: body)
            }
            return socket.send(.binary(reusedFrames?.frame(count: messages.count, brotli: useBrotli, make: frame) ?? frame()))
        }, fault: { kind in
            log.fault(kind)
            switch kind {
            case .garbage:
                socket.send(.binary(Array("<html><body>502 Bad Gateway</body></html>".utf8)))
            case .truncated:
                socket.send(.binary(BilibiliChatWire.packet(operation: BilibiliChatWire.notification, version: 0,
                                                            body: Array(#"{"cmd":"DANMU_MSG","info":[[0,1"#.utf8),
                                                            lengthField: 16 + 400)))
            case .bomb:
                let useBrotli = batches.nextIsBrotli(compression)
                socket.send(.binary(BilibiliChatWire.packet(operation: BilibiliChatWire.notification, version: useBrotli ? 3 : 2,
                                                            body: useBrotli ? ChatCompression.brotliBomb : ChatCompression.zlibBomb)))
            case .close:
                socket.close(code: 1000)
            case .reset:
                socket.closeAbruptly()
            }
        })
    }
}

/// Which compression the next batch uses, across connections.
private final class Batches: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func nextIsBrotli(_ compression: BilibiliChatStandIn.Compression) -> Bool {
        switch compression {
        case .zlib: return false
        case .brotli: return true
        case .alternating: return lock.withLock {
            defer { count += 1 }
            return count % 2 == 0
        }
        }
    }
}

/// Flood mode's frames, one per batch size and compression.
private final class ReusedFrames: @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [Int: [UInt8]] = [:]

    func frame(count: Int, brotli: Bool, make: () -> [UInt8]) -> [UInt8] {
        let key = count * 2 + (brotli ? 1 : 0)
        if let frame = lock.withLock({ frames[key] }) { return frame }
        let frame = make()
        lock.withLock { frames[key] = frame }
        return frame
    }
}
