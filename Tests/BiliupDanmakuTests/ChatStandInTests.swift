import BiliupValues
import Foundation
import Testing
@testable import BiliupDanmaku
@testable import BiliupTestSupport

/// Self-checks of the chat stand-ins: each is driven by hand-written client frames (bytes spelled out
/// here, not made by the product's session code), and what it sends is read with the product's
/// decoders where they exist, so the stand-ins and the decoders check each other.
@Suite struct ChatStandInTests {
    let now = Date()

    // MARK: Bilibili

    /// The auth packet exactly as the web client sends it: header then the JSON body.
    static func bilibiliAuth(roomID: Int64, uid: Int64, token: String) -> [UInt8] {
        let body = Array(#"{"uid":\#(uid),"roomid":\#(roomID),"protover":3,"platform":"web","type":2,"key":"\#(token)"}"#.utf8)
        let total = UInt32(16 + body.count)
        return [UInt8(total >> 24), UInt8(total >> 16 & 0xFF), UInt8(total >> 8 & 0xFF), UInt8(total & 0xFF),
                0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01] + body
    }

    /// biliup's 31-byte heartbeat.
    static let bilibiliHeartbeat: [UInt8] = [0x00, 0x00, 0x00, 0x1F, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
                                             0x00, 0x00, 0x00, 0x01] + Array("[object Object]".utf8)

    @Test func bilibiliAcceptsTheAuthAnswersHeartbeatsAndSendsCompressedBatches() throws {
        // Paced, so the messages leave in several batches (the first alone) and both compressions show.
        let standIn = try BilibiliChatStandIn(script: ChatScript(messages: 8, perSecond: 200, kinds: [.chat, .gift, .superChat, .guardBuy]),
                                              compression: .alternating)
        defer { standIn.stop() }
        let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: "/sub")
        client.sendBinary(Self.bilibiliAuth(roomID: standIn.roomID, uid: 0, token: standIn.token))
        let reply = try client.receiveDataFrame().payload
        #expect(try BilibiliDecoder().decode(reply, receivedAt: now) == [.authReply(code: 0)])

        var messages: [DanmakuMessage] = []
        var versions: Set<UInt8> = []
        while messages.count < 8 {
            let frame = try client.receiveDataFrame().payload
            versions.insert(frame[7])  // the outer packet's protocol version
            messages += try BilibiliDecoder().decode(frame, receivedAt: now).compactMap {
                if case .message(let m) = $0 { m } else { nil }
            }
        }
        #expect(versions == [2, 3])  // zlib and brotli batches both went out
        let sent = standIn.sent
        #expect(messages.map(\.kind.rawValue) == sent.map(\.kind.rawValue))
        #expect(messages.map(\.userName) == sent.map(\.userName))
        #expect(messages.map(\.uid) == sent.map(\.uid))
        #expect(messages.filter { $0.kind == .chat }.map(\.text) == sent.filter { $0.kind == .chat }.map(\.text))
        #expect(messages.filter { $0.kind == .chat }.map(\.color) == sent.filter { $0.kind == .chat }.map(\.color))
        // A super chat's yuan price becomes biliup's 1/1000 unit; gifts and guards keep theirs.
        #expect(messages.map(\.price) == sent.map { $0.kind == .superChat ? $0.price * 1000 : $0.price })
        #expect(messages.filter { $0.kind != .chat }.map(\.giftName) == sent.filter { $0.kind != .chat }.map(\.giftName))

        client.sendBinary(Self.bilibiliHeartbeat)
        let popularity = try client.receiveDataFrame().payload
        // The real server's shape: a packet whose length says 20, then the heartbeat body echoed.
        #expect(Array(popularity.prefix(16)) == [0, 0, 0, 20, 0, 16, 0, 1, 0, 0, 0, 3, 0, 0, 0, 1])
        #expect(Array(popularity[16..<20]) == [0, 0, 0x30, 0x39])
        #expect(Array(popularity[20...]) == Array("[object Object]".utf8))
        #expect(try BilibiliDecoder().decode(popularity, receivedAt: now) == [.popularity(12345)])
        #expect(standIn.wait { $0.report.heartbeats == 1 })
        #expect(standIn.report.registrations == 1)
        #expect(standIn.report.refusals.isEmpty)
    }

