import BiliupStore
import Foundation
import Testing

/// The API cannot make the recorder write outside the recordings root: `output` with "..", an absolute
/// path, NUL, control characters or a strftime overflow is a 400 `invalid_field` (global and per
/// streamer), nothing is stored, and the root itself is not an option the API has.
@Suite struct OutputPathTests {
    static let refused: [(output: String, why: String)] = [
        ("../../../../home/user/.ssh/authorized_keys", "\"..\""),
        ("/home/user/.ssh/authorized_keys", "must be relative"),
        ("{streamer}/../../x", "\"..\""),
        ("/tmp/x\u{0}", "NUL"),
        ("{title}\u{0}.flv", "NUL"),
        ("a\nssh-ed25519 AAAA planted", "control characters"),
        ("{streamer}\u{1b}[2J", "control characters"),
        ("%5000Y{title}", "strftime cannot expand it"),
        ("{title}%n", "after strftime"),
    ]

    @Test func globalOutputOutsideTheRootIsRefused() async throws {
        try await withServer { server in
            let before = try server.store.settings()
            for (output, why) in Self.refused {
                let reply = try await server.request("PUT", "/api/config", json: ["output": output])
                expectError(reply, 400, "invalid_field", output.debugDescription)
                let message = reply.errorMessage ?? ""
                #expect(message.hasPrefix("output: ") && message.contains(why), "\(output.debugDescription): \(message)")
            }
            #expect(try server.store.settings() == before, "a refused change changes nothing")
            // The root is main.lua's alone.
            let root = try await server.request("PUT", "/api/config", json: ["recordings_root": "/"])
            expectError(root, 400, "unknown_field")
            let config = try await server.request("GET", "/api/config")
            let readOnly = config.json["read_only"] as? [String: Any]
            #expect(readOnly?["recordings_root"] as? String == server.dir.appendingPathComponent("recordings").path)
            // A template below the root is fine.
            let fine = try await server.request("PUT", "/api/config", json: ["output": "{streamer}/%Y-%m-%d/{title}"])
            #expect(fine.status == 200, "\(fine.text)")
        }
    }

    @Test func streamerOutputOutsideTheRootIsRefused() async throws {
        try await withServer { server in
            for (output, why) in Self.refused {
                let reply = try await server.request("POST", "/api/streamers",
                                                     json: ["name": "alice", "url": deadURL("alice"), "overrides": ["output": output]])
                expectError(reply, 400, "invalid_field", output.debugDescription)
                let message = reply.errorMessage ?? ""
                #expect(message.hasPrefix("overrides.output: ") && message.contains(why), "\(output.debugDescription): \(message)")
            }
            #expect(try server.store.streamers().isEmpty)

            let alice = try await server.addStreamer("alice")
            let id = try #require(integer(alice["id"]))
            for (output, _) in Self.refused {
                let reply = try await server.request("PUT", "/api/streamers/\(id)",
                                                     json: ["name": "alice", "url": deadURL("alice"), "overrides": ["output": output]])
                expectError(reply, 400, "invalid_field", output.debugDescription)
            }
            #expect(try server.store.streamer(id: id)?.overrides == [:])
        }
    }
}
