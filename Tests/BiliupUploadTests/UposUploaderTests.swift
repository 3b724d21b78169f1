import BiliupStore
import BiliupTestSupport
@testable import BiliupUpload
import Foundation
import Testing

/// The UPOS uploader against the Bilibili stand-in over loopback HTTP, with files made at test time.
@Suite struct UposUploaderTests {
    @Test func aFileUploadsByteIdenticalWithOneBufferPerChunkInFlight() async throws {
        let harness = try UposHarness(chunkSize: 1 << 20)
        defer { harness.remove() }
        let file = try harness.randomFile("live 2024-05-01.flv", size: 30_000_017)
        let store = try harness.store()
        let uploader = harness.uploader(store: store)
        let log = UploadEvents()

        let video = try await uploader.upload(path: file.path, events: log.callback)

        #expect(try harness.received(video, equals: file))
        #expect(video.title == "live 2024-05-01")
        #expect(video.desc == "")
        #expect(log.finished == video)
        #expect(log.lastProgress == 30_000_017)
        #expect(harness.standIn.chunkPuts.count == 29)
        // 29 chunks, three at a time, from three buffers allocated once.
        #expect(uploader.buffersAllocated == 3)
        let rows = try store.uploadFiles(path: file.path)
        #expect(rows.map(\.state) == [.uploaded])
        #expect(rows.first?.remoteName == video.filename)
        #expect(try store.uploadParts(uploadFileId: rows[0].id!).map(\.partNumber) == Array(1...29))

        // Done once: the same file again is answered from the store without a request.
        let requestsBefore = harness.standIn.requests.count
        let again = try await uploader.upload(path: file.path, events: { _ in })
        #expect(again == video)
        #expect(harness.standIn.requests.count == requestsBefore)
    }

    @Test func failedAndCutChunksAreResentUntilTheFileIsWhole() async throws {
        let harness = try UposHarness(chunkSize: 1 << 20)
        defer { harness.remove() }
        harness.standIn.chunkFailureRate = 0.2
        harness.standIn.cutConnectionEvery = 7
        let file = try harness.randomFile("faulty.mp4", size: 30 << 20)
        let log = UploadEvents()

        let video = try await harness.uploader().upload(path: file.path, events: log.callback)

        #expect(try harness.received(video, equals: file))
        let puts = harness.standIn.chunkPuts
        #expect(puts.contains { $0.status == 500 })
        #expect(puts.contains { $0.status == nil })  // cut mid-body
        // Each resend answers a failure the stand-in caused; libcurl itself may quietly repeat a PUT whose
        // reused connection was found dead, so the stand-in can count more failures than the uploader saw.
        #expect(log.retries > 0)
        #expect(log.retries <= puts.filter { $0.status != 200 }.count)
    }

    @Test func aStoppedUploadResumesWithOnlyTheMissingChunks() async throws {
        let harness = try UposHarness(chunkSize: 1 << 20)
        defer { harness.remove() }
        let file = try harness.randomFile("resume.flv", size: 24 << 20)
        let store = try harness.store()
        let first = UploadEvents(cancelAfterParts: 6)
        let uploader = harness.uploader(store: store)

        let stopped = await first.run { try await uploader.upload(path: file.path, events: first.callback) }
        guard case .failure(let error) = stopped else {
            Issue.record("the upload was not stopped")
            return
        }
        #expect(error.kind == .cancelled)
        let row = try #require(try store.uploadFiles(path: file.path).first)
        #expect(row.state == .uploading)
        let recorded = try store.uploadParts(uploadFileId: row.id!).map(\.partNumber)
        #expect(recorded.count >= 6 && recorded.count < 24)
        let acceptedBefore = Set(harness.standIn.chunkPuts.filter { $0.status == 200 }.map(\.partNumber))
        #expect(Set(recorded).isSubset(of: acceptedBefore))
        let putsBefore = harness.standIn.chunkPuts.count

        let second = UploadEvents()
        let video = try await harness.uploader(store: try harness.store()).upload(path: file.path, events: second.callback)

        #expect(try harness.received(video, equals: file))
        #expect(second.resumedParts == [recorded.count])
        // A cancel aborts the chunks in flight, which the server may have answered already (more likely on
        // a loaded machine): those go again, never more than the three in flight; recorded ones never do.
        let resent = harness.standIn.chunkPuts.dropFirst(putsBefore).filter { acceptedBefore.contains($0.partNumber) }
        #expect(Set(resent.map(\.partNumber)).isDisjoint(with: recorded))
        #expect(resent.count <= 3)
        #expect(harness.standIn.requests.filter { $0.path == "/preupload" }.count == 1)
        #expect(try store.uploadFiles(path: file.path).map(\.state) == [.uploaded])
    }

    @Test func anExpiredSessionIsReplacedByANewOne() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upos-\(UUID().uuidString)")
        let before = try UposHarness(directory: directory, chunkSize: 1 << 20)
        let file = try before.randomFile("expired.flv", size: 12 << 20)
        let first = UploadEvents(cancelAfterParts: 3)
        let uploader = before.uploader(store: try before.store())
        _ = await first.run { try await uploader.upload(path: file.path, events: first.callback) }
        before.standIn.stop()

