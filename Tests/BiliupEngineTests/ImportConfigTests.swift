import BiliupEngine
import BiliupScript
import BiliupUpload
import BiliupValues
import Foundation
import Testing

/// `biliup import` of biliup's config.toml and config.yaml (fixtures with every key of reference §2):
/// the main.lua it writes loads as `biliup run` loads it and declares what the source says, field by
/// field; what is not carried over is listed by key; a broken file is reported at its line.
@Suite struct ImportConfigTests {
    static let fixtures = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "ImportFixtures")

    /// Keys of the fixtures that are carried over (the rest must each be noted).
    static let carried: Set<String> = [
        "file_size", "segment_time", "filtering_threshold", "filename_prefix", "uploader", "submit_api", "lines", "threads", "delay",
        "event_loop_interval", "pool1_size", "pool2_size", "bili_qn", "bili_protocol", "bili_cdn", "douyu_cdn", "douyu_rate",
        "huya_max_ratio", "bilibili_danmaku", "bilibili_danmaku_detail", "streamers", "user",
    ]

    static func imported(_ fixture: String) async throws -> (source: [String: JSONValue], config: OrchestrationConfig, report: BiliupImporter.Report, dir: String) {
        let dir = FileManager.default.temporaryDirectory.appending(path: "import-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = Self.fixtures.appending(path: fixture).path
        let output = "\(dir)/main.lua"
        let report = try await BiliupImporter(source: source, output: output, dataDir: "\(dir)/data", dryRun: false, force: false,
                                              client: BilibiliClient()).run()
        let config = try await MainLuaCheck.load(output).get()
        return (try BiliupConfigFile.read(source), config, report, dir)
    }

    @Test(arguments: ["config.toml", "config.yaml"])
    func mainLuaDeclaresWhatTheConfigSays(fixture: String) async throws {
        let (source, config, report, dir) = try await Self.imported(fixture)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Global options.
        let g = config.global
        #expect(g.dataDir == "\(dir)/data")
        #expect(g.recording.splitBytes == source["file_size"].flatMap(int))
        #expect(g.recording.splitSeconds == 3600)  // segment_time "01:00:00"
        #expect(g.recording.minSegmentBytes == Int64(20_000_000))  // filtering_threshold 20 (MB)
        #expect(g.recording.output == source["filename_prefix"].flatMap(string))
        #expect(g.recording.delay == 300 && g.recording.checkInterval == 30)
        #expect(g.maxRecordings == source["pool1_size"].flatMap(int).map(Int.init))
        #expect(g.uploadFiles == source["pool2_size"].flatMap(int).map(Int.init))
        #expect(g.uploadChunks == source["threads"].flatMap(int).map(Int.init))

        // Streamers, with their recording options.
        guard case .object(let streamers)? = source["streamers"], case .object(let full)? = streamers["full"] else {
            Issue.record("fixture without streamers.full")
            return
        }
        #expect(config.streamers.map(\.name).sorted() == streamers.keys.sorted())
        let s = try #require(config.streamers.first { $0.name == "full" })
        #expect(s.urls == full["url"].flatMap(strings))
        #expect(s.overrides.output == full["filename_prefix"].flatMap(string))
        #expect(s.overrides.format == "mkv")
        #expect(s.overrides.splitSeconds == 1800)  // override.segment_time "00:30:00"
        #expect(s.overrides.delay == 60)  // override.delay
        #expect(s.titleExclude == full["excluded_keywords"].flatMap(strings))
        #expect(s.schedule.count == 1)  // time_range
        #expect(s.danmaku && s.danmakuDetail)  // bilibili_danmaku, bilibili_danmaku_detail
        #expect(s.options["qn"] == source["bili_qn"])
        #expect(s.options["protocol"] == .string("flv"))  // bili_protocol "stream"
        #expect(s.options["cdn"] == .string("cn-gotcha208,ov-gotcha05"))
        #expect(s.options["cookie"] == .string("SESSDATA=none;bili_jct=none"))  // [user] bili_cookie
        let twitch = try #require(config.streamers.first { $0.name == "星际2Stats" })
        #expect(twitch.template == nil && twitch.options == ["auth_token": .string("token123")])

        // The upload template of the streamer.
        #expect(s.template == "full")
        let t = try #require(config.templates.first { $0.name == "full" }).fields
        for (ours, theirs) in [("title", "title"), ("tid", "tid"), ("copyright", "copyright"), ("source", "copyright_source"),
                               ("cover", "cover_path"), ("desc", "description"), ("dynamic", "dynamic"), ("dtime", "dtime")] {
            #expect(t[ours] == full[theirs], "\(ours) ← \(theirs)")
        }
        #expect(t["tags"] == full["tags"])
        #expect(t["extra_fields"] == .object(["watermark": .object(["state": .int(0)])]))
        #expect(t["no_reprint"] == .bool(true) && t["up_close_reply"] == .bool(true) && t["up_close_danmu"] == .bool(false))
        #expect(t["up_selection_reply"] == .bool(false))
        #expect(t["account"] == .string("main"))  // user_cookie cookies/main.json
        #expect(t["line"] == .string("bda2") && t["submit"] == .string("web"))

        // Processors as hooks.
        #expect(config.hooks == ["stream_start": 1, "segment": 1, "stream_end": 1, "upload_done": 1])

        // Nothing dropped silently: every key is carried over or noted.
        let noted = Set(report.notes.map(\.key))
        for key in source.keys where !Self.carried.contains(key) {
            #expect(noted.contains(key), "\(key) is neither carried over nor noted")
        }
        for key in ["dolby", "credits", "opt_args", "use_live_cover"] { #expect(noted.contains("streamers.full.\(key)")) }
        for key in ["youtube_cookie", "niconico-email", "niconico-password", "afreecatv_username", "douyin_cookie", "twitcasting_cookie"] {
            #expect(noted.contains("user.\(key)"), "user.\(key)")
        }
        #expect(noted.contains("mystery_key"))
        #expect(noted.contains("streamers.full.segment_processor[2]"))  // remux
        #expect(noted.contains("streamers.full.override.downloader"))
        // The account's cookie file is not there: said so, not dropped.
        #expect(report.lines.contains { $0.contains("account 'main'") && $0.contains("cannot be read") })
    }

    @Test func secondRunKeepsTheFileAndSaysSo() async throws {
        let (_, _, _, dir) = try await Self.imported("config.toml")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try String(contentsOfFile: "\(dir)/main.lua", encoding: .utf8)
        try "-- edited\n".appendToFile("\(dir)/main.lua")
        let report = try await BiliupImporter(source: Self.fixtures.appending(path: "config.toml").path, output: "\(dir)/main.lua",
                                              dataDir: "\(dir)/data", dryRun: false, force: false, client: BilibiliClient()).run()
        #expect(report.lines.first?.hasPrefix("skipped \(dir)/main.lua: it exists") == true, "\(report.lines)")
        #expect(try String(contentsOfFile: "\(dir)/main.lua", encoding: .utf8) == before + "-- edited\n")
    }

    @Test func dryRunWritesNothing() async throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "import-\(UUID().uuidString)").path
        let report = try await BiliupImporter(source: Self.fixtures.appending(path: "config.yaml").path, output: "\(dir)/main.lua",
                                              dataDir: "\(dir)/data", dryRun: true, force: false, client: BilibiliClient()).run()
        #expect(report.lines.first == "would write \(dir)/main.lua: 2 streamer(s), 1 template(s), 4 hook(s)")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func brokenFilesAreReportedAtTheirLine() throws {
        let toml = "file_size = 1\n\n[streamers.\"x\"\nurl = [\"https://a\"]\n"
        #expect(throws: ImportError.self) { try BiliupConfigFile.toml(toml, file: "config.toml") }
        do { _ = try BiliupConfigFile.toml(toml, file: "config.toml") } catch { #expect(error.line == 3 && error.description.hasPrefix("config.toml:3: ")) }
        let yaml = "file_size: 1\nstreamers:\n  x:\n    url: [https://a, \n  y: 2\n"
        do { _ = try BiliupConfigFile.yaml(yaml, file: "config.yaml"); Issue.record("parsed") } catch {
            #expect(error.line == 4 && error.description.hasPrefix("config.yaml:4: "), "\(error)")
        }
    }

    @Test func unknownKeysAreListed() async throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "import-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "nonsense = 1\n[streamers.a]\nurl = [\"https://www.douyu.com/1\"]\ncolour = \"red\"\n".write(toFile: "\(dir)/config.toml", atomically: true, encoding: .utf8)
        let report = try await BiliupImporter(source: "\(dir)/config.toml", output: "\(dir)/main.lua", dataDir: "\(dir)/data", dryRun: false,
                                              force: false, client: BilibiliClient()).run()
        #expect(report.notes.map(\.key) == ["nonsense", "streamers.a.colour"])
        let text = try String(contentsOfFile: "\(dir)/main.lua", encoding: .utf8)
        #expect(text.contains("--   nonsense: ") && text.contains("--   streamers.a.colour: "))
    }
}

private func int(_ v: JSONValue) -> Int64? { if case .int(let n) = v { n } else { nil } }
private func string(_ v: JSONValue) -> String? { if case .string(let s) = v { s } else { nil } }
private func strings(_ v: JSONValue) -> [String]? {
    guard case .array(let items) = v else { return nil }
    return items.compactMap(string)
}

private extension String {
    func appendToFile(_ path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
