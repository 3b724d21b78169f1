import BiliupTestSupport
import Foundation
import Testing

/// `biliup upload` killed mid-file and run again with the same command continues with the chunks UPOS
/// does not have yet, from the resume records in the data directory.
@Suite struct UploadResumeCLITests {
    /// A file of `blocks` MiB whose every MiB starts with its number, so a misplaced chunk shows.
    static func numberedFile(_ url: URL, blocks: Int) throws {
        let block = Data((0..<((1 << 20) - 4)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) })
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        for n in 0..<blocks {
            try handle.write(contentsOf: withUnsafeBytes(of: UInt32(n).bigEndian) { Data($0) })
            try handle.write(contentsOf: block)
        }
    }

    @Test func aKilledUploadResumesAndResendsLessThanTwoChunks() async throws {
        let dir = try scratchDirectory("upload-resume")
        let standIn = try BilibiliStandIn(directory: dir.appendingPathComponent("standin"))
        defer { standIn.stop() }
        standIn.chunkSize = 1 << 20
        let account = standIn.addAccount(mid: 7070, uname: "续传")
        let cookies = dir.appendingPathComponent("cookies.json")
        try standIn.loginInfoJSON(for: account).write(to: cookies, atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("forty.flv")
        try Self.numberedFile(file, blocks: 40)

        let command = ["upload", "-u", cookies.path, "--title", "续传", "--tid", "171", "--tag", "t", "--limit", "1",
                       "--line", "bda2", "--data-dir", dir.appendingPathComponent("data").path]
            + standIn.remapRules.flatMap { ["--host-remap", $0] } + [file.path]

        // Some chunks fail from the start, so each costs the client a pause and the upload cannot be over
        // before the test has seen a few chunks in, however fast the machine.
        standIn.seedFaults(11)
        standIn.chunkFailureRate = 0.3
        let first = try BiliupProcess.start(command)
        defer { if first.isRunning { first.terminate() } }
        try await onThread {
            try RunCommandTests.waitFor("a few chunks in", seconds: 120) { standIn.chunkPuts.filter { $0.status == 200 }.count >= 4 }
            // From now the next chunk gets no answer: the client waits on it when it is killed, however
            // long this thread takes to send the signal.
            standIn.holdChunks = true
            try RunCommandTests.waitFor("a held chunk", seconds: 120) { standIn.heldChunks > 0 }
        }
        kill(first.processIdentifier, SIGKILL)
        await onThread { first.waitUntilExit() }
        #expect(first.terminationReason == .uncaughtSignal)
        let beforeKill = standIn.chunkPuts
        let answered = Set(beforeKill.filter { $0.status == 200 }.map(\.partNumber))
        try #require(answered.count >= 4 && answered.count < 40, "\(answered.count) chunks were in at the kill")
        #expect(standIn.archives.isEmpty)

        standIn.holdChunks = false
        standIn.chunkFailureRate = 0
        let again = try await BiliupProcess.run(command)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("resuming, \(answered.count) chunk(s) already uploaded"), "\(again.stderr)")

        let afterKill = standIn.chunkPuts.dropFirst(beforeKill.count)
        let resent = afterKill.filter { answered.contains($0.partNumber) }.count
        #expect(resent < 2, "\(resent) chunks sent again")
        #expect(Set(afterKill.map(\.uploadId)) == Set(beforeKill.map(\.uploadId)), "the same UPOS session went on")
        let archive = try #require(standIn.archives.values.first)
        #expect(standIn.archives.count == 1)
        let uploaded = try #require(archive.videoFilenames.first.flatMap(standIn.uploadedFile(named:)))
        #expect(try Data(contentsOf: uploaded) == Data(contentsOf: file))
    }
}
