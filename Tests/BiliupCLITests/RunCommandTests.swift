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
          recordings_root = "\(dir.path)/rec", output = "{streamer}/{streamer}-{title}",
          check_interval = 0.5, delay = 2, min_segment_size = 0,
        }
        biliup.template "daily" { title = "{streamer} %Y-%m-%d", tid = 171 }
        biliup.streamer "alice" { url = "https://fakelive.test/alice" }
        \(extra)
        local function note(line)
          local f = assert(io.open("\(dir.path)/hooks.txt", "a"))
          f:write(line, "\\n")
          f:close()
        end
        biliup.on("stream_start", function(ev) note("start " .. ev.streamer .. " " .. ev.title) end)
        biliup.on("segment", function(ev)
          note("segment " .. ev.streamer .. " " .. ev.path)
          biliup.remux(ev.path, (ev.path:gsub("%.flv$", ".mkv")))
        end)
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
        let process = try BiliupProcess.start(["run", dir.appendingPathComponent("main.lua").path, "--port", "0", "--plugin-dir", plugins,
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
        #expect(try store.templates().map(\.name) == ["daily"])
        #expect(try store.template(named: "daily")?.fields["tid"] == .int(171))
        let segments = try store.segments(sessionId: session.id!)
        let finished = segments.filter { $0.state == .finished }
        try #require(finished.count >= 1)
        for s in finished {
            #expect(FileManager.default.fileExists(atPath: s.path), "\(s.path)")
            let remuxed = s.path.replacingOccurrences(of: ".flv", with: ".mkv")
            #expect(FileManager.default.fileExists(atPath: remuxed), "the segment hook's biliup.remux made \(remuxed)")
        }
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

/// More of `biliup run`: filters and overrides, live edits of main.lua, and stopping.
@Suite(.serialized) struct RunCommandLifecycleTests {
    static func start(_ dir: URL, _ fake: FakePlatform, _ plugins: String) throws -> Process {
        try BiliupProcess.start(["run", dir.appendingPathComponent("main.lua").path, "--port", "0", "--plugin-dir", plugins,
                                 "--host-remap", "api.fakelive.test=\(fake.base("api.fakelive.test"))", "--reload-interval", "0.2s"])
    }

    /// Every room of the fake platform live, streaming a looping real-time FLV source.
    static func liveRoomForever() throws -> (LoopbackHTTPServer, RunCommandTests.Room, FakePlatform, String, URL) {
        let server = try LoopbackHTTPServer()
        let source = try FlvLiveSource(server: server, name: "s", file: try TestMedia.flv(seconds: 6), options: .init(speed: 1, loop: true))
        let flv = source.url.absoluteString
        let room = RunCommandTests.Room()
        room.live.withLock { $0 = true }
        let (fake, plugins, dir) = try RunCommandTests.setUp(room, flv: { flv })
        return (server, room, fake, plugins, dir)
    }

    static func checks(_ fake: FakePlatform, _ id: String) -> Int {
        fake.requests(to: "api.fakelive.test", "/room").filter { $0.query["id"] == id }.count
    }

    @Test func filtersAndOverridesAreHonouredAndEditsApplyWhileRunning() async throws {
        let (server, _, fake, plugins, dir) = try Self.liveRoomForever()
        defer { server.stop() }
        let hour = Calendar.current.component(.hour, from: Date())
        let closedWindow = String(format: "%02d:00-%02d:00", (hour + 2) % 24, (hour + 3) % 24)
        let main = dir.appendingPathComponent("main.lua")
        try RunCommandTests.mainLua(dir, extra: """
            biliup.streamer "bob" { url = "https://fakelive.test/bob", title_exclude = { "show" } }
            biliup.streamer "carol" { url = "https://fakelive.test/carol", schedule = { "\(closedWindow)" } }
            biliup.streamer "dave" { url = "https://fakelive.test/dave", format = "mkv", title_include = { "evening" } }
            """).replacingOccurrences(of: "biliup.streamer \"alice\" { url = \"https://fakelive.test/alice\" }", with: "")
            .write(to: main, atomically: true, encoding: .utf8)
        let process = try Self.start(dir, fake, plugins)
        defer { if process.isRunning { process.terminate() } }
        let rec = dir.appendingPathComponent("rec")
        try await onThread {
            try RunCommandTests.waitFor("dave's recording") {
                ((try? FileManager.default.contentsOfDirectory(atPath: rec.appendingPathComponent("dave").path)) ?? []).contains { $0.hasSuffix(".mkv.part") }
            }
            try RunCommandTests.waitFor("bob and carol checked a few times") { Self.checks(fake, "bob") >= 3 && Self.checks(fake, "carol") >= 3 }
        }
        #expect(!FileManager.default.fileExists(atPath: rec.appendingPathComponent("bob").path), "bob's title is excluded")
        #expect(!FileManager.default.fileExists(atPath: rec.appendingPathComponent("carol").path), "carol is outside her schedule")

        // Edit while running: bob removed, erin added; dave untouched keeps recording the same file.
        let daveFile = try FileManager.default.contentsOfDirectory(atPath: rec.appendingPathComponent("dave").path).filter { $0.hasSuffix(".part") }
        try """
            biliup.config { data_dir = "\(dir.path)/data", recordings_root = "\(dir.path)/rec", output = "{streamer}/{streamer}-{title}",
                            check_interval = 0.5, delay = 2, min_segment_size = 0 }
            biliup.streamer "carol" { url = "https://fakelive.test/carol", schedule = { "\(closedWindow)" } }
            biliup.streamer "dave" { url = "https://fakelive.test/dave", format = "mkv", title_include = { "evening" } }
            biliup.streamer "erin" { url = "https://fakelive.test/erin" }
            """.write(to: main, atomically: true, encoding: .utf8)
        try await onThread {
            try RunCommandTests.waitFor("erin's recording") {
                ((try? FileManager.default.contentsOfDirectory(atPath: rec.appendingPathComponent("erin").path)) ?? []).contains { $0.hasSuffix(".flv.part") }
            }
        }
        let bobChecks = Self.checks(fake, "bob")
        await onThread { Thread.sleep(forTimeInterval: 1.5) }
        #expect(Self.checks(fake, "bob") == bobChecks, "bob is still checked after being removed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: rec.appendingPathComponent("dave").path).filter { $0.hasSuffix(".part") } == daveFile,
                "dave's recording was restarted by an edit that did not change him")

        // A broken edit is reported and changes nothing.
        let erinChecks = Self.checks(fake, "erin")
        try "biliup.streamer \"erin\" { url = 42 }\n".write(to: main, atomically: true, encoding: .utf8)
        await onThread { Thread.sleep(forTimeInterval: 1.0) }
        #expect(Self.checks(fake, "erin") == erinChecks, "erin is recording, not checked")
        #expect(FileManager.default.fileExists(atPath: rec.appendingPathComponent("erin").path))

        process.terminate()
        await onThread { process.waitUntilExit() }
        #expect(process.terminationStatus == 0)
        let store = try Store(path: "\(dir.path)/data/biliup.sqlite3")
        #expect(try store.streamers().map(\.name).sorted() == ["carol", "dave", "erin"])
        #expect(try store.templates().isEmpty)
        let errors = try store.events(limit: 1000).filter { $0.kind == "config" && $0.level == .error }
        #expect(errors.contains { $0.message.contains("main.lua:1: streamer \"erin\": url: expected a URL or a list of URLs, got number 42") },
                "\(errors.map(\.message))")
    }

    /// SIGTERM while recording: files closed, renamed and playable, the session closed; a restart finds
    /// a consistent state. SIGKILL: the next start closes the interrupted session and keeps its file.
    @Test func stoppingAndRestartingKeepTheStateConsistent() async throws {
        let (server, room, fake, plugins, dir) = try Self.liveRoomForever()
        defer { server.stop() }
        try RunCommandTests.mainLua(dir).write(to: dir.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        let alice = dir.appendingPathComponent("rec/alice")
        @Sendable func parts() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: alice.path)) ?? []).filter { $0.hasSuffix(".part") } }

        let first = try Self.start(dir, fake, plugins)
        try await onThread { try RunCommandTests.waitFor("a recording") { !parts().isEmpty }; Thread.sleep(forTimeInterval: 3) }
        first.terminate()
        await onThread { first.waitUntilExit() }
        #expect(first.terminationStatus == 0)
        #expect(parts().isEmpty, "left .part files: \(parts())")
        var store = try Store(path: "\(dir.path)/data/biliup.sqlite3")
        var sessions = try store.sessions()
        try #require(sessions.count == 1)
        #expect(sessions[0].endReason == "stopped" && sessions[0].endedAt != nil)
        let segments = try store.segments(sessionId: sessions[0].id!)
        #expect(segments.count == 1 && segments[0].state == .finished)
        let facts = try await onThread { try FileFacts(URL(fileURLWithPath: segments[0].path)) }
        #expect(facts.decodeErrors.isEmpty && facts.duration > 1)
        try store.close()

        // SIGKILL mid-recording, then a restart with the room offline.
        let second = try Self.start(dir, fake, plugins)
        try await onThread { try RunCommandTests.waitFor("a second recording") { !parts().isEmpty }; Thread.sleep(forTimeInterval: 2) }
        kill(second.processIdentifier, SIGKILL)
        await onThread { second.waitUntilExit() }
        room.live.withLock { $0 = false }
        let third = try Self.start(dir, fake, plugins)
        try await onThread { try RunCommandTests.waitFor("checks after the restart") { Self.checks(fake, "alice") >= 1 } }
        await onThread { Thread.sleep(forTimeInterval: 1) }
        third.terminate()
        await onThread { third.waitUntilExit() }
        store = try Store(path: "\(dir.path)/data/biliup.sqlite3")
        sessions = try store.sessions()
        #expect(sessions.count == 2)
        #expect(try store.openSessionsCount() == 0)
        let killed = try #require(sessions.first { $0.endReason == "interrupted" }, "\(sessions.map(\.endReason))")
        let killedSegments = try store.segments(sessionId: killed.id!)
        #expect(killedSegments.allSatisfy { $0.state != .recording }, "\(killedSegments.map(\.state))")
    }
}

