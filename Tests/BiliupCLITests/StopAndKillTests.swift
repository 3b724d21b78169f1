import BiliupTestSupport
import Foundation
import Testing

/// Acceptance 5, and the clean stop: a killed recorder leaves a playable file; SIGTERM finishes every file.
@Suite struct StopAndKillTests {
    /// Real-time pace: how much is on disk at the moment of the kill is what is measured.
    @Test(arguments: ["flv", "ts", "mkv", "mp4"])
    func sigkillLeavesThePartFilePlayable(format: String) async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "room", file: try TestMedia.flv(seconds: 30),
                                       options: .init(speed: 1))
        let dir = try scratchDirectory("kill-\(format)")
        let process = try BiliupProcess.start(["download", source.url.absoluteString, "-o", dir.path + "/{title}",
                                               "--format", format])
        defer { if process.isRunning { process.terminate() } }
        let part = try await waitForPartFile(in: dir)
        try await Task.sleep(for: .seconds(8))
        let sentAtKill = source.sentUntilMediaTime
        kill(process.processIdentifier, SIGKILL)
        await onThread { process.waitUntilExit() }

        let f = try await onThread { try FileFacts(part) }
        #expect(f.duration >= sentAtKill - 2, "\(format): \(f.duration) s on disk, \(sentAtKill) s sent before the kill")
        #expect(abs(f.startTime) <= 0.1)
        #expect(f.firstVideoIsKeyframe == true)
        #expect(f.decodeErrors.isEmpty, "\(format): \(f.decodeErrors)")
    }

    @Test func sigtermFinishesEveryRecording() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let media = try TestMedia.flv(seconds: 30)
        let a = try FlvLiveSource(server: server, name: "a", file: media, options: .init(speed: 1))
        let b = try FlvLiveSource(server: server, name: "b", file: media, options: .init(speed: 1))
        let dir = try scratchDirectory("sigterm")
        let process = try BiliupProcess.start(["download", a.url.absoluteString, b.url.absoluteString,
                                               "-o", dir.path + "/{title}_{index}", "--format", "mkv"])
        _ = try await waitForPartFile(in: dir, count: 2)
        try await Task.sleep(for: .seconds(4))
        process.terminate()  // SIGTERM
        await onThread { process.waitUntilExit() }
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)

        #expect(try recordedFiles(in: dir, part: true).isEmpty)
        let files = try recordedFiles(in: dir)
        #expect(files.map(\.lastPathComponent) == ["a_1.mkv", "b_2.mkv"])
        for file in files {
            let f = try await onThread { try FileFacts(file) }
            #expect(f.duration >= 3)
            #expect(f.decodeErrors.isEmpty)
            #expect(try sidecar(of: file)["endReason"] as? String == "stopped")
        }
    }

    /// `timeout 3600 biliup download URL` sends SIGTERM twice, to the process and to its group: one
    /// request to stop, not an impatient second one that exits at once. (The old trap exited with
    /// status 143 on the second, leaving a.mkv.part.)
    @Test func aRepeatedSigtermWithinASecondStillFinishesTheFile() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "a", file: try TestMedia.flv(seconds: 30), options: .init(speed: 1))
        let dir = try scratchDirectory("sigterm-twice")
        let process = try BiliupProcess.start(["download", source.url.absoluteString, "-o", dir.path + "/{title}",
                                               "--format", "mkv"])
        defer { if process.isRunning { process.terminate() } }
        _ = try await waitForPartFile(in: dir)
        try await Task.sleep(for: .seconds(3))
        // Repeats every millisecond for 300 ms, so that some arrive after the trap took the first (a pending
        // signal merges with the next) and while the files are closing.
        let pid = process.processIdentifier
        await onThread {
            for _ in 0..<300 where process.isRunning {
                kill(pid, SIGTERM)
                usleep(1_000)
            }
            process.waitUntilExit()
        }
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(try recordedFiles(in: dir, part: true).isEmpty)
        let files = try recordedFiles(in: dir)
        #expect(files.map(\.lastPathComponent) == ["a.mkv"])
        for file in files { #expect(try sidecar(of: file)["endReason"] as? String == "stopped") }
    }

    private func waitForPartFile(in dir: URL, count: Int = 1) async throws -> URL {
        for _ in 0..<200 {
            let parts = try recordedFiles(in: dir, part: true)
            if parts.count >= count { return parts[0] }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no .part file appeared in \(dir.path)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
