import BiliupNet
import BiliupValues
import Foundation
import Synchronization
import Testing
@testable import BiliupDanmaku
import BiliupTestSupport

/// Acceptance 1 of issue 12, per protocol, through the real path: the parameters a plugin's `danmaku`
/// step returns → `ChatPlatforms.source` → `ChatConnection` (host remap `wss://` → the stand-in's
/// plain `ws://`) → the messages → `DanmakuXMLWriter` → the XML's elements and attributes. The
/// stand-ins check the registration, answer heartbeats and record acks; faults end in `.disconnected`
/// with a reason, a reconnect, and every message exactly once.
@Suite(.serialized) struct ChatAcceptanceTests {
    // MARK: Per protocol

    @Test func bilibili() throws {
        let standIn = try BilibiliChatStandIn(viewerUID: 0, script: ChatScript(messages: 12, kinds: [.chat, .gift, .superChat, .guardBuy]))
        defer { standIn.stop() }
        let run = try ChatRun(standIn) {
            try ChatPlatforms.source(protocol: "bilibili", parameters: [
                "url": .string(standIn.chatURL), "headers": .object(["Cookie": .string("buvid3=standin-buvid;")]),
                "room_id": .int(standIn.roomID), "uid": .int(0), "token": .string(standIn.token)])
        }
        let messages = try run.collect(12) { standIn.report.heartbeats >= 1 }
        expectMessages(messages, standIn.sent) { sent in
            var expected = sent.danmakuMessage
            if sent.kind == .superChat { expected.price = sent.price * 1000 }  // yuan → biliup's 1/1000 unit
            return expected
        }
        try expectXML(messages, standIn.sent)
        #expect(standIn.report.registrations == 1)
        #expect(standIn.report.refusals.isEmpty)
        #expect(standIn.wait { $0.report.heartbeats >= 1 })
        #expect(standIn.report.requests.first?.headers["cookie"] == "buvid3=standin-buvid;")
    }

    @Test func douyu() throws {
        let standIn = try DouyuChatStandIn(roomID: "288016", script: ChatScript(messages: 12, kinds: [.chat, .chat, .gift]))
        defer { standIn.stop() }
        let run = try ChatRun(standIn) {
            try ChatPlatforms.source(protocol: "douyu", parameters: ["url": .string(standIn.chatURL), "room_id": .string("288016")])
        }
        let messages = try run.collect(12) { standIn.report.heartbeats >= 1 }
        expectMessages(messages, standIn.sent) { sent in
            var expected = sent.danmakuMessage
            if sent.kind == .chat { expected.color = DouyuChatStandIn.colors[sent.index % 7] }
            if sent.kind == .gift { expected.price = 0 }  // Douyu's dgb carries no price
            return expected
        }
        try expectXML(messages, standIn.sent)
        #expect(standIn.report.registrations == 1)
        #expect(standIn.wait { $0.report.heartbeats >= 1 })
    }

    @Test func huya() throws {
        let standIn = try HuyaChatStandIn(presenterUID: 1_199_561_209_513, script: ChatScript(messages: 8))
        defer { standIn.stop() }
        let run = try ChatRun(standIn) {
            try ChatPlatforms.source(protocol: "huya", parameters: [
                "url": .string(standIn.chatURL), "presenter_uid": .int(standIn.presenterUID), "room_id": .string("660000")])
        }
        let messages = try run.collect(8) { standIn.report.heartbeats >= 1 }
        expectMessages(messages, standIn.sent) { $0.danmakuMessage }
        try expectXML(messages, standIn.sent)
        #expect(standIn.report.registrations == 1)
        #expect(standIn.wait { $0.report.heartbeats >= 1 })
        #expect(standIn.report.protocolErrors.isEmpty)
    }

