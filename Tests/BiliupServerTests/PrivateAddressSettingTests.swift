import BiliupTestSupport
import Foundation
import Synchronization
import Testing

/// `block_private_addresses` through the API (security issue 13, point 3): on a multi-user install, a
/// streamer URL pointing at this machine or its network is refused after DNS resolution, for the plugin's
/// requests and for the stream itself, with an error that says why; off (the default), it records.
@Suite struct PrivateAddressSettingTests {
    @Test func theSettingRefusesLoopbackForPluginsAndStreams() async throws {
        let source = try LoopbackHTTPServer()
        defer { source.stop() }
        let requests = source.countRequests(answering: 404)
        try await withServer { server in
            let bad = try await server.request("PUT", "/api/config", json: ["block_private_addresses": "yes"])
            #expect(bad.status == 400 && (bad.errorMessage ?? "").contains("block_private_addresses: expected true or false"), "\(bad.text)")

            let on = try await server.request("PUT", "/api/config", json: ["block_private_addresses": true])
            #expect(on.status == 200, "\(on.text)")
            #expect((on.json["options"] as? [String: Any])?["block_private_addresses"] as? Bool == true)
            #expect((on.json["sources"] as? [String: String])?["block_private_addresses"] == "api")

            // The generic plugin fetches a playlist itself; an FLV URL goes straight to the recorder.
            let hls = integer(try await server.addStreamer("hls", ["url": "http://127.0.0.1:\(source.port)/live/index.m3u8"])["id"])
            let flv = integer(try await server.addStreamer("flv", ["url": "http://localhost:\(source.port)/live/room.flv"])["id"])
            let names = [hls: "hls", flv: "flv"]
            var refused: [String: String] = [:]
            for _ in 0..<600 where refused.count < 2 {
                let events = try await server.request("GET", "/api/events?limit=1000").items
                for e in events {
                    guard let name = names[integer(e["streamer_id"])], let message = e["message"] as? String,
                          message.contains("refused to connect to") else { continue }
                    refused[name] = message
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let log = try await server.request("GET", "/api/events?limit=1000").text
            for name in ["hls", "flv"] {
                let message = try #require(refused[name], "no refusal reported for \(name): \(log)")
                #expect(message.contains("block_private_addresses is on"), "\(message)")
            }
            #expect(requests.count == 0, "the local server was reached")

            // Off again: the next check reaches the server (which says the stream is gone).
            #expect(try await server.request("PUT", "/api/config", json: ["block_private_addresses": false]).status == 200)
            _ = try await server.addStreamer("hls-after", ["url": "http://127.0.0.1:\(source.port)/live/again.m3u8"])
            for _ in 0..<600 where requests.count == 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(requests.count > 0)
        }
    }
}
