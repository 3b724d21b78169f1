import BiliupEngine
import BiliupMedia
import BiliupScript
import BiliupStore
import BiliupTestSupport
import Foundation
import Testing

/// main.lua as a client of the engine: hooks read `biliup.status()` and pause, resume, start and stop
/// streamers by name, through the same commands the API runs.
@Suite struct MainScriptControlTests {
    static let source = """
        biliup.config { data_dir = "data" }
        biliup.streamer "alice" { url = "test://live/alice" }
        biliup.streamer "bob" { url = "test://live/bob" }
        local function expect(what, got, want)
          if got ~= want then error(what .. ": " .. tostring(got) .. ", expected " .. tostring(want)) end
        end
        biliup.on("stream_end", function(ev)
          expect("pause answers the new phase", biliup.pause(ev.streamer), "paused")
          local st = biliup.status()
          expect("phase in status", st.streamers[ev.streamer].phase, "paused")
          expect("paused flag", st.streamers[ev.streamer].paused, true)
          expect("the other streamer", st.streamers.bob.phase, "idle")
          expect("recordings", st.recordings, 0)
          expect("disk path", type(st.disk.path), "string")
        end)
        biliup.on("error", function(ev)
          expect("resume answers the new phase", biliup.resume(ev.streamer), "idle")
          local ok, err = pcall(biliup.stop, ev.streamer)
          expect("stop of an idle streamer fails", ok, false)
          expect("its message", tostring(err):find("is not recording", 1, true) ~= nil, true)
          local ok2, err2 = pcall(biliup.pause, "nobody")
          expect("unknown streamer", tostring(err2):find("no streamer named 'nobody'", 1, true) ~= nil, true)
        end)
        """

    struct Running {
        let script: MainScript
        let engine: Engine
        let dir: String
    }

    static func start(_ source: String) async throws -> Running {
        let dir = try PluginPaths.temporary()
        try source.write(toFile: "\(dir)/main.lua", atomically: true, encoding: .utf8)
        let script = MainScript(path: "\(dir)/main.lua", configuration: ScriptConfiguration(pluginDirectories: []),
                                parseDuration: { Units.duration($0)?.seconds }, parseSize: { Units.size($0) },
                                checkOutput: { OutputTemplate.problem(in: $0)?.description }, formats: OutputFormat.allCases.map(\.rawValue))
        var config = try await script.load().get()
        config.global.dataDir = "\(dir)/data"
        config.global.recordingsRoot = "\(dir)/recordings"
        config.global.minFreeDiskBytes = 0
        let store = try Store(path: "\(dir)/data/biliup.sqlite3")
        let engine = Engine(config: config, store: store, checker: CountingChecker(), bus: EventBus(),
                            rates: PlatformRates(defaultPerSecond: 50, perPlatform: [:]))
        try await engine.start()
        script.attach(engine)
        return Running(script: script, engine: engine, dir: dir)
    }

    @Test func hooksPauseResumeAndReadStatusByName() async throws {
        let r = try await Self.start(Self.source)
        defer { try? FileManager.default.removeItem(atPath: r.dir) }
        let paused = await r.script.emit("stream_end", ["streamer": .string("alice")])
        #expect(paused.map(\.message) == [])
        #expect(try await r.engine.streamers().first { $0.0.name == "alice" }?.1.phase == .paused)
        #expect(try await r.engine.streamers().first { $0.0.name == "alice" }?.0.paused == true)
        #expect(try await r.engine.streamers().first { $0.0.name == "bob" }?.1.phase == .idle)

        let resumed = await r.script.emit("error", ["streamer": .string("alice")])
        #expect(resumed.map(\.message) == [])
        #expect(try await r.engine.streamers().first { $0.0.name == "alice" }?.0.paused == false)
        await r.engine.stop()
    }

    @Test func aCommandBeforeTheEngineRunsSaysSo() async throws {
        let dir = try PluginPaths.temporary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"biliup.pause("alice")"#.write(toFile: "\(dir)/main.lua", atomically: true, encoding: .utf8)
        let script = MainScript(path: "\(dir)/main.lua", configuration: ScriptConfiguration(pluginDirectories: []),
                                parseDuration: { Units.duration($0)?.seconds }, parseSize: { Units.size($0) },
                                checkOutput: { OutputTemplate.problem(in: $0)?.description }, formats: OutputFormat.allCases.map(\.rawValue))
        guard case .failure(let error) = await script.load() else { Issue.record("loaded"); return }
        #expect(error.message.contains("biliup.pause(\"alice\"): the engine is not running yet"))
        #expect(error.message.contains("main.lua:1"))
    }
}
