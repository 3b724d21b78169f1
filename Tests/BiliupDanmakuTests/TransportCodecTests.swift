@testable import BiliupDanmaku
import BiliupNet
import Foundation
import Testing

/// The pure parts of the chat transport: RFC 6455 frames both ways, the opening handshake, the target a
/// chat URL connects to after the host remap, and the backoff schedule.
@Suite struct TransportCodecTests {
    /// Unmasks a client frame the way a server does (RFC 6455 §5.3), independently of the encoder.
    private func unmask(_ frame: [UInt8]) -> (fin: Bool, opcode: UInt8, payload: [UInt8])? {
        guard frame.count >= 2, frame[1] & 0x80 != 0 else { return nil }
        var length = Int(frame[1] & 0x7F)
        var offset = 2
        if length == 126 {
            length = Int(frame[2]) << 8 | Int(frame[3])
            offset = 4
        } else if length == 127 {
            length = frame[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        let key = Array(frame[offset..<(offset + 4)])
        let body = frame[(offset + 4)...]
        guard body.count == length else { return nil }
        return (frame[0] & 0x80 != 0, frame[0] & 0x0F, body.enumerated().map { $0.element ^ key[$0.offset & 3] })
    }

    @Test func clientFramesAreMaskedFinalAndCarryTheirLength() throws {
        for size in [0, 5, 125, 126, 65535, 65536, 70000] {
            let payload = (0..<size).map { UInt8($0 % 251) }
            let frame = WebSocketFrameEncoder.frame(.binary(payload))
            let decoded = try #require(unmask(frame), "size \(size)")
            #expect(decoded.fin && decoded.opcode == 2 && decoded.payload == payload, "size \(size)")
        }
        let text = try #require(unmask(WebSocketFrameEncoder.frame(.text("弹幕 ok"))))
        #expect(text.opcode == 1 && String(decoding: text.payload, as: UTF8.self) == "弹幕 ok")
        // Bytes on the wire differ from the payload: the mask is applied (a zero key would leave them).
        let masked = WebSocketFrameEncoder.encode(.text, Array("abcd".utf8), maskKey: (1, 2, 3, 4))
        let expected: [UInt8] = [0x81, 0x84, 1, 2, 3, 4, 0x61 ^ 1, 0x62 ^ 2, 0x63 ^ 3, 0x64 ^ 4]
        #expect(masked == expected)
        #expect(unmask(WebSocketFrameEncoder.close(code: 1009))?.payload == [0x03, 0xF1])
    }

    @Test func decodesLengthsFragmentsAndControlFramesFedByteByByte() throws {
        let big = (0..<70000).map { UInt8($0 % 7) }
        var stream: [UInt8] = []
        stream += TransportTestPeer.frame(opcode: 1, Array("hi".utf8))
        stream += TransportTestPeer.frame(opcode: 2, Array(big[..<300]))
        stream += TransportTestPeer.frame(opcode: 2, big)
        stream += TransportTestPeer.frame(opcode: 1, Array("frag".utf8), fin: false)
        stream += TransportTestPeer.frame(opcode: 9, [7, 7])  // a ping between fragments
        stream += TransportTestPeer.frame(opcode: 0, Array("men".utf8), fin: false)
        stream += TransportTestPeer.frame(opcode: 0, Array("ted".utf8))
        stream += TransportTestPeer.frame(opcode: 10, [])
        stream += TransportTestPeer.frame(opcode: 8, [0x03, 0xE9] + Array("bye".utf8))
        let expected: [WebSocketInbound] = [.message(.text("hi")), .message(.binary(Array(big[..<300]))), .message(.binary(big)),
                                            .ping([7, 7]), .message(.text("fragmented")), .pong, .close(code: 1001)]
        for chunk in [1, 3, 1000, stream.count] {
            var decoder = WebSocketFrameDecoder()
            var got: [WebSocketInbound] = []
            var i = 0
            while i < stream.count {
                decoder.append(Array(stream[i..<min(i + chunk, stream.count)]))
                while let inbound = try decoder.next() { got.append(inbound) }
                i += chunk
            }
            #expect(got == expected, "chunk \(chunk)")
            #expect(decoder.pendingBytes == 0)
        }
    }

    @Test(arguments: [
        ([0xC1, 0x00], "reserved bits"),                      // RSV1 (compression) never negotiated
        ([0x83, 0x00], "unknown opcode 3"),
        ([0x81, 0x81, 1, 2, 3, 4, 0], "masked"),               // servers never mask
        ([0x09, 0x00], "fragmented control"),
        ([0x89, 126, 0, 126] + [UInt8](repeating: 0, count: 126), "control frame longer"),
        ([0x80, 0x01, 0x61], "continuation frame outside"),
        ([0x81, 0x02, 0xC3, 0x28], "not UTF-8"),
        ([0x88, 0x01, 0x03], "1-byte body"),
        ([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0], "top bit"),
        ([0x01, 0x01, 0x61, 0x82, 0x00], "before the previous one's last fragment"),
    ] as [([UInt8], String)])
    func refusesFramesNoServerSends(bytes: [UInt8], problem: String) {
        var decoder = WebSocketFrameDecoder()
        decoder.append(bytes)
        #expect {
            while try decoder.next() != nil {}
        } throws: { error in
            guard case ChatTransportError.protocolViolation(let m) = error else { return false }
            return m.contains(problem)
        }
    }

    @Test func aFrameOverTheLimitIsAnErrorBeforeItsPayloadArrives() throws {
        var decoder = WebSocketFrameDecoder(maxMessageBytes: 1000)
        // Only the header of a 16 MiB + 1 frame: refused without waiting for (or buffering) the payload.
        decoder.append([0x82, 127, 0, 0, 0, 0, 0x01, 0, 0, 1])
        #expect(throws: ChatTransportError.tooLarge(what: "WebSocket message", limit: 1000)) { try decoder.next() }
        // Fragments add up: 600 + 600 > 1000.
        var fragmented = WebSocketFrameDecoder(maxMessageBytes: 1000)
        fragmented.append(TransportTestPeer.frame(opcode: 2, [UInt8](repeating: 1, count: 600), fin: false))
        #expect(try fragmented.next() == nil)
        fragmented.append(Array(TransportTestPeer.frame(opcode: 0, [UInt8](repeating: 1, count: 600))[..<4]))
        #expect(throws: ChatTransportError.tooLarge(what: "WebSocket message", limit: 1000)) { try fragmented.next() }
        // Exactly at the limit is fine.
        var exact = WebSocketFrameDecoder(maxMessageBytes: 1000)
        exact.append(TransportTestPeer.frame(opcode: 2, [UInt8](repeating: 2, count: 1000)))
        #expect(try exact.next() == .message(.binary([UInt8](repeating: 2, count: 1000))))
    }

    /// Random and mutated bytes: the decoder throws or waits for more, never traps, and never holds more
    /// than the limit plus one read.
    @Test func survivesMutatedStreams() {
        var rng = TransportSeededGenerator(seed: 0xC4A7)
        let valid = TransportTestPeer.frame(opcode: 1, Array("hello".utf8)) + TransportTestPeer.frame(opcode: 2, [UInt8](repeating: 9, count: 300))
            + TransportTestPeer.frame(opcode: 1, Array("a".utf8), fin: false) + TransportTestPeer.frame(opcode: 0, Array("b".utf8))
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = UInt8.random(in: 0...255, using: &rng)
            }
            var decoder = WebSocketFrameDecoder(maxMessageBytes: 4096)
            decoder.append(bytes)
            do {
                while try decoder.next() != nil {}
            } catch {}
            #expect(decoder.pendingBytes <= 4096 + bytes.count)
        }
    }

    @Test func handshakeAcceptValueIsRFC6455s() {
        // The example of RFC 6455 §1.3.
        #expect(WebSocketHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let a = WebSocketHandshake(), b = WebSocketHandshake()
        #expect(a.key != b.key && Data(base64Encoded: a.key)?.count == 16)
    }

    @Test func upgradeRequestNamesTheRemappedHostAndTheEndpointHeaders() throws {
        let target = try ChatTarget.webSocket("wss://broadcastlv.chat.bilibili.com/sub?x=1",
                                              remap: HostRemap(parsing: ["*.bilibili.com=http://127.0.0.1:9000/relay"]))
        #expect(target == ChatTarget(connectURL: "http://127.0.0.1:9000", host: "127.0.0.1:9000", path: "/relay/sub?x=1", tls: false))
        let handshake = WebSocketHandshake(key: "dGhlIHNhbXBsZSBub25jZQ==")
        let text = String(decoding: try handshake.request(target: target, headers: [ChatHeader("Cookie", "buvid3=x")], defaultUserAgent: "UA/1"), as: UTF8.self)
        #expect(text == "GET /relay/sub?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nUser-Agent: UA/1\r\nCookie: buvid3=x\r\n\r\n")
        let own = String(decoding: try handshake.request(target: target, headers: [ChatHeader("User-Agent", "Mine")], defaultUserAgent: "UA/1"), as: UTF8.self)
        #expect(own.contains("User-Agent: Mine\r\n") && !own.contains("UA/1"))
        #expect(throws: ChatTransportError.self) { try handshake.request(target: target, headers: [ChatHeader("Cookie", "a\r\nX: y")], defaultUserAgent: "") }
        #expect(throws: ChatTransportError.self) { try handshake.request(target: target, headers: [ChatHeader("Sec-WebSocket-Key", "x")], defaultUserAgent: "") }
        #expect(throws: ChatTransportError.self) { try handshake.request(target: target, headers: [ChatHeader("Host", "evil")], defaultUserAgent: "") }
    }

    private func answer(_ handshake: inout WebSocketHandshake, _ text: String) throws -> [UInt8]? {
        try handshake.receive(Array(text.utf8))
    }

    @Test func handshakeAnswerIsChecked() throws {
        let key = "dGhlIHNhbXBsZSBub25jZQ=="
        let good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        var h = WebSocketHandshake(key: key)
        // In two pieces, with the first frame right behind the head.
        #expect(try answer(&h, String(good.prefix(40))) == nil)
        #expect(try h.receive(Array(good.dropFirst(40).utf8) + [0x81, 0x01, 0x61]) == [0x81, 0x01, 0x61])

        func failure(_ text: String) -> String {
            var h = WebSocketHandshake(key: key)
            do {
                _ = try answer(&h, text)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let forbidden = failure("HTTP/1.1 403 Forbidden\r\nContent-Length: 11\r\n\r\nsecret-body")
        #expect(forbidden.contains("HTTP 403") && !forbidden.contains("secret") && !forbidden.contains("Forbidden"))
        #expect(failure(good.replacingOccurrences(of: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", with: "AAAA")).contains("Sec-WebSocket-Accept"))
        #expect(failure(good.replacingOccurrences(of: "Upgrade: WebSocket\r\n", with: "")).contains("Upgrade: websocket"))
        #expect(failure(good.replacingOccurrences(of: "keep-alive, Upgrade", with: "close")).contains("Connection"))
        #expect(failure(good.replacingOccurrences(of: "\r\n\r\n", with: "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n")).contains("extension"))
        #expect(failure("SSH-2.0-OpenSSH\r\n\r\n").contains("not an HTTP response"))
        #expect(failure("HTTP/1.1 101 OK\r\nX: " + String(repeating: "a", count: 20000)).contains("larger than 16384"))
    }

    @Test func chatURLsAreRemappedLikeHTTPAndTheBaseDecidesTLS() throws {
        let remap = try HostRemap(parsing: ["chat.example.com=http://127.0.0.1:81", "tls.example.com=https://relay.example.net:8443/r",
                                            "ws.example.com=ws://127.0.0.1:82", "danmu.example.com=http://127.0.0.1:8601"])
        #expect(try ChatTarget.webSocket("wss://chat.example.com/sub", remap: remap).connectURL == "http://127.0.0.1:81")
        let tls = try ChatTarget.webSocket("ws://tls.example.com/sub", remap: remap)
        #expect(tls.tls && tls.connectURL == "https://relay.example.net:8443" && tls.path == "/r/sub")
        #expect(try ChatTarget.webSocket("wss://ws.example.com", remap: remap) == ChatTarget(connectURL: "http://127.0.0.1:82", host: "127.0.0.1:82", path: "/", tls: false))
        let direct = try ChatTarget.webSocket("wss://other.example.org/?room=1", remap: remap)
        #expect(direct == ChatTarget(connectURL: "https://other.example.org", host: "other.example.org", path: "/?room=1", tls: true))
        #expect(try ChatTarget.tcp("tcp://danmu.example.com:8601", remap: remap).connectURL == "http://127.0.0.1:8601")
        #expect(try ChatTarget.tcp("tcp://danmuproxy.douyu.com:8601", remap: remap).connectURL == "http://danmuproxy.douyu.com:8601")
        #expect(throws: ChatTransportError.self) { try ChatTarget.tcp("tcp://danmuproxy.douyu.com", remap: remap) }
        #expect(throws: ChatTransportError.self) { try ChatTarget.webSocket("https://chat.example.com/", remap: remap) }
        #expect(throws: ChatTransportError.self) { try ChatTarget.webSocket("wss://user:pw@x.example/", remap: remap) }
        let ftp = try HostRemap(parsing: ["x.example=ftp://127.0.0.1/"])
        #expect(throws: ChatTransportError.self) { try ChatTarget.webSocket("wss://x.example/", remap: ftp) }
    }

    @Test func backoffDoublesToItsCapResetsAfterAStableConnectionAndNeverGoesBelowInitial() {
        var b = ChatBackoff(jitter: 0)
        let delays = (0..<7).map { _ in b.nextDelay(afterUptime: nil) }
        #expect(delays == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30), .seconds(30)])
        // Up for a few seconds only: still failing, keeps the long delay.
        #expect(b.nextDelay(afterUptime: .seconds(5)) == .seconds(30))
        // Up for a minute: healthy, starts over.
        #expect(b.nextDelay(afterUptime: .seconds(60)) == .seconds(2))
        var jittered = ChatBackoff()
        var rng = TransportSeededGenerator(seed: 7)
        for _ in 0..<50 {
            let d = jittered.nextDelay(afterUptime: .milliseconds(1), using: &rng)
            #expect(d >= .seconds(2) && d <= .seconds(30))
        }
        var first = ChatBackoff()
        let d = first.nextDelay(afterUptime: nil, using: &rng)
        #expect(d >= .seconds(2) && d < .seconds(2.4))
    }
}

/// xorshift64*: the same mutations on every run.
struct TransportSeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
