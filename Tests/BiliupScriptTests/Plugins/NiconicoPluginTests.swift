import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The shipped niconico plugin against a fake live.nicovideo.jp serving watch pages whose
/// `<script id="embedded-data" data-props="...">` holds the program data as HTML-escaped JSON.
@Suite struct NiconicoPluginTests {
    static let site = "live.nicovideo.jp"

    static func page(id: String, status: String) -> String {
        let props = """
            {"site":{"locale":"ja-jp","serverTime":1700000000000,
                     "relive":{"apiBaseUrl":"https://live2.nicovideo.jp/","webSocketUrl":"wss://a.live2.nicovideo.jp/unama/wsapi/v2/watch/\(id)?audience_token=\(id)_guest_abc"}},
             "program":{"nicoliveProgramId":"\(id)","providerType":"community","title":"歌枠 & 雑談 <3",
                        "status":"\(status)","beginTime":1699990000,"endTime":1700010000,
                        "thumbnail":{"small":"https://secure-dcdn.cdn.nimg.jp/nicoaccount/usericon/s/1.jpg",
                                     "large":"https://secure-dcdn.cdn.nimg.jp/nicoaccount/usericon/1.jpg"},
                        "supplier":{"name":"ゆかり","pageUrl":"https://www.nicovideo.jp/user/1","programProviderId":"1"}},
             "socialGroup":{"type":"community","id":"co12345","name":"ゆかりの部屋"},
             "user":{"isLoggedIn":false}}
            """
        let escaped = props.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        return """
            <!DOCTYPE html><html lang="ja"><head><title>歌枠 - ニコニコ生放送</title></head><body>
            <script id="embedded-data" data-props="\(escaped)"></script>
            <div id="root"></div></body></html>
            """
    }

    static func serve(_ fake: FakePlatform, _ path: String, status: Int = 200, _ html: String) {
        fake.route(site, path) { _, w in
            w.send(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Data(html.utf8))
        }
    }

    @Test func onAirProgramSaysTheWebSocketIsNeeded() async throws {
        let fake = try FakePlatform()
        Self.serve(fake, "/watch/lv123", Self.page(id: "lv123", status: "ON_AIR"))
        let host = shippedHost(fake)
        let error = await checkError(host, "https://live.nicovideo.jp/watch/lv123?ref=top")
        #expect(error?.kind == .runtime)
        #expect(error?.description
                == "niconico: lv123 is live, but its stream URL is only given over the watch WebSocket, which biliup cannot open yet")
        let req = try #require(fake.requests.first)
        #expect(fake.requests.count == 1)
        #expect((req.method, req.path, req.query) == ("GET", "/watch/lv123", [:]))
        #expect(req.headers["cookie"] == nil)
    }

    /// A community URL reaches its current program; the error names the program, and the cookie option is sent.
    @Test func communityUrlNamesTheProgramAndSendsTheCookie() async throws {
        let fake = try FakePlatform()
        Self.serve(fake, "/watch/co12345", Self.page(id: "lv456", status: "ON_AIR"))
        let error = await checkError(shippedHost(fake), "https://live.nicovideo.jp/watch/co12345",
                                     ["cookie": .string("user_session=user_session_1_abc")])
        #expect(error?.message.hasPrefix("lv456 is live, but") == true)
        #expect(fake.requests.first?.headers["cookie"] == "user_session=user_session_1_abc")
    }

    @Test func endedAndUpcomingProgramsAreOfflineWithTheirTitle() async throws {
        let fake = try FakePlatform()
        Self.serve(fake, "/watch/lv200", Self.page(id: "lv200", status: "ENDED"))
        Self.serve(fake, "/watch/lv300", Self.page(id: "lv300", status: "RELEASED"))
        let host = shippedHost(fake)
        let ended = try await host.check("https://live.nicovideo.jp/watch/lv200")
        #expect(!ended.live)
        #expect(ended.title == "歌枠 & 雑談 <3")
        #expect(ended.streamer == "ゆかり")
        #expect(ended.cover == "https://secure-dcdn.cdn.nimg.jp/nicoaccount/usericon/1.jpg")
        #expect(ended.extra?["status"] == .string("ENDED"))
        #expect(ended.extra?["community"] == .string("co12345"))
        let upcoming = try await host.check("https://sp.live.nicovideo.jp/watch/lv300")
        #expect(!upcoming.live && upcoming.extra?["status"] == .string("RELEASED"))
        #expect(fake.requests.map(\.path) == ["/watch/lv200", "/watch/lv300"])
    }

    @Test func missingProgramIsNotFound() async throws {
        let fake = try FakePlatform()
        Self.serve(fake, "/watch/lv999", status: 404, "<html><body><h1>お探しの番組は見つかりませんでした</h1></body></html>")
        Self.serve(fake, "/watch/lv998", "<html><body>maintenance</body></html>")
        let host = shippedHost(fake)
        #expect(await checkError(host, "https://live.nicovideo.jp/watch/lv999")?.description == "niconico: lv999: not found (HTTP 404)")
        #expect(await checkError(host, "https://live.nicovideo.jp/watch/lv998")?.message
                == "lv998: the watch page has no embedded-data (the page layout changed?)")
    }
}
