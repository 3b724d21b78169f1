import Foundation

/// Douyin's chat push server (`wss://webcast100-ws-web-lq.douyin.com/webcast/im/push/v2/?…`) on
/// loopback. Douyin has no registration frame: the upgrade's query must name the room (`room_id`) and
/// carry a `signature`, and the Cookie must hold `ttwid`; otherwise the stand-in closes with 1008. Chat
/// then flows as binary `PushFrame {1 seqId, 2 logId, 5 headers, 6 payloadEncoding "gzip", 7 payloadType
/// "msg", 8 payload}` whose payload is a gzip'd `Response {1 messages {1 method, 2 payload, 3 msgId},
/// 2 cursor, 4 now, 5 internalExt, 8 heartbeatDuration, 9 needAck}`. Every Response asks for an ack; the
/// acks that come back (`PushFrame {2 logId, 7 "ack", 8 internalExt}`) are recorded against the ones
/// asked for. Heartbeats (`PushFrame {7 "hb"}`) are answered with an `hb` frame.
public final class DouyinChatStandIn: ChatStandIn, @unchecked Sendable {
    public static let chatHost = "webcast100-ws-web-lq.douyin.com"
    public static let path = "/webcast/im/push/v2/"
    public let platform = "douyin"
    public let roomID: String
    public let server: LoopbackChatServer
    /// A URL of the shape the plugin signs (the signature here is not checked for correctness: only
    /// the plugin knows how to make one, and its own tests check it).
    public var chatURL: String {
        "wss://\(Self.chatHost)\(Self.path)?app_name=douyin_web&version_code=180800&webcast_sdk_version=1.0.15"
            + "&update_version_code=1.0.15&compress=gzip&device_platform=web&cookie_enabled=true&aid=6383&live_id=1"
            + "&did_rule=3&endpoint=live_pc&support_wrds=1&user_unique_id=7319483754668557238&identity=audience"
            + "&need_persist_msg_count=15&room_id=\(roomID)&heartbeatDuration=0&signature=00000000standin"
    }
    public var remapRules: [String] { ["\(Self.chatHost)=http://127.0.0.1:\(server.port)"] }
    public var sent: [StandInChatMessage] { feed.sent }
    public var report: ChatStandInReport { log.snapshot }

    private let feed: ChatFeed
    private let log = ChatStandInLog()
    private let sequence = FrameCounter()

    public init(roomID: String = "7319482612581034790", script: ChatScript = ChatScript()) throws {
        self.roomID = roomID
        feed = ChatFeed(script: script, supported: [.chat, .gift])
        server = try LoopbackChatServer()
        server.webSocket(Self.path) { [unowned self] request, socket in serve(request, socket) }
    }

    public func stop() { server.stop() }

    /// The ack a client owes for the frame with `logId` carrying `internalExt`, as recorded.
    public static func ackKey(logId: UInt64, internalExt: String) -> String { "\(logId)/\(internalExt)" }

    func messagePayload(_ message: StandInChatMessage) -> (method: String, payload: [UInt8]) {
        var w = StandInProtobuf.Writer()
        let method = message.kind == .gift ? "WebcastGiftMessage" : "WebcastChatMessage"
        w.message(1) { common in
            common.string(1, method)
            common.uint(2, 7_300_000_000_000_000_000 + UInt64(message.index))
            common.uint(3, UInt64(roomID) ?? 0)
            common.uint(4, UInt64(Date().timeIntervalSince1970 * 1000))
        }
        let user: (inout StandInProtobuf.Writer) -> Void = { user in
            user.uint(1, UInt64(message.uid))
            user.uint(2, 0)
            user.string(3, message.userName)
            user.uint(5, 1)  // gender
        }
        if message.kind == .gift {
            w.uint(2, 463)  // giftId
            w.uint(5, UInt64(message.count))  // repeatCount
            w.uint(6, UInt64(message.count))  // comboCount
            w.message(7, user)
            w.message(15) { gift in
                gift.string(2, "送出\(message.giftName)")  // describe
                gift.uint(5, 463)
                gift.uint(12, UInt64(message.price))  // diamondCount
                gift.string(16, message.giftName)
            }
            w.uint(29, UInt64(message.count))  // totalCount
        } else {
            w.message(2, user)
            w.string(3, message.text)
        }
        return (method, w.bytes)
    }

