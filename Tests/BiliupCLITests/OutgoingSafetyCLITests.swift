import BiliupTestSupport
import Foundation
import Synchronization
import Testing

/// `biliup download` as a user runs it (security issue 13, point 3): a `--header` that would inject lines
/// or replace Host is refused before anything is sent, naming the header; an error about a URL that
/// answered something else never prints what it answered.
@Suite struct OutgoingSafetyCLITests {
    @Test func injectedHeaderOptionsAreRefused() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let requests = server.countRequests(answering: 404)
        let dir = try scratchDirectory("header")
        let cases = [
            ("X-Token: a\r\nHost: internal.example", "--header: header \"X-Token\": value contains a line break (CR/LF)"),
            ("Referer: a\nX-Admin: 1", "--header: header \"Referer\": value contains a line break (CR/LF)"),
            ("Host: internal.example", "--header: header \"Host\" is set from the URL and body and cannot be given"),
            ("Content-Length: 0", "--header: header \"Content-Length\" is set from the URL and body and cannot be given"),
            ("Bad Name: 1", "--header: header name \"Bad Name\" may only contain"),
        ]
        for (header, says) in cases {
            let run = try await BiliupProcess.run(["download", "\(server.baseURL)/live/room.flv", "--header", header,
                                                   "-o", dir.path + "/{title}"])
            #expect(run.status != 0, "accepted \(header)")
            #expect(run.stderr.contains(says), "\(header): \(run.stderr)")
        }
        #expect(requests.count == 0)
    }

    @Test func errorsDoNotPrintTheAnswer() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/live/room.flv") { _, w in
            w.send(status: 200, headers: ["Content-Type": "text/plain"], body: Data("SECRET-BANNER redis_version:7.0.0\r\n".utf8))
        }
        server.route("/live/index.m3u8") { _, w in w.send(status: 200, body: Data("SECRET-BANNER\r\n".utf8)) }
        let dir = try scratchDirectory("echo")
        for path in ["room.flv", "index.m3u8"] {
            let run = try await BiliupProcess.run(["download", "\(server.baseURL)/live/\(path)", "-o", dir.path + "/{title}"])
            #expect(run.status == 1, "\(path): \(run.stderr)")
            #expect(run.stderr.contains("error"), "\(path): \(run.stderr)")
            #expect(!run.stderr.contains("SECRET") && !run.stdout.contains("SECRET"), "\(path) printed the answer: \(run.stderr)")
        }
    }
}
