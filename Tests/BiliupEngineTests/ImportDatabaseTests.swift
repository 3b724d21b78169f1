import BiliupEngine
import BiliupStore
import BiliupUpload
import BiliupValues
import Foundation
import GRDB
import Testing

/// `biliup import data/data.sqlite3`: a database made at test time with biliup's server schema
/// (reference §6.3) → streamers and templates of our store, compared with its rows; a second run
/// creates nothing; a dry run stores nothing.
@Suite struct ImportDatabaseTests {
    /// biliup 1.x's tables as reference §6.3 describes them (migrations 1 and 2).
    static let schema = """
        CREATE TABLE uploadstreamers (id INTEGER PRIMARY KEY AUTOINCREMENT, template_name TEXT NOT NULL, title TEXT, tid INTEGER,
          copyright INTEGER, copyright_source TEXT, cover_path TEXT, description TEXT, dynamic TEXT, dtime INTEGER, dolby INTEGER,
          hires INTEGER, charging_pay INTEGER, no_reprint INTEGER, uploader TEXT, user_cookie TEXT, tags JSON NOT NULL, credits JSON,
          up_selection_reply INTEGER, up_close_reply INTEGER, up_close_danmu INTEGER, extra_fields TEXT, is_only_self INTEGER);
        CREATE TABLE streamerinfo (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL,
          date DATETIME NOT NULL, live_cover_path TEXT NOT NULL);
        CREATE TABLE livestreamers (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, remark TEXT NOT NULL,
          filename_prefix TEXT, time_range TEXT, upload_streamers_id INTEGER REFERENCES uploadstreamers(id) ON DELETE CASCADE,
          format TEXT, override JSON, preprocessor JSON, segment_processor JSON, downloaded_processor JSON, postprocessor JSON,
          opt_args JSON, excluded_keywords JSON);
        CREATE TABLE filelist (id INTEGER PRIMARY KEY AUTOINCREMENT, file TEXT NOT NULL,
          streamer_info_id INTEGER NOT NULL REFERENCES streamerinfo(id) ON DELETE CASCADE);
        CREATE TABLE configuration (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, value TEXT NOT NULL);
        """