@Suite struct RunCommandDiskGuardTests {
    /// Below min_free_disk a live room is not recorded, no empty files appear, and the user is told.
    @Test func lowDiskStartsNothingAndSaysSo() async throws {
        let room = RunCommandTests.Room()
        room.live.withLock { $0 = true }
        let (fake, plugins, dir) = try RunCommandTests.setUp(room, flv: { "http://127.0.0.1:1/never.flv" })
        try RunCommandTests.mainLua(dir).replacingOccurrences(of: "min_segment_size = 0,", with: "min_segment_size = 0, min_free_disk = \"900000GB\",")
            .write(to: dir.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        let process = try RunCommandLifecycleTests.start(dir, fake, plugins)
        try await onThread { try RunCommandTests.waitFor("a few checks") { RunCommandLifecycleTests.checks(fake, "alice") >= 3 } }
        process.terminate()
        await onThread { process.waitUntilExit() }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("rec").path))
        let store = try Store(path: "\(dir.path)/data/biliup.sqlite3")
        #expect(try store.sessions().isEmpty)
        let errors = try store.events(limit: 100).filter { $0.kind == "error" }
        #expect(errors.count == 1, "said once, not at every check: \(errors.map(\.message))")
        #expect(errors.first?.message.contains("below min_free_disk") == true)
    }
}

