@testable import BiliupEngine
@testable import BiliupMedia
import BiliupScript
import BiliupStore
import BiliupUpload
import BiliupValues
import Foundation
import Testing

/// Record-while-upload with the real engine, store and scheduler and a fake Bilibili: segments go up
/// as they finish, one archive is submitted when the session ends; retries, rate limits, the
/// integrity gate, after_upload and restarts. Waits are crossed by moving the engine's clock.
@Suite struct UploadQueueTests {
    static func template(_ extra: [String: JSONValue] = [:]) -> TemplateDeclaration {
        TemplateDeclaration(name: "t", fields: ["account": "me", "title": "{streamer}: {title}", "tid": 171,
                                                "tags": ["live", "vod"], "line": "bda2"].merging(extra) { $1 })
    }

    static func harness(_ extra: [String: JSONValue] = [:], reusing: EngineHarness? = nil) throws -> EngineHarness {
        try EngineHarness([StreamerDeclaration(name: "alice", urls: [FakeRooms.url("alice")], template: "t")],
                          templates: [template(extra)], reusing: reusing)
    }

    /// Ends alice's broadcast: the recording ends, and `delay` passes on the engine's clock.
    static func endBroadcast(_ h: EngineHarness, _ recording: ScriptedRecording) async {
        h.rooms.set("alice", liveWithTitle: nil)
        recording.end(.completed(reason: "stream ended"))
        await h.until("waiting for the delay") { await h.phase("alice") == .waiting }
        h.clock.advance(by: EngineHarness.delay)
        await h.until("stream_end") { !h.events(.streamEnd, "alice").isEmpty }
    }

