import BiliupMedia
import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// main.lua: declarations checked into a configuration with file and line in every error; hooks run in
/// order; a broken edit keeps the last good configuration.
@Suite struct MainScriptTests {
    static func script(_ source: String, log: LogCapture = LogCapture()) throws -> (MainScript, String) {
        let dir = try PluginPaths.temporary()
        let path = "\(dir)/main.lua"
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        let script = MainScript(path: path, configuration: ScriptConfiguration(pluginDirectories: [], log: { log.add($0) }),
                                parseDuration: { Units.duration($0)?.seconds }, parseSize: { Units.size($0) },
                                checkOutput: { OutputTemplate.problem(in: $0)?.description }, formats: OutputFormat.allCases.map(\.rawValue))
        return (script, path)
    }

    static let example = """
        biliup.config {
          data_dir = "state",
          format = "ts", split = { time = "1h", size = "2GB" },
          check_interval = 20, delay = "2m",
          max_recordings = 10, min_free_disk = "5GB", min_segment_size = "20MB",
          server = { bind = "127.0.0.1", port = 8080, public_metrics = true },
        }
        biliup.template "default" { title = "{streamer} %Y-%m-%d", tid = 171, tags = { "直播录像" } }
        biliup.streamer "alice" {
          url = "https://live.bilibili.com/123",
          template = "default", danmaku = true,
          options = { qn = 10000 },
          schedule = { "20:00-02:00", "sat,sun 10:00-12:00" },
          title_exclude = { "回放" },
          format = "mkv", split = { time = "30m" },
        }
        biliup.streamer "bob" { url = { "https://www.douyu.com/1", "https://www.douyu.com/2" } }
        local order = {}
        biliup.on("segment", function(ev) order[#order + 1] = "first " .. ev.path end)
        biliup.on("segment", function(ev) log.info("second", ev.path, #order) end)
        biliup.on("error", function(ev) error("hook failed on purpose") end)
        """

    @Test func declarationsBecomeATypedConfiguration() async throws {
        let (script, _) = try Self.script(Self.example)
        let config = try await script.load().get()
        #expect(config.global.dataDir == "state")
        #expect(config.global.recording.format == "ts")
        #expect(config.global.recording.splitSeconds == 3600 && config.global.recording.splitBytes == 2 << 30)
        #expect(config.global.recording.checkInterval == 20 && config.global.recording.delay == 120)
        #expect(config.global.recording.minSegmentBytes == 20 << 20)
        #expect(config.global.recording.output == GlobalOptions().recording.output)
        #expect(config.global.maxRecordings == 10 && config.global.minFreeDiskBytes == 5 << 30)
        #expect(config.global.serverPort == 8080)
        #expect(config.global.serverPublicMetrics)
        #expect(config.templates.map(\.name) == ["default"])
        #expect(config.templates[0].fields["tid"] == .int(171))
        let alice = try #require(config.streamers.first)
        #expect(alice.name == "alice" && alice.urls == ["https://live.bilibili.com/123"] && alice.line == 9)
        #expect(alice.template == "default" && alice.danmaku && alice.options == ["qn": .int(10000)])
        #expect(alice.schedule.map(\.description) == ["20:00-02:00", "sat,sun 10:00-12:00"])
        #expect(alice.titleExclude == ["回放"])
        #expect(alice.overrides == RecordingSettings(format: "mkv", splitSeconds: 1800))
        let effective = config.global.recording.overridden(by: alice.overrides)
        #expect(effective.format == "mkv" && effective.splitSeconds == 1800 && effective.splitBytes == 2 << 30)
        #expect(config.streamers[1].urls.count == 2 && !config.streamers[1].danmaku)
        #expect(config.hooks == ["segment": 2, "error": 1])
    }

    @Test func danmakuDetailAndASSAreReadAndDefaultToOff() async throws {
        let (script, _) = try Self.script("""
            biliup.streamer "a" { url = "https://live.bilibili.com/1", danmaku = true, danmaku_detail = true, danmaku_ass = true }
            biliup.streamer "b" { url = "https://live.bilibili.com/2", danmaku = true }
            """)
        let config = try await script.load().get()
        #expect(config.streamers.map { [$0.danmaku, $0.danmakuDetail, $0.danmakuASS] } == [[true, true, true], [true, false, false]])
    }

    @Test func publicMetricsIsTrueOrFalse() async throws {
        let (bad, _) = try Self.script("biliup.config { server = { public_metrics = 1 } }\n")
        guard case .failure(let e) = await bad.load() else { Issue.record("accepted"); return }
        #expect(e.message.contains("main.lua:1: server.public_metrics: expected true or false, got"), "\(e.message)")
    }

    @Test func hooksRunInOrderAndFailuresAreReported() async throws {
        let log = LogCapture()
        let (script, _) = try Self.script(Self.example, log: log)
        _ = try await script.load().get()
        #expect(await script.emit("segment", ["path": .string("/r/a.flv")]).isEmpty)
        #expect(log.all.contains(ScriptLogRecord(level: .info, source: "main.lua on(\"segment\") #2", message: "second /r/a.flv 1")))
        let errors = await script.emit("error", ["message": .string("x")])
        #expect(errors.count == 1 && errors[0].message.hasSuffix("main.lua:21: hook failed on purpose"), "\(errors)")
        #expect(await script.emit("stream_end", [:]).isEmpty)
    }

