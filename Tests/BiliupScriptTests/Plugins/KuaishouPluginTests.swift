import BiliupScript
import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

@Suite struct KuaishouPluginTests {
    static let home = "live.kuaishou.com"

    /// livedetail for a live room, trimmed from the real shape: representations listed lowest bitrate first.
    static let liveDetail = #"""
    {"data":{"result":1,"isLiving":true,
     "author":{"id":"3xkz5pbfbdvvxxa","name":"快手主播","avatar":"https://p2.a.yximgs.com/a.jpg","description":""},
     "liveStream":{"id":"ZkGoqUp2ZRY","caption":"今晚一起玩","coverUrl":"https://p2.a.yximgs.com/cover.jpg",
      "poster":"https://p2.a.yximgs.com/poster.jpg",
      "playUrls":[{"hideAuto":false,"type":"main","version":"2.0","adaptationSet":{"gopDuration":2000,"representation":[
        {"id":1,"url":"https://cdn.example.com/gifshow/ZkGoqUp2ZRY_hd2000.flv?t=1","bitrate":2000,"qualityType":"STANDARD","level":20,"name":"高清","shortName":"高清","hidden":false,"defaultSelect":false},
        {"id":2,"url":"https://cdn.example.com/gifshow/ZkGoqUp2ZRY_hd4000.flv?t=1","bitrate":4000,"qualityType":"HIGH","level":30,"name":"超清","shortName":"超清","hidden":false,"defaultSelect":true},
        {"id":3,"url":"https://cdn.example.com/gifshow/ZkGoqUp2ZRY_hd8000.flv?t=1","bitrate":8000,"qualityType":"SUPER","level":40,"name":"蓝光 8M","shortName":"蓝光","hidden":false,"defaultSelect":false}
      ]}}]},
     "gameInfo":{"id":"0","name":""}}}
    """#

    static func page(_ body: String) -> String {
        "<!DOCTYPE html><html><head><title>快手直播</title></head><body><div id=\"app\">\(body)</div></body></html>"
    }

    static func fake(page: String, detail: String) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.route(home, "/") { _, w in
            w.send(status: 200, headers: ["Content-Type": "text/html", "Set-Cookie": "did=web_0123456789abcdef; Path=/"],
                   body: Data(Self.page("home").utf8))
        }
        fake.route(home, "/u/3xkz5pbfbdvvxxa") { _, w in
            w.send(status: 200, headers: ["Content-Type": "text/html; charset=utf-8"], body: Data(page.utf8))
        }
        fake.json(home, "/live_api/liveroom/livedetail", detail)
        return fake
    }

    static let noWait: [String: JSONValue] = ["warmup_delay": .int(0)]

    @Test func liveRoomGivesFLVRepresentationsBestFirst() async throws {
        let fake = try Self.fake(page: Self.page("<video></video>"), detail: Self.liveDetail)
        let host = shippedHost(fake)
        var options = Self.noWait
        options["cookie"] = .string("kuaishou.live.web_st=abc; userId=42")
        let r = try await host.check("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa", options: options)
        #expect(r.plugin == "kuaishou")
        #expect(r.live)
        #expect(r.title == "今晚一起玩")
        #expect(r.streamer == "快手主播")
        #expect(r.cover == "https://p2.a.yximgs.com/cover.jpg")
        #expect(r.streams.map(\.url) == [
            "https://cdn.example.com/gifshow/ZkGoqUp2ZRY_hd8000.flv?t=1",
            "https://cdn.example.com/gifshow/ZkGoqUp2ZRY_hd4000.flv?t=1",
            "https://cdn.example.com/gifshow/ZkGoqUp2ZRY_hd2000.flv?t=1",
        ])
        #expect(r.streams.map(\.quality) == ["SUPER", "HIGH", "STANDARD"])
        #expect(r.streams.map(\.bitrate) == [8000, 4000, 2000])
        #expect(r.streams.allSatisfy { $0.format == "flv" })
        #expect(r.streams[0].headers["Referer"] == "https://live.kuaishou.com")
        #expect(r.streams[0].headers["User-Agent"]?.hasPrefix("Mozilla/5.0") == true)

        // Warm-up first, then the page, then the room API; all with the browser headers and the user's cookie.
        let paths = fake.requests(to: Self.home).map(\.path)
        #expect(paths == ["/", "/u/3xkz5pbfbdvvxxa", "/live_api/liveroom/livedetail"])
        let detail = try #require(fake.requests(to: Self.home, "/live_api/liveroom/livedetail").first)
        #expect(detail.query == ["principalId": "3xkz5pbfbdvvxxa"])
        #expect(detail.headers["referer"] == "https://live.kuaishou.com")
        #expect(detail.headers["user-agent"]?.contains("Chrome/") == true)
        // The did cookie the home page set goes back together with the configured cookie.
        let cookie = detail.headers["cookie"] ?? ""
        #expect(cookie.contains("kuaishou.live.web_st=abc"))
        #expect(cookie.contains("userId=42"))
        #expect(fake.requests(to: Self.home, "/").first?.headers["cookie"]?.contains("userId=42") == true)
    }

    @Test func qualityOptionPutsThatRepresentationFirst() async throws {
        let fake = try Self.fake(page: Self.page(""), detail: Self.liveDetail)
        let host = shippedHost(fake)
        var options = Self.noWait
        options["quality"] = .string("high")
        let r = try await host.check("https://live.kuaishou.com/profile/3xkz5pbfbdvvxxa", options: options)
        #expect(r.streams.map(\.quality) == ["HIGH", "SUPER", "STANDARD"])
        options["quality"] = .string("高清")
        let byName = try await host.check("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa", options: options)
        #expect(byName.streams.first?.quality == "STANDARD")
    }

    @Test func shareLinkIsFollowedToTheRoomId() async throws {
        let fake = try Self.fake(page: Self.page(""), detail: Self.liveDetail)
        fake.route("v.kuaishou.com", "/abcd12") { _, w in
            w.send(status: 302, headers: ["Location": "https://live.kuaishou.com/u/3xkz5pbfbdvvxxa?did=x"])
        }
        let host = shippedHost(fake)
        let r = try await host.check("https://v.kuaishou.com/abcd12", options: Self.noWait)
        #expect(r.live)
        #expect(fake.requests(to: Self.home, "/live_api/liveroom/livedetail").first?.query["principalId"] == "3xkz5pbfbdvvxxa")
    }

    @Test func chenzhongtechURLMatches() async throws {
        let fake = try Self.fake(page: Self.page(""), detail: Self.liveDetail)
        let host = shippedHost(fake)
        let r = try await host.check("https://livev.m.chenzhongtech.com/fw/live/3xkz5pbfbdvvxxa?cc=share_copylink", options: Self.noWait)
        #expect(r.plugin == "kuaishou")
        #expect(r.live)
    }

    @Test func offlinePageStopsBeforeTheRoomAPI() async throws {
        let fake = try Self.fake(page: Self.page("<p class=\"tip\">主播尚未开播</p>"), detail: Self.liveDetail)
        let host = shippedHost(fake)
        let r = try await host.check("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa", options: Self.noWait)
        #expect(!r.live)
        #expect(r.streams.isEmpty)
        #expect(fake.requests(to: Self.home, "/live_api/liveroom/livedetail").isEmpty)
    }

    @Test func result671IsOffline() async throws {
        let fake = try Self.fake(page: Self.page(""), detail: #"{"data":{"result":671,"author":{"name":"快手主播"}}}"#)
        let r = try await shippedHost(fake).check("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa", options: Self.noWait)
        #expect(!r.live)
        #expect(r.streamer == "快手主播")
    }

    @Test func unknownRoomAndOtherCodesAreErrors() async throws {
        let fake = try Self.fake(page: Self.page(""), detail: #"{"data":{"result":22}}"#)
        do {
            _ = try await shippedHost(fake).check("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa", options: Self.noWait)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room 3xkz5pbfbdvvxxa: no such room (code 22)"))
        }
        let risk = try Self.fake(page: Self.page(""), detail: #"{"data":{"result":2,"error_msg":"请求过快，请稍后重试"}}"#)
        do {
            _ = try await shippedHost(risk).check("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa", options: Self.noWait)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("请求过快，请稍后重试 (code 2)"))
        }
        let changed = try Self.fake(page: Self.page(""), detail: #"{"data":{"result":1,"liveStream":{"caption":"x","playUrls":[]}}}"#)
        do {
            _ = try await shippedHost(changed).check("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa", options: Self.noWait)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("playUrls.1.adaptationSet.representation"))
        }
    }
}
