import BiliupNet
import BiliupTestSupport
import Foundation
import Testing
@testable import BiliupMedia

/// An error about a URL that did not answer with a stream never quotes what it answered (security issue
/// 13, point 3): the URL may be an internal service's, and the error reaches events, logs and the API,
/// where whoever gave the URL reads it. The error says what came instead: type, status, size.
@Suite struct ResponseEchoTests {
    static let secret = "SECRET-BANNER"

    @Test func failedStreamOpeningsDescribeTheBodyWithoutQuotingIt() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let banner = Data("\(Self.secret) redis_version:7.0.0\r\nrole:master\r\n".utf8)
        server.route("/live/room.flv") { _, w in w.send(status: 200, headers: ["Content-Type": "text/plain"], body: banner) }
        server.route("/live/page") { _, w in
            w.send(status: 200, headers: ["Content-Type": "text/html"], body: Data("<html><title>\(Self.secret)</title></html>".utf8))
        }
        server.route("/live/index.m3u8") { _, w in w.send(status: 200, body: banner) }
        server.route("/live/json.flv") { _, w in w.send(status: 200, body: Data("{\"token\":\"\(Self.secret)\"}".utf8)) }
        server.route("/live/media.m3u8") { _, w in
            w.send(status: 200, body: Data("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nseg0.ts\n#EXT-X-ENDLIST\n".utf8))
        }
        server.route("/live/seg0.ts") { _, w in w.send(status: 200, headers: ["Content-Type": "video/mp2t"], body: banner) }
        server.route("/live/denied.flv") { _, w in w.send(status: 403, headers: ["Content-Type": "text/plain"], body: banner) }

        let expected: [(path: String, says: String)] = [
            ("room.flv", "unrecognised data, neither FLV, MPEG-TS nor an HLS playlist (Content-Type text/plain, \(banner.count) bytes)"),
            ("page", "the server sent an HTML page (Content-Type text/html, 41 bytes)"),
            ("index.m3u8", "not an M3U8 playlist (\(banner.count) bytes without #EXTM3U)"),
            ("json.flv", "unrecognised data"),
            ("media.m3u8", "is neither MPEG-TS nor fMP4 (\(banner.count) bytes)"),
            ("denied.flv", "HTTP 403"),
        ]
        for (path, says) in expected {
            let description = await recordingError("\(server.baseURL)/live/\(path)")
            #expect(description.contains(says), "\(path): \(description)")
            #expect(!description.contains(Self.secret) && !description.contains("redis"), "\(path) echoed the body: \(description)")
        }
    }

    /// The error a recording of `url` ends with, as events and logs show it.
    private func recordingError(_ url: String) async -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-echo-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = RecordingOptions(endpoint: StreamEndpoint(url: url), output: OutputTemplate(root: dir.path, pattern: "{title}"))
        options.reconnect.maxAttempts = 0
        let recording = Recording(options: options)
        recording.start()
        switch await onThread({ recording.wait() }) {
        case .failed(let error): return error.description
        case .completed(let reason): return "completed: \(reason)"
        }
    }
}