    @Test func bilibiliClosesOnAWrongAuth() throws {
        let standIn = try BilibiliChatStandIn(viewerUID: 0, token: "right")
        defer { standIn.stop() }
        for (room, uid, token, reason) in [(standIn.roomID, Int64(0), "wrong", "key"),
                                           (Int64(5050), 0, "right", "roomid"),  // a short id
                                           (standIn.roomID, 12_345_678, "right", "uid")] {
            let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: "/sub")
            client.sendBinary(Self.bilibiliAuth(roomID: room, uid: uid, token: token))
            #expect(client.serverClosed())
            #expect(standIn.wait { $0.report.refusals.last?.contains(reason) == true })
        }
        #expect(standIn.report.registrations == 0)
        #expect(standIn.sent.isEmpty)
    }

    @Test func bilibiliPacesStampsAndFaultsThenContinuesOnTheNextConnection() throws {
        let script = ChatScript(messages: 4, perSecond: 40, stamp: { "t=\($0 * 100)" },
                                faults: [ChatFault(.bomb, beforeMessage: 2)])
        let standIn = try BilibiliChatStandIn(script: script, compression: .brotli)
        defer { standIn.stop() }
        var texts: [String] = []
        var batchSizes: [Int] = []
        var failures: [DanmakuDecodeError] = []
        for _ in 0..<2 {
            let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: "/sub")
            client.sendBinary(Self.bilibiliAuth(roomID: standIn.roomID, uid: 0, token: standIn.token))
            _ = try client.receiveDataFrame()  // auth reply
            receiving: while texts.count < 4 {
                let frame = try client.receiveDataFrame().payload
                do {
                    let batch = try BilibiliDecoder().decode(frame, receivedAt: now).compactMap {
                        if case .message(let m) = $0 { m.text } else { nil }
                    }
                    batchSizes.append(batch.count)
                    texts += batch
                } catch let error as DanmakuDecodeError {
                    failures.append(error)
                    break receiving  // a client resets here and reconnects
                }
            }
        }
        #expect(texts == (0..<4).map { "t=\($0 * 100) #\($0)" })
        #expect(failures == [.tooLarge(limit: Inflate.defaultLimit)])
        #expect(batchSizes.first == 1)  // paced: the first message was due alone
        #expect(standIn.report.faults == [.bomb])
        #expect(standIn.report.connections == 2)
        #expect(ChatScript.stamp(inText: texts[3]) == "t=300")
        #expect(ChatScript.index(inText: texts[3]) == 3)
    }

    // MARK: Douyu

    /// A client frame as biliup writes it: lengths little-endian, type 689.
    static func douyuFrame(_ body: String) -> [UInt8] {
        let payload = Array(body.utf8) + [0]
        let length = UInt8(8 + payload.count)
        return [length, 0, 0, 0, length, 0, 0, 0, 0xB1, 0x02, 0, 0] + payload
    }

    @Test func douyuLogsInJoinsAnswersHeartbeatsAndSplitsFrames() throws {
        let standIn = try DouyuChatStandIn(roomID: "288016", script: ChatScript(messages: 6, kinds: [.chat, .chat, .gift]))
        defer { standIn.stop() }
        let client = try HandWrittenChatClient(port: standIn.server.port)
        client.send(Self.douyuFrame("type@=loginreq/roomid@=288016/"))
        var decoder = DouyuDecoder()
        var reply: [UInt8] = []
        while !String(decoding: reply, as: UTF8.self).contains("loginres") { reply += try client.receiveBytes() }
        #expect(Array(reply[8..<10]) == [0xB2, 0x02])  // the server's type, 690
        client.send(Self.douyuFrame("type@=joingroup/rid@=288016/gid@=-9999/"))
        var messages: [DanmakuMessage] = []
        while messages.count < 6 { messages += try decoder.feed(try client.receiveBytes(), receivedAt: now) }
        let sent = standIn.sent
        #expect(messages.map(\.text) == sent.map(\.text))
        #expect(messages.map(\.userName) == sent.map(\.userName))
        #expect(messages.map(\.uid) == sent.map(\.uid))
        #expect(messages.filter { $0.kind == .chat }.map(\.color) == sent.filter { $0.kind == .chat }.map {
            DouyuChatStandIn.colors[$0.index % 7]
        })
        #expect(messages.filter { $0.kind == .gift }.map(\.count) == sent.filter { $0.kind == .gift }.map(\.count))
        client.send(Self.douyuFrame("type@=mrkl/"))
        var heartbeatReply: [UInt8] = []
        while !String(decoding: heartbeatReply, as: UTF8.self).contains("type@=mrkl/") { heartbeatReply += try client.receiveBytes() }
        #expect(standIn.report.heartbeats == 1)
        #expect(standIn.report.registrations == 1)
    }

    @Test func douyuRefusesAnotherRoom() throws {
        let standIn = try DouyuChatStandIn(roomID: "288016")
        defer { standIn.stop() }
        let client = try HandWrittenChatClient(port: standIn.server.port)
        client.send(Self.douyuFrame("type@=loginreq/roomid@=1/"))
        #expect(throws: HandWrittenChatClient.Failure.self) { while true { _ = try client.receiveBytes() } }
        #expect(standIn.report.refusals.first?.contains("roomid 1") == true)
    }

    // MARK: Huya

    /// `WebSocketCommand{0 iCmdType 1, 1 vData WSUserInfo{0 lUid, 1 bAnonymous, 2 sGuid, 3 sToken, 4 lTid,
    /// 5 lSid, 6 lGroupId, 7 lGroupType 3}}`, Tars byte by byte.
    static func huyaRegistration(groupID: Int64) -> [UInt8] {
        let uid = withUnsafeBytes(of: groupID.bigEndian) { Array($0) }
        let guid = Array("0a7f3c1d2e".utf8)
        let info: [UInt8] = [0x03] + uid + [0x1C] + [0x26, UInt8(guid.count)] + guid + [0x36, 0x00, 0x4C, 0x5C]
            + [0x63] + uid + [0x70, 0x03]
        return [0x00, 0x01, 0x1D, 0x00, 0x00, UInt8(info.count)] + info
    }

    @Test func huyaChecksTheRegistrationAndPushesMessageNotices() throws {
        let standIn = try HuyaChatStandIn(presenterUID: 1_199_561_209_513, script: ChatScript(messages: 3))
        defer { standIn.stop() }
        let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: "/")
        client.sendBinary(Self.huyaRegistration(groupID: 1_199_561_209_513))
        let registered = try #require(StandInTars.read(try client.receiveDataFrame().payload))
        #expect(registered[0]?.int == 2)
        var texts: [String] = []
        var nicks: [String] = []
        while texts.count < 3 {
            let command = try #require(StandInTars.read(try client.receiveDataFrame().payload))
            #expect(command[0]?.int == 7)
            let pushBytes = try #require(command[1]?.bytes)
            let push = try #require(StandInTars.read(pushBytes))
            #expect(push[1]?.int == 1400)
            let notice = try #require(push[2]?.bytes)
            let fields = try #require(StandInTars.read(notice))
            texts.append(try #require(fields[3]?.string))
            nicks.append(try #require(fields[0]?.fields?[2]?.string))
            // The nick is a string at tag 2 inside the struct at tag 0: head 0x26 (or 0x27) then the length.
            let nick = Array(nicks.last!.utf8)
            #expect(notice.firstRange(of: [0x26, UInt8(nick.count)] + nick) != nil)
        }
        #expect(texts == standIn.sent.map(\.text))
        #expect(nicks == standIn.sent.map(\.userName))
        // A heartbeat of biliup's shape: a WUP request (iVersion 3, servant onlineui, function
        // OnUserHeartBeat) whose buffer is a map {"tReq": bytes}, inside a WebSocketCommand of type 3.
        let buffer: [UInt8] = [0x08, 0x00, 0x01, 0x06, 0x04] + Array("tReq".utf8) + [0x1D, 0x00, 0x00, 0x02, 0x0A, 0x0B]
        let wup: [UInt8] = [0x10, 0x03, 0x2C, 0x3C, 0x4C, 0x56, 0x08] + Array("onlineui".utf8) + [0x66, 0x0F]
            + Array("OnUserHeartBeat".utf8) + [0x7D, 0x00, 0x00, UInt8(buffer.count)] + buffer + [0x8C]
        let packet: [UInt8] = [0, 0, 0, UInt8(4 + wup.count)] + wup
        let heartbeat: [UInt8] = [0x00, 0x03, 0x1D, 0x00, 0x00, UInt8(packet.count)] + packet
        client.sendBinary(heartbeat)
        let answer = try #require(StandInTars.read(try client.receiveDataFrame().payload))
        #expect(answer[0]?.int == 4)
        #expect(standIn.report.heartbeats == 1)
        #expect(standIn.report.protocolErrors.isEmpty)
    }

    @Test func huyaRefusesAnotherGroup() throws {
        let standIn = try HuyaChatStandIn(presenterUID: 42)
        defer { standIn.stop() }
        let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: "/")
        client.sendBinary(Self.huyaRegistration(groupID: 43))
        #expect(client.serverClosed())
        #expect(standIn.wait { $0.report.refusals.first?.contains("lGroupId 43") == true })
    }

    // MARK: Douyin

    @Test func douyinPushesGzipResponsesRecordsAcksAndAnswersHeartbeats() throws {
        let standIn = try DouyinChatStandIn(script: ChatScript(messages: 4, kinds: [.chat, .gift]))
        defer { standIn.stop() }
        let query = URLComponents(string: standIn.chatURL)!.percentEncodedQuery!
        let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: DouyinChatStandIn.path + "?" + query,
                                                         headers: ["Cookie": "ttwid=1%7Cabc; __ac_nonce=0"])
        var methods: [String] = []
        var contents: [String] = []
        while methods.count < 4 {
            let frame = try #require(StandInProtobuf.read(try client.receiveDataFrame().payload))
            #expect(frame.first { $0.field == 7 }?.value.string == "msg")
            #expect(frame.first { $0.field == 6 }?.value.string == "gzip")
            let logId = try #require(frame.first { $0.field == 2 }?.value.uint)
            let gzip = try #require(frame.first { $0.field == 8 }?.value.data)
            #expect(Array(gzip.prefix(2)) == [0x1F, 0x8B])
            let response = try #require(StandInProtobuf.read(try Inflate.zlib(gzip)))
            #expect(response.first { $0.field == 9 }?.value.uint == 1)  // needAck
            let internalExt = try #require(response.first { $0.field == 5 }?.value.data)
            for message in response where message.field == 1 {
                let innerBytes = try #require(message.value.data)
                let inner = try #require(StandInProtobuf.read(innerBytes))
                let method = try #require(inner.first { $0.field == 1 }?.value.string)
                methods.append(method)
                let payloadBytes = try #require(inner.first { $0.field == 2 }?.value.data)
                let payload = try #require(StandInProtobuf.read(payloadBytes))
                if method == "WebcastChatMessage" {
                    contents.append(try #require(payload.first { $0.field == 3 }?.value.string))
                }
            }
            // The ack: PushFrame {2 logId, 7 "ack", 8 internalExt}, spelled out.
            func varint(_ value: UInt64) -> [UInt8] {
                var v = value, bytes: [UInt8] = []
                while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
                return bytes + [UInt8(v)]
            }
            let ack = [0x10] + varint(logId) + [0x3A, 0x03] + Array("ack".utf8) + [0x42] + varint(UInt64(internalExt.count)) + internalExt
            client.sendBinary(ack)
        }
        #expect(methods == ["WebcastChatMessage", "WebcastGiftMessage", "WebcastChatMessage", "WebcastGiftMessage"])
        #expect(contents == standIn.sent.filter { $0.kind == .chat }.map(\.text))
        client.sendBinary([0x3A, 0x02, 0x68, 0x62])  // {7: "hb"}
        let hb = try #require(StandInProtobuf.read(try client.receiveDataFrame().payload))
        #expect(hb.first { $0.field == 7 }?.value.string == "hb")
        #expect(standIn.wait { $0.report.acks.count == $0.report.acksRequested.count && $0.report.heartbeats == 1 })
        #expect(standIn.report.acks == standIn.report.acksRequested)
        #expect(!standIn.report.acks.isEmpty)
    }

    @Test func douyinRefusesAConnectionWithoutTtwid() throws {
        let standIn = try DouyinChatStandIn()
        defer { standIn.stop() }
        let query = URLComponents(string: standIn.chatURL)!.percentEncodedQuery!
        let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: DouyinChatStandIn.path + "?" + query)
        #expect(client.serverClosed())
        #expect(standIn.wait { $0.report.refusals == ["no ttwid cookie"] })
    }

    // MARK: Twitch

    @Test func twitchChecksTheLoginPingsAndSendsTaggedPrivmsgs() throws {
        let standIn = try TwitchChatStandIn(channel: "StandIn_Channel", script: ChatScript(messages: 7))
        defer { standIn.stop() }
        let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: "/")
        client.sendText("CAP REQ :twitch.tv/tags twitch.tv/commands\r\n")
        client.sendText("PASS SCHMOOPIIE\r\nNICK justinfan48213\r\n")
        client.sendText("JOIN #standin_channel\r\n")
        var messages: [DanmakuMessage] = []
        var sawPing = false
        while messages.count < 7 {
            let text = try client.receiveDataFrame().text
            for event in TwitchIRC.decode(text, receivedAt: now) {
                switch event {
                case .message(let message): messages.append(message)
                case .reply(let line):
                    sawPing = true
                    client.sendText(line + "\r\n")
                }
            }
        }
        #expect(sawPing)
        let sent = standIn.sent
        #expect(messages.map(\.text) == sent.map(\.text))
        #expect(messages.map(\.userName) == sent.map(\.userName))
        #expect(messages.map(\.uid) == sent.map(\.uid))
        #expect(messages.map(\.color) == sent.map(\.color))
        #expect(standIn.wait { $0.report.pongs == 1 })
        client.sendText("PING\r\n")
        #expect(try client.receiveDataFrame().text.hasPrefix(":tmi.twitch.tv PONG"))
        #expect(standIn.report.protocolErrors.isEmpty)
    }

    @Test func twitchRefusesANamedNick() throws {
        let standIn = try TwitchChatStandIn()
        defer { standIn.stop() }
        let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: "/")
        client.sendText("CAP REQ :twitch.tv/tags\r\nPASS x\r\nNICK somebody\r\n")
        #expect(client.serverClosed())
        #expect(standIn.wait { $0.report.refusals.first?.contains("NICK somebody") == true })
    }

    // MARK: TwitCasting

    @Test func twitCastingHandsOutAPubSubURLAndSendsJSONArrays() throws {
        let standIn = try TwitCastingChatStandIn(movieID: "820000001", script: ChatScript(messages: 5))
        defer { standIn.stop() }
        let http = try HandWrittenChatClient(port: standIn.server.port)
        let form = "movie_id=820000001&password="
        http.send(Array(("POST /eventpubsuburl.php HTTP/1.1\r\nHost: twitcasting.tv\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         + "Content-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n" + form).utf8))
        var answer: [UInt8] = []
        while let more = try? http.receiveBytes() { answer += more }
        let body = String(decoding: answer, as: UTF8.self).components(separatedBy: "\r\n\r\n").last ?? ""
        let url = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["url"] as? String)
        #expect(url == standIn.chatURL)
        let client = try HandWrittenChatClient.webSocket(port: standIn.server.port, path: URLComponents(string: url)!.path)
        var comments: [[String: Any]] = []
        while comments.count < 5 {
            let array = try #require(try JSONSerialization.jsonObject(with: Data(client.receiveDataFrame().payload)) as? [[String: Any]])
            comments += array
        }
        #expect(comments.map { $0["message"] as? String } == standIn.sent.map(\.text))
        #expect(comments.map { ($0["from_user"] as? [String: Any])?["name"] as? String } == standIn.sent.map(\.userName))
        #expect(throws: HandWrittenChatClient.Failure.self) {
            try HandWrittenChatClient.webSocket(port: standIn.server.port, path: "/event/pubsub/forged")
        }
    }

    // MARK: YouTube

    @Test func youTubeFollowsTheContinuationChain() throws {
        let standIn = try YouTubeChatStandIn(script: ChatScript(messages: 5, kinds: [.chat, .superChat]))
        defer { standIn.stop() }
        func post(_ continuation: String) throws -> (status: Int, json: [String: Any]) {
            let client = try HandWrittenChatClient(port: standIn.server.port)
            let body = #"{"context":{"client":{"clientName":"WEB","clientVersion":"2.20241201.01.00"}},"continuation":"\#(continuation)"}"#
            client.send(Array(("POST \(YouTubeChatStandIn.path)?key=\(YouTubeChatStandIn.apiKey)&prettyPrint=false HTTP/1.1\r\n"
                               + "Host: www.youtube.com\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                               + "Connection: close\r\n\r\n" + body).utf8))
            var answer: [UInt8] = []
            while let more = try? client.receiveBytes() { answer += more }
            let text = String(decoding: answer, as: UTF8.self)
            let status = Int(text.split(separator: " ")[1]) ?? 0
            let json = try JSONSerialization.jsonObject(with: Data((text.components(separatedBy: "\r\n\r\n").last ?? "").utf8))
            return (status, json as? [String: Any] ?? [:])
        }
        var continuation = standIn.initialContinuation
        var texts: [String] = []
        var authors: [String] = []
        var polls = 0
        while texts.count < 5 && polls < 1000 {
            polls += 1
            let (status, json) = try post(continuation)
            #expect(status == 200)
            let live = ((json["continuationContents"] as? [String: Any])?["liveChatContinuation"] as? [String: Any]) ?? [:]
            let next = ((live["continuations"] as? [[String: Any]])?.first?["invalidationContinuationData"] as? [String: Any]) ?? [:]
            #expect(next["timeoutMs"] as? Int == 50)
            continuation = try #require(next["continuation"] as? String)
            for action in live["actions"] as? [[String: Any]] ?? [] {
                let item = ((action["addChatItemAction"] as? [String: Any])?["item"] as? [String: Any]) ?? [:]
                let renderer = (item["liveChatTextMessageRenderer"] ?? item["liveChatPaidMessageRenderer"]) as? [String: Any] ?? [:]
                let runs = (renderer["message"] as? [String: Any])?["runs"] as? [[String: Any]] ?? []
                texts.append(runs.compactMap { $0["text"] as? String }.joined())
                authors.append(((renderer["authorName"] as? [String: Any])?["simpleText"] as? String) ?? "")
            }
        }
        #expect(texts == standIn.sent.map(\.text))
        #expect(authors == standIn.sent.map(\.userName))
        #expect(try post("forged").status == 400)
        #expect(standIn.report.refusals == ["unknown continuation forged"])
    }
}
