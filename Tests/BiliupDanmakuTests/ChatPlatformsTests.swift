import BiliupValues
import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct ChatPlatformsTests {
    func endpoint(_ source: ChatSource) -> ChatEndpoint? {
        if case .stream(let endpoint, _) = source.kind { return endpoint }
        return nil
    }

    func session(_ source: ChatSource) -> (any ChatSession)? {
        if case .stream(_, let make) = source.kind { return make() }
        return nil
    }

    @Test func bilibiliSourceAuthenticatesWithTheStepsToken() throws {
        let source = try ChatPlatforms.source(protocol: "bilibili", parameters: [
            "url": "wss://broadcastlv.chat.bilibili.com:443/sub", "room_id": 21_452_505, "uid": "12345", "token": "tkn",
            "headers": ["User-Agent": "UA", "Cookie": "buvid3=x"], "protocol": "bilibili",
        ])
        #expect(source.platform == "bilibili")
        #expect(source.room == "21452505")
        #expect(endpoint(source) == ChatEndpoint(url: "wss://broadcastlv.chat.bilibili.com:443/sub",
                                                 headers: [ChatHeader("Cookie", "buvid3=x"), ChatHeader("User-Agent", "UA")],
                                                 transport: .webSocket))
        let opening = try #require(session(source)?.openingFrames())
        #expect(opening == BilibiliChatSession(roomID: 21_452_505, viewerUID: 12345, token: "tkn").openingFrames())
        // Anonymous viewers: uid absent → 0.
        let anonymous = try ChatPlatforms.source(protocol: "bilibili", parameters: [
            "url": "ws://127.0.0.1:9/sub", "room_id": 1, "token": "t"])
        #expect(session(anonymous)?.openingFrames() == BilibiliChatSession(roomID: 1, viewerUID: 0, token: "t").openingFrames())
    }

    @Test func streamProtocolsGetTheirTransports() throws {
        let douyu = try ChatPlatforms.source(protocol: "douyu", parameters: ["url": "tcp://danmuproxy.douyu.com:8601", "room_id": 9999])
        #expect(endpoint(douyu)?.transport == .tcp)
        #expect(douyu.room == "9999")
        #expect(session(douyu)?.openingFrames().first == .binary(DouyuFrames.login(roomID: "9999")))

        let twitch = try ChatPlatforms.source(protocol: "twitch", parameters: ["url": "wss://irc-ws.chat.twitch.tv:443", "channel": "some_one"])
        #expect(endpoint(twitch) == ChatEndpoint(url: "wss://irc-ws.chat.twitch.tv:443", transport: .webSocket))
        #expect(session(twitch)?.openingFrames().last == .text("JOIN #some_one"))

        let cast = try ChatPlatforms.source(protocol: "twitcasting", parameters: [
            "url": "wss://pubsub.twitcasting.tv/event/v1/ws?token=abc", "movie_id": 800_000_001, "headers": [:]])
        #expect(cast.room == "800000001")
        #expect(session(cast) is TwitCastingChatSession)
    }

    @Test func huyaAndDouyinUseTheBinarySessions() throws {
        let huya = try ChatPlatforms.source(protocol: "huya", parameters: [
            "url": "wss://cdnws.api.huya.com/", "room_id": "11342412", "presenter_uid": 1_199_561_166_123,
            "headers": ["Origin": "https://www.huya.com"]])
        #expect(huya.room == "11342412")
        #expect(endpoint(huya) == ChatEndpoint(url: "wss://cdnws.api.huya.com/", headers: [ChatHeader("Origin", "https://www.huya.com")],
                                               transport: .webSocket))
        #expect(session(huya)?.openingFrames() == HuyaChatSession(presenterUID: 1_199_561_166_123).openingFrames())
        #expect(session(huya)?.heartbeatInterval == HuyaChatSession(presenterUID: 1).heartbeatInterval)

        let douyin = try ChatPlatforms.source(protocol: "douyin", parameters: [
            "url": "wss://webcast100-ws-web-lq.douyin.com/webcast/im/push/v2/?room_id=7&signature=x", "room_id": "7",
            "headers": ["Cookie": "ttwid=1%7Cabc;", "User-Agent": "UA"]])
        #expect(endpoint(douyin)?.headers == [ChatHeader("Cookie", "ttwid=1%7Cabc;"), ChatHeader("User-Agent", "UA")])
        #expect(session(douyin) is DouyinChatSession)
        #expect(douyin.room == "7")

        #expect(throws: ChatParameterError.invalid(protocol: "huya", key: "presenter_uid", expected: "an integer", got: "nil")) {
            try ChatPlatforms.source(protocol: "huya", parameters: ["url": "wss://cdnws.api.huya.com/"])
        }
    }

    @Test func youTubeIsPolled() throws {
        let source = try ChatPlatforms.source(protocol: "youtube", parameters: [
            "url": "https://www.youtube.com/youtubei/v1/live_chat/get_live_chat?key=K", "continuation": "0ofMy",
            "client_version": "2.20261201.01.00", "video_id": "abcdefghijk", "headers": ["User-Agent": "UA"]])
        guard case .polling(let make) = source.kind else { Issue.record("youtube must poll"); return }
        let request = make().nextRequest()
        #expect(request.url == "https://www.youtube.com/youtubei/v1/live_chat/get_live_chat?key=K")
        #expect(request.headers.first == ChatHeader("User-Agent", "UA"))
        #expect(source.room == "abcdefghijk")
    }

    @Test func errorsNameTheProtocolAndTheKey() {
        func message(_ name: String, _ parameters: [String: JSONValue]) -> String {
            do {
                _ = try ChatPlatforms.source(protocol: name, parameters: parameters)
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(message("bilibili", ["url": "wss://h/sub", "room_id": 1]) == "bilibili danmaku: token: expected a string, got nil")
        #expect(message("bilibili", ["url": "wss://h/sub", "room_id": "12a", "token": "t"])
            == "bilibili danmaku: room_id: expected an integer, got a non-numeric string")
        #expect(message("douyu", ["url": "wss://h/", "room_id": 1]) == "douyu danmaku: url: expected a tcp:// URL, got another string")
        #expect(message("twitch", ["url": "file:///etc/passwd", "channel": "c"])
            == "twitch danmaku: url: expected a wss:// or ws:// URL, got another string")
        #expect(message("twitch", ["url": "wss://h", "channel": "c\r\nPRIVMSG #x :spam"])
            == "twitch danmaku: channel: expected a Twitch login (letters, digits, _), got other characters")
        #expect(message("twitcasting", ["url": "wss://h/", "headers": ["X-A": "1\r\nHost: evil"]])
            == "twitcasting danmaku: headers: expected header names and single-line values, got a line break or a bad name")
        #expect(message("youtube", ["url": "https://h/x", "continuation": "c", "client_version": 2])
            == "youtube danmaku: client_version: expected a string, got a number")
        #expect(message("mixer", [:]) == "danmaku: unknown protocol \"mixer\" (known: bilibili, douyin, douyu, huya, twitcasting, twitch, youtube)")
    }
}