    @Test func douyin() throws {
        let standIn = try DouyinChatStandIn(script: ChatScript(messages: 10, kinds: [.chat, .gift]))
        defer { standIn.stop() }
        let headers: [String: JSONValue] = ["Cookie": .string("ttwid=1%7Cstandin; __ac_nonce=0"), "User-Agent": .string("Mozilla/5.0 standin")]
        let run = try ChatRun(standIn) {
            try ChatPlatforms.source(protocol: "douyin", parameters: [
                "url": .string(standIn.chatURL), "headers": .object(headers), "room_id": .string(standIn.roomID)])
        }
        let messages = try run.collect(10) { standIn.report.heartbeats >= 1 }
        expectMessages(messages, standIn.sent) { sent in
            var expected = sent.danmakuMessage
            expected.color = 0xFFFFFF  // Douyin's chat carries no colour
            return expected
        } compare: { [\.kind, \.userName, \.uid] }
        #expect(messages.filter { $0.kind == .chat }.map(\.text) == standIn.sent.filter { $0.kind == .chat }.map(\.text))
        #expect(messages.filter { $0.kind == .gift }.map(\.giftName) == standIn.sent.filter { $0.kind == .gift }.map(\.giftName))
        try expectXML(messages, standIn.sent)
        #expect(standIn.report.registrations == 1)
        // Every frame that asked for an ack got it back, with its log id and internalExt.
        #expect(standIn.wait { !$0.report.acksRequested.isEmpty && $0.report.acks == $0.report.acksRequested })
        #expect(standIn.wait { $0.report.heartbeats >= 1 })
    }

    @Test func twitch() throws {
        let standIn = try TwitchChatStandIn(channel: "standin_channel", script: ChatScript(messages: 9))
        defer { standIn.stop() }
        let run = try ChatRun(standIn) {
            try ChatPlatforms.source(protocol: "twitch", parameters: ["url": .string(standIn.chatURL), "channel": .string("standin_channel")])
        }
        let messages = try run.collect(9)
        expectMessages(messages, standIn.sent) { $0.danmakuMessage }
        try expectXML(messages, standIn.sent)
        #expect(standIn.report.registrations == 1)
        #expect(standIn.wait { $0.report.pongs == 1 })  // the server's PING was answered
        #expect(standIn.report.protocolErrors.isEmpty)
    }

    @Test func twitCasting() throws {
        let standIn = try TwitCastingChatStandIn(script: ChatScript(messages: 9))
        defer { standIn.stop() }
        // The plugin step asks eventpubsuburl.php for a fresh URL before every attempt.
        let run = try ChatRun(standIn) {
            try ChatPlatforms.source(protocol: "twitcasting", parameters: ["url": .string(standIn.handOutURL()),
                                                                           "movie_id": .string(standIn.movieID)])
        }
        let messages = try run.collect(9)
        expectMessages(messages, standIn.sent) { $0.danmakuMessage } compare: { [\.kind, \.text, \.userName] }
        try expectXML(messages, standIn.sent)
        #expect(standIn.report.registrations == 1)
    }

    @Test func youTube() throws {
        let standIn = try YouTubeChatStandIn(script: ChatScript(messages: 9, kinds: [.chat, .chat, .superChat]))
        defer { standIn.stop() }
        let run = try ChatRun(standIn) {
            try ChatPlatforms.source(protocol: "youtube", parameters: [
                "url": .string(standIn.chatURL), "continuation": .string(standIn.initialContinuation),
                "client_version": .string("2.20241201.01.00"), "video_id": .string(standIn.videoID)])
        }
        let messages = try run.collect(9)
        expectMessages(messages, standIn.sent) { $0.danmakuMessage } compare: { [\.kind, \.text, \.userName] }
        try expectXML(messages, standIn.sent)
        #expect(standIn.report.refusals.isEmpty)  // every continuation in the chain was one handed out
        #expect(standIn.report.registrations >= 1)
    }

    // MARK: Faults