    /// A push frame around a Response holding `messages`; returns the frame and the ack it asks for.
    func pushFrame(_ messages: [StandInChatMessage]) -> (frame: [UInt8], ack: String) {
        let (seq, logId) = sequence.next()
        let internalExt = "internal_src:pushserver|wss_push_room_id:\(roomID)|wss_push_did:7319483754668557238"
            + "|first_req_ms:1733120000000|fetch_time:1733120000123|seq:\(seq)|wss_info:0-1733120000123-0-0"
        var response = StandInProtobuf.Writer()
        for message in messages {
            let (method, payload) = messagePayload(message)
            response.message(1) { m in
                m.string(1, method)
                m.bytes(2, payload)
                m.uint(3, 7_300_000_000_000_000_000 + UInt64(message.index))
            }
        }
        response.string(2, "t-1733120000123_r-1_d-1_u-1_h-\(seq)")
        response.uint(4, UInt64(Date().timeIntervalSince1970 * 1000))
        response.string(5, internalExt)
        response.uint(8, 10_000)
        response.bool(9, true)
        var frame = StandInProtobuf.Writer()
        frame.uint(1, seq)
        frame.uint(2, logId)
        frame.message(5) { header in header.string(1, "compress_type"); header.string(2, "gzip") }
        frame.string(6, "gzip")
        frame.string(7, "msg")
        frame.bytes(8, ChatCompression.gzip(response.bytes))
        return (frame.bytes, Self.ackKey(logId: logId, internalExt: internalExt))
    }

    private func serve(_ request: LoopbackRequest, _ socket: StandInWebSocket) {
        log.connected(path: request.path + (request.rawQuery.isEmpty ? "" : "?\(request.rawQuery)"), headers: request.headers)
        defer { if let problem = socket.protocolError { log.protocolError(problem) } }
        let cookie = request.headers["cookie"] ?? ""
        let problem: String? =
            if request.query["room_id"] != roomID { "room_id \(request.query["room_id"] ?? "missing"), expected \(roomID)" }
            else if (request.query["signature"] ?? "").isEmpty { "no signature" }
            else if !cookie.split(separator: ";").contains(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("ttwid=") }) { "no ttwid cookie" }
            else { nil }
        if let problem {
            log.refused(problem)
            socket.close(code: 1008)
            return
        }
        log.registered()
        Thread.detachNewThread { [self] in sendScript(socket) }
        while let message = socket.receive() {
            guard case .binary(let bytes) = message, let fields = StandInProtobuf.read(bytes) else {
                log.protocolError("client message is not a PushFrame")
                continue
            }
            let type = fields.first { $0.field == 7 }?.value.string
            switch type {
            case "hb":
                log.heartbeat()
                var reply = StandInProtobuf.Writer()
                reply.uint(1, sequence.next().seq)
                reply.string(7, "hb")
                socket.send(.binary(reply.bytes))
            case "ack":
                let logId = fields.first { $0.field == 2 }?.value.uint ?? 0
                let ext = fields.first { $0.field == 8 }?.value.string ?? ""
                log.update { $0.acks.append(Self.ackKey(logId: logId, internalExt: ext)) }
            default:
                log.protocolError("client PushFrame of type \(type ?? "none")")
            }
        }
    }

    private func sendScript(_ socket: StandInWebSocket) {
        feed.run(maxBatch: 10, isOpen: { !socket.isClosed }, send: { messages in
            let (frame, ack) = pushFrame(messages)
            guard socket.send(.binary(frame)) else { return false }
            log.update { $0.acksRequested.append(ack) }
            return true
        }, fault: { kind in
            log.fault(kind)
            switch kind {
            case .garbage:
                socket.send(.binary(StandInRandom.bytes(64, seed: 0x44_59)))
            case .truncated:
                var frame = StandInProtobuf.Writer()
                frame.uint(1, 1)
                frame.string(7, "msg")
                frame.bytes(8, Array(ChatCompression.gzip(Array("cut".utf8)).prefix(8)), lengthField: 500)
                socket.send(.binary(frame.bytes))
            case .bomb:
                var frame = StandInProtobuf.Writer()
                let (seq, logId) = sequence.next()
                frame.uint(1, seq)
                frame.uint(2, logId)
                frame.string(6, "gzip")
                frame.string(7, "msg")
                frame.bytes(8, ChatCompression.gzipBomb)
                socket.send(.binary(frame.bytes))
            case .close:
                socket.close(code: 1000)
            case .reset:
                socket.closeAbruptly()
            }
        })
    }
}

/// Sequence and log ids of push frames, increasing across connections.
private final class FrameCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count: UInt64 = 0

    func next() -> (seq: UInt64, logId: UInt64) {
        lock.withLock {
            count += 1
            return (count, 7_000_000_000_000_000_000 + count)
        }
    }
}
