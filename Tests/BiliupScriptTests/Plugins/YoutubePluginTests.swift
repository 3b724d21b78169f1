import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The youtube plugin against a fake www.youtube.com serving watch pages with an embedded
/// `var ytInitialPlayerResponse = {...};` (trimmed but in YouTube's shape), channel pages and the consent redirect.
@Suite struct YoutubePluginTests {
    static let web = "www.youtube.com"
    static let id = "jfKfPfyJRdk"
    static let manifest = "https://manifest.googlevideo.com/api/manifest/hls_variant/expire/1700021600/ei/AbCd/ip/203.0.113.7/id/jfKfPfyJRdk.2/source/yt_live_broadcast/requiressl/yes/hfr/1/playlist_duration/30/manifest_duration/30/maudio/1/vprv/1/go/1/keepalive/yes/dover/11/itag/0/playlist_type/DVR/sparams/expire%2Cei%2Cip%2Cid%2Csource/sig/AOq0QJ8wRQIh/file/index.m3u8"

    /// The player response of a video; `details` and `playability` are JSON members spliced in.
    static func player(playability: String, details: String, streaming: String? = nil) -> String {
        let streamingData = streaming.map { #","streamingData":\#($0)"# } ?? ""
        return #"""
        {"responseContext":{"serviceTrackingParams":[{"service":"GFEEDBACK","params":[{"key":"is_viewed_live","value":"True"}]}]},"playabilityStatus":\#(playability)\#(streamingData),"playbackTracking":{"videostatsPlaybackUrl":{"baseUrl":"https://s.youtube.com/api/stats/playback?cl=1&docid=\#(id)"}},"videoDetails":\#(details),"microformat":{"playerMicroformatRenderer":{"liveBroadcastDetails":{"isLiveNow":true,"startTimestamp":"2023-11-14T00:00:00+00:00"}}}}
        """#
    }

    static func details(isLive: Bool? = nil, isLiveContent: Bool = true, isUpcoming: Bool? = nil) -> String {
        var flags = #""isLiveContent":\#(isLiveContent)"#
        if let isLive { flags += #","isLive":\#(isLive)"# }
        if let isUpcoming { flags += #","isUpcoming":\#(isUpcoming)"# }
        return #"""
        {"videoId":"\#(id)","title":"lofi hip hop radio 📚 - beats to relax/study to","lengthSeconds":"0","keywords":["lofi"],"channelId":"UCSJ4gkVC6NrvII8umztf0Ow","isOwnerViewing":false,"shortDescription":"Don't stop {the} music };\n\"quoted\" [brackets]","isCrawlable":true,"thumbnail":{"thumbnails":[{"url":"https://i.ytimg.com/vi/\#(id)/default_live.jpg","width":120,"height":90},{"url":"https://i.ytimg.com/vi/\#(id)/maxresdefault_live.jpg","width":1920,"height":1080}]},"allowRatings":true,"viewCount":"12345","author":"Lofi Girl","isPrivate":false,"isUnpluggedCorpus":false,\#(flags)}
        """#
    }

    static let okPlayability = #"{"status":"OK","playableInEmbed":true,"liveStreamability":{"liveStreamabilityRenderer":{"videoId":"jfKfPfyJRdk","pollDelayMs":"15000"}}}"#
    static let liveStreaming = #"{"expiresInSeconds":"21540","adaptiveFormats":[{"itag":137,"mimeType":"video/mp4; codecs=\"avc1.640028\""}],"hlsManifestUrl":"\#(manifest)"}"#

    /// A watch page: the player response assigned in one script (followed by more code on the same line),
    /// and the name mentioned again in a later script.
    static func watchPage(_ player: String) -> String {
        #"""
        <!DOCTYPE html><html style="font-size: 10px;font-family: Roboto, Arial, sans-serif;" lang="en"><head>
        <meta property="og:title" content="lofi hip hop radio 📚 - beats to relax/study to"><title>lofi hip hop radio - YouTube</title></head><body>
        <script nonce="n1">var ytInitialPlayerResponse = \#(player);var meta = document.createElement('meta'); meta.name = 'referrer';</script>
        <script nonce="n2">var ytInitialData = {"contents":{"twoColumnWatchNextResults":{}}};</script>
        <script nonce="n3">if (window.ytcsi) {window.ytcsi.tick("pdr", null, '');} if (window.ytInitialPlayerResponse) {}</script>
        </body></html>
        """#
    }

    static func serve(_ fake: FakePlatform, _ path: String, status: Int = 200, _ html: String) {
        fake.route(web, path) { _, w in
            w.send(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Data(html.utf8))
        }
    }

    @Test func liveWatchPageGivesTheHlsManifest() async throws {
        let fake = try FakePlatform()
        Self.serve(fake, "/watch", Self.watchPage(Self.player(playability: Self.okPlayability,
                                                              details: Self.details(isLive: true), streaming: Self.liveStreaming)))
        let r = try await shippedHost(fake).check("https://www.youtube.com/watch?v=\(Self.id)&t=30s")
        #expect(r.plugin == "youtube" && r.live)
        #expect(r.title == "lofi hip hop radio 📚 - beats to relax/study to")
        #expect(r.streamer == "Lofi Girl")
        #expect(r.cover == "https://i.ytimg.com/vi/\(Self.id)/maxresdefault_live.jpg")
        #expect(r.streams.count == 1)
        #expect(r.streams[0].url == Self.manifest)
        #expect(r.streams[0].format == "hls")
        #expect(r.streams[0].headers["User-Agent"]?.contains("Chrome/") == true)
        #expect(r.streams[0].headers["Cookie"] == nil)
        #expect(r.danmaku == ["protocol": .string("youtube"), "video_id": .string(Self.id),
                              "channel_id": .string("UCSJ4gkVC6NrvII8umztf0Ow")])

        let request = try #require(fake.requests(to: Self.web, "/watch").first)
        #expect(request.query == ["v": Self.id])
        #expect(request.headers["user-agent"]?.contains("Chrome/") == true)
        #expect(request.headers["accept-language"]?.hasPrefix("en") == true)
        #expect(request.headers["cookie"] == "SOCS=CAI")  // skips the EU consent interstitial
    }

    @Test func shortLinksAndChannelLivePagesWithACookie() async throws {
        let fake = try FakePlatform()
        let live = Self.watchPage(Self.player(playability: Self.okPlayability, details: Self.details(isLive: true),
                                              streaming: Self.liveStreaming))
        Self.serve(fake, "/watch", live)
        Self.serve(fake, "/@LofiGirl/live", live)
        Self.serve(fake, "/channel/UCSJ4gkVC6NrvII8umztf0Ow/live", live)
        let host = shippedHost(fake)
        let cookie = "SID=abc; HSID=def; SOCS=CAISNQ"
        for url in ["https://youtu.be/\(Self.id)?si=share", "https://m.youtube.com/live/\(Self.id)",
                    "https://www.youtube.com/@LofiGirl", "https://youtube.com/@LofiGirl/live",
                    "https://www.youtube.com/channel/UCSJ4gkVC6NrvII8umztf0Ow/live"] {
            let r = try await host.check(url, options: ["cookie": .string(cookie)])
            #expect(r.live && r.streams.first?.url == Self.manifest, "\(url)")
            #expect(r.streams.first?.headers["Cookie"] == cookie)
        }
        #expect(fake.requests(to: Self.web, "/watch").map { $0.query["v"] } == [Self.id, Self.id])
        #expect(fake.requests(to: Self.web, "/@LofiGirl/live").count == 2)
        #expect(fake.requests(to: Self.web, "/channel/UCSJ4gkVC6NrvII8umztf0Ow/live").count == 1)
        #expect(fake.requests.allSatisfy { $0.headers["cookie"] == cookie })  // the user's consent cookie, nothing added
    }

    @Test func upcomingEndedAndPlainVideosAreOffline() async throws {
        let fake = try FakePlatform()
        let upcoming = Self.player(
            playability: #"{"status":"LIVE_STREAM_OFFLINE","reason":"Live in 3 hours","playableInEmbed":true,"liveStreamability":{"liveStreamabilityRenderer":{"videoId":"jfKfPfyJRdk","offlineSlate":{"liveStreamOfflineSlateRenderer":{"scheduledStartTime":"1700010800"}}}}}"#,
            details: Self.details(isUpcoming: true))
        let ended = Self.player(playability: #"{"status":"OK","playableInEmbed":true}"#, details: Self.details(),
                                streaming: #"{"expiresInSeconds":"21540","formats":[{"itag":18}],"adaptiveFormats":[{"itag":137}]}"#)
        let video = Self.player(playability: #"{"status":"OK","playableInEmbed":true}"#, details: Self.details(isLiveContent: false),
                                streaming: #"{"formats":[{"itag":18}]}"#)
        fake.route(Self.web, "/watch") { r, w in
            let body = ["up": upcoming, "end": ended, "vod": video][r.query["v"] ?? ""].map(Self.watchPage) ?? ""
            w.send(status: 200, headers: ["Content-Type": "text/html"], body: Data(body.utf8))
        }
        let host = shippedHost(fake)
        let up = try await host.check("https://www.youtube.com/watch?v=up")
        #expect(!up.live && up.title == "lofi hip hop radio 📚 - beats to relax/study to" && up.streamer == "Lofi Girl")
        #expect(up.extra?["upcoming"] == .bool(true))
        #expect(try await host.check("https://www.youtube.com/watch?v=end").live == false)
        #expect(try await host.check("https://www.youtube.com/watch?v=vod").live == false)
    }

    @Test func channelWithoutAStreamIsOffline() async throws {
        let fake = try FakePlatform()
        Self.serve(fake, "/@quiet/live", #"""
            <!DOCTYPE html><html lang="en"><head><meta property="og:title" content="Quiet &amp; Calm"><link rel="canonical" href="https://www.youtube.com/channel/UCquiet00000000000000000"></head><body>
            <script nonce="n">var ytInitialData = {"metadata":{"channelMetadataRenderer":{"title":"Quiet & Calm"}}};</script></body></html>
            """#)
        let r = try await shippedHost(fake).check("https://www.youtube.com/@quiet/live")
        #expect(!r.live && r.streamer == "Quiet & Calm")
    }

    @Test func unavailableVideoConsentPageAndMissingChannelAreErrors() async throws {
        let fake = try FakePlatform()
        let gone = Self.player(playability: #"{"status":"ERROR","reason":"Video unavailable","errorScreen":{"playerErrorMessageRenderer":{"reason":{"simpleText":"Video unavailable"}}}}"#,
                               details: "null").replacingOccurrences(of: #","videoDetails":null"#, with: "")
        fake.route(Self.web, "/watch") { r, w in
            if r.query["v"] == "consented" {
                w.send(status: 302, headers: ["Location": "https://consent.youtube.com/m?continue=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3Dconsented&gl=DE&hl=de"])
            } else {
                w.send(status: 200, headers: ["Content-Type": "text/html"], body: Data(Self.watchPage(gone).utf8))
            }
        }
        fake.route("consent.youtube.com", "/m") { _, w in
            w.send(status: 200, headers: ["Content-Type": "text/html"],
                   body: Data(#"<html><body><form action="https://consent.youtube.com/save" method="POST"><button>Alle akzeptieren</button></form></body></html>"#.utf8))
        }
        Self.serve(fake, "/@nobody/live", status: 404, "<html><body>404 Not Found</body></html>")
        let host = shippedHost(fake)
        await #expect { try await host.check("https://www.youtube.com/watch?v=deleted1234") } throws: {
            "\($0)".contains("video deleted1234: Video unavailable (ERROR)")
        }
        await #expect { try await host.check("https://www.youtube.com/watch?v=consented") } throws: {
            "\($0)".contains("video consented: YouTube answered with its cookie consent page")
        }
        await #expect { try await host.check("https://www.youtube.com/@nobody") } throws: {
            "\($0)".contains("@nobody: not found (HTTP 404)")
        }
    }
}
