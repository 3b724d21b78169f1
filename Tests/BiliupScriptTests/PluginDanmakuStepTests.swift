import BiliupNet
import BiliupScript
import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

extension JSONValue {
    /// A table's field, for reading step answers in these tests.
    fileprivate subscript(field: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[field] }
        return nil
    }
}

/// The plugins' `danmaku(params, opts)` steps, run by the host against fake platforms: what each returns
/// for the chat client, and the requests it made to get there.
@Suite struct PluginDanmakuStepTests {
    static let danmuInfoPath = "/xlive/web-room/v1/index/getDanmuInfo"
    static let danmuInfo = #"""
    {"code":0,"message":"0","ttl":1,"data":{"group":"live","business_id":0,"refresh_row_factor":0.125,
     "refresh_rate":100,"max_delay":5000,"token":"tok_EN+/=",
     "host_list":[{"host":"zj-cn-live-comet.chat.bilibili.com","port":2243,"wss_port":2245,"ws_port":2244},
                  {"host":"broadcastlv.chat.bilibili.com","port":2243,"wss_port":443,"ws_port":2244}]}}
    """#

    static func bilibiliFake() throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.json(BilibiliFake.main, "/x/web-interface/nav", BilibiliFake.nav)
        fake.json(BilibiliFake.api, danmuInfoPath, danmuInfo)
        return fake
    }

    @Test func bilibiliSignsGetDanmuInfoAndAuthenticatesAsTheViewer() async throws {
        let fake = try Self.bilibiliFake()
        let cookie = "SESSDATA=abc%2C1; bili_jct=def; DedeUserID=42; DedeUserID__ckMd5=ff"
        let connection = try await shippedHost(fake).danmakuConnection(plugin: "bilibili", parameters: [
            "protocol": "bilibili", "room_id": 7_734_200, "uid": 50_329_118, "cookie": .string(cookie)])
        #expect(connection["url"] == "wss://zj-cn-live-comet.chat.bilibili.com:2245/sub")
        #expect(connection["protocol"] == "bilibili")
        #expect(connection["room_id"] == 7_734_200)
        // The viewer's mid from the cookie, not the anchor's uid of the check result.
        #expect(connection["uid"] == 42)
        #expect(connection["token"] == "tok_EN+/=")
        let headers = try #require(connection["headers"])
        guard case .string(let sent)? = headers["Cookie"] else { Issue.record("no Cookie header"); return }
        #expect(sent.hasPrefix("buvid3=") && sent.hasSuffix("infoc; " + cookie))
        #expect(headers["Origin"] == "https://live.bilibili.com")

        let request = try #require(fake.requests(to: BilibiliFake.api, Self.danmuInfoPath).first)
        // w_rid = md5("id=7734200&type=0&web_location=444.8&wts=1700000000" + mixin key
        // ea1db124af3c7062474693fa704f4ff8 of the nav keys), computed with Python's hashlib.
        #expect(request.query == ["id": "7734200", "type": "0", "web_location": "444.8", "wts": "1700000000",
                                  "w_rid": "91e55b525695ecd6a606d8560657a27b"])
        #expect(request.headers["cookie"]?.hasSuffix(cookie) == true)
        #expect(request.headers["referer"] == "https://live.bilibili.com/7734200")
    }

    @Test func bilibiliAnonymousViewerIsZeroWithAMadeUpBuvid() async throws {
        let fake = try Self.bilibiliFake()
        let host = shippedHost(fake)
        let first = try await host.danmakuConnection(plugin: "bilibili", parameters: ["protocol": "bilibili", "room_id": 7_734_200])
        #expect(first["uid"] == 0)
        guard case .string(let cookie)? = first["headers"]?["Cookie"] else { Issue.record("no Cookie header"); return }
        #expect(cookie.range(of: #"^buvid3=[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}infoc$"#,
                             options: .regularExpression) != nil)
        // Reconnects ask again (a fresh token) but keep the same browser id.
        let second = try await host.danmakuConnection(plugin: "bilibili", parameters: ["protocol": "bilibili", "room_id": 7_734_200])
        #expect(second["headers"]?["Cookie"] == .string(cookie))
        #expect(fake.requests(to: BilibiliFake.api, Self.danmuInfoPath).count == 2)
    }

    @Test func bilibiliRefusalNamesTheAPIAndCode() async throws {
        let fake = try FakePlatform()
        fake.json(BilibiliFake.main, "/x/web-interface/nav", BilibiliFake.nav)
        fake.json(BilibiliFake.api, Self.danmuInfoPath, #"{"code":-352,"message":"-352","data":null}"#)
        let result = await shippedHost(fake).danmakuConnectionResult(plugin: "bilibili", parameters: ["room_id": 1])
        guard case .failure(let error) = result else { Issue.record("expected a failure"); return }
        #expect(error.source == "bilibili")
        #expect(error.message.contains("room 1: getDanmuInfo: -352 (code -352)"))
    }

    @Test func fixedEndpointsForDouyuHuyaAndTwitch() async throws {
        let host = shippedHost(try FakePlatform())
        let douyu = try await host.danmakuConnection(plugin: "douyu", parameters: ["protocol": "douyu", "room_id": 9999])
        #expect(douyu == ["protocol": "douyu", "url": "tcp://danmuproxy.douyu.com:8601", "room_id": 9999])
        let huya = try await host.danmakuConnection(plugin: "huya", parameters: [
            "protocol": "huya", "room_id": "11342412", "presenter_uid": 1_199_561_166_123])
        #expect(huya["url"] == "wss://cdnws.api.huya.com/")
        #expect(huya["presenter_uid"] == 1_199_561_166_123)
        #expect(huya["headers"]?["Origin"] == "https://www.huya.com")
        let twitch = try await host.danmakuConnection(plugin: "twitch", parameters: ["protocol": "twitch", "channel": "some_one"])
        #expect(twitch == ["protocol": "twitch", "url": "wss://irc-ws.chat.twitch.tv:443", "channel": "some_one"])
    }

    @Test func twitCastingAsksPubSubForTheCommentSocket() async throws {
        let fake = try FakePlatform()
        fake.json("twitcasting.tv", "/eventpubsuburl.php", #"{"url":"wss:\/\/pubsub.twitcasting.tv\/event\/v1\/ws?token=x&movie_id=790123456"}"#)
        let connection = try await shippedHost(fake).danmakuConnection(plugin: "twitcasting", parameters: [
            "protocol": "twitcasting", "movie_id": "790123456", "password": "ひみつ"], options: ["password": "ひみつ"])
        #expect(connection["url"] == "wss://pubsub.twitcasting.tv/event/v1/ws?token=x&movie_id=790123456")
        #expect(connection["movie_id"] == "790123456")
        let request = try #require(fake.requests(to: "twitcasting.tv", "/eventpubsuburl.php").first)
        #expect(request.method == "POST")
        #expect(request.form == ["movie_id": "790123456", "password": "ひみつ"])
        #expect(request.headers["referer"] == "https://twitcasting.tv/")
        #expect(request.headers["cookie"]?.contains("wpass=") == true)

        let broken = try FakePlatform()
        broken.json("twitcasting.tv", "/eventpubsuburl.php", status: 403, "{}")
        let result = await shippedHost(broken).danmakuConnectionResult(plugin: "twitcasting", parameters: ["movie_id": "1"])
        guard case .failure(let error) = result else { Issue.record("expected a failure"); return }
        #expect(error.message == "movie 1: eventpubsuburl.php answered HTTP 403")
    }

    static let liveChatPage = #"""
    <!DOCTYPE html><html><head><script>ytcfg.set({"INNERTUBE_API_KEY":"AIzaTestKey_-1","INNERTUBE_CLIENT_VERSION":"2.20261130.01.00","HL":"en"});</script>
    <script>window["ytInitialData"] = {"contents":{"liveChatRenderer":{"continuations":[{"invalidationContinuationData":{"invalidationId":{"objectSource":1056},"timeoutMs":10000,"continuation":"0ofMyTOP"}}],
    "header":{"liveChatHeaderRenderer":{"viewSelector":{"sortFilterSubMenuRenderer":{"subMenuItems":[
      {"title":"Top chat","selected":true,"continuation":{"reloadContinuationData":{"continuation":"0ofMyTOP"}}},
      {"title":"Live chat","selected":false,"continuation":{"reloadContinuationData":{"continuation":"0ofMyALL"}}}]}}}}}}};</script>
    </head><body></body></html>
    """#

    @Test func youTubeReadsTheChatPage() async throws {
        let fake = try FakePlatform()
        fake.route("www.youtube.com", "/live_chat") { _, w in
            w.send(status: 200, headers: ["Content-Type": "text/html; charset=utf-8"], body: Data(Self.liveChatPage.utf8))
        }
        let connection = try await shippedHost(fake).danmakuConnection(plugin: "youtube", parameters: [
            "protocol": "youtube", "video_id": "abcDEF12_-x", "channel_id": "UCaaaaaaaaaaaaaaaaaaaaaa"])
        #expect(connection["url"] == "https://www.youtube.com/youtubei/v1/live_chat/get_live_chat?key=AIzaTestKey_-1")
        #expect(connection["continuation"] == "0ofMyALL")
        #expect(connection["client_version"] == "2.20261130.01.00")
        #expect(connection["video_id"] == "abcDEF12_-x")
        #expect(connection["protocol"] == "youtube")
        let request = try #require(fake.requests(to: "www.youtube.com", "/live_chat").first)
        #expect(request.query == ["is_popout": "1", "v": "abcDEF12_-x"])
        #expect(request.headers["cookie"]?.contains("SOCS=CAI") == true)

        let off = try FakePlatform()
        off.route("www.youtube.com", "/live_chat") { _, w in
            w.send(status: 200, body: Data("<html><script>var ytInitialData = {\"contents\":{\"messageRenderer\":{}}};</script></html>".utf8))
        }
        let result = await shippedHost(off).danmakuConnectionResult(plugin: "youtube", parameters: ["video_id": "abcDEF12_-x"])
        guard case .failure(let error) = result else { Issue.record("expected a failure"); return }
        #expect(error.message == "video abcDEF12_-x: the live_chat page names no continuation (chat off?)")
    }

    @Test func douyinSignsTheChatURL() async throws {
        let connection = try await shippedHost(try FakePlatform()).danmakuConnection(plugin: "douyin", parameters: [
            "protocol": "douyin", "room_id": "7300000000000000001", "cookie": "ttwid=1%7Cabc; odin_ttid=x;",
            "user_agent": "Mozilla/5.0 Chrome/142.0.0.0 Safari/537.36"])
        guard case .string(let url)? = connection["url"] else { Issue.record("no url"); return }
        #expect(url.hasPrefix("wss://webcast100-ws-web-lq.douyin.com/webcast/im/push/v2/?app_name=douyin_web&compress=gzip&"))
        let components = try #require(URLComponents(string: url))
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        #expect(query["room_id"] == "7300000000000000001")
        #expect(query["browser_version"] == "142.0.0.0")
        #expect(query["version_code"] == "180800" && query["identity"] == "audience" && query["aid"] == "6383")
        let uniqueID = try #require(query["user_unique_id"].flatMap { UInt64($0) })
        #expect(uniqueID >= 7_300_000_000_000_000_000 && uniqueID < 8_000_000_000_000_000_000)
        #expect(connection["headers"]?["Cookie"] == "ttwid=1%7Cabc; odin_ttid=x;")
        #expect(connection["headers"]?["User-Agent"] == "Mozilla/5.0 Chrome/142.0.0.0 Safari/537.36")

        // Undo the signature by hand: 12 bytes in X-Bogus's alphabet; byte 1 is the RC4 key of the rest.
        let signature = try #require(query["signature"])
        let stub = Digest.hex(Digest.md5(Array(("live_id=1,aid=6383,version_code=180800,webcast_sdk_version=1.0.15,"
            + "room_id=7300000000000000001,sub_room_id=,sub_channel_id=,did_rule=3,user_unique_id=\(uniqueID),"
            + "device_platform=web,device_type=,ac=,identity=audience").utf8)))
        let tail = Array(Digest.md5(Self.unhex(stub)).suffix(2))
        let bytes = try #require(Self.xBogusBytes(signature))
        #expect(bytes.count == 12)
        #expect(bytes[0] & 0xE0 == 0x40)
        let payload = Self.rc4(key: [bytes[1]], Array(bytes[2...]))
        #expect(Array(payload[0..<6]) == [1, 0, 1, 0x0E, 0x45, 0x3F])
        #expect(Array(payload[6..<8]) == tail)
        #expect(payload[8] == bytes[1])
        #expect(payload[9] == payload[0..<9].reduce(0, ^))
    }

    static func unhex(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func xBogusBytes(_ text: String) -> [UInt8]? {
        let alphabet = Array("Dkdpgh4ZKsQB80/Mfvw36XI1R25+WUAlEi7NLboqYTOPuzmFjJnryx9HVGcaStCe")
        var bits: UInt32 = 0, count = 0
        var out: [UInt8] = []
        for character in text {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8((bits >> UInt32(count)) & 0xFF))
            }
        }
        return out
    }

    static func rc4(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var s = Array(0...255).map { UInt8($0) }
        var j = 0
        for i in 0..<256 {
            j = (j + Int(s[i]) + Int(key[i % key.count])) % 256
            s.swapAt(i, j)
        }
        var i = 0
        j = 0
        return data.map { byte in
            i = (i + 1) % 256
            j = (j + Int(s[i])) % 256
            s.swapAt(i, j)
            return byte ^ s[(Int(s[i]) + Int(s[j])) % 256]
        }
    }

    // MARK: The host's contract

    @Test func aMissingStepOrABadAnswerIsNamed() async throws {
        let (host, _) = try makeHost([
            "nostep": plugin("nostep", "return { live = false }"),
            "nourl": """
            return { name = "nourl", match = { "^test://nourl/" }, check = function() return { live = false } end,
                     danmaku = function(params, opts) return { token = params.room .. opts.suffix } end,
                     defaults = { suffix = "!" } }
            """,
            "echo": """
            return { name = "echo", match = { "^test://echo/" }, check = function() return { live = false } end,
                     danmaku = function(params, opts)
                       return { url = "wss://chat.example.com/" .. params.room, mode = opts.mode, protocol = "echo2" }
                     end }
            """,
            "broken": """
            return { name = "broken", match = { "^test://broken/" }, check = function() return { live = false } end, danmaku = 5 }
            """,
        ])
        func error(_ name: String) async -> String {
            if case .failure(let e) = await host.danmakuConnectionResult(plugin: name, parameters: ["room": "r1"]) { return e.description }
            return "no error"
        }
        #expect(await error("nostep") == "nostep: plugin nostep has no danmaku step")
        #expect(await error("nourl") == "nourl: danmaku returned url: expected a string, got nil")
        #expect(await error("broken") == "plugins: no plugin named broken")
        #expect(await host.catalog().failures.first?.message == "danmaku: expected function")
        let echoed = try await host.danmakuConnection(plugin: "echo", parameters: ["room": "r1", "protocol": "echo"],
                                                      options: ["mode": "fast"])
        #expect(echoed == ["url": "wss://chat.example.com/r1", "mode": "fast", "protocol": "echo2"])
    }

    @Test func theStepRunsUnderTheCheckLimits() async throws {
        let (host, _) = try makeHost([
            "spin": """
            return { name = "spin", match = { "^test://spin/" }, check = function() return { live = false } end,
                     danmaku = function() while true do end end }
            """,
        ], limits: ScriptLimits(instructions: 1_000_000))
        guard case .failure(let error) = await host.danmakuConnectionResult(plugin: "spin", parameters: [:]) else {
            Issue.record("the runaway step was not stopped"); return
        }
        #expect(error.kind == .limit && error.source == "spin")
    }
}