    static func makeDatabase(in dir: String) throws -> String {
        try FileManager.default.createDirectory(atPath: "\(dir)/biliup/data", withIntermediateDirectories: true)
        let path = "\(dir)/biliup/data/data.sqlite3"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: schema)
            try db.execute(sql: """
                INSERT INTO uploadstreamers (id, template_name, title, tid, copyright, copyright_source, cover_path, description, dynamic,
                  dtime, dolby, hires, charging_pay, no_reprint, uploader, user_cookie, tags, credits, up_selection_reply,
                  up_close_reply, up_close_danmu, extra_fields, is_only_self)
                VALUES (1, 'tpl', '{streamer} %Y-%m-%d', 21, 1, '', '', '录制于 {url}', '#动态#', 0, 0, 0, 0, 1, 'biliup-rs',
                  'data/123.json', '["录播","直播"]', NULL, 0, 1, 0, '{"watermark":{"state":1}}', 0);
                INSERT INTO livestreamers (url, remark, filename_prefix, time_range, upload_streamers_id, format, override,
                  preprocessor, segment_processor, downloaded_processor, postprocessor, opt_args, excluded_keywords)
                VALUES ('https://live.bilibili.com/1', 'alice', '{streamer}_%Y%m%d', '["2024-01-01T20:00:00.000Z","2024-01-01T23:00:00.000Z"]',
                  1, 'ts', '{"segment_time":"00:20:00","file_size":1000000000}', NULL, NULL, NULL, '[{"run":"echo done"},"rm"]',
                  NULL, '["回放"]');
                INSERT INTO livestreamers (url, remark, upload_streamers_id, excluded_keywords, override)
                VALUES ('https://live.bilibili.com/2', 'alice', 1, '["回放"]', 'null');
                INSERT INTO livestreamers (url, remark, format, excluded_keywords) VALUES ('https://www.douyu.com/9', 'bob', '', '');
                INSERT INTO configuration (key, value) VALUES ('config', '{"pool1_size":4,"douyu_cdn":"tct-h5","downloader":"ffmpeg","streamers":{}}');
                INSERT INTO configuration (key, value) VALUES ('bilibili-cookies', 'data/123.json');
                INSERT INTO configuration (key, value) VALUES ('biliup', '$argon2id$hash');
                """)
        }
        try queue.close()
        return path
    }

    static func execute(in path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    static func importer(_ database: String, dataDir: String, dryRun: Bool = false, output: String? = nil) -> BiliupImporter {
        BiliupImporter(source: database, output: output, dataDir: dataDir, dryRun: dryRun, force: false, client: BilibiliClient())
    }

    @Test func rowsBecomeStreamersAndTemplatesOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "import-db-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try Self.makeDatabase(in: dir)
        let dataDir = "\(dir)/ours"

        let dry = try await Self.importer(database, dataDir: dataDir, dryRun: true).run()
        #expect(dry.lines.contains("would create template 'tpl'") && dry.lines.contains("would create streamer 'alice'"))
        #expect(!FileManager.default.fileExists(atPath: dataDir))

        let first = try await Self.importer(database, dataDir: dataDir).run()
        #expect(first.lines.filter { $0.hasPrefix("created ") } == ["created template 'tpl'", "created streamer 'alice'", "created streamer 'bob'"])
        // The cookie file of bilibili-cookies is read relative to where biliup ran (above data/); it is not there.
        #expect(first.lines.contains { $0.hasPrefix("not created account '123' from data/123.json: \(dir)/biliup/data/123.json cannot be read") })
        let noted = Set(first.notes.map(\.key))
        #expect(noted.contains("downloader") && noted.contains("configuration.biliup"))
        #expect(noted.contains("livestreamers.alice.postprocessor"))  // hooks need main.lua: -o

        let store = try Store(path: "\(dataDir)/biliup.sqlite3")
        let streamers = try store.streamers()
        let alice = try #require(streamers.first { $0.name == "alice" })
        #expect(alice.origin == .api)
        #expect(alice.urls == ["https://live.bilibili.com/1", "https://live.bilibili.com/2"])
        #expect(alice.template == "tpl")
        #expect(alice.titleExclude == ["回放"])
        #expect(alice.schedule.count == 1)
        #expect(alice.overrides["output"] == .string("{streamer}_%Y%m%d") && alice.overrides["format"] == .string("ts"))
        #expect(alice.overrides["split_time"] == .number(1200) && alice.overrides["split_size"] == .int(1_000_000_000))
        let bob = try #require(streamers.first { $0.name == "bob" })
        #expect(bob.urls == ["https://www.douyu.com/9"] && bob.options == ["cdn": .string("tct-h5")] && bob.template == nil)
        let tpl = try #require(try store.template(named: "tpl"))
        #expect(tpl.origin == .api)
        #expect(tpl.fields["title"] == .string("{streamer} %Y-%m-%d") && tpl.fields["tid"] == .int(21))
        #expect(tpl.fields["copyright"] == .int(1) && tpl.fields["desc"] == .string("录制于 {url}") && tpl.fields["dynamic"] == .string("#动态#"))
        #expect(tpl.fields["tags"] == .array([.string("录播"), .string("直播")]))
        #expect(tpl.fields["no_reprint"] == .bool(true) && tpl.fields["up_close_reply"] == .bool(true))
        #expect(tpl.fields["extra_fields"] == .object(["watermark": .object(["state": .int(1)])]))
        #expect(tpl.fields["account"] == .string("123") && tpl.fields["dtime"] == nil)
        try store.close()

        let second = try await Self.importer(database, dataDir: dataDir).run()
        #expect(second.lines.filter { $0.hasPrefix("created ") }.isEmpty, "\(second.lines)")
        #expect(second.lines.contains("skipped template 'tpl': a template of that name exists"))
        #expect(second.lines.contains("skipped streamer 'alice': a streamer of that name exists"))
        let again = try Store(path: "\(dataDir)/biliup.sqlite3")
        #expect(try again.streamers().count == 2 && again.templates().count == 1)
        try again.close()
    }

    /// biliup's server saves its config as serde writes it: every option not set is a null, and its
    /// rows have NULL columns. Those are not set here either, and not noted.
    @Test func nullsAreOptionsNotSet() async throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "import-db-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/data", withIntermediateDirectories: true)
        let database = "\(dir)/data/data.sqlite3"
        try Self.execute(in: database, Self.schema + """
                INSERT INTO livestreamers (url, remark, filename_prefix, time_range, format, override, opt_args, excluded_keywords)
                VALUES ('https://www.huya.com/77', 'carol', NULL, NULL, NULL, '{"huya_cdn":null,"segment_time":null,"delay":60}', NULL, NULL);
                INSERT INTO configuration (key, value) VALUES ('config', '{"streamers":{},"downloader":null,"file_size":null,
                  "segment_time":"00:30:00","filtering_threshold":20,"filename_prefix":null,"segment_processor_parallel":null,
                  "uploader":null,"submit_api":null,"lines":"AUTO","threads":3,"pool1_size":3,"use_live_cover":null,
                  "douyu_cdn":null,"huya_cdn":"TX","huya_cdn_fallback":null,"bili_cdn":null,"youtube_prefer_vcodec":null,
                  "user":{"bili_cookie":null,"bili_cookie_file":null,"douyin_cookie":null},"LOGGING":null}');
                """)
        let dataDir = "\(dir)/ours"
        let report = try await Self.importer(database, dataDir: dataDir, output: "\(dir)/main.lua").run()
        #expect(report.notes.isEmpty, "\(report.notes.map { "\($0.key): \($0.reason)" })")
        let store = try Store(path: "\(dataDir)/biliup.sqlite3")
        defer { try? store.close() }
        let carol = try #require(try store.streamers().first { $0.name == "carol" })
        #expect(carol.options == ["cdn": .string("TX")] && carol.overrides == ["delay": .number(60)], "\(carol.options) \(carol.overrides)")
        let config = try await MainLuaCheck.load("\(dir)/main.lua").get()
        #expect(config.global.recording.splitSeconds == 1800 && config.global.recording.splitBytes == nil)
    }

    @Test func outputFileGetsGlobalOptionsAndProcessors() async throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "import-db-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try Self.makeDatabase(in: dir)
        let report = try await Self.importer(database, dataDir: "\(dir)/ours", output: "\(dir)/main.lua").run()
        #expect(report.lines.first == "wrote \(dir)/main.lua: global options and 1 hook(s)")
        let config = try await MainLuaCheck.load("\(dir)/main.lua").get()
        #expect(config.global.maxRecordings == 4 && config.streamers.isEmpty && config.hooks == ["upload_done": 1])
    }
}
