import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The shipped missevan plugin against a fake fm.missevan.com serving api/v2/live/<room> in its real
/// shape (`{"code":0,"info":{"room":{...,"status":{"open":1},"channel":{flv_pull_url,hls_pull_url}},"creator":{...}}}`).
@Suite struct MissevanPluginTests {
    static let api = "fm.missevan.com"

    static func room(open: Int) -> String {
        """
        {"code":0,"info":{
          "room":{"room_id":868858,"catalog_id":105,"name":"睡前故事","announcement":"每晚十点",
                  "creator_id":3456789,"creator_username":"小鱼干","cover_url":"https://static.maoercdn.com/cover.png",
                  "status":{"open":\(open),"open_time":1699990000000,"broadcasting":\(open == 1)},
                  "channel":{"flv_pull_url":"https://live-pull.maoercdn.com/live/868858.flv?auth=x",
                             "hls_pull_url":"https://live-pull.maoercdn.com/live/868858/index.m3u8?auth=x",
                             "rtmp_pull_url":"rtmp://live-pull.maoercdn.com/live/868858"},
                  "statistics":{"online":321}},
          "creator":{"user_id":3456789,"username":"小鱼干","iconurl":"https://static.maoercdn.com/avatar.png"}}}
        """
    }

    @Test func liveRoomGivesFlvFirst() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/v2/live/868858", Self.room(open: 1))
        let r = try await shippedHost(fake).check("https://fm.missevan.com/live/868858")
        #expect(r.plugin == "missevan")
        #expect(r.live)
        #expect(r.title == "睡前故事")
        #expect(r.streamer == "小鱼干")
        #expect(r.cover == "https://static.maoercdn.com/cover.png")
        #expect(r.streams.map(\.url) == ["https://live-pull.maoercdn.com/live/868858.flv?auth=x",
                                         "https://live-pull.maoercdn.com/live/868858/index.m3u8?auth=x"])
        #expect(r.streams.map(\.format) == ["flv", "hls"])
        #expect(r.streams[0].headers["Referer"] == "https://fm.missevan.com/")
        #expect(r.danmaku == ["protocol": .string("missevan"), "room": .string("868858")])
        let req = try #require(fake.requests.first)
        #expect(fake.requests.count == 1)
        #expect((req.host, req.method, req.path) == (Self.api, "GET", "/api/v2/live/868858"))
        #expect(req.headers["referer"] == "https://fm.missevan.com/live/868858")
    }

    @Test func protocolHlsAndUserPageRoomLookup() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/v2/live/868858", Self.room(open: 1))
        // A user's home page carries the room number in a data-id attribute.
        fake.route("www.missevan.com", "/3456789") { _, w in
            w.send(status: 200, headers: ["Content-Type": "text/html"],
                   body: Data(#"<html><div class="live-entry" data-id="868858" data-type="live">直播中</div></html>"#.utf8))
        }
        let r = try await shippedHost(fake).check("https://www.missevan.com/3456789", options: ["protocol": .string("hls")])
        #expect(r.streams.map(\.format) == ["hls", "flv"])
        #expect(fake.requests.map(\.path) == ["/3456789", "/api/v2/live/868858"])
    }

    @Test func offlineRoom() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/v2/live/868858", Self.room(open: 0))
        let r = try await shippedHost(fake).check("https://www.missevan.com/live/868858")
        #expect(!r.live)
        #expect(r.title == "睡前故事")
        #expect(r.streamer == "小鱼干")
        #expect(r.streams.isEmpty)
    }

    @Test func unknownRoomIsAnError() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/v2/live/1", #"{"code":500030004,"info":"直播间不存在"}"#)
        let error = await checkError(shippedHost(fake), "https://fm.missevan.com/live/1")
        #expect(error?.kind == .runtime)
        #expect(error?.description == "missevan: room 1: 直播间不存在 (code 500030004)")
    }

    @Test func changedShapeNamesTheField() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/v2/live/2", #"{"code":0,"info":{"room":{"name":"x","status":{}}}}"#)
        let error = await checkError(shippedHost(fake), "https://fm.missevan.com/live/2")
        #expect(error?.message.hasSuffix("status.open: expected number, got nil") == true)
    }
}
