import BiliupTestSupport
import Foundation
import Testing

/// Acceptance 6: each kind of bad input ends with one clear error line, a non-zero exit, no crash, and
/// no empty file left behind.
@Suite struct BadInputTests {
    static let cases: [(path: String, says: String)] = [
        ("/bad/html", "HTML page"),
        ("/bad/404", "HTTP 404"),
        ("/bad/zeros", "zero bytes"),
        ("/bad/truncated", "inside the 9-byte FLV header"),
        ("/bad/malformed.m3u8", "malformed playlist"),
    ]

    @Test(arguments: cases.map(\.path))
    func badInputFailsClearly(path: String) async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        BadSources.install(on: server)
        let says = Self.cases.first { $0.path == path }!.says
        try await expectClearFailure(url: "\(server.baseURL)\(path)", says: says)
    }

    @Test func refusedConnectionFailsClearly() async throws {
        try await expectClearFailure(url: "http://127.0.0.1:\(LoopbackHTTPServer.unusedPort())/live/room.flv",
                                     says: "cannot connect")
    }

    @Test func unknownSchemeFailsClearly() async throws {
        try await expectClearFailure(url: "ftp://127.0.0.1/live.flv", says: "URL scheme")
    }

    private func expectClearFailure(url: String, says: String) async throws {
        let dir = try scratchDirectory("bad")
        let run = try await BiliupProcess.run(["download", url, "-o", dir.path + "/{title}"])
        #expect(run.status == 1, "exit status \(run.status): \(run.stderr)")
        let errors = run.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(errors.count == 1, "stderr: \(run.stderr)")
        #expect(errors.first?.contains(says) == true, "stderr: \(run.stderr)")
        #expect(errors.first?.contains(url) == true, "the error names the URL: \(run.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left.isEmpty, "left behind: \(left)")
    }
}