    @Test(arguments: [
        ("biliup.config {\n  check_interval = 30\n  delay = 5\n}", "main.lua:3: '}' expected (to close '{' at line 1) near 'delay'"),
        ("biliup.streamer \"x\" {\n  url = \"https://a/b\",\n  splt = { time = \"1h\" },\n}", "main.lua:1: streamer \"x\": unknown option \"splt\" (did you mean \"split\"?)"),
        ("biliup.config { check_interval = \"soon\" }", "main.lua:1: check_interval: \"soon\" is not a duration (e.g. 30, \"30s\", \"10m\", \"1h\")"),
        ("biliup.config { max_recordings = \"ten\" }", "main.lua:1: max_recordings: expected a positive integer, got string \"ten\""),
        ("\n\nbiliup.streamer \"x\" { url = \"https://a/b\", template = \"nope\" }", "main.lua:3: streamer \"x\": template \"nope\" is not declared (biliup.template \"nope\" { ... })"),
        ("biliup.streamer \"x\" { url = 5 }", "main.lua:1: streamer \"x\": url: expected a URL or a list of URLs, got number 5"),
        ("biliup.streamer \"x\" { url = \"https://a/b\", schedule = { \"25:00-26:00\" } }", "main.lua:1: streamer \"x\": schedule: \"25:00-26:00\" is not a window like \"20:00-02:00\" or \"sat,sun 10:00-12:00\""),
        ("biliup.on(\"segmnt\", print)", "main.lua:1: biliup.on: unknown event 'segmnt' (stream_start, segment, stream_end, error, upload_start, upload_done, upload_error)"),
        ("biliup.config { format = \"avi\" }", "main.lua:1: format: expected flv, ts, mkv or mp4, got \"avi\""),
        ("\nbiliup.streamer \"x\" { url = \"https://a/b\", danmaku_detail = \"yes\" }", "main.lua:2: streamer \"x\": danmaku_detail: expected true or false, got string \"yes\""),
        ("biliup.streamer \"x\" { url = \"https://a/b\", danmaku_ass = 1 }", "main.lua:1: streamer \"x\": danmaku_ass: expected true or false, got number 1"),
        ("biliup.streamer \"x\" { url = \"https://a/b\", danmaku_as = true }", "main.lua:1: streamer \"x\": unknown option \"danmaku_as\" (did you mean \"danmaku_ass\"?)"),
    ])
    func badFilesSayWhereAndWhat(source: String, expected: String) async throws {
        let (script, _) = try Self.script(source)
        let result = await script.load()
        guard case .failure(let error) = result else { Issue.record("accepted: \(source)"); return }
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func aBrokenReloadKeepsTheLastGoodConfigurationAndHooks() async throws {
        let log = LogCapture()
        let (script, path) = try Self.script("""
            biliup.streamer "a" { url = "https://x/1" }
            biliup.on("segment", function() log.info("old hook") end)
            """, log: log)
        #expect(try await script.load().get().streamers.map(\.name) == ["a"])
        #expect(await script.reloadIfChanged() == nil)
        try "biliup.streamer \"a\" { url = \"https://x/1\" }\nbiliup.streamer \"b\" { url = }\n".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .failure(let error)? = await script.reloadIfChanged() else { Issue.record("a broken file loaded"); return }
        #expect(error.message.hasPrefix("main.lua:2:"))
        _ = await script.emit("segment", [:])
        #expect(log.all.contains { $0.message == "old hook" })
        try """
            biliup.streamer "a" { url = "https://x/1" }
            biliup.streamer "b" { url = "https://x/2" }
            biliup.on("segment", function() log.info("new hook") end)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await script.reloadIfChanged()?.get().streamers.map(\.name) == ["a", "b"])
        _ = await script.emit("segment", [:])
        #expect(log.all.contains { $0.message == "new hook" })
    }

    @Test func scheduleWindows() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func at(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {  // 2026-11-29 is a Sunday
            calendar.date(from: DateComponents(year: 2026, month: 11, day: day, hour: hour, minute: minute))!
        }
        let night = try #require(ScheduleWindow("20:00-02:00"))
        #expect(night.contains(at(29, 21), calendar: calendar) && night.contains(at(30, 1, 59), calendar: calendar))
        #expect(!night.contains(at(30, 2), calendar: calendar) && !night.contains(at(29, 19, 59), calendar: calendar))
        let weekend = try #require(ScheduleWindow("sat,sun 10:00-12:00"))
        #expect(weekend.contains(at(29, 11), calendar: calendar) && !weekend.contains(at(30, 11), calendar: calendar))
        let fridayNight = try #require(ScheduleWindow("fri 23:00-01:00"))
        #expect(fridayNight.contains(at(28, 0, 30), calendar: calendar))  // Saturday 00:30 belongs to Friday's window
        #expect(!fridayNight.contains(at(29, 0, 30), calendar: calendar))
        let weekdays = try #require(ScheduleWindow("mon-fri 19:00-23:30"))
        #expect(weekdays.weekdays == [2, 3, 4, 5, 6])
        for bad in ["", "20:00", "xx 10:00-11:00", "10:00-10:00", "24:30-01:00"] { #expect(ScheduleWindow(bad) == nil, "\(bad)") }
    }
}

@Suite struct HookHelperTests {
    @Test func hooksRunProgramsWithoutAShellAndMoveAndDeleteFiles() async throws {
        let log = LogCapture()
        let dir = try PluginPaths.temporary()
        try Data("media".utf8).write(to: URL(fileURLWithPath: "\(dir)/a.flv"))
        let (script, _) = try MainScriptTests.script("""
            biliup.on("segment", function(ev)
              local r = biliup.run({ "echo", "title; $(touch \(dir)/pwned)", ev.path })
              log.info("echo", r.status, r.stdout)
              local failed = biliup.run({ "\(dir)/no-such-program" })
              log.info("missing", failed.status, failed.error ~= nil)
              local sh = biliup.run({ "/bin/sh", "-c", "echo out; echo err >&2; exit 3" })
              log.info("sh", sh.status, sh.stdout, sh.stderr)
              biliup.move(ev.path, "\(dir)/done/a.flv")
              log.info("deleted", biliup.delete("\(dir)/done/a.flv"), biliup.delete("\(dir)/done/a.flv"))
            end)
            """, log: log)
        _ = try await script.load().get()
        let errors = await script.emit("segment", ["path": .string("\(dir)/a.flv")])
        #expect(errors.isEmpty, "\(errors)")
        let messages = log.all.map(\.message)
        #expect(messages.contains("echo 0 title; $(touch \(dir)/pwned) \(dir)/a.flv\n"), "\(messages)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/pwned"))
        #expect(messages.contains { $0.hasPrefix("missing ") && $0.hasSuffix(" true") }, "\(messages)")
        #expect(messages.contains("sh 3 out\n err\n"), "\(messages)")
        #expect(messages.contains("deleted true false"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/a.flv"))
    }

    /// A video's danmaku XML and `.ass` go with it, renamed like it; moving the XML alone moves only it.
    @Test func movingAVideoMovesItsDanmakuFilesWithIt() async throws {
        let log = LogCapture()
        let dir = try PluginPaths.temporary()
        for name in ["a.flv", "a.xml", "a.ass", "b.mkv", "b.xml", "c.xml"] {
            try Data(name.utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name)"))
        }
        let (script, _) = try MainScriptTests.script("""
            biliup.on("segment", function(ev)
              biliup.move(ev.path, "\(dir)/done/renamed.flv")
              biliup.move("\(dir)/b.mkv", "\(dir)/done/b.mkv")
              biliup.move("\(dir)/c.xml", "\(dir)/done/c.xml")
            end)
            """, log: log)
        _ = try await script.load().get()
        let errors = await script.emit("segment", ["path": .string("\(dir)/a.flv"), "xml": .string("\(dir)/a.xml")])
        #expect(errors.isEmpty, "\(errors)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "done" }
        #expect(left.isEmpty, "\(left)")
        let done = try Set(FileManager.default.contentsOfDirectory(atPath: "\(dir)/done"))
        #expect(done == ["renamed.flv", "renamed.xml", "renamed.ass", "b.mkv", "b.xml", "c.xml"])
        #expect(try String(contentsOfFile: "\(dir)/done/renamed.xml", encoding: .utf8) == "a.xml")
    }

    /// A program starts with no signal blocked (whatever biliup's threads block) and in `cwd`; at its
    /// timeout it is stopped, and the result says so.
    @Test func programsGetACleanSignalMaskAndAreStoppedAtTheirTimeout() async throws {
        let log = LogCapture()
        let dir = try PluginPaths.temporary()
        let (script, _) = try MainScriptTests.script("""
            biliup.on("segment", function(ev)
              local mask = biliup.run({ "grep", "^SigBlk", "/proc/self/status" })
              log.info("mask", mask.stdout)
              log.info("pwd", biliup.run({ "pwd" }, { cwd = "\(dir)" }).stdout)
              local slow = biliup.run({ "sleep", "60" }, { timeout = 1 })
              log.info("slow", slow.status, slow.error)
            end)
            """, log: log)
        _ = try await script.load().get()
        let errors = await script.emit("segment", ["path": .string("\(dir)/a.flv")])
        #expect(errors.isEmpty, "\(errors)")
        let messages = log.all.map(\.message)
        #expect(messages.contains("mask SigBlk:\t0000000000000000\n"), "\(messages)")
        #expect(messages.contains("pwd \(dir)\n"), "\(messages)")
        #expect(messages.contains("slow 143 killed after 1 s"), "\(messages)")
    }
}
