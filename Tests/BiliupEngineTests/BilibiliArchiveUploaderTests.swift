import BiliupEngine
import BiliupStore
import BiliupTestSupport
import BiliupUpload
import BiliupValues
import Foundation
import Synchronization
import Testing

/// The engine's production uploader against the Bilibili stand-in: parts as the stored account, a
/// template's local cover uploaded before the submission, a refused login marked on the account.
@Suite struct BilibiliArchiveUploaderTests {
    let dir: URL
    let standIn: BilibiliStandIn
    let book: AccountBook
    let account: StandInAccount
    let uploader: BilibiliArchiveUploader

    init() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-archive-uploader-\(UUID().uuidString.prefix(8))")
        standIn = try BilibiliStandIn(directory: dir.appendingPathComponent("standin"))
        standIn.chunkSize = 16 << 10
        book = AccountBook(store: try Store(path: dir.appendingPathComponent("biliup.sqlite3").path),
                           client: BilibiliClient(remap: standIn.remap))
        account = standIn.addAccount(mid: 6060, uname: "uploader")
        try await book.add(LoginInfo.reading(Data(standIn.loginInfoJSON(for: account).utf8)), name: "main")
        uploader = BilibiliArchiveUploader(accounts: book)
    }

    final class Progress: Sendable {
        let last = Mutex<(Int64, Int64)?>(nil)
    }

    @Test func partsThenALocalCoverThenTheSubmission() async throws {
        let file = dir.appendingPathComponent("part.flv")
        let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) })
        try bytes.write(to: file)
        let cover = dir.appendingPathComponent("cover.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 3, count: 300)).write(to: cover)
        let progress = Progress()

        let video = try await uploader.uploadPart(path: file.path, account: "main", line: "bda2", chunkConcurrency: 2) { sent, total in
            progress.last.withLock { $0 = (sent, total) }
        }
        #expect(progress.last.withLock { $0 }.map { [$0.0, $0.1] } == [100_000, 100_000])
        #expect(try Data(contentsOf: #require(standIn.uploadedFile(named: video.filename))) == bytes)

        var studio = Studio(tid: 171, title: "封面", tag: "a")
        studio.cover = cover.path
        studio.videos = [video]
        let accepted = try await uploader.submit(account: "main", studio: studio, mode: .app)
        let archive = try #require(standIn.archives[accepted.aid])
        let coverURL = try #require(standIn.covers.first?.url)
        #expect(standIn.covers.count == 1 && standIn.covers.first?.mimeType == "image/png")
        #expect(archive.studio.field("cover")?.stringValue == coverURL)
        #expect(archive.videoFilenames == [video.filename])
    }

    @Test func aCoverURLIsSentAsItIs() async throws {
        var studio = Studio(tid: 171, title: "t", tag: "a")
        studio.cover = "https://i0.hdslb.com/bfs/archive/kept.jpg"
        let file = dir.appendingPathComponent("p.flv")
        try Data(repeating: 9, count: 20_000).write(to: file)
        studio.videos = [try await uploader.uploadPart(path: file.path, account: "main", line: "bda2", chunkConcurrency: 1) { _, _ in }]
        let accepted = try await uploader.submit(account: "main", studio: studio, mode: .web)
        #expect(standIn.covers.isEmpty)
        #expect(standIn.archives[accepted.aid]?.studio.field("cover")?.stringValue == studio.cover)
    }

    @Test func aRefusedLoginMarksTheAccountAndSaysHowToLogInAgain() async throws {
        standIn.expireToken(account.mid)
        var studio = Studio(tid: 171, title: "t", tag: "a")
        studio.videos = [Studio.Video(title: "p", filename: "n123")]
        do {
            _ = try await uploader.submit(account: "main", studio: studio, mode: .app)
            Issue.record("the stand-in accepted an expired token")
        } catch {
            #expect(error.kind == .needsLogin)
            #expect(error.message.hasPrefix("account main needs a new login: biliup login --name main"), "\(error.message)")
        }
        let entry = try book.entry("main")
        #expect(entry.state == .needsLogin)
        #expect(entry.stateMessage?.isEmpty == false)
    }

    @Test func anUnknownAccountIsAnErrorNamingIt() async throws {
        do {
            _ = try await uploader.uploadPart(path: "/nonexistent", account: "nobody", line: nil, chunkConcurrency: 1) { _, _ in }
            Issue.record("uploaded as an account that does not exist")
        } catch {
            #expect(!error.isTransient)
            #expect(error.message.contains("\"nobody\""), "\(error.message)")
        }
    }
}

extension JSONValue {
    fileprivate func field(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}
