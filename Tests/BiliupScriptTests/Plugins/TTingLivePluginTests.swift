import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The shipped ttinglive plugin against a fake api.ttinglive.com (the channel stream API: 400 while
/// offline, `{title, thumbUrl, sources:[{url}]}` while live) and a fake CDN serving the master playlist.
@Suite struct TTingLivePluginTests {
    static let api = "api.ttinglive.com"
    static let cdn = "cdn.ttinglive.com"
    static let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

    static let stream = """
        {"channelId":12345,"title":"새벽 노래방","thumbUrl":"https://img.ttinglive.com/thumb/12345.jpg","isAdult":false,
         "sources":[{"name":"hls","type":"application/x-mpegURL","url":"https://cdn.ttinglive.com/live/12345/master.m3u8?token=t0"}]}
        """

    // Variants out of order; AVERAGE-BANDWIDTH ahead of BANDWIDTH must not be read as the bandwidth.
    static let master = """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=9000000,BANDWIDTH=1400000,RESOLUTION=852x480,CODECS="avc1.4d401f,mp4a.40.2"
        480p/index.m3u8?token=t0
        #EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080,FRAME-RATE=60.000,CODECS="avc1.640028,mp4a.40.2"
        1080p/index.m3u8?token=t0
        #EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720
        https://cdn2.ttinglive.com/live/12345/720p/index.m3u8

        """

    @Test func liveChannelPicksTheHighestBandwidthVariant() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/channels/12345/stream", Self.stream)
        fake.route(Self.cdn, "/live/12345/master.m3u8") { _, w in
            w.send(status: 200, headers: ["Content-Type": "application/vnd.apple.mpegurl"], body: Data(TTingLivePluginTests.master.utf8))
        }
        let r = try await shippedHost(fake).check("https://www.ttinglive.com/channels/12345/live")
        #expect(r.plugin == "ttinglive")
        #expect(r.live)
        #expect(r.title == "새벽 노래방")
        #expect(r.cover == "https://img.ttinglive.com/thumb/12345.jpg")
        // Relative variants resolve against the master's address (then go through the same remap as the plugin's requests).
        let base = fake.base(Self.cdn)
        #expect(r.streams.map(\.url) == ["\(base)/live/12345/1080p/index.m3u8?token=t0",
                                         "https://cdn2.ttinglive.com/live/12345/720p/index.m3u8",
                                         "\(base)/live/12345/480p/index.m3u8?token=t0"])
        #expect(r.streams.map(\.quality) == ["1080p", "720p", "480p"])
        #expect(r.streams.map(\.bitrate) == [6_000_000, 3_000_000, 1_400_000])
        #expect(r.streams.allSatisfy { $0.format == "hls" && $0.headers == ["User-Agent": Self.ua] })
        #expect(r.danmaku == ["protocol": .string("ttinglive"), "channel": .string("12345")])

        let api = try #require(fake.requests(to: Self.api).first)
        #expect(api.path == "/api/channels/12345/stream" && api.query == ["option": "all"])
        #expect(api.headers["user-agent"] == Self.ua)
        let m = try #require(fake.requests(to: Self.cdn).first)
        #expect(m.query == ["token": "t0"] && m.headers["user-agent"] == Self.ua)
        #expect(fake.requests.count == 2)
    }

    @Test func mediaPlaylistIsUsedAsIs() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/channels/12345/stream", Self.stream)
        fake.route(Self.cdn, "/live/12345/master.m3u8") { _, w in
            w.send(status: 200, body: Data("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg1.ts\n".utf8))
        }
        let r = try await shippedHost(fake).check("https://www.ttinglive.com/channels/12345/live")
        #expect(r.streams.map(\.url) == ["\(fake.base(Self.cdn))/live/12345/master.m3u8?token=t0"])
    }

    @Test func http400MeansOffline() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/channels/777/stream", status: 400, #"{"statusCode":400,"message":"Channel is not live"}"#)
        let r = try await shippedHost(fake).check("https://www.ttinglive.com/channels/777/live")
        #expect(!r.live)
        #expect(r.streams.isEmpty)
        #expect(fake.requests.count == 1)
    }

    @Test func otherErrorsAreReported() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/channels/500/stream", status: 503, #"{"message":"Service Unavailable"}"#)
        fake.json(Self.api, "/api/channels/12/stream", #"{"title":"x","sources":[]}"#)
        let host = shippedHost(fake)
        #expect(await checkError(host, "https://www.ttinglive.com/channels/500/live")?.description
                == "ttinglive: channel 500: HTTP 503 from the stream API")
        #expect(await checkError(host, "https://www.ttinglive.com/channels/12/live")?.message
                    .hasSuffix("sources.1.url: expected string, got nil") == true)
    }
}
