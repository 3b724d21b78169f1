import BiliupScript
import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

@Suite struct BilibiliPluginTests {
    static let api = BilibiliFake.api
    static let main = BilibiliFake.main
    static let infoPath = BilibiliFake.infoPath
    static let playPath = BilibiliFake.playPath
    static let nav = BilibiliFake.nav
    static func roomInfo(status: Int, start: Int = 1_699_990_000) -> String { BilibiliFake.roomInfo(status: status, start: start) }
    static func playInfo(qn: Int, fmp4: Bool = true) -> String { BilibiliFake.playInfo(qn: qn, fmp4: fmp4) }
    static func fake(status: Int = 1, start: Int = 1_699_990_000, fmp4: Bool = true) throws -> FakePlatform {
        try BilibiliFake.fake(status: status, start: start, fmp4: fmp4)
    }

    static func error(_ host: PluginHost, _ url: String, options: [String: JSONValue] = [:]) async -> String {
        do {
            _ = try await host.check(url, options: options)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func liveRoomGivesFLVPerCDNWithWBISignedRequests() async throws {
        let fake = try Self.fake()
        let host = shippedHost(fake)
        let r = try await host.check("https://live.bilibili.com/6")
        #expect(r.plugin == "bilibili")
        #expect(r.live)
        #expect(r.title == "2024 LPL 春季赛")
        #expect(r.streamer == "哔哩哔哩英雄联盟赛事")
        #expect(r.cover == "https://i0.hdslb.com/bfs/live/new_room_cover/lpl.jpg")
        #expect(r.streams.map(\.url) == [
            "https://cn-gotcha01.bilivideo.com/live-bvc/738209/live_50329118_bs_3262620_10000.flv?expires=1700003600&len=0&oi=0&pt=web&qn=10000&trid=1000abc&sigparams=cdn,expires,len,oi,pt,qn,trid&cdn=cn-gotcha01&sign=f00d",
            "https://cn-gotcha04.bilivideo.com/live-bvc/738209/live_50329118_bs_3262620_10000.flv?expires=1700003600&len=0&oi=0&pt=web&qn=10000&trid=1000abc&sigparams=cdn,expires,len,oi,pt,qn,trid&cdn=cn-gotcha04&sign=f00d",
        ])
        #expect(r.streams.map(\.cdn) == ["cn-gotcha01", "cn-gotcha04"])
        #expect(r.streams.allSatisfy { $0.format == "flv" && $0.quality == "10000" })
        let headers = r.streams[0].headers
        #expect(headers["Referer"] == "https://live.bilibili.com")
        #expect(headers["User-Agent"]?.contains("Chrome/120.0.0.0") == true)
        #expect(headers["Cookie"] == nil)
        #expect(r.danmaku == ["protocol": .string("bilibili"), "room_id": .int(7734200), "uid": .int(50329118)])

        // nav once for the WBI keys, then the two signed live APIs.
        #expect(fake.requests.map(\.path) == ["/x/web-interface/nav", Self.infoPath, Self.playPath])
        let info = try #require(fake.requests(to: Self.api, Self.infoPath).first)
        // w_rid values from a throwaway Python reference (/tmp, not committed) of the WBI algorithm in
        // biliup wbi.rs / bilibili-API-collect, which reproduces the published example
        // (foo=114&bar=514&zab=1919810, wts=1702204169 -> 8f6f2b5b3d485fe1886cec6a0be8c5d4), run with the keys
        // above and wts = the test clock (1_700_000_000).
        #expect(info.query == ["room_id": "6", "web_location": "444.8", "wts": "1700000000",
                               "w_rid": "40281da9bc6a62c5d9c7ef8e69e8ba96"])
        #expect(info.headers["referer"] == "https://live.bilibili.com/6")
        #expect(info.headers["user-agent"]?.contains("Chrome/120.0.0.0") == true)
        let play = try #require(fake.requests(to: Self.api, Self.playPath).first)
        #expect(play.query == ["room_id": "7734200", "qn": "10000", "platform": "html5", "protocol": "0,1",
                               "format": "0,1,2", "codec": "0", "dolby": "5", "web_location": "444.8",
                               "wts": "1700000000", "w_rid": "c4f1dddd92fba1b8624b5dada596ae92"])
    }

    @Test func qualityCDNAndCookieOptions() async throws {
        let fake = try Self.fake()
        let host = shippedHost(fake)
        let cookie = "SESSDATA=abc%2C123; bili_jct=def; DedeUserID=42"
        let r = try await host.check("https://live.bilibili.com/6?live_from=85001",
                                     options: ["quality": .int(400), "cdn": .string("cn-gotcha04, cn-gotcha01"), "cookie": .string(cookie)])
        #expect(r.streams.map(\.cdn) == ["cn-gotcha04", "cn-gotcha01"])
        #expect(r.streams.allSatisfy { $0.quality == "400" && $0.url.contains("_400.flv?") })
        #expect(r.streams[0].headers["Cookie"] == cookie)
        #expect(r.danmaku?["cookie"] == .string(cookie))
        let play = try #require(fake.requests(to: Self.api, Self.playPath).first)
        // qn=400 signed: same Python reference as above.
        #expect(play.query["qn"] == "400")
        #expect(play.query["w_rid"] == "10b4bdd20e85a2bc728fd417998eeb5a")
        #expect(fake.requests.allSatisfy { $0.headers["cookie"] == cookie })

        // A name works too; the WBI key is cached: no second nav.
        let named = try await host.check("https://live.bilibili.com/6", options: ["qn": .string("蓝光"), "cdn": .array([.string("nowhere"), .string("cn-gotcha04")])])
        #expect(named.streams.first?.cdn == "cn-gotcha04")
        #expect(named.streams.first?.quality == "400")
        #expect(fake.requests(to: Self.main).count == 1)
        #expect(await Self.error(host, "https://live.bilibili.com/6", options: ["quality": .string("best")]).contains("unknown quality"))
    }

    @Test func hlsProtocolGivesFMP4AndWaitsForTranscoding() async throws {
        let fake = try Self.fake()
        let r = try await shippedHost(fake).check("https://live.bilibili.com/6", options: ["protocol": .string("hls"), "cdn": .string("ov-gotcha05")])
        #expect(r.streams.map(\.cdn) == ["ov-gotcha05", "cn-gotcha07"])
        #expect(r.streams.allSatisfy { $0.format == "hls" && $0.url.contains("/index.m3u8?") })

        // No fMP4 yet 30 s after going live: offline for now; 10 min after: fall back to FLV.
        let early = try Self.fake(start: 1_700_000_000 - 30, fmp4: false)
        let waiting = try await shippedHost(early).check("https://live.bilibili.com/6", options: ["protocol": .string("hls")])
        #expect(!waiting.live)
        #expect(waiting.title == "2024 LPL 春季赛")
        let late = try Self.fake(start: 1_700_000_000 - 600, fmp4: false)
        let fallback = try await shippedHost(late).check("https://live.bilibili.com/6", options: ["protocol": .string("hls")])
        #expect(fallback.live)
        #expect(fallback.streams.allSatisfy { $0.format == "flv" })
    }

    @Test func offlineRoomGivesTitleAndStreamer() async throws {
        let fake = try Self.fake(status: 0)
        let r = try await shippedHost(fake).check("https://live.bilibili.com/6")
        #expect(!r.live)
        #expect(r.title == "2024 LPL 春季赛")
        #expect(r.streamer == "哔哩哔哩英雄联盟赛事")
        #expect(r.streams.isEmpty)
        #expect(fake.requests(to: Self.api, Self.playPath).isEmpty)
    }

    @Test func shortLinkFollowsRedirectToTheLiveRoom() async throws {
        let fake = try Self.fake()
        fake.route("b23.tv", "/aBcDeF") { _, w in
            w.send(status: 302, headers: ["Location": "https://live.bilibili.com/6?broadcast_type=0&is_room_feed=1"])
        }
        fake.route("b23.tv", "/video1") { _, w in
            w.send(status: 302, headers: ["Location": "https://www.bilibili.com/video/BV1xx411c7mD"])
        }
        fake.route("live.bilibili.com", "/6") { _, w in w.send(status: 200, headers: ["Content-Type": "text/html"], body: Data("<html></html>".utf8)) }
        fake.route("www.bilibili.com", "/video/BV1xx411c7mD") { _, w in w.send(status: 200, body: Data("<html></html>".utf8)) }
        let host = shippedHost(fake)
        let r = try await host.check("https://b23.tv/aBcDeF")
        #expect(r.live)
        #expect(fake.requests(to: Self.api, Self.infoPath).first?.query["room_id"] == "6")
        #expect(fake.requests(to: Self.api, Self.infoPath).first?.headers["referer"] == "https://live.bilibili.com/6?broadcast_type=0&is_room_feed=1")
        #expect(await Self.error(host, "https://b23.tv/video1").contains("does not lead to a live room"))
    }

    @Test func apiErrorsNameTheRoomMessageAndCode() async throws {
        let fake = try FakePlatform()
        fake.json(Self.main, "/x/web-interface/nav", Self.nav)
        fake.json(Self.api, Self.infoPath, #"{"code":19002000,"message":"获取初始化数据失败","ttl":1,"data":null}"#)
        let host = shippedHost(fake)
        let message = await Self.error(host, "https://live.bilibili.com/99999999")
        #expect(message == "bilibili: room 99999999: getInfoByRoom: 获取初始化数据失败 (code 19002000)")

        // -352 (signature refused): the WBI keys are dropped and fetched again on the next check.
        fake.json(Self.api, Self.infoPath, #"{"code":-352,"message":"-352","ttl":1,"data":{"v_voucher":"voucher_abc"}}"#)
        #expect(await Self.error(host, "https://live.bilibili.com/6").contains("(code -352)"))
        _ = await Self.error(host, "https://live.bilibili.com/6")
        #expect(fake.requests(to: Self.main).count == 2)

        // Risk control answers HTTP 412 with an HTML page.
        fake.route(Self.api, Self.infoPath) { _, w in w.send(status: 412, headers: ["Content-Type": "text/html"], body: Data("<html>412</html>".utf8)) }
        #expect(await Self.error(host, "https://live.bilibili.com/6").contains("room 6: getInfoByRoom answered HTTP 412 with no JSON"))
    }

    /// The published WBI example (bilibili-API-collect docs/misc/sign/wbi.md: keys 7cd08494…/4932caff…,
    /// foo=114 bar=514 zab=1919810 wts=1702204169 → mixin ea1db124af3c7062474693fa704f4ff8,
    /// w_rid 8f6f2b5b3d485fe1886cec6a0be8c5d4; also reproduced by the Python reference) through the
    /// plugin's own signer in lua/lib/bili_wbi.lua.
    @Test func wbiSignerReproducesThePublishedExample() async throws {
        let dir = try PluginPaths.temporary()
        try #"""
        local wbi = require("bili_wbi")
        return {
          name = "wbivector", match = "^test://wbivector/",
          check = function()
            local img = wbi.key_from_url("https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png")
            local sub = wbi.key_from_url("https://i0.hdslb.com/bfs/wbi/4932caff0ff746eab6f01bf08b70ac45.png")
            local mixin = wbi.mixin_key(img, sub)
            local signed = wbi.sign({ foo = "114", bar = "514", zab = 1919810 }, mixin, 1702204169)
            return { live = false, title = mixin, streamer = signed.w_rid, extra = signed }
          end,
        }
        """#.write(toFile: "\(dir)/wbivector.lua", atomically: true, encoding: .utf8)
        let configuration = ScriptConfiguration(pluginDirectories: [PluginPaths.shipped, dir], reloadInterval: .zero)
        let r = try await PluginHost(configuration: configuration).check("test://wbivector/1")
        #expect(r.title == "ea1db124af3c7062474693fa704f4ff8")
        #expect(r.streamer == "8f6f2b5b3d485fe1886cec6a0be8c5d4")
        #expect(r.extra?["wts"] == .string("1702204169"))
        #expect(r.extra?["zab"] == .string("1919810"))
    }
}
