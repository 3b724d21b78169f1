import BiliupTestSupport
import Foundation
import Synchronization
import Testing

/// A stream that goes quiet without closing is reconnected after the stall timeout; request headers
/// given on the command line reach the server.
@Suite struct StallAndHeaderTests {
    @Test func stalledStreamIsReconnectedAndContinuesTheSameFile() async throws {
        let flv = try FlvTagReader.read(try TestMedia.flv(seconds: 10))
        let headers = flv.tags.filter { $0.isSequenceHeader || $0.isScript }
        let media = flv.tags.filter(\.isFrame)
        // First connection: 5 s of media, then silence. Second: from the keyframe at 4 s to the end.
        let restart = media.lastIndex { $0.isKeyframe && $0.timestamp <= 4000 }!
        let firstPart = media.filter { $0.timestamp < 5000 }
        let connections = Mutex(0)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/live/quiet.flv") { _, w in
            let n = connections.withLock { $0 += 1; return $0 }
            guard n <= 2 else { return w.send(status: 404) }
            guard w.sendHead(headers: ["Content-Type": "video/x-flv"]) else { return }
            var body = flv.header
            for tag in headers + (n == 1 ? firstPart : Array(media[restart...])) { FlvTagWriter.append(tag, to: &body) }
            _ = w.write(body)
            if n == 1 { Thread.sleep(forTimeInterval: 20) }
            w.close()
        }
        let dir = try scratchDirectory("stall")
        let run = try await BiliupProcess.run(["download", "\(server.baseURL)/live/quiet.flv", "-o", dir.path + "/{title}",
                                               "--stall-timeout", "2s"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        #expect(run.stderr.contains("reconnecting: stream stalled: no data for 2 s"), "\(run.stderr)")
        let files = try recordedFiles(in: dir)
        try #require(files.count == 1)
        let f = try await onThread { try FileFacts(files[0]) }
        #expect(f.videoFrames == media.filter(\.isVideo).count)
        #expect(f.audioFrames == media.filter(\.isAudio).count)
        #expect(abs(f.duration - 10) <= 0.2)
        #expect(f.decodeErrors.isEmpty)
        let reconnects = try sidecar(of: files[0])["reconnects"] as? [[String: Any]] ?? []
        #expect(reconnects.count == 1)
    }

    @Test func headersFromTheCommandLineAreSent() async throws {
        let body = try Data(contentsOf: try TestMedia.flv(seconds: 6))
        let seen = Mutex<[String]>([])
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/live/private.flv") { req, w in
            seen.withLock { $0.append("\(req.headers["referer"] ?? "-") \(req.headers["x-token"] ?? "-")") }
            guard req.headers["x-token"] == "secret" else { return w.send(status: 403) }
            w.send(status: 200, headers: ["Content-Type": "video/x-flv"], body: body)
        }
        let dir = try scratchDirectory("headers")
        let run = try await BiliupProcess.run(["download", "\(server.baseURL)/live/private.flv", "-o", dir.path + "/{title}",
                                               "--header", "X-Token: secret", "--header", "Referer: https://live.example/",
                                               "--duration", "4s"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        #expect(seen.withLock { $0.first } == "https://live.example/ secret")
        #expect(try recordedFiles(in: dir).count == 1)
    }
}