        // A stand-in that never heard of the session: UPOS answers its upload id and auth with 403.
        let after = try UposHarness(directory: directory, chunkSize: 1 << 20)
        defer { after.remove() }
        let store = try after.store()
        let log = UploadEvents()
        let video = try await after.uploader(store: store).upload(path: file.path, events: log.callback)

        #expect(log.sessionExpirations == 1)
        #expect(try after.received(video, equals: file))
        #expect(try store.uploadFiles(path: file.path).map(\.state) == [.abandoned, .uploaded])
    }

    @Test func aRateLimitedPreuploadWaitsAndTriesAgain() async throws {
        let harness = try UposHarness(chunkSize: 1 << 20)
        defer { harness.remove() }
        harness.standIn.preuploadRateLimits = [601, 406, "OK:0"]
        let file = try harness.randomFile("limited.flv", size: 3 << 20)
        let log = UploadEvents()

        let video = try await harness.uploader().upload(path: file.path, events: log.callback)

        #expect(log.rateLimitAttempts == [1, 2, 3])
        let waits = log.events.compactMap { if case .rateLimited(let wait, _) = $0 { wait } else { nil } }
        #expect(waits == [.milliseconds(1), .milliseconds(2), .milliseconds(4)])
        #expect(harness.standIn.requests.filter { $0.path == "/preupload" }.count == 4)
        #expect(try harness.received(video, equals: file))
    }

    @Test func autoProbesTheLinesAndUsesTheQuickestOnesQuery() async throws {
        let harness = try UposHarness(chunkSize: 1 << 20)
        defer { harness.remove() }
        let file = try harness.randomFile("auto.flv", size: 2 << 20)
        let log = UploadEvents()

        let video = try await harness.uploader(line: .auto).upload(path: file.path, events: log.callback)

        #expect(try harness.received(video, equals: file))
        let chosen = try #require(log.linesChosen.first)
        #expect(["bda2", "bldsa", "tx", "txa", "alia"].contains(chosen.0))
        #expect(chosen.1 != nil)
        let requests = harness.standIn.requests
        #expect(requests.filter { $0.path == "/OK" && $0.method == "GET" }.count == 5)
        let preupload = try #require(requests.first { $0.path == "/preupload" && $0.query["r"] == "upos" })
        #expect(preupload.query["upcdn"] == chosen.0)
        #expect(preupload.query["probe_version"] == "20221109")
    }

    @Test func aNamedLineSendsItsQueryWithoutProbing() async throws {
        let harness = try UposHarness(chunkSize: 1 << 20)
        defer { harness.remove() }
        let file = try harness.randomFile("named.flv", size: 1 << 20)
        let log = UploadEvents()

        _ = try await harness.uploader(line: try #require(UploadLine(named: "TX"))).upload(path: file.path, events: log.callback)

        #expect(log.linesChosen.map(\.0) == ["tx"])
        let requests = harness.standIn.requests
        #expect(!requests.contains { $0.query["r"] == "probe" || $0.path == "/OK" })
        let preupload = try #require(requests.first { $0.path == "/preupload" })
        #expect(preupload.query["upcdn"] == "tx")
        #expect(preupload.query["r"] == "upos")
        #expect(preupload.query["profile"] == "ugcupos/bup")
        #expect(preupload.query["size"] == String(1 << 20))
        #expect(preupload.query["name"] == "named.flv")
    }

    /// Acceptance 1: 300 MB made at test time, 8 MiB chunks, byte-identical on the server.
    @Test func a300MBFileUploadsByteIdentical() async throws {
        let harness = try UposHarness(chunkSize: 8 << 20)
        defer { harness.remove() }
        let file = try harness.randomFile("big.flv", size: 300_000_000)
        let uploader = harness.uploader()

        let video = try await uploader.upload(path: file.path, events: { _ in })

        #expect(try harness.received(video, equals: file))
        #expect(harness.standIn.chunkPuts.count == 36)
        #expect(uploader.buffersAllocated == 3)
    }

    @Test func theTitleIsTheFileStemCutTo80Characters() {
        let long = String(repeating: "直播", count: 50) + ".flv"
        let video = UposUploader.video(fileName: long, remoteName: "n1")
        #expect(video.title.count == 80)
        #expect(video.title.hasSuffix("..."))
        #expect(video.filename == "n1")
        #expect(UposUploader.video(fileName: "a.b.mp4", remoteName: "n2").title == "a.b")
    }

    @Test func linesAreNamedAsBiliupNamesThem() {
        for name in ["auto", "bda2", "bda", "bldsa", "cnbldsa", "andsa", "atdsa", "tx", "txa", "cntx", "antx", "attx",
                     "alia", "cnbd", "anbd", "atbd"] {
            #expect(UploadLine(named: name)?.name == name)
        }
        #expect(UploadLine(named: "nope") == nil)
        #expect(UploadLine.bda2.query == "upcdn=bda2&probe_version=20221109")
        #expect(UploadLine(named: "bldsa")?.query == "zone=cs&upcdn=bldsa&probe_version=20221109")
        #expect(UploadLine.names.first == "auto")
    }
}
