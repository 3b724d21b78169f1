import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The shipped kilakila plugin against a fake live.kilakila.cn serving getRoomInfo's real shape
/// (`{"h":{code,msg,...},"b":{status,title,hlsPlayUrl,flvPlayUrl,backPic,...}}`).
@Suite struct KilakilaPluginTests {
    static let api = "live.kilakila.cn"
    static let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

    static func room(status: Int, code: Int = 200, msg: String = "成功") -> String {
        """
        {"h":{"code":\(code),"msg":"\(msg)","t":1700000000000},
         "b":{"roomId":102345,"status":\(status),"title":"深夜电台","backPic":"https://img.kilakila.cn/back.jpg",
              "defaultBackgroundPicUrl":"https://img.kilakila.cn/bg.jpg",
              "hlsPlayUrl":"https://hls.kilakila.cn/live/102345.m3u8","flvPlayUrl":"https://flv.kilakila.cn/live/102345.flv",
              "onlineNum":88}}
        """
    }

    @Test func liveRoomGivesHlsFirstThenFlv() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/LiveRoom/getRoomInfo", Self.room(status: 4))
        let host = shippedHost(fake)
        let r = try await host.check("https://live.kilakila.cn/PcLive/index/detail/102345")
        #expect(r.plugin == "kilakila")
        #expect(r.live)
        #expect(r.title == "深夜电台")
        #expect(r.cover == "https://img.kilakila.cn/back.jpg")
        #expect(r.streams.map(\.url) == ["https://hls.kilakila.cn/live/102345.m3u8", "https://flv.kilakila.cn/live/102345.flv"])
        #expect(r.streams.map(\.format) == ["hls", "flv"])
        #expect(r.streams[0].quality == "origin")
        #expect(r.streams[0].headers == ["User-Agent": Self.ua, "Referer": "https://live.kilakila.cn/"])
        #expect(r.danmaku == ["protocol": .string("kilakila"), "room": .string("102345")])

        let req = try #require(fake.requests(to: Self.api, "/LiveRoom/getRoomInfo").first)
        #expect(req.method == "GET")
        #expect(req.query == ["roomId": "102345"])
        #expect(req.headers["referer"] == "https://live.kilakila.cn/")
        #expect(req.headers["user-agent"] == Self.ua)
    }

    @Test func protocolFlvPutsFlvFirstAndHongdouUrlsWork() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/LiveRoom/getRoomInfo", Self.room(status: 4))
        let host = shippedHost(fake)
        let r = try await host.check("https://www.hongdoufm.com/room/102345?from=share", options: ["protocol": .string("flv")])
        #expect(r.streams.map(\.format) == ["flv", "hls"])
        #expect(r.streams[0].url == "https://flv.kilakila.cn/live/102345.flv")
        #expect(fake.requests(to: Self.api).first?.query["roomId"] == "102345")
    }

    @Test func offlineRoomKeepsTitle() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/LiveRoom/getRoomInfo", Self.room(status: 0))
        let r = try await shippedHost(fake).check("https://live.kilakila.cn/room/102345")
        #expect(!r.live)
        #expect(r.title == "深夜电台")
        #expect(r.streams.isEmpty)
        #expect(fake.requests.count == 1)
    }

    @Test func apiErrorIsReportedWithCode() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/LiveRoom/getRoomInfo", #"{"h":{"code":404,"msg":"房间不存在","t":1700000000000},"b":{}}"#)
        let host = shippedHost(fake)
        let error = await checkError(host, "https://live.kilakila.cn/room/999")
        #expect(error?.kind == .runtime)
        #expect(error?.description == "kilakila: room 999: 房间不存在 (code 404)")
        // A URL without a room id is refused before any request.
        #expect(await checkError(host, "https://live.kilakila.cn/")?.message.hasPrefix("not a live room URL") == true)
        #expect(fake.requests.count == 1)
    }

    @Test func changedShapeNamesTheField() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/LiveRoom/getRoomInfo", #"{"h":{"code":200},"b":{"state":4}}"#)
        let error = await checkError(shippedHost(fake), "https://live.kilakila.cn/room/1")
        #expect(error?.message.hasSuffix("status: expected number, got nil") == true)
    }
}
