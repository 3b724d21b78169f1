@testable import BiliupDanmaku
import BiliupNet
import Foundation
import Testing

/// `ChatConnection` against real loopback servers: the WebSocket upgrade, frames both ways, heartbeats,
/// replies, raw TCP, polling, failures with reconnects and backoff, and `stop()` at every stage.
/// Serialized: each test blocks its thread while it waits for the connection, and timing (backoff gaps)
/// is asserted only as lower bounds, which parallel tests on two cores would not disturb, but waiting
/// tests would hold the cooperative threads the others need.
@Suite(.serialized) struct TransportConnectionTests {
    /// A platform host the tests remap to the loopback server, as `--host-remap` does for users.
    static let chatHost = "broadcastlv.chat.example.com"

    private func remap(_ server: TransportTestServer, host: String = TransportConnectionTests.chatHost) throws -> HostRemap {
        try HostRemap(parsing: ["\(host)=http://127.0.0.1:\(server.port)"])
    }

    private func connection(_ server: TransportTestServer, transport: ChatTransport = .webSocket, url: String? = nil,
                            headers: [ChatHeader] = [], backoff: ChatBackoff = ChatBackoff(initial: .milliseconds(50)),
                            settings: ((inout ChatNetworkSettings) -> Void)? = nil,
                            session: @escaping @Sendable () -> any ChatSession = { TransportEchoSession() },
                            resolves: TransportCounter? = nil, log: TransportEventLog) throws -> ChatConnection {
        var network = ChatNetworkSettings(hostRemap: try remap(server), userAgent: "biliup-test")
        settings?(&network)
        let endpoint = ChatEndpoint(url: url ?? "wss://\(TransportConnectionTests.chatHost)/sub?room=7", headers: headers, transport: transport)
        return ChatConnection(resolve: {
            resolves?.increment()
            return ChatSource(platform: "test", room: "7", kind: .stream(endpoint, makeSession: session))
        }, network: network, backoff: backoff, onEvent: log.record)
    }

