import BiliupTestSupport
import Foundation
import Testing

/// Acceptance 3 and 4: cuts, timestamp jumps and backward steps are repaired, and a resolution change
/// starts a new file.
@Suite struct RepairTests {
    @Test(arguments: ["flv", "mp4"])
    func recordingSurvivesACutAJumpAndABackwardStep(format: String) async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(
            server: server, name: "room", file: try TestMedia.flv(seconds: 65),
            // 4×: the GOP cut into at 14.1 s stays the source's newest for 1.9 s of media, almost half a
            // second of real time, so even a slow reconnect gets it resent (and no media is skipped).
            options: .init(speed: 4, cutAfterSeconds: [14.1, 42], timestampJump: (atSeconds: 25, byMilliseconds: 3_600_000),
                           backwardStep: (atSeconds: 50, byMilliseconds: 5_000)))
        let dir = try scratchDirectory("repair-\(format)")
        let run = try await BiliupProcess.run(["download", source.url.absoluteString, "-o", dir.path + "/{title}_%H%M%S",
                                               "--format", format, "--split-time", "20s"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        #expect(source.connectionsServed >= 3)

        let files = try recordedFiles(in: dir)
        #expect(files.count == 4, "files: \(files.map(\.lastPathComponent))")
        let facts = try await onThread { try files.map { try FileFacts($0) } }
        for (file, f) in zip(files, facts) {
            #expect(abs(f.startTime) <= 0.1, "\(file.lastPathComponent) starts at \(f.startTime)")
            #expect(f.firstVideoIsKeyframe == true)
            #expect(f.decodeErrors.isEmpty, "\(file.lastPathComponent): \(f.decodeErrors)")
        }
        let total = facts.reduce(0) { $0 + $1.duration }
        #expect(abs(total - 65) <= 1, "durations add up to \(total) s")
        #expect(facts.reduce(0) { $0 + $1.videoFrames } == source.videoFramesSent)
        #expect(facts.reduce(0) { $0 + $1.audioFrames } == source.audioFramesSent)

        let reports = try files.map { try sidecar(of: $0) }
        let reconnects = reports.flatMap { $0["reconnects"] as? [[String: Any]] ?? [] }
        let fixes = reports.flatMap { $0["timestampFixes"] as? [[String: Any]] ?? [] }
        #expect(reconnects.count == 2, "reconnects: \(reconnects)")
        // Cut 0.1 s into a GOP: the source's GOP cache resends that GOP, and the recorder drops it. (Whether
        // the second reconnect sees repeats depends on how far the live point moved meanwhile.)
        #expect(reconnects.contains { ($0["repeatedFramesDropped"] as? Int ?? 0) > 0 }, "reconnects: \(reconnects)")
        let jumps = fixes.filter { $0["kind"] as? String == "jump" }.compactMap { $0["deltaMs"] as? Int }
        let backs = fixes.filter { $0["kind"] as? String == "backwards" }.compactMap { $0["deltaMs"] as? Int }
        #expect(!jumps.isEmpty && jumps.allSatisfy { abs($0 - 3_600_000) < 100 }, "fixes: \(fixes)")
        #expect(!backs.isEmpty && backs.allSatisfy { abs($0 + 5_000) < 100 }, "fixes: \(fixes)")

        let probe = try await BiliupProcess.run(["probe", files[1].path])
        #expect(probe.status == 0)
        #expect(probe.stdout.contains("jump +3600"), "probe output: \(probe.stdout)")
    }

    @Test func resolutionChangeStartsANewFile() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let first = try TestMedia.flv(seconds: 20, width: 320, height: 240)
        let second = try TestMedia.flv(seconds: 20, width: 480, height: 270)
        let source = try FlvLiveSource(server: server, name: "room", files: [first, second], options: .init(speed: 10))
        let dir = try scratchDirectory("resolution")
        let run = try await BiliupProcess.run(["download", source.url.absoluteString, "-o", dir.path + "/{title}_%H%M%S"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")

        let files = try recordedFiles(in: dir)
        try #require(files.count == 2, "files: \(files.map(\.lastPathComponent))")
        let facts = try await onThread { try files.map { try FileFacts($0) } }
        #expect(facts.map(\.width) == [320, 480])
        #expect(facts.map(\.height) == [240, 270])
        for f in facts {
            #expect(abs(f.duration - 20) <= 0.5)
            #expect(abs(f.startTime) <= 0.1)
            #expect(f.firstVideoIsKeyframe == true)
            #expect(f.decodeErrors.isEmpty)
        }
        #expect(facts.reduce(0) { $0 + $1.videoFrames } == source.videoFramesSent)
        let started = try sidecar(of: files[1])["startReason"] as? String ?? ""
        #expect(started.hasPrefix("codec change: h264 320x240"), "second file started by: \(started)")
    }
}
