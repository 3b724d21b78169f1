import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The shipped yy plugin against a fake stream-manager.yy.com answering /v3/channel/streams in its
/// real shape (`avp_info_res.stream_line_addr.<line>.cdn_info.url` while live, no `avp_info_res` offline).
@Suite struct YYPluginTests {
    static let api = "stream-manager.yy.com"
    static let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/106.0.0.0 Safari/537.36"

    static let live = """
        {"result":0,"ver":1,"channel_stream_info":{"cid":54880976,"sid":54880976,"streams":[{"stream_key":"yycg_54880976","ver":1}]},
         "avp_info_res":{"result":0,"line_seq":3,
           "stream_line_addr":{
             "12":{"line_seq":12,"cdn_info":{"url":"https://hw-flv.yy.com/live/yycg_54880976.flv?secret=b","cdn_type":2}},
             "3":{"line_seq":3,"cdn_info":{"url":"https://aliyun-flv.yy.com/live/yycg_54880976.flv?secret=a","cdn_type":1}}},
           "stream_line_list":{"yycg_54880976":{"lines":[{"line_seq":3},{"line_seq":12}]}}}}
        """

    @Test func liveRoomPostsThePlayerDescriptionAndGivesEveryLine() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/v3/channel/streams", Self.live)
        let r = try await shippedHost(fake).check("https://www.yy.com/54880976/54880976")
        #expect(r.plugin == "yy")
        #expect(r.live)
        #expect(r.streams.map(\.url) == ["https://aliyun-flv.yy.com/live/yycg_54880976.flv?secret=a",
                                         "https://hw-flv.yy.com/live/yycg_54880976.flv?secret=b"])
        #expect(r.streams.map(\.cdn) == ["3", "12"])
        #expect(r.streams.allSatisfy { $0.format == "flv" && $0.headers == ["Referer": "https://www.yy.com/", "User-Agent": Self.ua] })
        #expect(r.danmaku == ["protocol": .string("yy"), "sid": .string("54880976"), "ssid": .string("54880976")])

        let req = try #require(fake.requests(to: Self.api, "/v3/channel/streams").first)
        #expect(req.method == "POST")
        // The fixed clock is unix 1_700_000_000: sequence/seq in milliseconds, send_time in seconds.
        #expect(req.query == ["uid": "0", "cid": "54880976", "sid": "54880976", "appid": "0",
                              "sequence": "1700000000000", "encode": "json"])
        #expect(req.headers["content-type"] == "text/plain;charset=UTF-8")
        #expect(req.headers["referer"] == "https://www.yy.com/")
        let body = try #require(try JSONSerialization.jsonObject(with: req.body) as? [String: Any])
        let head = try #require(body["head"] as? [String: Any])
        #expect(head["seq"] as? Int == 1_700_000_000_000)
        #expect(head["cidstr"] as? String == "54880976" && head["sidstr"] as? String == "54880976")
        #expect(head["appidstr"] as? String == "0" && head["bidstr"] as? String == "121")
        #expect(head["uid64"] as? Int == 0 && head["client_type"] as? Int == 108 && head["stream_sys_ver"] as? Int == 1)
        #expect(head["app"] as? String == "yylive_web" && head["client_ver"] as? String == "5.11.0-alpha.4")
        #expect(head["playersdk_ver"] as? String == "5.11.0-alpha.4" && head["streamsdk_ver"] as? String == "5.11.0-alpha.4")
        #expect(head["thundersdk_ver"] as? String == "0")
        let client = try #require(body["client_attribute"] as? [String: Any])
        #expect(client["client"] as? String == "web" && client["os"] as? String == "chrome")
        #expect(client["osversion"] as? String == "106.0.0.0")
        #expect(client["width"] as? String == "1536" && client["height"] as? String == "864")
        #expect(client["client_type"] as? Int == 8 && client["h265"] as? Int == 0)
        let avp = try #require(body["avp_parameter"] as? [String: Any])
        #expect(avp["version"] as? Int == 1 && avp["client_type"] as? Int == 8 && avp["service_type"] as? Int == 0)
        #expect(avp["imsi"] as? Int == 0 && avp["send_time"] as? Int == 1_700_000_000)
        #expect(avp["line_seq"] as? Int == -1 && avp["gear"] as? Int == 4)
        #expect(avp["ssl"] as? Int == 1 && avp["stream_format"] as? Int == 0)
    }

    @Test func subChannelGoesToSid() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/v3/channel/streams", Self.live)
        _ = try await shippedHost(fake).check("https://www.yy.com/22490906/2794826658?tempId=16777217")
        let req = try #require(fake.requests.first)
        #expect(req.query["cid"] == "22490906" && req.query["sid"] == "2794826658")
        let head = try #require((try JSONSerialization.jsonObject(with: req.body) as? [String: Any])?["head"] as? [String: Any])
        #expect(head["cidstr"] as? String == "22490906" && head["sidstr"] as? String == "2794826658")
    }

    @Test func offlineRoomHasNoAvpInfo() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/v3/channel/streams", #"{"result":0,"ver":1,"channel_stream_info":{"cid":1,"sid":1,"streams":[]}}"#)
        let r = try await shippedHost(fake).check("https://www.yy.com/1")
        #expect(!r.live)
        #expect(r.streams.isEmpty)
        #expect(fake.requests.first?.query["sid"] == "1")
    }

    @Test func errorsAreReported() async throws {
        let fake = try FakePlatform()
        fake.route(Self.api, "/v3/channel/streams") { r, w in
            if r.query["cid"] == "2" {
                w.send(status: 502, headers: ["Content-Type": "text/html"], body: Data("<html>Bad Gateway</html>".utf8))
            } else {
                w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"avp_info_res":{"result":0}}"#.utf8))
            }
        }
        let host = shippedHost(fake)
        #expect(await checkError(host, "https://www.yy.com/2")?.description == "yy: channel 2: HTTP 502, not JSON from stream-manager")
        #expect(await checkError(host, "https://www.yy.com/3")?.message
                    .hasSuffix("avp_info_res.stream_line_addr: expected table, got nil") == true)
    }
}
