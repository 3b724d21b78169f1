import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

/// `biliup upload` and `biliup append` run as a user runs them, against the Bilibili stand-in.
@Suite struct UploadCLITests {
    let directory: URL
    let standIn: BilibiliStandIn
    let cookies: URL

    init() throws {
        directory = try scratchDirectory("upload")
        standIn = try BilibiliStandIn(directory: directory.appendingPathComponent("standin"))
        standIn.chunkSize = 64 << 10
        let account = standIn.addAccount(mid: 9001, uname: "命令行")
        cookies = directory.appendingPathComponent("cookies.json")
        try standIn.loginInfoJSON(for: account).write(to: cookies, atomically: true, encoding: .utf8)
    }

    /// A file of `size` bytes that no other test file shares.
    func mediaFile(_ name: String, size: Int) throws -> URL {
        let file = directory.appendingPathComponent(name)
        let seed = UInt8(truncatingIfNeeded: name.hashValue)
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131) ^ seed }).write(to: file)
        return file
    }

    var common: [String] {
        ["--data-dir", directory.appendingPathComponent("data").path, "--line", "bda2"]
            + standIn.remapRules.flatMap { ["--host-remap", $0] }
    }

    func lastJSON(_ stdout: String) throws -> [String: Any] {
        let last = try #require(stdout.split(separator: "\n").last)
        return try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
    }

    /// The archive's parts as the stand-in assembled them, in part order.
    func partContents(aid: Int64) throws -> [Data] {
        let archive = try #require(standIn.archives[aid])
        return try archive.videoFilenames.map { try Data(contentsOf: #require(standIn.uploadedFile(named: $0))) }
    }

    @Test func twoFilesBecomeOneArchiveInTheGivenOrder() async throws {
        let second = try mediaFile("b-second.flv", size: 150_000)
        let first = try mediaFile("z-first.flv", size: 210_000)
        let cover = directory.appendingPathComponent("cover.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 1, count: 500)).write(to: cover)
        let result = try await BiliupProcess.run(["upload", "-u", cookies.path, "--title", "两个文件", "--tid", "171",
                                                  "--tag", "a,b", "--cover", cover.path, "--json", "--submit", "web"]
                                                 + common + [first.path, second.path])
        #expect(result.status == 0, "\(result.stderr)")
        let last = try lastJSON(result.stdout)
        let aid = try #require(last["aid"] as? Int64 ?? (last["aid"] as? Int).map(Int64.init))
        #expect(last["bvid"] as? String == standIn.archives[aid]?.bvid)
        #expect(try partContents(aid: aid) == [Data(contentsOf: first), Data(contentsOf: second)])
        let submission = try #require(standIn.submissions.last)
        #expect(submission.endpoint == "/x/vu/web/add/v3")
        #expect(submission.body.memberString("title") == "两个文件")
        #expect(submission.body.memberString("cover") == standIn.covers.first?.url)
        let paths = standIn.requests.map(\.path)
        let coverIndex = try #require(paths.firstIndex(of: "/x/vu/web/cover/up"))
        let firstChunk = try #require(standIn.requests.firstIndex { $0.method == "PUT" })
        #expect(coverIndex < firstChunk)
        // Every line is one JSON object.
        for line in result.stdout.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
        }
    }

    @Test func aBadCategoryNamesTidAndUploadsNothing() async throws {
        let file = try mediaFile("clip.flv", size: 50_000)
        let result = try await BiliupProcess.run(["upload", "-u", cookies.path, "--title", "x", "--tid", "0", "--tag", "a"]
                                                 + common + [file.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--tid"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(standIn.chunkPuts.isEmpty)
        #expect(standIn.submissions.isEmpty)
    }

    @Test func appendWithTheCookieFileBeforeTheSubcommandAddsAPart() async throws {
        let first = try mediaFile("one.flv", size: 90_000)
        let added = try mediaFile("two.flv", size: 70_000)
        let upload = try await BiliupProcess.run(["-u", cookies.path, "upload", "--tag", "t", "--json"] + common + [first.path])
        #expect(upload.status == 0, "\(upload.stderr)")
        let bvid = try #require(try lastJSON(upload.stdout)["bvid"] as? String)
        let aid = try #require(standIn.archives.values.first { $0.bvid == bvid }?.aid)
        // The title defaults to the first file's name.
        #expect(standIn.archives[aid]?.studio.memberString("title") == "one")

        let append = try await BiliupProcess.run(["--user-cookie", cookies.path, "append", "--vid", bvid, "--json"] + common + [added.path])
        #expect(append.status == 0, "\(append.stderr)")
        #expect(try lastJSON(append.stdout)["bvid"] as? String == bvid)
        #expect(try partContents(aid: aid) == [Data(contentsOf: first), Data(contentsOf: added)])
        #expect(standIn.submissions.last?.endpoint == "/x/vu/app/edit/full")
    }

    @Test func plainOutputEndsWithTheArchive() async throws {
        let file = try mediaFile("plain.flv", size: 40_000)
        let result = try await BiliupProcess.run(["upload", "-u", cookies.path, "--tag", "t"] + common + [file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let bvid = try #require(standIn.archives.values.first?.bvid)
        #expect(result.stdout.contains("submitted \(bvid)"))
        #expect(result.stderr.contains("uploading \(file.path)"))
        #expect(result.stderr.contains("plain.flv: uploaded 39 KiB in"))
    }

    /// biliup's scripts write `--no-reprint 1`; people also write it bare. Both forbid reposting, and
    /// the file after a bare one is still a file.
    @Test func noReprintTakesBiliupsValueOrStandsAlone() async throws {
        var seen: [JSONValue?] = []
        for (index, form) in [["--no-reprint", "1"], ["--no-reprint"], ["--no-reprint", "0"]].enumerated() {
            let file = try mediaFile("reprint-\(index).flv", size: 20_000)
            let result = try await BiliupProcess.run(["upload", "-u", cookies.path, "--title", "r\(index)", "--tag", "a"]
                                                     + common + form + [file.path])
            #expect(result.status == 0, "\(form): \(result.stderr)")
            if case .object(let body)? = standIn.submissions.last?.body { seen.append(body["no_reprint"]) }
        }
        #expect(seen == [.int(1), .int(1), .int(0)])
        let file = try mediaFile("reprint-bad.flv", size: 20_000)
        let bad = try await BiliupProcess.run(["upload", "-u", cookies.path, "--title", "r", "--tag", "a", "--no-reprint", "2"]
                                              + common + [file.path])
        #expect(bad.status != 0 && bad.stderr.contains("--no-reprint"), "\(bad.stderr)")
    }
}

extension JSONValue {
    fileprivate func memberString(_ key: String) -> String? {
        if case .object(let fields) = self { return fields[key]?.stringValue }
        return nil
    }
}
