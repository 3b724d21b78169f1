import BiliupStore
import BiliupTestSupport
import Foundation
import Testing

/// `biliup run` with a direct FLV URL (the generic plugin, which calls such a URL live at every check):
/// the stream plays, ends, and its URL then answers 404. The session ends `delay` after the last frame
/// while the process runs, and the failed attempts after it open no new session.
@Suite(.serialized) struct GoneStreamCLITests {
    @Test func aDirectFlvStreamThatNowAnswers404EndsItsSession() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        // 6 s of media at 2x: the stream plays 3 s, then its path answers 404.
        let source = try FlvLiveSource(server: server, name: "gone", file: try TestMedia.flv(seconds: 6), options: .init(speed: 2))
        let dir = try scratchDirectory("gone")
        let hooks = dir.appendingPathComponent("hooks.txt")
        try """
            biliup.config {
              data_dir = "\(dir.path)/data",
              recordings_root = "\(dir.path)/rec", output = "{streamer}/{streamer}",
              check_interval = 1, delay = 3, min_segment_size = 0,
            }
            biliup.streamer "gone" { url = "\(source.url.absoluteString)" }
            local function note(line)
              local f = assert(io.open("\(hooks.path)", "a"))
              f:write(line, "\\n")
              f:close()
            end
            biliup.on("stream_start", function(ev) note("start " .. ev.streamer) end)
            biliup.on("stream_end", function(ev) note("end " .. ev.streamer .. " " .. ev.reason .. " " .. #ev.segments) end)
            biliup.on("error", function(ev) note("error " .. ev.message) end)
            """.write(to: dir.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        let process = try BiliupProcess.start(["run", dir.appendingPathComponent("main.lua").path, "--port", "0"])
        defer { if process.isRunning { process.terminate() } }
        @Sendable func lines() -> [String] { ((try? String(contentsOf: hooks, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        try await onThread {
            try RunCommandTests.waitFor("stream_start") { lines().contains("start gone") }
            try RunCommandTests.waitFor("the media to end") { source.sentUntilMediaTime >= 5.9 }
            try RunCommandTests.waitFor("stream_end while the URL answers 404") { lines().contains { $0.hasPrefix("end gone") } }
            #expect(process.isRunning)
            // Further checks still say live and every attempt fails: wait for two of them.
            let errorsAtEnd = lines().filter { $0.hasPrefix("error") }.count
            try RunCommandTests.waitFor("two more failed attempts") { lines().filter { $0.hasPrefix("error") }.count >= errorsAtEnd + 2 }
        }
        let seen = lines()
        #expect(seen.contains("end gone stream ended 1"), "\(seen)")
        #expect(seen.filter { $0.hasPrefix("start") } == ["start gone"], "a session was opened for an attempt that wrote nothing: \(seen)")
        #expect(seen.contains { $0.hasPrefix("error recording failed: HTTP 404") }, "\(seen)")
        process.terminate()
        await onThread { process.waitUntilExit() }
        #expect(process.terminationStatus == 0)

        let store = try Store(path: "\(dir.path)/data/biliup.sqlite3")
        let sessions = try store.sessions()
        try #require(sessions.count == 1)
        #expect(sessions[0].endReason == "stream ended")
        let segments = try store.segments(sessionId: sessions[0].id!).filter { $0.state == .finished }
        try #require(segments.count == 1)
        let facts = try FileFacts(URL(fileURLWithPath: segments[0].path))
        #expect(facts.duration > 4, "\(facts.duration) s of the 6 s sent")
        #expect(facts.videoFrames > 0 && facts.decodeErrors.isEmpty, "\(facts.decodeErrors)")
    }
}
