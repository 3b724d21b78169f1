import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The fallback plugin for direct stream URLs.
@Suite struct GenericPluginTests {
    @Test func playlistsAreFetchedToTellLiveFromGone() async throws {
        let fake = try FakePlatform()
        fake.route("cdn.example.com", "/live/room.m3u8") { r, w in
            w.send(status: 200, headers: ["Content-Type": "application/vnd.apple.mpegurl"],
                   body: Data("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg1.ts\n".utf8))
        }
        fake.route("cdn.example.com", "/live/page.m3u8") { _, w in w.send(status: 200, body: Data("<html>".utf8)) }
        let host = shippedHost(fake, extraHosts: ["cdn.example.com"])
        let live = try await host.check("https://cdn.example.com/live/room.m3u8?token=1")
        #expect(live.plugin == "generic" && live.live && live.title == "room")
        #expect(live.streams == [StreamCandidate(format: "hls", url: "\(fake.base("cdn.example.com"))/live/room.m3u8?token=1")])
        #expect(fake.requests(to: "cdn.example.com", "/live/room.m3u8").first?.query["token"] == "1")

        let gone = try await host.check("https://cdn.example.com/live/gone.m3u8")
        #expect(!gone.live && gone.title == "gone")

        let notPlaylist = await host.checkResult("https://cdn.example.com/live/page.m3u8")
        guard case .failure(let e) = notPlaylist else { Issue.record("accepted an HTML page"); return }
        #expect(e.source == "generic" && e.message.hasSuffix("not an HLS playlist (no #EXTM3U)"))
    }

    @Test func flvAndRtmpAreHandedToTheRecorder() async throws {
        let fake = try FakePlatform()
        let host = shippedHost(fake)
        let flv = try await host.check("http://cdn.example.com/live/abc.flv?k=v", options: ["headers": .object(["Referer": .string("https://x/")])])
        #expect(flv.live && flv.title == "abc")
        #expect(flv.streams == [StreamCandidate(format: "flv", url: "http://cdn.example.com/live/abc.flv?k=v", headers: ["Referer": "https://x/"])])
        let rtmp = try await host.check("rtmp://live.example.com/app/key")
        #expect(rtmp.streams.first?.format == "rtmp" && rtmp.title == "key")
        #expect(fake.requests.isEmpty, "an endless stream is never fetched by a check")
    }
}
