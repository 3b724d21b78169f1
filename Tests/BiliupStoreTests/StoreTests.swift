import Foundation
import GRDB
import Testing
@testable import BiliupStore

@Suite struct StoreTests {
    @Test func freshFileIsMigrated() throws {
        try withTempDir { dir in
            _ = try dir.store()  // data/ does not exist yet: the store creates it
            let (tables, indexes, journal) = try dir.inspect { db in
                (
                    try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"),
                    try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'"),
                    try String.fetchOne(db, sql: "PRAGMA journal_mode")
                )
            }
            #expect(Set(["streamer", "template", "session", "segment", "event"]).isSubset(of: tables))
            #expect(Set([
                "streamer_on_name", "template_on_name", "session_on_streamerId_startedAt", "session_on_startedAt",
                "segment_on_sessionId", "event_on_at", "event_on_streamerId",
            ]).isSubset(of: indexes))
            #expect(journal == "wal")
        }
    }

    @Test func appliedMigrationsAreV1ToV4() throws {
        try withTempDir { dir in
            let store = try dir.store()
            #expect(try store.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6"])
        }
    }

    @Test func aVersion1DatabaseUpgradesKeepingItsRows() throws {
        try withTempDir { dir in
            try FileManager.default.createDirectory(atPath: dir.file("data"), withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: dir.file("data/biliup.sqlite3"))
            try Schema.migrator.migrate(old, upTo: "v1")
            try old.write { db in
                try db.execute(sql: "INSERT INTO streamer (name, urls, origin, createdAt, updatedAt) VALUES ('old', '[\"https://a/1\"]', 'api', 1, 1)")
            }
            try old.close()

            let store = try dir.store()
            #expect(try store.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6"])
            #expect(try store.streamers().map(\.name) == ["old"])
            #expect(try store.userCount() == 0)
        }
    }

    @Test func dataSurvivesCloseAndReopen() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let streamer = try store.saveStreamer(StreamerRecord(
                name: "alice", urls: ["https://live.bilibili.com/1", "https://live.bilibili.com/2"],
                options: ["qn": 10000, "cdn": "hw", "ratio": 1.5, "nested": ["a": [true, nil]]],
                template: "default", schedule: ["20:00-02:00", "sat,sun 10:00-12:00"], titleExclude: ["回放"],
                overrides: ["format": "ts", "split": ["time": "30m"]], danmaku: true))
            let template = try store.saveTemplate(TemplateRecord(name: "default", fields: ["tid": 171, "tags": ["直播录像"]]))
            let session = try store.openSession(
                streamerId: streamer.id, streamerName: "alice", plugin: "bilibili", url: streamer.urls[0],
                title: "晚上好", at: t0)
            let segment = try store.addSegment(sessionId: session.id!, path: "/rec/a.flv", at: t0)
            try store.finishSegment(
                id: segment.id!, at: t0 + 60, duration: 59.5, bytes: 1_000_000, report: ["gaps": 0, "repaired": false])
            let events = try store.append([EventRecord(at: t0, kind: "stream_start", streamerId: streamer.id, message: "alice is live", data: ["title": "晚上好"])])
            let sessionBefore = try store.session(id: session.id!)
            try store.close()

            let reopened = try dir.store()
            #expect(try reopened.streamers() == [streamer])
            #expect(try reopened.templates() == [template])
            #expect(try reopened.session(id: session.id!) == sessionBefore)
            #expect(try reopened.segments(sessionId: session.id!).map(\.report) == [["gaps": 0, "repaired": false]])
            #expect(try reopened.events() == events)
        }
    }

    @Test func datesAreStoredAsUnixSeconds() throws {
        try withTempDir { dir in
            let store = try dir.store()
            _ = try store.openSession(streamerId: nil, streamerName: "bob", plugin: "p", url: "u", title: nil, at: t0)
            let row = try dir.inspect { db in try Row.fetchOne(db, sql: "SELECT typeof(startedAt) AS type, startedAt FROM session") }
            #expect(row?["type"] == "real")
            #expect(row?["startedAt"] == t0.timeIntervalSince1970)
        }
    }

    @Test func openingUnderAFileNamesThePath() throws {
        try withTempDir { dir in
            let file = dir.file("file")
            #expect(FileManager.default.createFile(atPath: file, contents: Data("not a directory".utf8)))
            let path = file + "/sub/biliup.sqlite3"
            let error = storeError { _ = try Store(path: path) }
            #expect(error?.kind == .open)
            #expect(error?.message == "cannot open \(path): \(file) is not a directory")
        }
    }

    @Test func openingAFileThatIsNotADatabaseNamesThePath() throws {
        try withTempDir { dir in
            let path = dir.file("garbage.sqlite3")
            #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x42, count: 4096)))
            let error = storeError { _ = try Store(path: path) }
            #expect(error?.kind == .open)
            #expect(error?.message.hasPrefix("cannot open \(path): ") == true)
        }
    }

    @Test func databaseOfANewerVersionIsRefused() throws {
        try withTempDir { dir in
            try dir.store().close()
            try DatabaseQueue(path: dir.file("data/biliup.sqlite3")).write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999')")
            }
            let error = storeError { _ = try dir.store() }
            #expect(error?.kind == .open)
            #expect(error?.message.contains("newer version of biliup") == true)
        }
    }
}