    @Test(arguments: ChatFault.Kind.allCases)
    func bilibiliFaultResetsTheConnectionAndLosesNothing(_ kind: ChatFault.Kind) throws {
        let standIn = try BilibiliChatStandIn(script: ChatScript(messages: 6, faults: [ChatFault(kind, beforeMessage: 3)]))
        defer { standIn.stop() }
        let run = try ChatRun(standIn) {
            try ChatPlatforms.source(protocol: "bilibili", parameters: [
                "url": .string(standIn.chatURL), "room_id": .int(standIn.roomID), "token": .string(standIn.token)])
        }
        let messages = try run.collect(6)
        #expect(messages.compactMap { ChatScript.index(inText: $0.text) } == Array(0..<6))  // none lost, none doubled
        let disconnects = run.disconnectReasons
        #expect(disconnects.count >= 1)
        #expect(disconnects.allSatisfy { !$0.isEmpty && !$0.contains("Bad Gateway") })  // never a remote body
        #expect(run.connects >= 2)
        #expect(standIn.report.faults == [kind])
        #expect(standIn.report.registrations == 2)
    }

    @Test func faultsOnEveryOtherProtocolEndInAReconnect() throws {
        let script = { ChatScript(messages: 4, faults: [ChatFault(.garbage, beforeMessage: 2)]) }
        let douyu = try DouyuChatStandIn(roomID: "288016", script: script())
        let twitch = try TwitchChatStandIn(script: script())
        let twitCasting = try TwitCastingChatStandIn(script: script())
        let youTube = try YouTubeChatStandIn(script: ChatScript(messages: 4, faults: [ChatFault(.truncated, beforeMessage: 2)]))
        let standIns: [any ChatStandIn] = [douyu, twitch, twitCasting, youTube]
        defer { standIns.forEach { $0.stop() } }
        let douyuRun = try ChatRun(douyu) {
            try ChatPlatforms.source(protocol: "douyu", parameters: ["url": .string(douyu.chatURL), "room_id": .string("288016")])
        }
        let twitchRun = try ChatRun(twitch) {
            try ChatPlatforms.source(protocol: "twitch", parameters: ["url": .string(twitch.chatURL), "channel": .string(twitch.channel)])
        }
        let twitCastingRun = try ChatRun(twitCasting) {
            try ChatPlatforms.source(protocol: "twitcasting", parameters: ["url": .string(twitCasting.handOutURL())])
        }
        let youTubeRun = try ChatRun(youTube) {
            try ChatPlatforms.source(protocol: "youtube", parameters: [
                "url": .string(youTube.chatURL), "continuation": .string(youTube.initialContinuation),
                "client_version": .string("2.20241201.01.00")])
        }
        let runs: [(any ChatStandIn, ChatRun)] = [(douyu, douyuRun), (twitch, twitchRun), (twitCasting, twitCastingRun),
                                                  (youTube, youTubeRun)]
        for (standIn, run) in runs {
            let messages = try run.collect(4)
            #expect(messages.compactMap { ChatScript.index(inText: $0.text) } == Array(0..<4), "\(standIn.platform)")
            #expect(run.disconnectReasons.count >= 1, "\(standIn.platform)")
            #expect(run.connects >= 2, "\(standIn.platform)")
            #expect(standIn.report.faults.count == 1, "\(standIn.platform)")
        }
    }

    // MARK: Helpers

