import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

/// Record-while-upload as a user runs it: `biliup run main.lua` records a local live source in three
/// segments and uploads each to the Bilibili stand-in as soon as it is finished; the session's end
/// submits one archive. Retention waits for Bilibili's acceptance; a kill mid-queue loses nothing.
@Suite(.serialized) struct RunUploadCLITests {
    /// 12 s of media at real time, cut at the keyframes (every 2 s) past 3 s: segments of 0–4, 4–8, 8–12 s.
    static let mediaSeconds = 12

    /// A live room, the stand-in with an account stored as "main", and main.lua uploading alice's
    /// sessions as that account. The segment hook copies each segment, before anything can delete it.
    struct Setup {
        let server: LoopbackHTTPServer
        let source: FlvLiveSource
        let room: RunCommandTests.Room
        let fake: FakePlatform
        let plugins: String
        let dir: URL
        let standIn: BilibiliStandIn

        init(afterUpload: String) async throws {
            server = try LoopbackHTTPServer()
            source = try FlvLiveSource(server: server, name: "alice", file: try TestMedia.flv(seconds: RunUploadCLITests.mediaSeconds))
            let flv = source.url.absoluteString
            room = RunCommandTests.Room()
            let (fake, plugins, dir) = try RunCommandTests.setUp(room, flv: { flv })
            self.fake = fake
            self.plugins = plugins
            self.dir = dir
            standIn = try BilibiliStandIn(directory: dir.appendingPathComponent("standin"))
            standIn.chunkSize = 64 << 10
            let account = standIn.addAccount(mid: 4242, uname: "录播姬")
            let cookies = dir.appendingPathComponent("cookies.json")
            try standIn.loginInfoJSON(for: account).write(to: cookies, atomically: true, encoding: .utf8)
            let login = try await BiliupProcess.run(["login", "--cookie-file", cookies.path, "--name", "main",
                                                     "--data-dir", dir.appendingPathComponent("data").path] + remaps)
            try #require(login.status == 0, "\(login.stderr)")
            try FileManager.default.createDirectory(at: copies, withIntermediateDirectories: true)
            try mainLua(afterUpload: afterUpload).write(to: dir.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        }

        var remaps: [String] { standIn.remapRules.flatMap { ["--host-remap", $0] } }
        var copies: URL { dir.appendingPathComponent("copies") }
        var hooks: URL { dir.appendingPathComponent("hooks.txt") }
        var log: URL { dir.appendingPathComponent("biliup.log") }

        func mainLua(afterUpload: String) -> String {
            """
            biliup.config {
              data_dir = "\(dir.path)/data",
              recordings_root = "\(dir.path)/rec", output = "{streamer}/{streamer}-{title}",
              check_interval = 0.5, delay = 2, min_segment_size = 0, split = { time = "3s" },
            }
            biliup.template "upload" {
              account = "main", title = "{streamer} {title}", tid = 171, tags = { "live" }, line = "bda2",
              after_upload = "\(afterUpload)",
            }
            biliup.streamer "alice" { url = "https://fakelive.test/alice", template = "upload" }
            local function note(line)
              local f = assert(io.open("\(dir.path)/hooks.txt", "a"))
              f:write(line, "\\n")
              f:close()
            end
            local copied = 0
            biliup.on("segment", function(ev)
              copied = copied + 1
              local from = assert(io.open(ev.path, "rb"))
              local bytes = from:read("a")
              from:close()
              local to = assert(io.open("\(copies.path)/" .. copied, "wb"))
              to:write(bytes)
              to:close()
              note("segment " .. ev.path)
            end)
            biliup.on("stream_end", function(ev) note("end " .. #ev.segments) end)
            biliup.on("upload_done", function(ev) note("upload_done " .. ev.aid .. " " .. ev.bvid .. " " .. #ev.parts) end)
            """
        }

        /// `biliup run main.lua`, its log in `log` (appended, so a restart's follows the first run's).
        func start() throws -> Process {
            if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
            let output = try FileHandle(forWritingTo: log)
            output.seekToEndOfFile()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: BiliupProcess.binary)
            p.arguments = ["run", dir.appendingPathComponent("main.lua").path, "--port", "0", "--plugin-dir", plugins,
                           "--host-remap", "api.fakelive.test=\(fake.base("api.fakelive.test"))"] + remaps
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = output
            p.standardError = output
            try p.run()
            return p
        }

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func hookLines() -> [String] {
            ((try? String(contentsOf: hooks, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        var segmentPaths: [String] {
            hookLines().filter { $0.hasPrefix("segment ") }.map { String($0.dropFirst("segment ".count)) }
        }

        /// The copies the segment hook made, in recording order.
        func copiedSegments() throws -> [Data] {
            try (1...segmentPaths.count).map { try Data(contentsOf: copies.appendingPathComponent("\($0)")) }
        }

        /// The accepted archive's parts as the stand-in assembled them, in the archive's order.
        func archivedParts() throws -> [Data] {
            let archive = try #require(standIn.archives.values.first)
            return try archive.videoFilenames.map { try Data(contentsOf: #require(standIn.uploadedFile(named: $0))) }
        }

        func waitFor(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Issue.record("timed out waiting for \(what); biliup said:\n\(logText.suffix(4000))")
            throw TimedOut()
        }

        func stop() {
            server.stop()
            standIn.stop()
        }
    }

    struct TimedOut: Error {}

    /// The stand-in refuses the first submission ("too fast"): the segments stay on disk until the
    /// archive is accepted at the next try, and only then are deleted.
    @Test func segmentsUploadWhileRecordingAndBecomeOneArchive() async throws {
        let s = try await Setup(afterUpload: "delete")
        defer { s.stop() }
        s.standIn.submitRateLimits = 1
        let process = try s.start()
        defer { if process.isRunning { process.terminate() } }
        let mediaTimeAtFirstChunk = try await onThread { () throws -> Double in
            try s.waitFor("the first checks") { s.room.checks.withLock { $0 } >= 1 }
            s.room.live.withLock { $0 = true }
            try s.waitFor("the first chunk") { !s.standIn.chunkPuts.isEmpty }
            let atFirstChunk = s.source.sentUntilMediaTime
            try s.waitFor("the media to end") { s.source.sentUntilMediaTime >= Double(Self.mediaSeconds) - 0.1 }
            s.room.live.withLock { $0 = false }
            try s.waitFor("the refused submission") { s.standIn.submissions.contains { $0.code == 21070 } }
            return atFirstChunk
        }
        // The first part went up while the stream still had seconds to go.
        #expect(mediaTimeAtFirstChunk < Double(Self.mediaSeconds) - 3)
        let paths = s.segmentPaths
        try #require(paths.count == 3, "\(s.hookLines())")
        #expect(s.hookLines().contains("end 3"))
        // Every part is up, the archive refused: nothing may be deleted yet.
        for path in paths { #expect(FileManager.default.fileExists(atPath: path), "\(path) deleted before the archive was accepted") }
        #expect(s.standIn.archives.isEmpty)

        // The rate limit's wait (a minute) passes; the second try is accepted.
        try await onThread {
            try s.waitFor("upload_done", seconds: 300) { s.hookLines().contains { $0.hasPrefix("upload_done ") } }
            try s.waitFor("the segments deleted") { paths.allSatisfy { !FileManager.default.fileExists(atPath: $0) } }
        }
        process.terminate()
        await onThread { process.waitUntilExit() }
        #expect(process.terminationStatus == 0)

        let archive = try #require(s.standIn.archives.values.first)
        #expect(s.standIn.archives.count == 1)
        #expect(s.standIn.submissions.filter { $0.code == 0 }.count == 1)
        #expect(s.hookLines().contains("upload_done \(archive.aid) \(archive.bvid) 3"), "\(s.hookLines())")
        #expect(archive.studio.field("title")?.stringValue == "alice Evening show")
        #expect(archive.studio.field("tid") == .int(171))
        #expect(archive.studio.field("tag")?.stringValue == "live")
        #expect(try s.archivedParts() == s.copiedSegments())
    }

    /// Killed while parts are still to go up (the stand-in refuses chunks after the first part), then
    /// started again: the archive ends up complete, in order, and submitted once.
    @Test func aKillMidQueueThenARestartStillSubmitsTheWholeArchiveOnce() async throws {
        let s = try await Setup(afterUpload: "keep")
        defer { s.stop() }
        let first = try s.start()
        defer { if first.isRunning { first.terminate() } }
        try await onThread {
            try s.waitFor("the first checks") { s.room.checks.withLock { $0 } >= 1 }
            s.room.live.withLock { $0 = true }
            try s.waitFor("the first part up") { s.standIn.requests.contains { $0.method == "POST" && $0.query["uploadId"] != nil } }
            s.standIn.chunkFailureRate = 1
            try s.waitFor("the media to end") { s.source.sentUntilMediaTime >= Double(Self.mediaSeconds) - 0.1 }
            s.room.live.withLock { $0 = false }
            try s.waitFor("stream_end") { s.hookLines().contains { $0.hasPrefix("end ") } }
            try s.waitFor("a refused chunk of a later part") { s.standIn.chunkPuts.contains { $0.status == 500 } }
        }
        kill(first.processIdentifier, SIGKILL)
        await onThread { first.waitUntilExit() }
        #expect(s.standIn.submissions.isEmpty)
        let paths = s.segmentPaths
        try #require(paths.count == 3, "\(s.hookLines())")
        for path in paths { #expect(FileManager.default.fileExists(atPath: path)) }

        s.standIn.chunkFailureRate = 0
        let second = try s.start()
        defer { if second.isRunning { second.terminate() } }
        try await onThread {
            try s.waitFor("upload_done after the restart", seconds: 300) { s.hookLines().contains { $0.hasPrefix("upload_done ") } }
        }
        second.terminate()
        await onThread { second.waitUntilExit() }
        #expect(second.terminationStatus == 0)

        #expect(s.standIn.archives.count == 1)
        #expect(s.standIn.submissions.count == 1)
        #expect(try s.archivedParts() == s.copiedSegments())
        // "keep": the files stay.
        for path in paths { #expect(FileManager.default.fileExists(atPath: path)) }
    }
}

extension JSONValue {
    fileprivate func field(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}
