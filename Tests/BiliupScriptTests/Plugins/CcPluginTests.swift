import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct CcPluginTests {
    static let api = "api.cc.163.com"
    static let lives = "/v1/activitylives/anchor/lives"
    static let site = "cc.163.com"
    static let channelPath = "/live/channel/"

    /// anchor/lives for an anchor on air: the entry carries channel_id and more.
    static let onAir = #"{"code":"OK","data":{"361433":{"ccid":361433,"channel_id":60233087,"room_id":361433,"gametype":65005,"cuteid":361433,"live_type":1}}}"#

    /// live/channel for that channel, trimmed from the real shape.
    static let channel = #"""
    {"code":"OK","data":[{"channel_id":60233087,"ccid":361433,"title":"周末唱歌","nickname":"阿楠",
     "cover":"https://img.example.com/cc/cover.jpg","gametype":65005,
     "sharefile":"https://hls.example.com/cc/60233087/index.m3u8?sign=1",
     "quickplay":{"priority":["ali","ks","ws"],"resolution":{
       "high":{"vbr":2000,"cdn":{"ks":"https://ks.example.com/cc/60233087_2000.flv","ali":"https://ali.example.com/cc/60233087_2000.flv"}},
       "original":{"vbr":4000,"cdn":{"ws":"https://ws.example.com/cc/60233087_4000.flv","ali":"https://ali.example.com/cc/60233087_4000.flv","ks":"https://ks.example.com/cc/60233087_4000.flv"}},
       "standard":{"vbr":1000,"cdn":{"ali":"https://ali.example.com/cc/60233087_1000.flv"}}}}}]}
    """#

    static func fake(lives: String = onAir, channel: String = channel) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.json(api, Self.lives, lives)
        fake.json(site, channelPath, channel)
        return fake
    }

    @Test func defaultIsTheHLSSharefileThenFLVFallbacks() async throws {
        let fake = try Self.fake()
        let r = try await shippedHost(fake).check("https://cc.163.com/361433/")
        #expect(r.plugin == "cc")
        #expect(r.live)
        #expect(r.title == "周末唱歌")
        #expect(r.streamer == "阿楠")
        #expect(r.streams.first?.url == "https://hls.example.com/cc/60233087/index.m3u8?sign=1")
        #expect(r.streams.first?.format == "hls")
        #expect(r.streams.count == 7)
        #expect(r.streams.dropFirst().allSatisfy { $0.format == "flv" })
        #expect(r.extra?["channel_id"] == .string("60233087"))

        let a = try #require(fake.requests(to: Self.api, Self.lives).first)
        #expect(a.query == ["anchor_ccid": "361433"])
        #expect(a.headers["user-agent"]?.hasPrefix("Mozilla/5.0") == true)
        let c = try #require(fake.requests(to: Self.site, Self.channelPath).first)
        #expect(c.query == ["channelids": "60233087"])
    }

    @Test func flvProtocolGivesHighestVbrFirstAndCdnOptionOrdersWithinALevel() async throws {
        let fake = try Self.fake()
        let host = shippedHost(fake)
        let flv = try await host.check("https://cc.163.com/361433", options: ["protocol": .string("flv")])
        #expect(flv.streams.map(\.url) == [
            "https://ali.example.com/cc/60233087_4000.flv",
            "https://ks.example.com/cc/60233087_4000.flv",
            "https://ws.example.com/cc/60233087_4000.flv",
            "https://ali.example.com/cc/60233087_2000.flv",
            "https://ks.example.com/cc/60233087_2000.flv",
            "https://ali.example.com/cc/60233087_1000.flv",
            "https://hls.example.com/cc/60233087/index.m3u8?sign=1",
        ])
        #expect(flv.streams.first?.quality == "original")
        #expect(flv.streams.first?.cdn == "ali")
        #expect(flv.streams.first?.bitrate == 4000)

        let ws = try await host.check("https://cc.163.com/361433", options: ["protocol": .string("flv"), "cdn": .string("ws")])
        #expect(ws.streams.prefix(3).map(\.cdn) == ["ws", "ali", "ks"])
        #expect(ws.streams[3].cdn == "ali")
    }

    @Test func offlineAnchorHasOnlyItsId() async throws {
        let fake = try Self.fake(lives: #"{"code":"OK","data":{"361433":{"ccid":361433}}}"#)
        let r = try await shippedHost(fake).check("https://cc.163.com/361433")
        #expect(!r.live)
        #expect(r.streams.isEmpty)
        #expect(fake.requests(to: Self.site, Self.channelPath).isEmpty)
    }

    @Test func apiErrorsAndEmptyChannel() async throws {
        let refused = try Self.fake(lives: #"{"code":"PARAM_ERROR","msg":"anchor_ccid invalid"}"#)
        do {
            _ = try await shippedHost(refused).check("https://cc.163.com/361433")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room 361433: anchor_ccid invalid (code PARAM_ERROR)"))
        }
        let empty = try Self.fake(channel: #"{"code":"OK","data":[]}"#)
        do {
            _ = try await shippedHost(empty).check("https://cc.163.com/361433")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room 361433: channel 60233087 not found"))
        }
    }
}
