import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct InkePluginTests {
    static let api = "webapi.busi.inke.cn"
    static let path = "/web/live_share_pc"
    static let room = "https://www.inke.cn/liveroom/index.html?uid=725866599&id=1700000000123456"

    /// live_share_pc for a room on air, trimmed from the real shape.
    static let live = #"""
    {"error_code":0,"message":"","data":{"status":1,"live_name":"深夜电台","share_addr":"https://mlive.inke.cn/share/live.html?uid=725866599",
     "live_addr":[{"stream_addr":"https://pull.example.com/live/1700000000123456.flv?ikDnsOp=1","hls_stream_addr":"https://pull.example.com/live/1700000000123456/playlist.m3u8","rtmp_stream_addr":"rtmp://pull.example.com/live/1700000000123456"}],
     "media_info":{"nick":"小鹿","portrait":"https://img.example.com/p.jpg","level":30,"gender":0},
     "file":{"title":"深夜电台","pic":"https://img.example.com/cover.jpg","record_url":""}}}
    """#

    static func fake(_ body: String) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.json(api, path, body)
        return fake
    }

    @Test func liveRoomGivesFLVFirstThenHLS() async throws {
        let fake = try Self.fake(Self.live)
        let r = try await shippedHost(fake).check(Self.room)
        #expect(r.plugin == "inke")
        #expect(r.live)
        #expect(r.title == "深夜电台")
        #expect(r.streamer == "小鹿")
        #expect(r.cover == "https://img.example.com/cover.jpg")
        #expect(r.streams.map(\.url) == ["https://pull.example.com/live/1700000000123456.flv?ikDnsOp=1",
                                         "https://pull.example.com/live/1700000000123456/playlist.m3u8"])
        #expect(r.streams.map(\.format) == ["flv", "hls"])
        #expect(r.streams[0].headers["Referer"] == "https://www.inke.cn/")
        #expect(r.extra?["live_id"] == .string("1700000000123456"))
        let request = try #require(fake.requests(to: Self.api, Self.path).first)
        #expect(request.method == "GET")
        #expect(request.query == ["uid": "725866599"])
        #expect(request.headers["user-agent"]?.hasPrefix("Mozilla/5.0") == true)
    }

    @Test func hlsProtocolPutsTheHLSAddressFirst() async throws {
        let fake = try Self.fake(Self.live)
        let r = try await shippedHost(fake).check(Self.room, options: ["protocol": .string("hls")])
        #expect(r.streams.map(\.format) == ["hls", "flv"])
        #expect(r.streams.first?.url == "https://pull.example.com/live/1700000000123456/playlist.m3u8")
    }

    @Test func booleanStatusAndOfflineRoom() async throws {
        let on = try Self.fake(#"{"error_code":0,"data":{"status":true,"live_name":"x","live_addr":[{"stream_addr":"https://pull.example.com/a.flv"}]}}"#)
        #expect(try await shippedHost(on).check(Self.room).streams.map(\.url) == ["https://pull.example.com/a.flv"])
        let off = try Self.fake(#"{"error_code":0,"message":"","data":{"status":0,"live_name":"","live_addr":[],"media_info":{"nick":"小鹿"},"file":{"title":"昨天的直播"}}}"#)
        let r = try await shippedHost(off).check(Self.room)
        #expect(!r.live)
        #expect(r.title == "昨天的直播")
        #expect(r.streamer == "小鹿")
    }

    @Test func errorCodesAndBadURLs() async throws {
        let fake = try Self.fake(#"{"error_code":404,"message":"用户不存在","data":{}}"#)
        do {
            _ = try await shippedHost(fake).check(Self.room)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room 725866599: 用户不存在 (code 404)"))
        }
        let noAddr = try Self.fake(#"{"error_code":0,"data":{"status":1,"live_name":"x"}}"#)
        do {
            _ = try await shippedHost(noAddr).check(Self.room)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("live_addr.1: expected table, got nil"))
        }
        do {
            _ = try await shippedHost(fake).check("https://www.inke.cn/liveroom/index.html")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .notRoom && error.message.contains("not a live room URL"))
        }
    }
}
