@testable import BiliupMedia
import BiliupTestSupport
import Foundation
import Testing

@Suite struct LibavDemuxerTests {
    /// Every frame ffprobe counts in a stream comes out of the demuxer, up to the very last one.
    @Test(arguments: [false, true])
    func demuxesEveryFrameOfConcatenatedHLSSegments(fmp4: Bool) throws {
        let media = try TestMedia.hlsSegments(seconds: 12, fmp4: fmp4)
        let joined = FileManager.default.temporaryDirectory.appendingPathComponent("joined-\(UUID().uuidString).\(fmp4 ? "mp4" : "ts")")
        defer { try? FileManager.default.removeItem(at: joined) }
        var bytes = try media.initSection.map { try Data(contentsOf: $0) } ?? Data()
        for s in media.segments { bytes += try Data(contentsOf: s) }
        try bytes.write(to: joined)
        let expected = try TestMedia.frameCounts(joined)

        let demuxer = try LibavDemuxer(source: try FileByteSource(path: joined.path), format: fmp4 ? "mov" : "mpegts")
        #expect(demuxer.tracks.map(\.kind) == [.video, .audio])
        var counts = [0, 0]
        var sawEnd = false
        loop: while true {
            switch demuxer.next() {
            case .packet(let p): counts[p.track] += 1
            case .tracksChanged: Issue.record("unexpected track change")
            case .finished(.end): sawEnd = true; break loop
            case .finished(let other): Issue.record("finished with \(other)"); break loop
            }
        }
        #expect(sawEnd)
        #expect(counts[0] == expected.video)
        #expect(counts[1] == expected.audio)
    }
}

@Suite struct HLSDemuxTests {
    /// Every frame of a live HLS stream reaches the demuxer's output, the last one included.
    @Test(arguments: [false, true])
    func everyFrameOfALiveStreamComesOut(fmp4: Bool) async throws {
        let media = try TestMedia.hlsSegments(seconds: 12, fmp4: fmp4)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let live = try HLSLiveSource(server: server, name: "s", media: media, options: .init(speed: 20, window: 100))
        let url = live.playlistURL.absoluteString
        let (counts, ending) = try await onThread { () throws -> ([Int], String) in
            let source = try HLSSource(url: url, headers: [], proxy: nil, readTimeout: .seconds(10), notes: { _ in })
            let demuxer = try LibavDemuxer(source: source, format: fmp4 ? "mov" : "mpegts")
            var counts = [0, 0]
            while true {
                switch demuxer.next() {
                case .packet(let p): counts[p.track] += 1
                case .finished(.end): return (counts, "end")
                case let other: return (counts, "\(other)")
                }
            }
        }
        #expect(ending == "end")
        var expected = (video: 0, audio: 0)
        for i in live.requestedSegments {
            var data = try media.initSection.map { try Data(contentsOf: $0) } ?? Data()
            data += try Data(contentsOf: media.segments[i])
            let f = FileManager.default.temporaryDirectory.appendingPathComponent("s-\(UUID().uuidString).\(fmp4 ? "mp4" : "ts")")
            try data.write(to: f)
            let c = try TestMedia.frameCounts(f)
            try? FileManager.default.removeItem(at: f)
            expected.video += c.video
            expected.audio += c.audio
        }
        #expect(counts == [expected.video, expected.audio])
    }
}
