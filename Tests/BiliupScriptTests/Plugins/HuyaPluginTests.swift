import BiliupValues
import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The huya plugin against a fake www.huya.com (room pages with TT_ROOM_DATA / hyPlayerConfig.stream) and
/// fake WUP endpoints that decode the Tars getCdnTokenInfoEx request and answer a Tars response.
///
/// Expected wsSecret/seqid/wsTime/u values were computed once with a throwaway Python port of biliup's
/// `Huya.build_anticode` (biliup/plugins/huya.py: md5, base64 and rotl64 exactly as there) for
/// now = 1_700_000_000 s (shippedHost's clock), uid = lPresenterUid 1346609715.
@Suite struct HuyaPluginTests {
    static let uid = 1346609715
    static let streamName = "1346609715-1346609715-5783651272634941440-2693342886-10057-A-0-1-imgplus"
    /// base64("DWq8BcJ3h6DJt6TY_$0_$1_$2_$3"), percent-encoded as on the page.
    static let fm = "RFdxOEJjSjNoNkRKdDZUWV8kMF8kMV8kMl8kMw%3D%3D"
    /// wsTime 0x6553f100 = now: too close, so the plugin pushes it to now + 24 h = 0x65554280.
    static let wupToken = "wsSecret=9d4c1e0f&wsTime=6553f100&fm=\(fm)&ctype=huya_live&t=100&fs=bgct"
    /// wsTime 0x65540e10 = now + 7440 s: far enough, kept.
    static let pageAnticode = "wsSecret=11111111&wsTime=65540e10&fm=\(fm)&ctype=huya_live&fs=bgct&t=100"
    static let wupHosts = ["wup.huya.com", "snmhuya.yst.aisee.tv"]