    @Test func webSocketCarriesTextBinaryFragmentsPingsAndReplies() throws {
        let seen = TransportBox<(line: String, headers: [String: String])>()
        let pong = TransportBox<[UInt8]>()
        let reply = TransportBox<String>()
        let server = try TransportTestServer { peer, _ in
            guard let head = peer.acceptWebSocket() else { return }
            seen.set(head)
            guard peer.readText() == "hello" else { return }  // the session's opening frame
            peer.sendText("one")
            peer.sendFrame(opcode: 2, [1, 2, 3])
            peer.sendFrame(opcode: 1, Array("frag".utf8), fin: false)
            peer.sendFrame(opcode: 9, Array("are you there".utf8))
            peer.sendFrame(opcode: 0, Array("mented".utf8))
            if let f = peer.readFrame(), f.opcode == 10 { pong.set(f.payload) }
            peer.sendText("ping-me")
            reply.set(peer.readText() ?? "")
            peer.sendFrame(opcode: 1, Array(String(repeating: "长", count: 30000).utf8))  // 90 KB, 64-bit length
            peer.waitForEnd()
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let chat = try connection(server, headers: [ChatHeader("Cookie", "buvid3=abc"), ChatHeader("Origin", "https://live.example.com")], log: log)
        chat.start()
        #expect(log.wait { $0.texts.count == 5 }, "\(log.reasons)")
        chat.stop()
        #expect(log.texts == ["one", "bin:1,2,3", "fragmented", "ping-me", String(repeating: "长", count: 30000)])
        #expect(log.connections == 1 && log.reasons.isEmpty)
        let head = try #require(seen.value)
        #expect(head.line == "GET /sub?room=7 HTTP/1.1")
        #expect(head.headers["host"] == "127.0.0.1:\(server.port)")
        #expect(head.headers["cookie"] == "buvid3=abc" && head.headers["origin"] == "https://live.example.com")
        #expect(head.headers["user-agent"] == "biliup-test" && head.headers["sec-websocket-version"] == "13")
        #expect(pong.value == Array("are you there".utf8))
        #expect(reply.value == "pong-you")
    }

    @Test func heartbeatsGoOutOnTheSessionsInterval() throws {
        let beats = TransportCounter()
        let server = try TransportTestServer { peer, _ in
            peer.acceptWebSocket()
            while let text = peer.readText(), text == "hello" || text == "hb" {
                if text == "hb" { beats.increment() }
                peer.sendText("ack")  // keeps the idle timer quiet
            }
        }
        defer { server.stop() }
        let log = TransportEventLog()
        // The idle limit is kept far from the heartbeat interval: on a loaded machine 3 × 100 ms is not a
        // reliable bound, and this test is about the heartbeats going out.
        let chat = try connection(server, settings: { $0.idleTimeout = .seconds(60) },
                                  session: { TransportEchoSession(heartbeat: .milliseconds(100)) }, log: log)
        chat.start()
        #expect(log.wait { _ in beats.value >= 3 }, "\(log.reasons)")
        chat.stop()
        #expect(log.connections == 1 && log.reasons.isEmpty)
    }

    @Test func rawTCPCarriesTheSessionsBytesBothWays() throws {
        let login = TransportBox<[UInt8]>()
        let server = try TransportTestServer { peer, _ in
            login.set(peer.readBytes(6) ?? [])
            peer.send(Array("first\nsec".utf8))
            Thread.sleep(forTimeInterval: 0.05)  // a separate TCP write: the session must join the pieces
            peer.send(Array("ond\n".utf8))
            peer.waitForEnd()
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let chat = try connection(server, transport: .tcp, url: "tcp://\(TransportConnectionTests.chatHost):8601",
                                  session: { TransportLineSession() }, log: log)
        chat.start()
        #expect(log.wait { $0.texts.count == 2 }, "\(log.reasons)")
        chat.stop()
        #expect(log.texts == ["first", "second"])
        #expect(login.value == Array("LOGIN\n".utf8))
    }

    /// A server that accepts and closes at once is retried after the backoff, not in a tight loop; the
    /// source is resolved again before every attempt.
    @Test func serverCloseReconnectsAfterTheBackoff() throws {
        let server = try TransportTestServer { peer, _ in
            peer.acceptWebSocket()
            peer.sendFrame(opcode: 8, [0x03, 0xE9] + Array("going away: secret".utf8))
            peer.waitForEnd()
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let resolves = TransportCounter()
        let chat = try connection(server, backoff: ChatBackoff(), resolves: resolves, log: log)
        chat.start()
        #expect(log.wait { $0.reasons.count >= 3 }, "\(log.reasons)")
        chat.stop()
        let accepted = server.accepted
        #expect(accepted.count >= 3 && resolves.value == accepted.count)
        for (a, b) in zip(accepted, accepted.dropFirst()) { #expect(b - a >= .seconds(2)) }
        #expect(log.reasons.allSatisfy { $0 == "server closed the connection (code 1001)" }, "\(log.reasons)")
        #expect(log.connections == accepted.count)
    }

    @Test func anUndecodableFrameResetsTheConnectionAndItReconnects() throws {
        let server = try TransportTestServer { peer, index in
            peer.acceptWebSocket()
            peer.sendText(index == 0 ? "bad" : "good")
            peer.waitForEnd()
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let chat = try connection(server, log: log)
        chat.start()
        #expect(log.wait { $0.texts == ["good"] }, "\(log.reasons)")
        chat.stop()
        #expect(log.reasons == ["undecodable frame: bad frame"])
        #expect(log.connections == 2)
    }

    @Test func anOversizeFrameResetsWithCloseCode1009() throws {
        let codes = TransportBox<[UInt8]>()
        let server = try TransportTestServer { peer, index in
            peer.acceptWebSocket()
            guard index == 0 else { return peer.waitForEnd() }
            // The header of a 17 MiB binary frame; the payload never needs to come.
            peer.send([0x82, 127, 0, 0, 0, 0, 0x01, 0x10, 0, 0])
            while let f = peer.readFrame() {
                if f.opcode == 8 { codes.set(f.payload); break }
            }
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let chat = try connection(server, log: log)
        chat.start()
        #expect(log.wait { $0.connections >= 2 }, "\(log.reasons)")
        chat.stop()
        #expect(log.reasons.first == "WebSocket message larger than 16777216 bytes")
        #expect(log.wait { _ in codes.value != nil }, "\(log.reasons)")
        #expect(codes.value == [0x03, 0xF1])
    }

    @Test func refusedUpgradesAndSilentServersAreReportedWithoutTheirBodies() throws {
        let server = try TransportTestServer { peer, index in
            switch index {
            case 0:
                _ = peer.readHead()
                peer.send(Array("HTTP/1.1 403 Forbidden\r\nContent-Length: 15\r\n\r\nsecret-body-xyz".utf8))
            case 1:
                _ = peer.readHead()
                peer.send(Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n".utf8))
            default:
                peer.acceptWebSocket()  // then silent
            }
            peer.waitForEnd()
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let chat = try connection(server, settings: { $0.idleTimeout = .milliseconds(300) }, log: log)
        chat.start()
        #expect(log.wait { $0.reasons.count >= 3 }, "\(log.reasons)")
        chat.stop()
        let reasons = log.reasons
        #expect(reasons[0] == "WebSocket handshake failed: the server answered HTTP 403 instead of 101 Switching Protocols")
        #expect(reasons[1] == "WebSocket handshake failed: Sec-WebSocket-Accept does not match the key sent")
        #expect(reasons[2] == "nothing received for 0.3 s")
        #expect(reasons.allSatisfy { !$0.contains("secret") })
    }

    @Test func anIdleConnectionIsReconnected() throws {
        let server = try TransportTestServer { peer, _ in
            peer.acceptWebSocket()
            peer.waitForEnd()
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let chat = try connection(server, settings: { $0.idleTimeout = .milliseconds(200) }, log: log)
        chat.start()
        #expect(log.wait { $0.connections >= 2 }, "\(log.reasons)")
        chat.stop()
        #expect(log.reasons.first == "nothing received for 0.2 s")
    }

    @Test func privateAddressesAreRefusedWhenThePolicySaysSo() throws {
        let server = try TransportTestServer { peer, _ in peer.acceptWebSocket(); peer.waitForEnd() }
        defer { server.stop() }
        let log = TransportEventLog()
        let chat = try connection(server, settings: { $0.addressPolicy = AddressPolicy(blocksPrivateAddresses: true) }, log: log)
        chat.start()
        #expect(log.wait { $0.reasons.count >= 1 }, "\(log.reasons)")
        chat.stop()
        #expect(log.reasons[0].contains("refused to connect to 127.0.0.1"))
        #expect(server.accepted.isEmpty && log.connections == 0)
    }

    @Test func stopEndsTheThreadWhileConnectedHandshakingOrWaitingToRetry() throws {
        // Connected: a close frame (1000) goes out, and no event follows stop().
        let closing = TransportBox<[UInt8]>()
        let server = try TransportTestServer { peer, _ in
            peer.acceptWebSocket()
            while let f = peer.readFrame() {
                if f.opcode == 8 { closing.set(f.payload); break }
            }
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let chat = try connection(server, log: log)
        chat.start()
        #expect(log.wait { $0.connections == 1 }, "\(log.reasons)")
        chat.stop()
        let count = log.all.count
        #expect(log.wait { _ in closing.value != nil }, "\(log.reasons)")
        #expect(closing.value == [0x03, 0xE8])
        #expect(log.all.count == count && log.reasons.isEmpty)
        chat.stop()  // again: returns at once

        // Handshaking: the server never answers the upgrade (connect timeout 10 s): stop() cuts it short.
        let mute = try TransportTestServer { peer, _ in _ = peer.readHead(); peer.waitForEnd() }
        defer { mute.stop() }
        let muteLog = TransportEventLog()
        let muted = try connection(mute, log: muteLog)
        muted.start()
        #expect(muteLog.wait { _ in mute.accepted.count == 1 })
        muted.stop()
        #expect(muteLog.all.isEmpty)

        // Waiting to retry: nothing listens; the backoff is long; stop() ends the wait.
        let gone = try TransportTestServer { _, _ in }
        let goneLog = TransportEventLog()
        let retrying = try connection(gone, backoff: ChatBackoff(initial: .seconds(30)), log: goneLog)
        gone.stop()
        retrying.start()
        #expect(goneLog.wait { $0.reasons.count == 1 })
        retrying.stop()
        #expect(goneLog.reasons.count == 1 && goneLog.connections == 0)

        // Never started.
        try connection(gone, log: TransportEventLog()).stop()
    }

    @Test func stopFromTheEventCallbackDoesNotDeadlock() throws {
        let server = try TransportTestServer { peer, _ in peer.acceptWebSocket(); peer.sendText("x"); peer.waitForEnd() }
        defer { server.stop() }
        let log = TransportEventLog()
        let holder = TransportBox<ChatConnection>()
        var network = ChatNetworkSettings(hostRemap: try remap(server))
        network.userAgent = nil
        let endpoint = ChatEndpoint(url: "ws://\(TransportConnectionTests.chatHost)/", transport: .webSocket)
        let chat = ChatConnection(resolve: { ChatSource(platform: "t", room: "1", kind: .stream(endpoint, makeSession: { TransportEchoSession() })) },
                                  network: network, onEvent: { event in
                                      log.record(event)
                                      if case .messages = event { holder.value?.stop() }
                                  })
        holder.set(chat)
        chat.start()
        #expect(log.wait { $0.texts == ["x"] }, "\(log.reasons)")
        chat.stop()
        #expect(log.texts == ["x"] && log.reasons.isEmpty)
    }

    @Test func pollingRequestsGoThroughTheRemapAndFeedTheSession() throws {
        let requests = TransportBox<[String]>()
        let server = try TransportTestServer { peer, index in
            while let head = peer.readHead() {
                let length = Int(head.headers["content-length"] ?? "0") ?? 0
                let body = String(decoding: peer.readBytes(length) ?? [], as: UTF8.self)
                requests.update { ($0 ?? []) + ["\(head.line) \(head.headers["x-test"] ?? "-") \(body)"] }
                let answer = "msg\(requests.value?.count ?? 0)"
                peer.send(Array("HTTP/1.1 200 OK\r\nContent-Length: \(answer.utf8.count)\r\n\r\n\(answer)".utf8))
            }
        }
        defer { server.stop() }
        let log = TransportEventLog()
        let network = ChatNetworkSettings(hostRemap: try HostRemap(parsing: ["www.youtube.example=http://127.0.0.1:\(server.port)"]))
        let chat = ChatConnection(resolve: {
            ChatSource(platform: "youtube", room: "v", kind: .polling(makeSession: { TransportPollSession(base: "https://www.youtube.example/youtubei/v1") }))
        }, network: network, onEvent: log.record)
        chat.start()
        #expect(log.wait { $0.texts.count >= 3 }, "\(log.reasons)")
        chat.stop()
        #expect(Array(log.texts.prefix(3)) == ["msg1", "msg2", "msg3"])
        #expect(Array((requests.value ?? []).prefix(3)) == [
            "POST /youtubei/v1/chat?c=0 HTTP/1.1 poll {\"c\":0}",
            "POST /youtubei/v1/chat?c=1 HTTP/1.1 poll {\"c\":1}",
            "POST /youtubei/v1/chat?c=2 HTTP/1.1 poll {\"c\":2}",
        ])
        #expect(log.connections == 1 && log.reasons.isEmpty)
    }
}

/// A value set by a server thread and read by the test.
final class TransportBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? { lock.withLock { stored } }
    func set(_ v: T) { lock.withLock { stored = v } }
    func update(_ f: (T?) -> T) { lock.withLock { stored = f(stored) } }
}

final class TransportCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
