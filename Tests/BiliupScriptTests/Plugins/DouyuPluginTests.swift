import BiliupScript
import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

@Suite struct DouyuPluginTests {
    static let web = "www.douyu.com"
    static let mobile = "m.douyu.com"
    static let keyPath = "/wgapi/livenc/liveweb/websec/getEncryption"
    static let playPath = "/lapi/live/getH5PlayV1/288016"

    /// Counts calls across a fake's handlers.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }

    /// m.douyu.com/<name>: the room data sits in the page's JSON (vike_pageContext), trimmed.
    static let mobilePage = #"""
    <!DOCTYPE html><html><head><meta charset="utf-8"><title>英雄联盟赛事的直播间_斗鱼直播</title></head><body><div id="root"></div>
    <script id="vike_pageContext" type="application/json">{"pageProps":{"room":{"roomInfo":{"roomInfo":{"rid":288016,"roomName":"LPL 春季赛","nickname":"英雄联盟赛事","isLive":1,"roomSrc":"https://rpic.douyucdn.cn/a.png"}}}},"urlOriginal":"/lpl"}</script>
    </body></html>
    """#

    static func betard(showStatus: Int, videoLoop: Int = 0) -> String {
        #"""
        {"room":{"room_id":288016,"room_pic":"https://rpic.douyucdn.cn/asrpic/231114/288016_1419.png/dy1",
         "room_src":"https://rpic.douyucdn.cn/asrpic/231114/288016_1419.png","owner_uid":26590587,"owner_name":"英雄联盟赛事",
         "nickname":"英雄联盟赛事","room_name":"LPL 春季赛","show_status":\#(showStatus),"videoLoop":\#(videoLoop),
         "show_time":1699990000,"status":"1","isVip":0,"cate_id":1,"second_lvl_name":"英雄联盟",
         "avatar":{"big":"https://apic.douyucdn.cn/upload/avatar_v3/big.jpg","middle":"","small":""}},
         "game":{"tag_name":"英雄联盟","tag_id":1},"vipId":0}
        """#
    }

    static func key(randStr: String, encTime: Int, key: String, special: Int, encData: String) -> String {
        #"{"error":0,"msg":"","data":{"rand_str":"\#(randStr)","enc_time":\#(encTime),"key":"\#(key)","is_special":\#(special),"enc_data":"\#(encData)","expire_at":1700003600}}"#
    }

    static let firstKey = key(randStr: "1f6b2a1ce9", encTime: 2, key: "b4c3d2e1f0a9", special: 0, encData: "ENC1")
    static let secondKey = key(randStr: "77e0a6c5d4", encTime: 3, key: "a1b2c3d4e5f6", special: 1, encData: "ENC2")

    /// getH5PlayV1 for the cdn and rate of the form, as the real API answers them.
    static func play(cdn: String, rate: String) -> String {
        #"""
        {"error":0,"msg":"ok","data":{"room_id":288016,"is_mixed":false,"mixed_live":"","mixed_url":"",
         "rtmp_cdn":"\#(cdn)","rtmp_url":"https://\#(cdn).douyucdn2.cn/live",
         "rtmp_live":"288016rEIVDZsvFT_\#(rate).flv?wsAuth=0f1e&token=web-h5-0-288016-abc&logo=0&expire=0&did=10000000000000000000000000001501&pt=2&st=0&sid=1&mcid2=0&origrate=0&fcdn=hw&fo=0&ver=Douyu_new",
         "rate":\#(rate),"multirates":[{"name":"原画","rate":0,"highBit":1,"bit":8000,"diamondFan":0},
          {"name":"蓝光4M","rate":4,"highBit":0,"bit":4000,"diamondFan":0},{"name":"超清","rate":3,"highBit":0,"bit":2000,"diamondFan":0},
          {"name":"高清","rate":2,"highBit":0,"bit":900,"diamondFan":0}],
         "cdnsWithName":[{"name":"主线路","cdn":"hw-h5","isH265":false},{"name":"备用线路5","cdn":"ali-h5","isH265":false},
          {"name":"备用线路6","cdn":"tct-h5","isH265":false}],
         "p2p":0,"p2pMeta":[],"streamStatus":1,"smt":0,"isPassPlayer":0,"eticket":null,"online":0,"rateSwitch":1}}
        """#
    }

    static func fake(showStatus: Int = 1, videoLoop: Int = 0,
                     play: (@Sendable (FakePlatform.Request, ResponseWriter) -> Void)? = nil) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.route(mobile, "/lpl") { _, w in w.send(status: 200, headers: ["Content-Type": "text/html"], body: Data(mobilePage.utf8)) }
        fake.json(web, "/betard/288016", betard(showStatus: showStatus, videoLoop: videoLoop))
        let keys = Counter()
        fake.route(web, keyPath) { _, w in
            let body = keys.next() == 1 ? firstKey : secondKey
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
        }
        fake.route(web, playPath, play ?? { r, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"],
                   body: Data(Self.play(cdn: r.form["cdn"] ?? "", rate: r.form["rate"] ?? "").utf8))
        })
        return fake
    }

    static func error(_ host: PluginHost, _ url: String = "https://www.douyu.com/topic/lpl?rid=288016") async -> String {
        do {
            let r = try await host.check(url)
            return "no error, live \(r.live)"
        } catch {
            return error.description
        }
    }

    @Test func liveRoomByNameGivesFLVWithSignedPlayRequest() async throws {
        let fake = try Self.fake()
        let host = shippedHost(fake)
        let r = try await host.check("https://www.douyu.com/lpl")
        #expect(r.plugin == "douyu")
        #expect(r.live)
        #expect(r.title == "LPL 春季赛")
        #expect(r.streamer == "英雄联盟赛事")
        #expect(r.cover == "https://rpic.douyucdn.cn/asrpic/231114/288016_1419.png/dy1")
        let stream = try #require(r.streams.first)
        #expect(r.streams.count == 1)
        #expect(stream.url == "https://hw-h5.douyucdn2.cn/live/288016rEIVDZsvFT_0.flv?wsAuth=0f1e&token=web-h5-0-288016-abc&logo=0&expire=0&did=10000000000000000000000000001501&pt=2&st=0&sid=1&mcid2=0&origrate=0&fcdn=hw&fo=0&ver=Douyu_new")
        #expect(stream.format == "flv")
        #expect(stream.quality == "原画")
        #expect(stream.cdn == "hw-h5")
        #expect(stream.headers["Referer"] == "https://www.douyu.com")
        #expect(r.danmaku == ["protocol": .string("douyu"), "room_id": .int(288016)])

        #expect(fake.requests.map(\.path) == ["/lpl", "/betard/288016", Self.keyPath, Self.playPath])
        #expect(fake.requests(to: Self.web, "/betard/288016").first?.headers["referer"] == "https://www.douyu.com")
        let keyRequest = try #require(fake.requests(to: Self.web, Self.keyPath).first)
        #expect(keyRequest.query == ["did": "10000000000000000000000000001501"])
        let ua = try #require(keyRequest.headers["user-agent"])
        #expect(ua.hasPrefix("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/1"))
        let post = try #require(fake.requests(to: Self.web, Self.playPath).first)
        #expect(post.method == "POST")
        #expect(post.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(post.headers["referer"] == "https://www.douyu.com")
        #expect(post.headers["user-agent"] == ua) // enc_data is bound to the UA that fetched it
        // auth from a throwaway Python reference (/tmp, not committed) of biliup douyu.rs sign_stream:
        // s = "1f6b2a1ce9"; twice s = md5(s + "b4c3d2e1f0a9"); md5(s + "b4c3d2e1f0a9" + "288016" + "1700000000").
        #expect(post.form == ["cdn": "hw-h5", "rate": "0", "ver": "Douyu_new", "iar": "0", "ive": "0", "rid": "288016",
                              "hevc": "0", "fa": "0", "sov": "0", "enc_data": "ENC1", "tt": "1700000000",
                              "did": "10000000000000000000000000001501", "auth": "b39bf4e7038b679f3efdfaf523138987"])

        // Again: room id and key come from the cache (the key is good until expire_at 1700003600).
        _ = try await host.check("https://www.douyu.com/lpl")
        #expect(fake.requests(to: Self.mobile).count == 1)
        #expect(fake.requests(to: Self.web, Self.keyPath).count == 1)
        #expect(fake.requests(to: Self.web, Self.playPath).count == 2)
    }

    @Test func cdnAndRateOptions() async throws {
        let fake = try Self.fake()
        let host = shippedHost(fake)
        let r = try await host.check("https://www.douyu.com/topic/lpl?rid=288016", options: ["cdn": .string("ali-h5"), "rate": .int(2)])
        #expect(r.streams.first?.cdn == "ali-h5")
        #expect(r.streams.first?.quality == "高清")
        #expect(r.streams.first?.url.hasPrefix("https://ali-h5.douyucdn2.cn/live/288016rEIVDZsvFT_2.flv?") == true)
        #expect(fake.requests(to: Self.mobile).isEmpty) // ?rid= needs no lookup
        let form = try #require(fake.requests(to: Self.web, Self.playPath).first).form
        #expect(form["cdn"] == "ali-h5")
        #expect(form["rate"] == "2")

        let named = try await host.check("https://m.douyu.com/lpl", options: ["quality": .string("蓝光4M")])
        #expect(named.streams.first?.quality == "蓝光4M")
        #expect(fake.requests(to: Self.web, Self.playPath).last?.form["rate"] == "4")
    }

    @Test func refusedAuthRetriesOnceWithAFreshKey() async throws {
        let calls = Counter()
        let fake = try Self.fake { r, w in
            if calls.next() == 1 {
                w.send(status: 403, headers: ["Content-Type": "text/html"], body: Data("鉴权失败".utf8))
            } else {
                w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(Self.play(cdn: r.form["cdn"] ?? "", rate: "0").utf8))
            }
        }
        let r = try await shippedHost(fake).check("https://www.douyu.com/288016")
        #expect(r.live)
        #expect(fake.requests(to: Self.web, Self.keyPath).count == 2)
        let posts = fake.requests(to: Self.web, Self.playPath)
        #expect(posts.map { $0.form["enc_data"] } == ["ENC1", "ENC2"])
        // Second key is "special": no rid+ts salt. Python reference as above:
        // s = "77e0a6c5d4"; three times s = md5(s + "a1b2c3d4e5f6"); md5(s + "a1b2c3d4e5f6").
        #expect(posts.map { $0.form["auth"] } == ["b39bf4e7038b679f3efdfaf523138987", "a39f78cdf3a67893f0a3757feb8ae4b0"])

        // Refused again with the fresh key: an error, not a loop.
        let always = try Self.fake { _, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"error":-1,"msg":"鉴权失败","data":null}"#.utf8))
        }
        #expect(await Self.error(shippedHost(always)).contains("refused the auth"))
        #expect(always.requests(to: Self.web, Self.playPath).count == 2)
    }

    @Test func scdnAnswerAsksAgainForARegularCDN() async throws {
        let fake = try Self.fake { r, w in
            let cdn = r.form["cdn"] == "hw-h5" ? "scdnctshh" : (r.form["cdn"] ?? "")
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(Self.play(cdn: cdn, rate: "0").utf8))
        }
        let r = try await shippedHost(fake).check("https://www.douyu.com/288016")
        #expect(r.streams.first?.cdn == "tct-h5")
        #expect(fake.requests(to: Self.web, Self.playPath).map { $0.form["cdn"] } == ["hw-h5", "tct-h5"])
    }

    /// force_hs + hs-h5: the huos URL first (built as biliup's douyu.rs unit test
    /// build_huos_url_rewrites_fcdn_and_appends_secret expects), the plain URL after it.
    @Test func forceHsBuildsTheHuosURLFromATxSecret() async throws {
        let fake = try Self.fake { _, w in
            let body = Self.play(cdn: "hs-h5", rate: "0")
                .replacingOccurrences(of: "https://hs-h5.douyucdn2.cn/live", with: "https://hw3.douyucdn2.cn/live")
                .replacingOccurrences(of: #"288016rEIVDZsvFT_0.flv?wsAuth=0f1e&token=web-h5-0-288016-abc&logo=0&expire=0&did=10000000000000000000000000001501&pt=2&st=0&sid=1&mcid2=0&origrate=0&fcdn=hw&fo=0&ver=Douyu_new"#,
                                      with: "6925114rIDrEEuKo.flv?wsAuth=auth&fcdn=hw&isp=")
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
        }
        // The first P2P API is down; the second answers.
        fake.route("sdkapiv4.douyucdn.cn", "/p2p/get_txsecret") { _, w in w.send(status: 502, body: Data("bad gateway".utf8)) }
        fake.json("sdkapi.douyucdn.cn", "/p2p/get_txsecret", #"{"xp2p_txSecret":"secret","xp2p_txTime":"time"}"#)
        let host = shippedHost(fake)
        let options: [String: JSONValue] = ["cdn": .string("hs-h5"), "force_hs": .bool(true)]
        let r = try await host.check("https://www.douyu.com/288016", options: options)
        #expect(r.streams.map(\.url) == [
            "http://openflv-huos.douyucdn2.cn/live/6925114rIDrEEuKo.xs?wsAuth=auth&fcdn=hs&isp=&txSecret=secret&txTime=time&domain=hdltctwk.douyucdn.cn",
            "https://hw3.douyucdn2.cn/live/6925114rIDrEEuKo.flv?wsAuth=auth&fcdn=hw&isp=",
        ])
        #expect(r.streams.allSatisfy { $0.format == "flv" })
        #expect(fake.requests(to: "sdkapi.douyucdn.cn").first?.query == ["lid": "6925114rIDrEEuKo"])

        // Without force_hs: the plain URL only, no P2P API call.
        let plain = try await host.check("https://www.douyu.com/288016", options: ["cdn": .string("hs-h5")])
        #expect(plain.streams.count == 1)
        #expect(fake.requests(to: "sdkapi.douyucdn.cn").count == 1)
    }

    @Test func offlineAndReplayRooms() async throws {
        let offline = try Self.fake(showStatus: 2)
        let r = try await shippedHost(offline).check("https://www.douyu.com/lpl")
        #expect(!r.live)
        #expect(r.title == "LPL 春季赛")
        #expect(r.streamer == "英雄联盟赛事")
        #expect(offline.requests(to: Self.web, Self.keyPath).isEmpty)

        let replay = try Self.fake(showStatus: 1, videoLoop: 1)
        #expect(try await shippedHost(replay).check("https://www.douyu.com/lpl").live == false)

        // betard says live but the play API says the room closed (-5): offline too.
        let closed = try Self.fake { _, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"error":-5,"msg":"房间未开播","data":""}"#.utf8))
        }
        #expect(try await shippedHost(closed).check("https://www.douyu.com/lpl").live == false)

        // disable_interactive_game: a room running an interactive game counts as offline.
        let game = try Self.fake()
        game.json(Self.web, "/api/interactive/web/v2/list", #"{"error":0,"msg":"","data":[{"id":1001,"name":"互动游戏","status":1}]}"#)
        let gameHost = shippedHost(game)
        #expect(try await gameHost.check("https://www.douyu.com/lpl", options: ["disable_interactive_game": .bool(true)]).live == false)
        #expect(game.requests(to: Self.web, "/api/interactive/web/v2/list").first?.query == ["rid": "288016"])
        #expect(try await gameHost.check("https://www.douyu.com/lpl").live)
    }

    @Test func errorsNameTheRoomMessageAndCode() async throws {
        let clock = try Self.fake { _, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"error":-9,"msg":"时间戳错误","data":""}"#.utf8))
        }
        #expect(await Self.error(shippedHost(clock)) == "douyu: room 288016: getH5PlayV1: this computer's clock is wrong, douyu refused the timestamp (code -9)")
        let region = try Self.fake { _, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"error":126,"msg":"版权原因，该地区不允许播放","data":""}"#.utf8))
        }
        #expect(await Self.error(shippedHost(region)) == "douyu: room 288016: getH5PlayV1: not available in this region (版权原因): 版权原因，该地区不允许播放 (code 126)")

        // A vanity name the mobile site does not know.
        let unknown = try FakePlatform()
        unknown.route(Self.mobile, "/nosuchroom") { _, w in w.send(status: 404, headers: ["Content-Type": "text/html"], body: Data("<html>404</html>".utf8)) }
        #expect(await Self.error(shippedHost(unknown), "https://www.douyu.com/nosuchroom") == "douyu: room nosuchroom: not found (m.douyu.com answered HTTP 404 without a room id)")

        // getEncryption refusing.
        let keyError = try Self.fake()
        keyError.json(Self.web, Self.keyPath, #"{"error":-1,"msg":"参数错误","data":null}"#)
        #expect(await Self.error(shippedHost(keyError)) == "douyu: room 288016: getEncryption: 参数错误 (code -1)")
    }
}
