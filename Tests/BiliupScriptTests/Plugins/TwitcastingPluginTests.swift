import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct TwitcastingPluginTests {
    static let host = "twitcasting.tv"

    static func page(title: String = "Night radio &amp; games", creator: String = "c:kurumi_tc") -> String {
        """
        <!doctype html><html lang="ja"><head><meta charset="utf-8">
        <meta name="twitter:card" content="player">
        <meta name="twitter:title" content="\(title)">
        <meta name="twitter:creator" content="\(creator)">
        <meta name="twitter:image" content="https://twitcasting.tv/c:kurumi_tc/thumb/790123456">
        <meta property="og:title" content="くるみ (@c:kurumi_tc) - TwitCasting">
        </head><body><div id="player"></div></body></html>
        """
    }

    /// streamserver.php for a live movie, trimmed from the real shape.
    static let liveServer = #"""
    {"movie":{"id":790123456,"live":true},
     "hls":{"host":"twitcasting.tv","proto":"https","source":false},
     "fmp4":{"host":"202-218-171-197.twitcasting.tv","proto":"wss","source":false,"mobilesource":false},
     "llfmp4":{"streams":{"main":"wss://edge.example.com/ws.app/stream/790123456/fmp4/bd/1/1500?mode=main","base":"wss://edge.example.com/ws.app/stream/790123456/fmp4/bd/1/1500?mode=base"}},
     "tc-hls":{"streams":{"high":"https://edge.example.com/tc.livehls/v1/streams/790123456/high/streams.m3u8","medium":"https://edge.example.com/tc.livehls/v1/streams/790123456/medium/streams.m3u8","low":"https://edge.example.com/tc.livehls/v1/streams/790123456/low/streams.m3u8"}}}
    """#

    static func fake(page: String = page(), server: String = liveServer, pageStatus: Int = 200) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.route(host, "/c:kurumi_tc") { _, w in
            w.send(status: pageStatus, headers: ["Content-Type": "text/html; charset=UTF-8"], body: Data(page.utf8))
        }
        fake.json(host, "/streamserver.php", server)
        return fake
    }

    @Test func liveMovieGivesTcHlsStreamsAndDanmakuMovieId() async throws {
        let fake = try Self.fake()
        let r = try await shippedHost(fake).check("https://twitcasting.tv/c:kurumi_tc")
        #expect(r.plugin == "twitcasting")
        #expect(r.live)
        #expect(r.title == "Night radio & games")
        #expect(r.streamer == "c:kurumi_tc")
        #expect(r.streams.map(\.quality) == ["high", "medium", "low"])
        #expect(r.streams[0].url == "https://edge.example.com/tc.livehls/v1/streams/790123456/high/streams.m3u8")
        #expect(r.streams.allSatisfy { $0.format == "hls" })
        #expect(r.streams[0].headers["Referer"] == "https://twitcasting.tv/")
        #expect(r.streams[0].headers["User-Agent"]?.hasPrefix("Mozilla/5.0") == true)
        #expect(r.streams[0].headers["Cookie"] == nil)
        #expect(r.danmaku == ["protocol": .string("twitcasting"), "movie_id": .string("790123456")])

        let server = try #require(fake.requests(to: Self.host, "/streamserver.php").first)
        #expect(server.query == ["target": "c:kurumi_tc", "mode": "client", "player": "pc_web"])
        #expect(server.headers["referer"] == "https://twitcasting.tv/")
        #expect(fake.requests(to: Self.host, "/c:kurumi_tc").first?.headers["user-agent"]?.contains("Chrome/") == true)
    }

    @Test func qualityFallsBackDownwardsThenUp() async throws {
        let fake = try Self.fake(server: #"{"movie":{"id":"790123456","live":true},"tc-hls":{"streams":{"high":"https://e.example.com/high.m3u8","low":"https://e.example.com/low.m3u8"}}}"#)
        let host = shippedHost(fake)
        let medium = try await host.check("https://twitcasting.tv/c:kurumi_tc", options: ["quality": .string("medium")])
        #expect(medium.streams.map(\.quality) == ["low", "high"])
        let low = try await host.check("https://twitcasting.tv/c:kurumi_tc", options: ["quality": .string("low")])
        #expect(low.streams.map(\.url) == ["https://e.example.com/low.m3u8", "https://e.example.com/high.m3u8"])
        #expect(low.danmaku?["movie_id"] == .string("790123456"))
    }

    /// wpass is md5 of the password: md5("ひみつ123") = ccd659e000412b63beb83d9570d12966
    /// (python3 hashlib.md5("ひみつ123".encode()).hexdigest()).
    @Test func passwordAndCookieGoInTheCookieHeader() async throws {
        let fake = try Self.fake()
        let r = try await shippedHost(fake).check("https://twitcasting.tv/c:kurumi_tc",
                                                   options: ["password": .string("ひみつ123"), "cookie": .string("tc_ss=abc; tc_id=k")])
        let expected = "tc_ss=abc; tc_id=k; wpass=ccd659e000412b63beb83d9570d12966"
        let pageCookie = fake.requests(to: Self.host, "/c:kurumi_tc").first?.headers["cookie"] ?? ""
        let serverCookie = fake.requests(to: Self.host, "/streamserver.php").first?.headers["cookie"] ?? ""
        #expect(pageCookie.contains(expected))
        #expect(serverCookie.contains(expected))
        #expect(r.streams[0].headers["Cookie"] == expected)
        #expect(r.danmaku?["password"] == .string("ひみつ123"))
    }

    @Test func offlineMovie() async throws {
        let fake = try Self.fake(server: #"{"movie":{"id":790123400,"live":false},"hls":{"host":"twitcasting.tv","proto":"https","source":false}}"#)
        let r = try await shippedHost(fake).check("https://twitcasting.tv/c:kurumi_tc")
        #expect(!r.live)
        #expect(r.title == "Night radio & games")
        #expect(r.streamer == "c:kurumi_tc")
        #expect(r.streams.isEmpty)
    }

    @Test func lockedLiveWithoutPasswordIsAnError() async throws {
        let locked = "<html><body><form><p>Enter the secret word to access this live.</p><input name=\"password\"></form></body></html>"
        let fake = try Self.fake(page: locked)
        do {
            _ = try await shippedHost(fake).check("https://twitcasting.tv/c:kurumi_tc")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room c:kurumi_tc: this live is password-protected"))
        }
        #expect(fake.requests(to: Self.host, "/streamserver.php").isEmpty)
    }

    @Test func unknownUserAndChangedShapesAreErrors() async throws {
        let missing = try Self.fake(page: "<html><head><title>Not Found</title></head></html>", pageStatus: 404)
        do {
            _ = try await shippedHost(missing).check("https://twitcasting.tv/c:kurumi_tc")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room c:kurumi_tc: no such user"))
            #expect(error.message.contains("HTTP 404"))
        }
        let changed = try Self.fake(server: #"{"movie":{"id":1,"live":true},"hls":{}}"#)
        do {
            _ = try await shippedHost(changed).check("https://twitcasting.tv/c:kurumi_tc")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("tc-hls.streams: expected table, got nil"))
        }
    }
}