    static func stem(_ path: String) -> String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }

    @Test func threeSegmentsBecomeOneArchiveInRecordingOrder() async throws {
        let h = try Self.harness()
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "Evening show")
        let rec = try await h.recording("alice")
        try rec.writeFrames()
        let first = try #require(rec.closeSegment())
        await h.until("the first segment uploaded") { h.uploader.uploads.count == 1 }
        #expect(try h.sessions("alice")[0].isOpen, "the first part waits for the end of the stream")
        try rec.writeFrames()
        let second = try #require(rec.closeSegment())
        try rec.writeFrames()
        let third = try #require(rec.currentFile)
        await h.until("the second segment uploaded") { h.uploader.uploads.count == 2 }
        #expect(h.uploader.submissions.isEmpty)
        await Self.endBroadcast(h, rec)

        await h.until("the archive submitted") { try !(await h.engine.submittedArchives().isEmpty) }
        #expect(h.uploader.uploads.map(\.path) == [first, second, third])
        #expect(h.uploader.uploads.allSatisfy { $0.account == "me" && $0.line == "bda2" && $0.chunkConcurrency == 3 })
        let submission = try #require(h.uploader.submissions.first)
        #expect(h.uploader.submissions.count == 1)
        #expect(submission.studio.videos.map(\.filename) == [first, second, third].map { "n-" + Self.stem($0) })
        #expect(submission.studio.title == "alice: Evening show")
        #expect(submission.studio.tid == 171 && submission.studio.tag == "live,vod" && submission.mode == .app)
        let archive = try #require(try await h.engine.submittedArchives().first)
        #expect(archive.bvid == "BV1fake101" && archive.aid == 101 && archive.state == .submitted)
        await h.settled()
        #expect(h.events.filter { $0.kind == .uploadStart }.count == 3)
        let done = try #require(h.events.first { $0.kind == .uploadDone })
        #expect(done.data["bvid"] == .string("BV1fake101"))
        #expect(done.data["parts"] == .array([first, second, third].map { .string($0) }))
        #expect(done.isHookable)
        #expect(try await h.engine.uploads().isEmpty)
        for path in [first, second, third] { #expect(FileManager.default.fileExists(atPath: path), "after_upload defaults to keep") }
        await h.stop()
    }

    @Test func aRateLimitedAccountHasOneWaiterAndAGrowingWait() async throws {
        let h = try Self.harness()
        let tooFast = UploadError(.rateLimited, "preupload", "上传视频过快", code: 601)
        h.uploader.failUploads([tooFast, tooFast])
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let rec = try await h.recording("alice")
        try rec.writeFrames()
        let first = try #require(rec.closeSegment())
        await h.until("waiting 60 s") { h.events.contains { $0.kind == .uploadError && $0.message.contains("waiting 60 s") } }
        let start = h.uploader.uploads[0].at
        try rec.writeFrames()
        let second = try #require(rec.closeSegment())
        await h.until("the second part queued") { try h.store.queuedArchiveParts().count == 2 }
        await h.settled()
        #expect(h.uploader.uploads.count == 1, "nothing of the account starts during the wait")

        h.clock.advance(by: 60)
        await h.until("waiting 120 s") { h.events.contains { $0.kind == .uploadError && $0.message.contains("waiting 120 s") } }
        #expect(h.uploader.uploads.map(\.path) == [first, first], "one waiter tried, the other part stayed behind it")

        h.clock.advance(by: 119)
        await h.settled()
        #expect(h.uploader.uploads.count == 2)
        h.clock.advance(by: 1)
        await h.until("both parts uploaded") { h.uploader.uploads.count == 4 }
        #expect(h.uploader.uploads.map(\.path) == [first, first, first, second])
        #expect(h.uploader.uploads.map { $0.at.timeIntervalSince(start) } == [0, 60, 180, 180])
        await h.until("both parts up") { try h.store.archiveParts(archiveId: 1).allSatisfy { $0.state == .uploaded } }
        await h.settled()
        let limits = h.events.filter { $0.kind == .uploadError && $0.data["rate_limited"] == .bool(true) && $0.data["attempt"] != nil }
        #expect(limits.map(\.data["attempt"]) == [.int(1), .int(2)])
        #expect(h.events.contains { $0.message.contains("the rate limit is over") })
        await h.stop()
    }

    @Test func aFailingPartRetriesWithBackoffAndShowsItsNextTry() async throws {
        let h = try Self.harness()
        h.uploader.failUploads([UploadError(.network, "chunk 1", "connection reset"), UploadError(.http, "chunk 2", "server error", status: 502)])
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let rec = try await h.recording("alice")
        try rec.writeFrames()
        rec.closeSegment()
        await h.until("the first failure noted") { try h.store.queuedArchiveParts().first?.tries == 1 }
        let failedAt = h.uploader.uploads[0].at
        var part = try #require(try h.store.queuedArchiveParts().first)
        #expect(part.nextTryAt == failedAt + 30 && part.error?.contains("connection reset") == true)
        await h.settled()
        let error = try #require(h.events.first { $0.kind == .uploadError })
        #expect(error.data["next_try"] == .number((failedAt + 30).timeIntervalSince1970))
        #expect(error.message.hasSuffix("next try in 30 s"))

        h.clock.advance(by: 29)
        await h.settled()
        #expect(h.uploader.uploads.count == 1, "tried again before its time")
        h.clock.advance(by: 1)
        await h.until("the second failure noted") { try h.store.queuedArchiveParts().first?.tries == 2 }
        part = try #require(try h.store.queuedArchiveParts().first)
        #expect(part.nextTryAt == failedAt + 30 + 60, "the wait doubles")
        h.clock.advance(by: 60)
        await h.until("uploaded on the third try") { try h.store.archiveParts(archiveId: 1).first?.state == .uploaded }
        #expect(h.uploader.uploads.map { $0.at.timeIntervalSince(failedAt) } == [0, 30, 90])
        let listed = try #require(try await h.engine.uploads().first)
        #expect(listed.parts.map(\.record.state) == [.uploaded] && listed.archive.state == .collecting)
        await h.stop()
    }

    @Test func aSegmentWithACodecChangeIsHeldAndSaysWhy() async throws {
        let h = try Self.harness()
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let rec = try await h.recording("alice")
        try rec.writeFrames()
        let broken = try #require(rec.closeSegment { $0.gaps = [.init(at: 12, what: "codec change: h264 → hevc")] })
        try rec.writeFrames()
        let good = try #require(rec.currentFile)
        await Self.endBroadcast(h, rec)
        await h.until("the good part uploaded") { h.uploader.uploads.map(\.path) == [good] }
        await h.until("the archive held") { try h.store.archive(id: 1)?.state == .held }
        await h.settled()
        let held = try #require(h.events.first { $0.kind == .uploadError && $0.data["held"] == .bool(true) })
        #expect(held.message.contains(broken) && held.message.contains("the codec changes inside the file (codec change: h264 → hevc)"))
        #expect(h.uploader.submissions.isEmpty, "submitted without a part")
        let parts = try h.store.archiveParts(archiveId: 1)
        #expect(parts.map(\.state) == [.held, .uploaded])

        // A person decides to upload it as it is.
        _ = try await h.engine.retryUpload(partId: try #require(parts[0].id))
        await h.until("submitted with both parts") { h.uploader.submissions.count == 1 }
        #expect(h.uploader.submissions[0].studio.videos.map(\.filename) == [broken, good].map { "n-" + Self.stem($0) })
        await h.stop()
    }

    @Test func afterUploadDeletesOnlyOnceTheArchiveIsAccepted() async throws {
        let h = try Self.harness(["after_upload": "delete"])
        h.uploader.failSubmits([UploadError(.api, "submit", "分区不存在", code: 21003)])
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let rec = try await h.recording("alice")
        try rec.writeFrames()
        let first = try #require(rec.closeSegment())
        try rec.writeFrames()
        let second = try #require(rec.currentFile)
        await Self.endBroadcast(h, rec)
        await h.until("the refused archive given up") { try h.store.archive(id: 1)?.state == .failed }
        #expect(h.uploader.submissions.count == 1)
        #expect(try h.store.archive(id: 1)?.error?.contains("分区不存在") == true)
        for path in [first, second] { #expect(FileManager.default.fileExists(atPath: path), "deleted before acceptance") }

        _ = try await h.engine.retryUpload(archiveId: 1)
        await h.until("accepted") { try h.store.archive(id: 1)?.state == .submitted }
        await h.until("files deleted") { ![first, second].contains { FileManager.default.fileExists(atPath: $0) } }
        #expect(h.uploader.uploads.count == 2, "a retried submission does not upload again")
        await h.stop()
    }

    @Test func aRestartResumesTheQueueAndTheArchiveIsComplete() async throws {
        let h = try Self.harness()
        h.uploader.holdUploads(after: 1)
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let rec = try await h.recording("alice")
        try rec.writeFrames()
        let first = try #require(rec.closeSegment())
        try rec.writeFrames()
        let second = try #require(rec.closeSegment())
        try rec.writeFrames()
        let third = try #require(rec.currentFile)
        await h.until("the second upload in flight") { h.uploader.heldCount == 1 }
        await h.stop()
        #expect(try h.store.archiveParts(archiveId: 1).map(\.state) == [.uploaded, .uploading, .queued], "stopped like a kill")
        #expect(h.uploader.submissions.isEmpty)

        let again = try Self.harness(reusing: h)
        try await again.start()
        await again.until("the archive submitted") { again.uploader.submissions.count == 1 }
        #expect(again.uploader.uploads.map(\.path) == [second, third], "the uploaded part is not sent again")
        #expect(again.uploader.submissions[0].studio.videos.map(\.filename) == [first, second, third].map { "n-" + Self.stem($0) })
        await again.until("accepted") { try again.store.archive(id: 1)?.state == .submitted }
        await again.stop()
    }

    @Test func theDiskGuardSaysHowMuchTheQueueHolds() async throws {
        let h = try Self.harness()
        h.uploader.holdUploads(after: 0)
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let rec = try await h.recording("alice")
        try rec.writeFrames()
        rec.closeSegment { $0.bytes = 300 << 20 }
        try rec.writeFrames()
        await h.until("the part uploading") { h.uploader.heldCount == 1 }
        h.freeDiskBytes.value = EngineHarness.minFreeDiskBytes - 1
        h.clock.advance(by: 5)
        await h.until("the recording stopped for space") {
            h.events.contains { $0.message.contains("below min_free_disk (1024 MiB); the upload queue holds 300 MiB of recordings: stopping 1 recording(s)") }
        }
        await h.stop()
    }

    @Test func theAPIsTemplatesAreCheckedAsMainLuasAre() async throws {
        let h = try Self.harness()
        try await h.start()
        await #expect(throws: EngineError.invalid("tid", "expected the category's number (an integer such as 171), got string \"games\"")) {
            try await h.engine.addTemplate(name: "api", fields: ["account": "me", "title": "x", "tid": "games"])
        }
        await #expect(throws: EngineError.invalid("acount", "unknown option (did you mean \"account\"?)")) {
            try await h.engine.addTemplate(name: "api", fields: ["acount": "me"])
        }
        let saved = try await h.engine.addTemplate(name: "api", fields: ["account": "me", "title": "x", "tid": 17])
        #expect(saved.fields["tid"] == .int(17))
        await h.stop()
    }

    @Test func theGateReadsADecodeCheckAndACodecChangeInAProbeReport() {
        #expect(IntegrityGate.holdReason(["decode": ["checked": true, "errors": 3, "firstError": "invalid NAL unit"]])
                == "the decode check found 3 errors (first: invalid NAL unit)")
        #expect(IntegrityGate.holdReason(["streams": [["kind": "video", "codec": "h264"], ["kind": "video", "codec": "hevc"], ["kind": "audio", "codec": "aac"]]])
                == "the codec changes inside the file (video: h264 → hevc)")
        #expect(IntegrityGate.holdReason(["decode": ["checked": true, "errors": 0], "streams": [["kind": "video", "codec": "h264"]]]) == nil)
        #expect(IntegrityGate.holdReason(nil) == nil)
    }
}