@Suite struct RunCommandLimitsTests {
    /// max_recordings = 1: a second live room waits for the first recording to end. min_segment_size:
    /// smaller segments are deleted, marked removed, and no segment hook runs for them.
    @Test func recordingSlotsQueueAndSmallSegmentsAreDropped() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let media = try TestMedia.flv(seconds: 4)
        let a = try FlvLiveSource(server: server, name: "a", file: media, options: .init(speed: 4))
        let b = try FlvLiveSource(server: server, name: "b", file: media, options: .init(speed: 4))
        let fake = try FakePlatform()
        let urls = ["a": a.url.absoluteString, "b": b.url.absoluteString]
        fake.route("api.fakelive.test", "/room") { r, w in
            let id = r.query["id"] ?? ""
            let source = id == "a" ? a : b
            let live = source.sentUntilMediaTime < 3.9
            w.send(status: 200, headers: ["Content-Type": "application/json"],
                   body: Data(#"{"live":\#(live),"title":"t","flv":"\#(urls[id] ?? "")"}"#.utf8))
        }
        let plugins = try PluginPaths.temporary()
        try RunCommandTests.plugin.write(toFile: "\(plugins)/fakelive.lua", atomically: true, encoding: .utf8)
        let dir = try scratchDirectory("run-limits")
        try RunCommandTests.mainLua(dir)
            .replacingOccurrences(of: "min_segment_size = 0,", with: "min_segment_size = \"5GB\", max_recordings = 1,")
            .replacingOccurrences(of: "biliup.streamer \"alice\" { url = \"https://fakelive.test/alice\" }",
                                  with: "biliup.streamer \"a\" { url = \"https://fakelive.test/a\" }\nbiliup.streamer \"b\" { url = \"https://fakelive.test/b\" }")
            .write(to: dir.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        let process = try RunCommandLifecycleTests.start(dir, fake, plugins)
        defer { if process.isRunning { process.terminate() } }
        let hooks = dir.appendingPathComponent("hooks.txt")
        try await onThread {
            try RunCommandTests.waitFor("both sessions to end") {
                let text = (try? String(contentsOf: hooks, encoding: .utf8)) ?? ""
                return text.contains("end a") && text.contains("end b")
            }
        }
        process.terminate()
        await onThread { process.waitUntilExit() }
        let store = try Store(path: "\(dir.path)/data/biliup.sqlite3")
        let sessions = try store.sessions().sorted { $0.startedAt < $1.startedAt }
        try #require(sessions.count == 2)
        let queued = try store.events(limit: 1000).filter { $0.message.contains("waiting for a free recording slot (max_recordings = 1)") }
        #expect(queued.count == 1, "one room waited for the other: \(queued.map(\.message))")
        for session in sessions {
            let segments = try store.segments(sessionId: session.id!)
            #expect(!segments.isEmpty && segments.allSatisfy { $0.state == .removed }, "\(segments.map(\.state))")
            for s in segments { #expect(!FileManager.default.fileExists(atPath: s.path)) }
            #expect(session.segmentCount == 0)
        }
        let lines = try String(contentsOf: hooks, encoding: .utf8)
        #expect(!lines.contains("segment "), "no segment hook for removed segments: \(lines)")
    }
}