    static func streamInfo(_ cdn: String, priority: Int) -> String {
        let host = cdn.lowercased()
        return #"""
        {"sCdnType":"\#(cdn)","iIsMaster":0,"lChannelId":\#(uid),"lSubChannelId":\#(uid),"lPresenterUid":\#(uid),"sStreamName":"\#(streamName)","sFlvUrl":"http://\#(host).flv.huya.com/src","sFlvUrlSuffix":"flv","sFlvAntiCode":"\#(pageAnticode)","sHlsUrl":"http://\#(host).hls.huya.com/src","sHlsUrlSuffix":"m3u8","sHlsAntiCode":"\#(pageAnticode)","iLineIndex":1,"iIsMultiStream":0,"iPCPriorityRate":\#(priority),"iWebPriorityRate":\#(priority),"iMobilePriorityRate":\#(priority),"vFlvIPList":[],"iIsP2PSupport":0,"sP2pUrl":"http://\#(host).p2p.huya.com/huyalive","sP2pUrlSuffix":"slice","sP2pAntiCode":"\#(pageAnticode)","lFreeFlag":0,"iIsHEVCSupport":0,"vP2pIPList":[],"mpExtArgs":{},"lTimespan":"1700000000"}
        """#
    }

    /// A room page as www.huya.com serves it (trimmed): TT_ROOM_DATA, TT_PROFILE_INFO, and hyPlayerConfig with
    /// `stream: {...}` followed by more player fields and the `};` that closes the config.
    static func page(state: String = "ON", title: String = "Tom &amp; Jerry {决赛}", streams: String? = nil) -> String {
        let list = streams ?? [streamInfo("AL", priority: 10), streamInfo("TX", priority: 20), streamInfo("HY", priority: 100),
                               streamInfo("HW", priority: 5), streamInfo("WS", priority: -1)].joined(separator: ",")
        let stream = state == "ON" ? #"""
            {"data":[{"gameLiveInfo":{"uid":\#(uid),"sex":1,"gameFullName":"英雄联盟","gameHostName":"lol","startTime":1699990000,"activityId":0,"level":40,"totalCount":123456,"roomName":"","isSecret":0,"cameraOpen":0,"liveChannel":\#(uid),"bussType":1,"yyid":1234,"screenshot":"http://live-cover.msstatic.com/huyalive/x.jpg","activityCount":0,"privateHost":"yanzi","recommendStatus":0,"nick":"燕子","shortChannel":0,"avatar180":"http://huyaimg.msstatic.com/avatar/a.jpg","gid":1,"channel":\#(uid),"introduction":"\#(title)","profileHomeHost":"yanzi","liveSourceType":0,"screenType":1,"bitRate":10000,"gameType":0,"attendeeCount":1000,"multiStreamFlag":1,"codecType":0,"liveCompatibleFlag":0,"profileRoom":11342412,"liveId":"7302123456789012345","recommendTagName":"","contentIntro":""},"gameStreamInfoList":[\#(list)]}],"count":1,"vMultiStreamInfo":[{"sDisplayName":"蓝光10M","iBitRate":0,"iCodecType":0,"iCompatibleFlag":0,"iHEVCBitRate":-1},{"sDisplayName":"超清","iBitRate":4000,"iCodecType":0,"iCompatibleFlag":0,"iHEVCBitRate":-1},{"sDisplayName":"流畅","iBitRate":500,"iCodecType":0,"iCompatibleFlag":0,"iHEVCBitRate":-1}],"iWebDefaultBitRate":10000,"iFrameRate":60}
            """# : "null"
        return #"""
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>燕子-虎牙直播</title>
        <script>
        var TT_META_DATA = {"time":1700000000,"updateTime":1};
        var TT_ROOM_DATA = {"type":"NORMAL","state":"\#(state)","isOn":\#(state == "ON"),"isOff":\#(state != "ON"),"isReplay":false,"isPayRoom":0,"isSecret":0,"id":"11342412","sid":"11342412","channel":"\#(uid)","liveChannel":"\#(uid)","liveId":"7302123456789012345","shortChannel":0,"isBluRay":1,"gameFullName":"英雄联盟","gameHostName":"lol","screenType":1,"startTime":1699990000,"totalCount":123456,"cameraOpen":0,"liveCompatibleFlag":0,"bussType":1,"isPlatinum":1,"screenshot":"http://live-cover.msstatic.com/huyalive/x.jpg","previewUrl":"","gameId":0,"liveSourceType":0,"privateHost":"yanzi","profileRoom":"11342412","recommendStatus":0,"popular":0,"gid":1,"introduction":"\#(title)","isRedirectHuya":0,"isShowMmsProgramList":0};
        var TT_PROFILE_INFO = {"sex":1,"lp":\#(uid),"aid":0,"yyid":1234,"nick":"燕子","avatar":"http://huyaimg.msstatic.com/avatar/a.jpg","fans":1000,"freezeLevel":0,"host":"yanzi","profileLink":"https://www.huya.com/yanzi"};
        var TT_PLAYER_CFG = {"flashAdvanceVersion":"-1","flashDomain":"//hyplayer.msstatic.com/"};
        </script></head><body><div id="player-wrap"></div>
        <script>
        var hyPlayerConfig = {
                html5: 1,
                WEBYYHOST: "https://www.huya.com",
                vappid: 10057,
                stream: \#(stream),
                liveLineUrl: "Ly9hbC5mbHYuaHV5YS5jb20vc3Jj"
            };
        </script></body></html>
        """#
    }

    static func servePage(_ fake: FakePlatform, _ path: String, _ html: String) {
        fake.route("www.huya.com", path) { _, w in
            w.send(status: 200, headers: ["Content-Type": "text/html; charset=utf-8"], body: Data(html.utf8))
        }
    }

    /// A getCdnTokenInfoEx answer: 4-byte length, RequestPacket v3 whose sBuffer is map{"tRsp": GetCdnTokenExRsp}.
    static func wupResponse(token: String) -> Data {
        let rsp = Tars.encode([(0, .structure([(0, .string(token)), (1, .int(1_700_086_400))]))])
        let payload = Tars.encode([(0, .map([(.string("tRsp"), .bytes(rsp))]))])
        let packet = Tars.encode([(1, .int(3)), (2, .int(0)), (3, .int(0)), (4, .int(1)), (5, .string("liveui")),
                                  (6, .string("getCdnTokenInfoEx")), (7, .bytes(payload)), (8, .int(0)), (9, .map([])),
                                  (10, .map([]))])
        return Data(withUnsafeBytes(of: UInt32(packet.count + 4).bigEndian) { Array($0) } + packet)
    }

    static func serveWup(_ fake: FakePlatform, status: Int = 200, body: Data) {
        for (host, path) in [("wup.huya.com", "/"), ("snmhuya.yst.aisee.tv", "/liveui/getCdnTokenInfoEx")] {
            fake.route(host, path) { _, w in w.send(status: status, headers: ["Content-Type": "application/octet-stream"], body: body) }
        }
    }

    struct WupCall { var servant: String?; var function: String?; var version: TarsValue?; var streamName: String?
                     var ua: String?; var appId: TarsValue? }

    /// Decodes the plugin's WUP request body as the server would.
    static func decodeWup(_ body: Data) throws -> WupCall {
        let bytes = Array(body)
        #expect(bytes.count > 4 && Int(UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])) == bytes.count)
        func field(_ fields: [(Int, TarsValue)], _ tag: Int) -> TarsValue? { fields.first { $0.0 == tag }?.1 }
        let packet = try Tars.decode(Array(bytes[4...]))
        var call = WupCall(servant: field(packet, 5)?.text, function: field(packet, 6)?.text, version: field(packet, 1))
        guard case .bytes(let payload)? = field(packet, 7),
              case .map(let entries)? = field(try Tars.decode(payload), 0),
              let entry = entries.first, entry.0 == .string("tReq"), case .bytes(let reqBytes) = entry.1,
              case .structure(let req)? = field(try Tars.decode(reqBytes), 0) else { return call }
        call.streamName = field(req, 1)?.text
        call.appId = field(req, 4)
        if case .structure(let tid)? = field(req, 3) { call.ua = field(tid, 3)?.text }
        return call
    }

    static func wupRequests(_ fake: FakePlatform) -> [FakePlatform.Request] {
        wupHosts.flatMap { fake.requests(to: $0) }
    }

    @Test func liveRoomSignsTheWupTokenAndOrdersCdnsByPriority() async throws {
        let fake = try FakePlatform()
        Self.servePage(fake, "/11342412", Self.page())
        Self.serveWup(fake, body: Self.wupResponse(token: Self.wupToken))
        let host = shippedHost(fake)
        let r = try await host.check("https://www.huya.com/11342412")

        #expect(r.plugin == "huya" && r.live)
        #expect(r.title == "Tom & Jerry {决赛}")  // &amp; unescaped; the braces do not cut the JSON short
        #expect(r.streamer == "燕子")
        #expect(r.cover == "https://live-cover.msstatic.com/huyalive/x.jpg")
        #expect(r.danmaku == ["protocol": .string("huya"), "room_id": .string("11342412"), "presenter_uid": .int(Int64(Self.uid))])

        // The page request.
        let pageRequest = try #require(fake.requests(to: "www.huya.com", "/11342412").first)
        #expect(pageRequest.headers["user-agent"]?.contains("Chrome/") == true)
        #expect(pageRequest.headers["referer"] == "https://www.huya.com/11342412")

        // Exactly one WUP call, to one of the two endpoints, carrying the servant, function and stream name.
        let calls = Self.wupRequests(fake)
        #expect(calls.count == 1)
        let wire = try #require(calls.first)
        #expect(wire.method == "POST")
        let call = try Self.decodeWup(wire.body)
        #expect(call.servant == "liveui")
        #expect(call.function == "getCdnTokenInfoEx")
        #expect(call.version == .int(3))
        #expect(call.streamName == Self.streamName)
        #expect(call.appId == .int(66))
        let ua = try #require(call.ua)
        #expect(["adr&", "ios&", "huya_nftv&", "pc_exe&"].contains { ua.hasPrefix($0) } && ua.contains("&official"))
        // Same packet head as biliup's golden request bytes (huya_wup.rs GOLDEN_REQ): iVersion 3, cPacketType 0,
        // iMessageType 0, iRequestId 1, "liveui", "getCdnTokenInfoEx"; and the same tail (iTimeout 0, two empty maps).
        let hex = Array(wire.body).map { String(format: "%02x", $0) }.joined()
        #expect(hex.dropFirst(8).hasPrefix("10032c3c400156066c6976657569661167657443646e546f6b656e496e666f45787d00"))
        #expect(hex.hasSuffix("0b8c980ca80c"))

        // Streams: TX (20), AL (10), HW (5); HY is Huya's own CDN and WS has a negative priority.
        #expect(r.streams.map(\.cdn) == ["TX", "AL", "HW"])
        // Python reference: wsSecret 45f4d49476b84bc802ca9183366d26b1, wsTime 65554280 (now + 24 h, the token's
        // was too close), seqid 1701346609715 (uid + now ms), u 1134703440 (rotl64(uid)).
        let query = "wsSecret=45f4d49476b84bc802ca9183366d26b1&wsTime=65554280&seqid=1701346609715&ctype=huya_live&ver=1"
            + "&fs=bgct&fm=\(Self.fm)&t=100&u=1134703440&codec=264"
        #expect(r.streams.map(\.url) == ["tx", "al", "hw"].map { "https://\($0).flv.huya.com/src/\(Self.streamName).flv?\(query)" })
        #expect(r.streams.allSatisfy { $0.format == "flv" && $0.quality == "origin" })
        #expect(r.streams[0].headers["Referer"] == "https://www.huya.com/")
        #expect(r.streams[0].headers["User-Agent"]?.contains("Chrome/") == true)
    }

    @Test func pageAnticodeWhenWupFailsWithCdnProtocolAndMaxRatio() async throws {
        let fake = try FakePlatform()
        Self.servePage(fake, "/11342412", Self.page())
        Self.serveWup(fake, status: 500, body: Data("busy".utf8))
        let host = shippedHost(fake)
        let r = try await host.check("https://m.huya.com/11342412?from=share",
                                     options: ["cdn": .string("hw"), "protocol": .string("hls"), "max_ratio": .int(4500)])
        #expect(r.live)
        #expect(Self.wupRequests(fake).count == 1)
        // cdn=hw first, then the priority order.
        #expect(r.streams.map(\.cdn) == ["HW", "TX", "AL"])
        // Python reference over the page's sHlsAntiCode: wsTime 65540e10 kept (7440 s ahead), wsSecret below.
        // max_ratio 4500: the best bitrate on offer not above it is 4000 (0 means the original 10000).
        let query = "wsSecret=42ee857fd1bf91a9d568d390ce85d41f&wsTime=65540e10&seqid=1701346609715&ctype=huya_live&ver=1"
            + "&fs=bgct&fm=\(Self.fm)&t=100&u=1134703440&codec=264&ratio=4000"
        #expect(r.streams[0].url == "https://hw.hls.huya.com/src/\(Self.streamName).m3u8?\(query)")
        #expect(r.streams.allSatisfy { $0.format == "hls" && $0.quality == "4000" && $0.bitrate == 4000 })
    }

    @Test func imgplusOffStripsTheStreamNameAndCodecOption() async throws {
        let fake = try FakePlatform()
        Self.servePage(fake, "/11342412", Self.page())
        Self.serveWup(fake, body: Self.wupResponse(token: Self.wupToken))
        let host = shippedHost(fake)
        let r = try await host.check("https://www.huya.com/11342412",
                                     options: ["imgplus": .bool(false), "codec": .string("265")])
        let plain = Self.streamName.replacingOccurrences(of: "-imgplus", with: "")
        #expect(try Self.decodeWup(try #require(Self.wupRequests(fake).first).body).streamName == plain)
        // Python reference for the stripped name: wsSecret 3aedd844c9834f1f3ba3a9b64e3253ff.
        #expect(r.streams[0].url == "https://tx.flv.huya.com/src/\(plain).flv?wsSecret=3aedd844c9834f1f3ba3a9b64e3253ff"
            + "&wsTime=65554280&seqid=1701346609715&ctype=huya_live&ver=1&fs=bgct&fm=\(Self.fm)&t=100&u=1134703440&codec=265")
    }

    /// biliup's golden getCdnTokenInfoEx response (huya_wup.rs GOLDEN_RSP, made by its Python Tars library).
    @Test func decodesBiliupsGoldenWupResponse() async throws {
        let golden = "0000009210032c3c400156066c6976657569661167657443646e546f6b656e496e666f45787d0000640800010604745273701d0000570a064e77735365637265743d61626331323326777354696d653d36366626666d3d6447567a6446397a64484a6c5957302533442663747970653d687579615f6c69766526743d3130302666733d62676374126553f0ff0b8c980ca80c"
        var bytes: [UInt8] = []
        var index = golden.startIndex
        while index < golden.endIndex {
            let next = golden.index(index, offsetBy: 2)
            bytes.append(UInt8(golden[index..<next], radix: 16)!)
            index = next
        }
        let fake = try FakePlatform()
        Self.servePage(fake, "/11342412", Self.page())
        Self.serveWup(fake, body: Data(bytes))
        let r = try await shippedHost(fake).check("https://www.huya.com/11342412")
        // Token "wsSecret=abc123&wsTime=66f&fm=dGVzdF9zdHJlYW0%3D&ctype=huya_live&t=100&fs=bgct" (prefix "test");
        // Python reference: wsSecret aa5b8e2dbc99ab4a44b5ea0c9f5d4c34, wsTime pushed to 65554280.
        #expect(r.streams[0].url == "https://tx.flv.huya.com/src/\(Self.streamName).flv?wsSecret=aa5b8e2dbc99ab4a44b5ea0c9f5d4c34"
            + "&wsTime=65554280&seqid=1701346609715&ctype=huya_live&ver=1&fs=bgct&fm=dGVzdF9zdHJlYW0%3D&t=100&u=1134703440&codec=264")
    }

    @Test func nameUrlOfflineRoom() async throws {
        let fake = try FakePlatform()
        Self.servePage(fake, "/yanzi", Self.page(state: "OFF", title: "今晚八点见"))
        let r = try await shippedHost(fake).check("https://www.huya.com/yanzi")
        #expect(!r.live)
        #expect(r.title == "今晚八点见")
        #expect(r.streamer == "燕子")
        #expect(r.streams.isEmpty)
        #expect(fake.requests(to: "www.huya.com", "/yanzi").count == 1)
        #expect(Self.wupRequests(fake).isEmpty)
    }

    @Test func replayTitleAndEmptyStreamListAreOffline() async throws {
        let fake = try FakePlatform()
        Self.servePage(fake, "/1", Self.page(title: "【回放】昨天的比赛"))
        Self.servePage(fake, "/2", Self.page(streams: ""))
        let host = shippedHost(fake)
        let replay = try await host.check("https://www.huya.com/1")
        #expect(!replay.live && replay.title == "【回放】昨天的比赛")
        #expect(try await host.check("https://www.huya.com/2").live == false)
    }

    @Test func unknownStreamerIsAnError() async throws {
        let fake = try FakePlatform()
        Self.servePage(fake, "/nobody", """
            <!DOCTYPE html><html><head><title>虎牙直播</title></head><body>
            <div class="error-page"><p class="tip">找不到这个主播，看看其他精彩直播吧</p></div></body></html>
            """)
        await #expect {
            try await shippedHost(fake).check("https://www.huya.com/nobody")
        } throws: { error in
            "\(error)".contains("room nobody: 找不到这个主播")
        }
    }
}
