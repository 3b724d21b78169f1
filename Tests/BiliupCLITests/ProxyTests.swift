import BiliupTestSupport
import Foundation
import Testing

/// `--proxy`: every request of a recording goes through the proxy. The stream's URL names a host that does
/// not resolve, so a recording that succeeds can only have come through the proxy, which sends any host
/// to 127.0.0.1.
@Suite struct ProxyTests {
    static let unresolvableHost = "live.biliup-test.invalid"

    @Test(arguments: ["flv", "hls"])
    func recordingGoesThroughTheProxy(input: String) async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let proxy = try LoopbackForwardProxy()
        defer { proxy.stop() }
        let dir = try scratchDirectory("proxy-\(input)")
        let url: URL
        let framesSent: @Sendable () throws -> Int
        if input == "flv" {
            let source = try FlvLiveSource(server: server, name: "room", file: try TestMedia.flv(seconds: 6),
                                           options: .init(speed: 10))
            url = source.url
            framesSent = { source.videoFramesSent }
        } else {
            let media = try TestMedia.hlsSegments(seconds: 12, fmp4: false)
            let source = try HLSLiveSource(server: server, name: "room", media: media, options: .init(speed: 10, window: 16))
            url = source.playlistURL
            framesSent = { try source.requestedSegments.reduce(0) { $0 + (try segmentFrameCounts(media, $1)).video } }
        }
        var hidden = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        hidden.host = Self.unresolvableHost

        let run = try await BiliupProcess.run(["download", hidden.string!, "-o", dir.path + "/{title}",
                                               "--proxy", proxy.url])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        let files = try recordedFiles(in: dir)
        try #require(files.count == 1)
        let facts = try await onThread { try FileFacts(files[0]) }
        #expect(facts.decodeErrors.isEmpty)
        #expect(facts.videoFrames == (try await onThread { try framesSent() }))
        #expect(facts.videoFrames > 0)
        let forwarded = proxy.forwarded
        #expect(forwarded.allSatisfy { URL(string: $0)?.host == Self.unresolvableHost }, "\(forwarded)")
        if input == "hls" {
            #expect(forwarded.contains { $0.hasSuffix(".m3u8") })
            #expect(forwarded.contains { $0.hasSuffix(".ts") })
        } else {
            // The stream's end is followed by one more request, in case it was only a drop.
            #expect(Set(forwarded).count == 1, "\(forwarded)")
        }
    }
}