    func expectMessages(_ got: [DanmakuMessage], _ sent: [StandInChatMessage], sourceLocation: SourceLocation = #_sourceLocation,
                        expected: (StandInChatMessage) -> DanmakuMessage,
                        compare: () -> [PartialKeyPath<DanmakuMessage>] = { [\.kind, \.text, \.userName, \.uid, \.color, \.price, \.count, \.giftName] }) {
        #expect(got.count == sent.count, sourceLocation: sourceLocation)
        for (message, original) in zip(got, sent) {
            let want = expected(original)
            for path in compare() {
                #expect("\(message[keyPath: path])" == "\(want[keyPath: path])", "message \(original.index): \(path)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    /// Writes the messages as the segment writer does (detail on) and checks every element of the file.
    func expectXML(_ messages: [DanmakuMessage], _ sent: [StandInChatMessage], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let origin = (messages.map(\.receivedAt).min() ?? Date()).addingTimeInterval(-1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("chat-acceptance-\(UUID().uuidString).xml")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        let writer = try DanmakuXMLWriter(handle: handle, header: .init(room: "room", platform: "test", segmentStart: origin, offset: 0.25),
                                          detail: true)
        messages.forEach { writer.write($0) }
        try writer.finish()
        try handle.close()
        let elements = try XMLLines.elements(of: String(contentsOf: url, encoding: .utf8))
        #expect(elements.count == messages.count, sourceLocation: sourceLocation)
        for (element, message) in zip(elements, messages) {
            let unix = Int64(message.receivedAt.timeIntervalSince1970.rounded(.down))
            switch message.kind {
            case .chat:
                #expect(element.name == "d", sourceLocation: sourceLocation)
                let p = element.attributes["p"]?.split(separator: ",").map(String.init) ?? []
                #expect(p.count == 8, sourceLocation: sourceLocation)
                guard p.count == 8 else { continue }
                #expect(abs((Double(p[0]) ?? -1) - message.receivedAt.timeIntervalSince(origin)) < 0.0015, sourceLocation: sourceLocation)
                #expect(p[1] == "1" && p[2] == "25", sourceLocation: sourceLocation)
                #expect(p[3] == "\(message.color)" && p[4] == "\(unix)" && p[6] == "\(message.uid)", sourceLocation: sourceLocation)
                #expect(element.attributes["user"] ?? "" == message.userName, sourceLocation: sourceLocation)
                #expect(element.attributes["uid"] == "\(message.uid)", sourceLocation: sourceLocation)
                #expect(element.attributes["timestamp"] == "\(unix)", sourceLocation: sourceLocation)
                #expect(element.text == message.text, sourceLocation: sourceLocation)
            case .gift, .superChat, .guardBuy:
                #expect(element.name == "s", sourceLocation: sourceLocation)
                let type = ["gift": DanmakuMessage.Kind.gift, "super_chat": .superChat, "guard_buy": .guardBuy][element.attributes["type"] ?? ""]
                #expect(type == message.kind, sourceLocation: sourceLocation)
                #expect(element.attributes["username"] == message.userName, sourceLocation: sourceLocation)
                #expect(element.attributes["uid"] == "\(message.uid)", sourceLocation: sourceLocation)
                #expect(element.attributes["price"] == "\(message.price)", sourceLocation: sourceLocation)
                #expect(element.attributes["num"] == "\(message.count)", sourceLocation: sourceLocation)
                #expect(element.attributes["giftname"] == message.giftName, sourceLocation: sourceLocation)
                let content = switch message.kind {
                case .gift: "\(message.userName)投喂了\(message.count)个\(message.giftName)"
                case .guardBuy: "\(message.userName)上了\(message.count)个月\(message.giftName)"
                default: message.text
                }
                #expect(element.text == content, sourceLocation: sourceLocation)
            }
        }
        #expect(sent.count == messages.count, sourceLocation: sourceLocation)
    }
}

extension StandInChatMessage {
    /// What a decoder should make of this message when the platform carries every field.
    var danmakuMessage: DanmakuMessage {
        let kind: DanmakuMessage.Kind = switch self.kind {
        case .chat: .chat
        case .gift: .gift
        case .superChat: .superChat
        case .guardBuy: .guardBuy
        }
        return DanmakuMessage(kind: kind, text: text, userName: userName, uid: uid, color: kind == .chat ? color : 0xFFFFFF,
                              receivedAt: Date(), price: price, count: count, giftName: giftName)
    }
}

/// One `ChatConnection` to a stand-in, its events collected. Heartbeats are shortened (the session is
/// wrapped, everything else is the real session) so a test sees them answered without waiting 30 s, and
/// the backoff starts at 0.2 s so fault tests reconnect quickly; both are the transport's settings to
/// choose, not the protocols'.
final class ChatRun: Sendable {
    private let connection: ChatConnection
    private let log = EventLog()

    init(_ standIn: any ChatStandIn, resolve: @escaping @Sendable () throws -> ChatSource) throws {
        let remap = try HostRemap(parsing: standIn.remapRules)
        let log = self.log
        connection = ChatConnection(resolve: { ChatRun.shortenHeartbeat(try resolve()) },
                                    // A fixed idle timeout: three quick heartbeats (0.6 s) is too short on a busy machine.
                                    network: ChatNetworkSettings(hostRemap: remap, idleTimeout: .seconds(30)),
                                    backoff: ChatBackoff(initial: .milliseconds(200), maximum: .seconds(1)),
                                    onEvent: { event in log.events.withLock { $0.append(event) } })
        connection.start()
    }

    deinit {
        connection.stop()
    }

    var messages: [DanmakuMessage] {
        log.events.withLock { events in
            var all: [DanmakuMessage] = []
            for case .messages(let batch) in events { all += batch }
            return all
        }
    }

    var connects: Int { log.events.withLock { $0.filter { if case .connected = $0 { true } else { false } }.count } }

    var disconnectReasons: [String] {
        log.events.withLock { $0.compactMap { if case .disconnected(_, let reason) = $0 { reason } else { nil } } }
    }

    /// Waits (hang guard 120 s) for `count` messages and `until`, then stops the connection and returns
    /// the messages.
    func collect(_ count: Int, until: () -> Bool = { true }) throws -> [DanmakuMessage] {
        let deadline = ContinuousClock.now + .seconds(120)
        while (messages.count < count || !until()) && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        connection.stop()
        let got = messages
        guard got.count >= count else {
            throw AcceptanceFailure("\(got.count) of \(count) messages arrived; disconnects: \(disconnectReasons)")
        }
        return got
    }

    static func shortenHeartbeat(_ source: ChatSource) -> ChatSource {
        guard case .stream(let endpoint, let makeSession) = source.kind else { return source }
        return ChatSource(platform: source.platform, room: source.room, kind: .stream(endpoint, makeSession: {
            QuickHeartbeatSession(makeSession())
        }))
    }
}

/// The events of one connection, appended from its thread.
final class EventLog: Sendable {
    let events = Mutex<[ChatEvent]>([])
}

struct AcceptanceFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The real session with its heartbeat every 0.2 s.
final class QuickHeartbeatSession: ChatSession {
    private let inner: any ChatSession
    init(_ inner: any ChatSession) { self.inner = inner }
    func openingFrames() -> [ChatFrame] { inner.openingFrames() }
    var heartbeatInterval: Duration? { inner.heartbeatInterval == nil ? nil : .milliseconds(200) }
    func heartbeatFrame() -> ChatFrame? { inner.heartbeatFrame() }
    func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt { try inner.receive(frame, at: time) }
}

/// The elements of a danmaku XML as the writer lays it out (one element per line), with attribute
/// values and text unescaped: enough of XML for this format, strict about what it reads.
enum XMLLines {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
    }

    static func elements(of document: String) throws -> [Element] {
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == #"<?xml version="1.0" encoding="UTF-8"?>"#, lines.contains("</i>"), lines.dropFirst().first == "<i>" else {
            throw AcceptanceFailure("not a danmaku document: \(document.prefix(80))")
        }
        return try lines.filter { $0.hasPrefix("\t<d ") || $0.hasPrefix("\t<s ") }.map(element)
    }

    private static func element(_ line: String) throws -> Element {
        let body = line.dropFirst(2)  // "\t<"
        let name = String(body.prefix(1))
        guard let close = body.range(of: ">"), line.hasSuffix("</\(name)>") else { throw AcceptanceFailure("element: \(line)") }
        var attributes: [String: String] = [:]
        var rest = body[body.index(after: body.startIndex)..<close.lowerBound]
        while let eq = rest.range(of: "=\"") {
            let key = rest[..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
            let valueStart = eq.upperBound
            guard let end = rest[valueStart...].firstIndex(of: "\"") else { throw AcceptanceFailure("attribute: \(line)") }
            attributes[key] = unescape(String(rest[valueStart..<end]))
            rest = rest[rest.index(after: end)...]
        }
        let text = body[close.upperBound...].dropLast(name.count + 3)
        return Element(name: name, attributes: attributes, text: unescape(String(text)))
    }

    private static func unescape(_ text: String) -> String {
        var out = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#9;", "\t"), ("&#10;", "\n"), ("&#13;", "\r"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out
    }
}
