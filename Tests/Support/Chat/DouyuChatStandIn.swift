import Foundation

/// Douyu's chat server (`tcp://danmuproxy.douyu.com:8601`) on loopback. Frames both ways are
/// `u32 LE length, u32 LE length, u16 LE type, 0, 0, STT body, NUL` (length = 9 + body); clients send
/// type 689, the server 690. A client must send `loginreq` with the room id (answered `loginres`), then
/// `joingroup` with the room id and group -9999; only then does chat flow. `mrkl` heartbeats are answered
/// with `mrkl`. Chat (`chatmsg`) and gifts (`dgb`) go out with every frame split across several TCP
/// writes, so a client has to reassemble frames from a byte stream.
public final class DouyuChatStandIn: ChatStandIn, @unchecked Sendable {
    public static let chatHost = "danmuproxy.douyu.com"
    public let platform = "douyu"
    public let roomID: String
    public let server: LoopbackChatServer
    public var chatURL: String { "tcp://\(Self.chatHost):8601" }
    public var remapRules: [String] { ["\(Self.chatHost)=http://127.0.0.1:\(server.port)"] }
    public var sent: [StandInChatMessage] { feed.sent }
    public var report: ChatStandInReport { log.snapshot }

    /// Chat colours by `col` code 0–6 (white, red, green, blue, orange, purple, pink) as biliup writes
    /// them: the stand-in sends code `index % 7` and records the colour a client should report.
    public static let colors = [16_777_215, 16_717_077, 2_000_880, 8_046_667, 16_744_192, 10_172_916, 16_738_740]
    public static let serverType: UInt16 = 690
    public static let clientType: UInt16 = 689

    private let feed: ChatFeed
    private let log = ChatStandInLog()
    private let splitPause: Double

    /// - Parameter splitPause: seconds between the pieces of a split frame, so they leave as separate
    ///   TCP segments; 0 for benchmarks.
    public init(roomID: String = "9999", script: ChatScript = ChatScript(), splitPause: Double = 0.002) throws {
        self.roomID = roomID
        self.splitPause = splitPause
        feed = ChatFeed(script: script, supported: [.chat, .gift])
        let holder = ServerHolder()
        server = try LoopbackChatServer.rawTCP { connection in holder.standIn?.serve(connection) }
        holder.standIn = self
    }

    public func stop() { server.stop() }

    // MARK: - STT and frames, written from the protocol description

