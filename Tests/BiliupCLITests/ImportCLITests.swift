import Foundation
import Testing

/// `biliup import` as a user runs it: biliup's config.toml → main.lua, a second run keeps it and says
/// so, a broken file exits 1 with FILE:LINE.
@Suite struct ImportCLITests {
    static let fixture = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "BiliupEngineTests/ImportFixtures/config.toml")

    @Test func configBecomesMainLuaOnce() async throws {
        let dir = try scratchDirectory("import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appending(path: "main.lua").path
        let args = ["import", Self.fixture.path, "-o", output, "--data-dir", dir.appending(path: "data").path]
        let first = try await BiliupProcess.run(args)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("wrote \(output): 2 streamer(s), 1 template(s), 4 hook(s)\n"), "\(first.stdout)")
        #expect(first.stdout.contains("not carried over (") && first.stdout.contains("  mystery_key: "))
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("biliup.streamer \"full\" {") && text.contains("--   mystery_key: "))
        let second = try await BiliupProcess.run(args)
        #expect(second.status == 0 && second.stdout.hasPrefix("skipped \(output): it exists (--force replaces it)"), "\(second.stdout)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == text)
    }

    /// A streamer's `user_cookie` file becomes an account once Bilibili (the stand-in) accepts it, named
    /// after the file; a second run keeps it; a forged cookie is refused and nothing is stored for it.
    @Test func cookieFilesBecomeAccountsBilibiliAccepts() async throws {
        let s = try LoginCLITests.Setup("import-cookies")
        defer { s.standIn.stop() }
        let dir = s.dataDir.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir.appending(path: "cookies"), withIntermediateDirectories: true)
        let good = s.standIn.loginInfoJSON(for: s.alice)
        try Data(good.utf8).write(to: dir.appending(path: "cookies/main.json"))
        try Data(good.replacingOccurrences(of: s.alice.sessdata, with: "forged").utf8).write(to: dir.appending(path: "cookies/forged.json"))
        let config = dir.appending(path: "config.toml").path
        try """
            [streamers."alice"]
            url = ["https://live.bilibili.com/1"]
            title = "alice live"
            user_cookie = "cookies/main.json"

            [streamers."bob"]
            url = ["https://live.bilibili.com/2"]
            title = "bob live"
            user_cookie = "cookies/forged.json"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let args = ["import", config, "-o", dir.appending(path: "main.lua").path]
        let first = try await s.biliup(args)
        #expect(first.stdout.contains("account 'main' from cookies/main.json"), "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("account 'forged' from cookies/forged.json"), "\(first.stdout)")
        #expect(try await s.accounts().map { $0["name"] as? String } == ["main"])
        let second = try await s.biliup(args)
        #expect(second.stdout.contains("an account of that name exists"), "\(second.stdout)")
        #expect(try await s.accounts().count == 1)
    }

    @Test func brokenFileExitsWithItsLine() async throws {
        let dir = try scratchDirectory("import-broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "config.toml").path
        try "file_size = 1\n[streamers.\"x\"\nurl = 1\n".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try await BiliupProcess.run(["import", file, "-o", dir.appending(path: "main.lua").path])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("biliup: \(file):2: "), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appending(path: "main.lua").path))
    }

    @Test func helpExplainsWhatIsImported() async throws {
        let run = try await BiliupProcess.run(["import", "--help"])
        #expect(run.status == 0)
        for words in ["config.toml", "data.sqlite3", "--dry-run", "--force", "not carried over"] {
            #expect(run.stdout.contains(words), "\(words)")
        }
    }
}
