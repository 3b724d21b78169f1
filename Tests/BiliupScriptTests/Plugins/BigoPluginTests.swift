import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct BigoPluginTests {
    static let api = "ta.bigo.tv"
    static let path = "/official_website/studio/getInternalStudioInfo"

    static func fake(_ body: String, status: Int = 200) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.json(api, path, status: status, body)
        return fake
    }

    /// getInternalStudioInfo for a room on air, trimmed from the real shape.
    static let live = #"""
    {"code":0,"msg":"success","data":{"gameTitle":"Chatting","roomTopic":"Sing with me 🎤","alive":1,
     "hls_src":"https://hls.example.com/live/bigo_1234567890/index.m3u8?token=abc","roomId":"6912345678901234567",
     "uid":1234567890,"sid":987654,"nick_name":"Luna","siteId":"luna_sings","cover_l":"https://img.example.com/l.jpg",
     "snapshot":"https://img.example.com/snap.jpg","clientBigoId":"luna_sings","roomStatus":1}}
    """#

    @Test func liveRoomPostsSiteIdAndGivesHLS() async throws {
        let fake = try Self.fake(Self.live)
        let r = try await shippedHost(fake).check("https://www.bigo.tv/luna_sings")
        #expect(r.plugin == "bigo")
        #expect(r.live)
        #expect(r.title == "Sing with me 🎤")
        #expect(r.streamer == "Luna")
        #expect(r.cover == "https://img.example.com/snap.jpg")
        #expect(r.streams.count == 1)
        #expect(r.streams.first?.url == "https://hls.example.com/live/bigo_1234567890/index.m3u8?token=abc")
        #expect(r.streams.first?.format == "hls")
        #expect(r.streams.first?.headers["Referer"] == "https://www.bigo.tv/")
        #expect(r.extra?["room_id"] == .string("6912345678901234567"))

        let request = try #require(fake.requests(to: Self.api, Self.path).first)
        #expect(request.method == "POST")
        #expect(request.form == ["siteId": "luna_sings"])
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["accept"] == "application/json")
        #expect(request.headers["user-agent"]?.hasPrefix("Mozilla/5.0") == true)
    }

    @Test func languagePrefixedURLUsesTheLastSegment() async throws {
        let fake = try Self.fake(Self.live)
        _ = try await shippedHost(fake).check("https://www.bigo.tv/en/luna_sings?from=share")
        #expect(fake.requests(to: Self.api, Self.path).first?.form["siteId"] == "luna_sings")
    }

    @Test func offlineRoom() async throws {
        let fake = try Self.fake(#"{"code":0,"msg":"success","data":{"gameTitle":"","roomTopic":"Sing with me 🎤","alive":0,"hls_src":"","roomId":"6912345678901234567","uid":1234567890,"nick_name":"Luna","siteId":"luna_sings"}}"#)
        let r = try await shippedHost(fake).check("https://www.bigo.tv/luna_sings")
        #expect(!r.live)
        #expect(r.title == "Sing with me 🎤")
        #expect(r.streamer == "Luna")
        #expect(r.streams.isEmpty)
    }

    @Test func unknownRoomAndAPIErrors() async throws {
        let unknown = try Self.fake(#"{"code":0,"msg":"success","data":{"gameTitle":null,"roomTopic":null}}"#)
        do {
            _ = try await shippedHost(unknown).check("https://www.bigo.tv/nobody_here")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room nobody_here: no such room"))
        }
        let refused = try Self.fake(#"{"code":1001,"msg":"param error","data":null}"#)
        do {
            _ = try await shippedHost(refused).check("https://www.bigo.tv/luna_sings")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room luna_sings: param error (code 1001)"))
        }
        let down = try Self.fake("<html>busy</html>", status: 503)
        do {
            _ = try await shippedHost(down).check("https://www.bigo.tv/luna_sings")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("HTTP 503"))
        }
    }
}