    /// `key@=value/` pairs; `@` is written `@A` and `/` `@S`, keys and values alike.
    public static func stt(_ pairs: [(String, String)]) -> String {
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "@", with: "@A").replacingOccurrences(of: "/", with: "@S") }
        return pairs.map { "\(escape($0.0))@=\(escape($0.1))/" }.joined()
    }

    static func parseSTT(_ text: String) -> [String: String] {
        func unescape(_ s: Substring) -> String { s.replacingOccurrences(of: "@S", with: "/").replacingOccurrences(of: "@A", with: "@") }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "/") {
            guard let range = pair.range(of: "@=") else { continue }
            fields[unescape(pair[..<range.lowerBound])] = unescape(pair[range.upperBound...])
        }
        return fields
    }

    public static func frame(_ body: String, type: UInt16 = serverType, lengthField: UInt32? = nil) -> [UInt8] {
        let payload = Array(body.utf8) + [0]
        let length = lengthField ?? UInt32(8 + payload.count)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: length.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: length.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: type.littleEndian) { bytes += $0 }
        return bytes + [0, 0] + payload
    }

    func messageBody(_ message: StandInChatMessage) -> String {
        switch message.kind {
        case .gift:
            return Self.stt([("type", "dgb"), ("rid", roomID), ("gfid", "824"), ("gs", "0"), ("uid", "\(message.uid)"),
                             ("nn", message.userName), ("bg", "0"), ("gfcnt", "\(message.count)"), ("hits", "\(message.count)"),
                             ("gfn", message.giftName), ("level", "12"), ("ic", "avatar@Sdefault@S09")])
        default:
            var pairs = [("type", "chatmsg"), ("rid", roomID), ("ct", "2"), ("uid", "\(message.uid)"), ("nn", message.userName),
                         ("txt", message.text), ("cid", "c0ffee\(message.index)"), ("ic", "avatar@Sdefault@S09"), ("level", "5"),
                         ("sahf", "0"), ("nl", "0"), ("bnn", ""), ("bl", "0"), ("brid", "0"), ("hc", ""), ("el", "")]
            let code = message.index % Self.colors.count
            if code != 0 { pairs.append(("col", "\(code)")) }  // the server leaves col out for white
            return Self.stt(pairs)
        }
    }

    // MARK: - A connection

    private func serve(_ connection: StandInTCPConnection) {
        log.connected(path: "", headers: [:])
        let open = OpenFlag()
        defer { open.value = false }  // the sender stops with the reader
        var reader = DouyuFrameReader()
        var loggedIn = false
        var joined = false
        while true {
            let bytes = connection.receive()
            guard !bytes.isEmpty else { return }
            guard let bodies = reader.feed(bytes) else {
                log.protocolError("client frame with bad length or type fields")
                connection.closeAbruptly()
                return
            }
            for body in bodies {
                let fields = Self.parseSTT(body)
                switch fields["type"] {
                case "loginreq" where !loggedIn:
                    guard fields["roomid"] == roomID else {
                        log.refused("loginreq: roomid \(fields["roomid"] ?? "missing"), expected \(roomID)")
                        connection.close()
                        return
                    }
                    loggedIn = true
                    connection.send(Self.frame(Self.stt([("type", "loginres"), ("userid", "0"), ("roomgroup", "0"),
                                                         ("pg", "0"), ("sessionid", "0"), ("username", ""), ("nickname", ""),
                                                         ("live_stat", "0"), ("is_illegal", "0"), ("npv", "0")])))
                case "joingroup" where loggedIn && !joined:
                    guard fields["rid"] == roomID, fields["gid"] == "-9999" else {
                        log.refused("joingroup: rid \(fields["rid"] ?? "missing"), gid \(fields["gid"] ?? "missing")")
                        connection.close()
                        return
                    }
                    joined = true
                    log.registered()
                    Thread.detachNewThread { [self] in sendScript(connection, open: open) }
                case "mrkl" where loggedIn:
                    log.heartbeat()
                    connection.send(Self.frame(Self.stt([("type", "mrkl")])))
                default:
                    guard loggedIn else {
                        log.refused("first frame is \(fields["type"] ?? "untyped"), not loginreq")
                        connection.close()
                        return
                    }
                    log.protocolError("unexpected client frame \(fields["type"] ?? "untyped")")
                }
            }
        }
    }

    private func sendScript(_ connection: StandInTCPConnection, open: OpenFlag) {
        feed.run(maxBatch: 20, isOpen: { open.value }, send: { messages in
            let bytes = messages.flatMap { Self.frame(messageBody($0)) }
            // Cut points inside the first frame's header and mid-batch: a reader has to join pieces.
            let cuts = [0, 3, max(4, bytes.count / 2), bytes.count]
            for (from, to) in zip(cuts, cuts.dropFirst()) where to > from {
                guard connection.send(Array(bytes[from..<to])) else { open.value = false; return false }
                if splitPause > 0 { Thread.sleep(forTimeInterval: splitPause) }
            }
            return true
        }, fault: { kind in
            log.fault(kind)
            switch kind {
            case .garbage:
                var bytes = Self.frame("type@=chatmsg/txt@=x/")
                bytes[4] ^= 0x5A  // the two length fields disagree
                connection.send(bytes)
            case .truncated:
                // A frame that promises 300 bytes, half of it sent, then the server goes away.
                connection.send(Array(Self.frame(Self.stt([("type", "chatmsg"), ("txt", "cut")]), lengthField: 300).prefix(20)))
                connection.close()
            case .bomb:
                connection.send(Self.frame("type@=chatmsg/", lengthField: 2 << 20))
            case .close:
                connection.close()
            case .reset:
                connection.closeAbruptly()
            }
        })
    }
}

/// Breaks a client byte stream into frame bodies; nil when a frame's fields are not a client's.
struct DouyuFrameReader {
    private var pending: [UInt8] = []

    mutating func feed(_ bytes: [UInt8]) -> [String]? {
        pending += bytes
        var bodies: [String] = []
        while pending.count >= 12 {
            let length = Int(pending[0..<4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            let again = Int(pending[4..<8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            let type = UInt16(pending[8]) | UInt16(pending[9]) << 8
            guard length == again, length >= 9, length <= 64 << 10, type == DouyuChatStandIn.clientType else { return nil }
            guard pending.count >= 4 + length else { break }
            let body = pending[12..<(4 + length)]
            guard body.last == 0 else { return nil }
            bodies.append(String(decoding: body.dropLast(), as: UTF8.self))
            pending.removeFirst(4 + length)
        }
        return bodies
    }
}

/// Lets the TCP handler reach the stand-in, which is made after its server.
private final class ServerHolder: @unchecked Sendable {
    weak var standIn: DouyuChatStandIn?
}

/// Whether a connection still takes writes, as its sender found out.
final class OpenFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var open = true
    var value: Bool {
        get { lock.withLock { open } }
        set { lock.withLock { open = newValue } }
    }
}
