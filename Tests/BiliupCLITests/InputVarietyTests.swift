import BiliupTestSupport
import Foundation
import Testing

/// Inputs beyond H.264 over HTTP: HEVC in FLV (codec id 12, as Chinese CDNs send it), single-track
/// streams, RTMP, and an HLS master playlist.
@Suite struct InputVarietyTests {
    @Test(arguments: ["mkv", "mp4", "ts", "flv"])
    func hevcInFlvCodecId12IsRecorded(format: String) async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "hevc", file: try TestMedia.flv(seconds: 12, hevc: true),
                                       options: .init(speed: 10))
        let dir = try scratchDirectory("hevc-\(format)")
        let run = try await BiliupProcess.run(["download", source.url.absoluteString, "-o", dir.path + "/{title}",
                                               "--format", format, "--split-time", "6s"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        let files = try recordedFiles(in: dir)
        #expect(files.count == 2)
        let reports = try files.map { try sidecar(of: $0) }
        #expect(reports.allSatisfy { ($0["tracks"] as? [String])?.first == "hevc 320x240" })
        #expect(reports.reduce(0) { $0 + ($1["videoFrames"] as? Int ?? 0) } == source.videoFramesSent)
        // ffmpeg 5.1 cannot read FLV codec id 12 (our own writer's format); the other containers it checks.
        guard format != "flv" else { return }
        let facts = try await onThread { try files.map { try FileFacts($0) } }
        for f in facts {
            #expect(abs(f.startTime) <= 0.1)
            #expect(f.firstVideoIsKeyframe == true)
            #expect(f.decodeErrors.isEmpty, "\(f.decodeErrors)")
        }
        #expect(facts.reduce(0) { $0 + $1.videoFrames } == source.videoFramesSent)
    }

    @Test(arguments: [(audio: true, video: false), (audio: false, video: true)])
    func singleTrackStreamsAreRecorded(tracks: (audio: Bool, video: Bool)) async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let media = try TestMedia.flv(seconds: 12, audio: tracks.audio, video: tracks.video)
        let source = try FlvLiveSource(server: server, name: "one", file: media, options: .init(speed: 10))
        let dir = try scratchDirectory("single")
        let run = try await BiliupProcess.run(["download", source.url.absoluteString, "-o", dir.path + "/{title}",
                                               "--format", "mp4", "--split-time", "5s"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        let files = try recordedFiles(in: dir)
        #expect(files.count == (tracks.video ? 2 : 3))  // video cuts wait for a keyframe (every 2 s)
        let facts = try await onThread { try files.map { try FileFacts($0) } }
        #expect(facts.reduce(0) { $0 + $1.videoFrames } == source.videoFramesSent)
        #expect(facts.reduce(0) { $0 + $1.audioFrames } == source.audioFramesSent)
        #expect(abs(facts.reduce(0) { $0 + $1.duration } - 12) <= 0.5)
        #expect(facts.allSatisfy { $0.decodeErrors.isEmpty && abs($0.startTime) <= 0.1 })
    }

    /// ffmpeg in listen mode plays the part of an RTMP server.
    @Test func rtmpIsRecorded() async throws {
        let media = try TestMedia.flv(seconds: 30)
        let port = LoopbackHTTPServer.unusedPort()
        let url = "rtmp://127.0.0.1:\(port)/live/room"
        let server = try rtmpServer(playing: media, at: url)
        defer { stop(server) }
        try await waitForListener(port: port)

        let dir = try scratchDirectory("rtmp")
        // libavformat's RTMP cannot use a proxy: biliup says so and connects directly (this one refuses).
        let run = try await BiliupProcess.run(["download", url, "-o", dir.path + "/{title}", "--duration", "6s",
                                               "--proxy", "http://127.0.0.1:\(LoopbackHTTPServer.unusedPort())"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        #expect(run.stderr.contains("warning: --proxy applies to HTTP(S) only"), "\(run.stderr)")
        let files = try recordedFiles(in: dir)
        try #require(files.count == 1)
        #expect(files[0].lastPathComponent == "room.flv")
        let f = try await onThread { try FileFacts(files[0]) }
        #expect(f.duration >= 5.5 && f.duration <= 7)
        #expect(abs(f.startTime) <= 0.1)
        #expect(f.firstVideoIsKeyframe == true)
        #expect(f.decodeErrors.isEmpty)
    }

    /// The RTMP server goes away mid-stream and comes back on the same address (a restarted encoder, from
    /// its first frame): the recording reconnects, goes on in one file, and its report notes the reconnect.
    @Test func rtmpReconnectsAfterTheServerDrops() async throws {
        let media = try TestMedia.flv(seconds: 30)
        let port = LoopbackHTTPServer.unusedPort()
        let url = "rtmp://127.0.0.1:\(port)/live/room"
        let first = try rtmpServer(playing: media, at: url)
        defer { stop(first) }
        try await waitForListener(port: port)

        let dir = try scratchDirectory("rtmp-reconnect")
        async let run = BiliupProcess.run(["download", url, "-o", dir.path + "/{title}", "--duration", "12s"])
        try await Task.sleep(for: .seconds(4))
        stop(first)
        let second = try rtmpServer(playing: media, at: url)
        defer { stop(second) }

        let result = try await run
        #expect(result.status == 0, "biliup failed: \(result.stderr)")
        let files = try recordedFiles(in: dir)
        try #require(files.count == 1, "files: \(files.map(\.lastPathComponent))")
        let report = try sidecar(of: files[0])
        let reconnects = report["reconnects"] as? [[String: Any]] ?? []
        #expect(reconnects.count == 1, "report: \(report)\nbiliup: \(result.stderr)")
        let f = try await onThread { try FileFacts(files[0]) }
        // Media from both servers: about 4 s from the first, the rest of the 12 s from the second.
        #expect(f.duration >= 8, "duration \(f.duration)")
        #expect(abs(f.startTime) <= 0.1)
        #expect(f.firstVideoIsKeyframe == true)
        #expect(f.decodeErrors.isEmpty, "\(f.decodeErrors)")
    }

    @Test func masterPlaylistIsFollowedToItsBestVariant() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let media = try TestMedia.hlsSegments(seconds: 12, fmp4: false)
        let source = try HLSLiveSource(server: server, name: "room", media: media,
                                       options: .init(speed: 10, window: 16, masterPlaylist: true))
        let dir = try scratchDirectory("master")
        let run = try await BiliupProcess.run(["download", source.masterURL.absoluteString, "-o", dir.path + "/{title}"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        let files = try recordedFiles(in: dir)
        #expect(files.map(\.pathExtension) == ["ts"])
        let f = try await onThread { try FileFacts(files[0]) }
        #expect(f.decodeErrors.isEmpty)
        #expect(f.duration > 5)
    }

    /// ffmpeg serving `media` at real-time pace to the first RTMP client of `url`.
    private func rtmpServer(playing media: URL, at url: String) throws -> Process {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        server.arguments = ["-nostdin", "-loglevel", "error", "-re", "-i", media.path, "-c", "copy", "-f", "flv",
                            "-listen", "1", url]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        return server
    }

    /// Ends an ffmpeg server at once. SIGKILL, because SIGTERM would not reach it: a child of a test inherits
    /// the signal mask of the thread that started it, and the test runner's threads block SIGTERM.
    private func stop(_ server: Process) {
        guard server.isRunning else { return }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
    }

    /// Waits until something listens on `port`, without connecting (ffmpeg's RTMP listener takes one client).
    /// Up to a minute: beside the timed pass's bcrypt storms and another busy process, ffmpeg once took
    /// more than ten seconds to open its input and listen.
    private func waitForListener(port: Int) async throws {
        let local = String(format: ":%04X", port)
        for _ in 0..<600 {
            let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
            let listening = table.split(separator: "\n").contains { line in
                let fields = line.split(separator: " ")
                return fields.count > 3 && fields[1].hasSuffix(local) && fields[3] == "0A"
            }
            if listening { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("nothing listens on port \(port)")
    }
}
