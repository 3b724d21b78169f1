@testable import BiliupDanmaku
import BiliupNet
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `wss://` through libcurl's TLS: `openssl s_server` terminates TLS with a certificate made for the
/// test, and the test speaks the server side of WebSocket over its stdin/stdout.
@Suite(.serialized) struct TransportTLSTests {
    private func run(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TransportTestFailure("openssl \(arguments.first ?? "") failed") }
    }

    /// A port nothing listens on right now (bound and released).
    private func freePort() throws -> Int {
        let probe = try TransportTestServer { _, _ in }
        defer { probe.stop() }
        return probe.port
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func wssConnectsOverTLSAndChecksTheCertificate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chat-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                 "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
        let port = try freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-quiet"]
        let toServer = Pipe(), fromServer = Pipe()
        server.standardInput = toServer
        server.standardOutput = fromServer
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)  // s_server ignores SIGTERM while it serves
            server.waitUntilExit()
        }
        let peer = TransportTestPeer(input: fromServer.fileHandleForReading.fileDescriptor, output: toServer.fileHandleForWriting.fileDescriptor)
        let head = TransportBox<String>()
        Thread {
            guard let h = peer.acceptWebSocket() else { return }
            head.set("\(h.line) \(h.headers["host"] ?? "")")
            guard peer.readText() == "hello" else { return }
            peer.sendText("over tls")
            peer.sendFrame(opcode: 2, (0..<100_000).map { UInt8($0 % 256) })  // many TLS records
            peer.sendText("after")
        }.start()

        // The platform's wss URL, remapped to the local TLS server by an https:// base.
        let remap = try HostRemap(parsing: ["chat.example.com=https://localhost:\(port)"])
        let log = TransportEventLog()
        let endpoint = ChatEndpoint(url: "wss://chat.example.com/sub", transport: .webSocket)
        let source = ChatSource(platform: "t", room: "1", kind: .stream(endpoint, makeSession: { TransportEchoSession() }))
        let chat = ChatConnection(resolve: { source }, network: ChatNetworkSettings(hostRemap: remap, certificateAuthorities: cert),
                                  backoff: ChatBackoff(initial: .milliseconds(100)), onEvent: log.record)
        chat.start()
        #expect(log.wait { $0.texts.count == 3 })
        chat.stop()
        let expectedBinary = "bin:" + (0..<100_000).map { String($0 % 256) }.joined(separator: ",")
        #expect(log.texts == ["over tls", expectedBinary, "after"])
        #expect(head.value == "GET /sub HTTP/1.1 localhost:\(port)")

        // Without the test's authority the certificate is refused: TLS is really checked.
        let untrusted = TransportEventLog()
        let refused = ChatConnection(resolve: { source }, network: ChatNetworkSettings(hostRemap: remap),
                                     backoff: ChatBackoff(initial: .milliseconds(100)), onEvent: untrusted.record)
        refused.start()
        #expect(untrusted.wait { $0.reasons.contains { $0.lowercased().contains("certificate") } })
        refused.stop()
        #expect(untrusted.connections == 0)
    }
}
