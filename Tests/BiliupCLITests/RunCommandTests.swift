import BiliupStore
import BiliupTestSupport
import Foundation
import Synchronization
import Testing

/// `biliup run main.lua` against a fake platform (a test plugin, a local HTTP-FLV source): a room going
/// live is recorded at the next check, the session ends `delay` after the room goes offline, sessions
/// and segments are in SQLite, hooks fire in order with the right paths; SIGTERM leaves it consistent.
@Suite(.serialized) struct RunCommandTests {
    static let plugin = """
        return {
          name = "fakelive",
          match = "^https://fakelive%.test/(%w+)",
          check = function(url)
            local id = url:match("/(%w+)$")
            local info = http.get("https://api.fakelive.test/room?id=" .. id):json()
            if not info.live then return { live = false, title = info.title } end
            return { live = true, title = info.title, streamer = id, streams = { { url = info.flv } } }
          end,
        }
        """

    final class Room: Sendable {
        let live = Mutex(false)
        let checks = Mutex(0)
    }

    static func setUp(_ room: Room, flv: @escaping @Sendable () -> String) throws -> (FakePlatform, String, URL) {
        let fake = try FakePlatform()
        fake.route("api.fakelive.test", "/room") { _, w in
            room.checks.withLock { $0 += 1 }
            let live = room.live.withLock { $0 }
            w.send(status: 200, headers: ["Content-Type": "application/json"],
                   body: Data(#"{"live":\#(live),"title":"Evening show","flv":"\#(flv())"}"#.utf8))
        }
        let plugins = try PluginPaths.temporary()
        try plugin.write(toFile: "\(plugins)/fakelive.lua", atomically: true, encoding: .utf8)
        let dir = try scratchDirectory("run")
        return (fake, plugins, dir)
    }

    static func mainLua(_ dir: URL, extra: String = "") -> String {
        """
        biliup.config {
          data_dir = "\(dir.path)/data",
          output = "\(dir.path)/rec/{streamer}/{streamer}-{title}",
          check_interval = 0.5, delay = 2, min_segment_size = 0,
        }
        biliup.streamer "alice" { url = "https://fakelive.test/alice" }
        \(extra)
        local function note(line)
          local f = assert(io.open("\(dir.path)/hooks.txt", "a"))
          f:write(line, "\\n")
          f:close()
        end
        biliup.on("stream_start", function(ev) note("start " .. ev.streamer .. " " .. ev.title) end)
        biliup.on("segment", function(ev) note("segment " .. ev.streamer .. " " .. ev.path) end)
        biliup.on("stream_end", function(ev) note("end " .. ev.streamer .. " " .. ev.reason .. " " .. #ev.segments) end)
        """
    }

    static func waitFor(_ what: String, seconds: Double = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out waiting for \(what)")
    }

    @Test func aRoomGoingLiveIsRecordedAndItsSessionEndsAfterTheDelay() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "alice", file: try TestMedia.flv(seconds: 6), options: .init(speed: 4))
        let flv = source.url.absoluteString
        let room = Room()
        let (fake, plugins, dir) = try Self.setUp(room, flv: { flv })
        try Self.mainLua(dir).write(to: dir.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        let process = try BiliupProcess.start(["run", dir.appendingPathComponent("main.lua").path, "--plugin-dir", plugins,
                                               "--host-remap", "api.fakelive.test=\(fake.base("api.fakelive.test"))"])
        defer { if process.isRunning { process.terminate() } }
        let hooks = dir.appendingPathComponent("hooks.txt")
        try await onThread {
            try Self.waitFor("the first checks") { room.checks.withLock { $0 } >= 2 }
            #expect(!FileManager.default.fileExists(atPath: hooks.path), "recorded while offline")
            let checksBeforeLive = room.checks.withLock { $0 }
            room.live.withLock { $0 = true }
            try Self.waitFor("stream_start") { (try? String(contentsOf: hooks, encoding: .utf8))?.contains("start alice") == true }
            // Recording started at the first check that saw the room live.
            #expect(room.checks.withLock { $0 } - checksBeforeLive <= 2)
            // The 6 s of media at 4x end; the room goes offline; the session ends 2 s later.
            try Self.waitFor("the media to end") { source.sentUntilMediaTime >= 5.9 }
            room.live.withLock { $0 = false }
            try Self.waitFor("stream_end") { (try? String(contentsOf: hooks, encoding: .utf8))?.contains("end alice") == true }
        }
        process.terminate()
        await onThread { process.waitUntilExit() }
        #expect(process.terminationStatus == 0)

        let store = try Store(path: "\(dir.path)/data/biliup.sqlite3")
        let sessions = try store.sessions()
        try #require(sessions.count == 1)
        let session = sessions[0]
        #expect(session.streamerName == "alice" && session.title == "Evening show" && session.endReason == "stream ended")
        let segments = try store.segments(sessionId: session.id!)
        let finished = segments.filter { $0.state == .finished }
        try #require(finished.count >= 1)
        for s in finished { #expect(FileManager.default.fileExists(atPath: s.path), "\(s.path)") }
        #expect(finished.reduce(0) { $0 + $1.duration } > 5)
        let lines = try String(contentsOf: hooks, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "start alice Evening show")
        #expect(lines.dropFirst().dropLast() == finished.map { "segment alice \($0.path)" }[...], "\(lines)")
        #expect(lines.last == "end alice stream ended \(finished.count)")
        let kinds = try store.events(limit: 1000).map(\.kind)
        #expect(kinds.contains("stream_start") && kinds.contains("segment") && kinds.contains("stream_end"))
    }

    @Test func aBadMainLuaStopsTheStartWithFileAndLine() async throws {
        let dir = try scratchDirectory("run-bad")
        let file = dir.appendingPathComponent("main.lua")
        try "biliup.config {\n  check_intervall = 30,\n}\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try await BiliupProcess.run(["run", file.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("main.lua:1: biliup.config: unknown option \"check_intervall\" (did you mean \"check_interval\"?)"), "\(run.stderr)")
    }
}
