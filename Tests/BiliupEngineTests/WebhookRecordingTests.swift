@testable import BiliupEngine
import BiliupScript
import BiliupStore
import BiliupTestSupport
import BiliupValues
import Foundation
import Synchronization
import Testing

/// Acceptance 2 through the engine: a streamer recorded from a paced live FLV source while main.lua's
/// webhook points at a receiver that accepts and never answers. Every frame the source sent is in the
/// files, and the give-ups are error events naming the webhook; a second webhook that answers gets
/// stream_start, segment (with its report) and stream_end.
@Suite(.serialized) struct WebhookRecordingTests {
    @Test func aStalledReceiverLeavesEveryFrameRecordedAndSaysSo() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "hooked", file: try TestMedia.flv(seconds: 8))
        let room = LiveRoomChecker(plugin: "liveroom", title: "Hook night", flv: source.url.absoluteString, live: { source.sentUntilMediaTime < 7.9 })
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        let answered = Mutex<[LoopbackRequest]>([])
        server.route("/hook") { request, response in
            answered.withLock { $0.append(request) }
            response.send(status: 200)
        }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-engine-tests/webhook-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try Store(path: dir.appendingPathComponent("biliup.sqlite3").path)
        var global = GlobalOptions()
        global.dataDir = dir.path
        global.recordingsRoot = dir.appendingPathComponent("rec").path
        global.recording.checkInterval = 0.2
        global.recording.delay = 0
        global.recording.minSegmentBytes = 0
        global.recording.splitSeconds = 4
        global.recording.output = "{streamer}/%H-%M-%S"
        var config = OrchestrationConfig(file: dir.appendingPathComponent("main.lua").path, global: global,
                                         streamers: [StreamerDeclaration(name: "ann", urls: ["https://liveroom.test/1"])])
        config.webhooks = [
            WebhookDeclaration(name: "stalled", url: "http://127.0.0.1:\(trap.port)/hook", events: WebhookRules.eventNames),
            WebhookDeclaration(name: "answers", url: "\(server.baseURL)/hook", events: ["stream_start", "segment", "stream_end"], secret: "k"),
        ]
        var delivery = WebhookDeliveryTests.fastSettings(timeout: .milliseconds(500), queueLimit: 4)
        delivery.shutdownGrace = .seconds(30)
        let bus = EventBus()
        let events = Mutex<[EngineEvent]>([])
        let stream = bus.subscribe()
        Task { for await e in stream { events.withLock { $0.append(e) } } }
        let engine = Engine(config: config, store: store, checker: room, bus: bus, rates: PlatformRates(defaultPerSecond: 100),
                            environment: EngineEnvironment(webhookDelivery: delivery))
        try await engine.start()
        #expect(try store.webhooks().map(\.name) == ["answers", "stalled"] && store.webhooks().allSatisfy { $0.origin == .script })
        await WebhookDeliveryTests.until("the session's end") { events.withLock { $0.contains { $0.kind == .streamEnd } } }
        await WebhookDeliveryTests.until("the stalled webhook's give-ups reported") {
            events.withLock { $0.contains { $0.kind == .error && $0.message.contains("webhook 'stalled'") } }
        }
        await WebhookDeliveryTests.until("the answering webhook got the stream's end") {
            answered.withLock { $0.contains { $0.headers["x-biliup-event"] == "stream_end" } }
        }
        await engine.stop()

        let all = events.withLock { $0 }
        let segments = all.filter { $0.kind == .segment }
        try #require(segments.count == 2, "\(all.map { "\($0.kind.rawValue): \($0.message)" })")
        var recorded = (video: 0, audio: 0)
        for segment in segments {
            guard case .string(let path)? = segment.data["path"] else { Issue.record("no path: \(segment.data)"); continue }
            let counts = try TestMedia.frameCounts(URL(fileURLWithPath: path))
            recorded.video += counts.video
            recorded.audio += counts.audio
        }
        #expect(recorded.video == source.videoFramesSent && recorded.audio == source.audioFramesSent,
                "recorded \(recorded), sent \(source.videoFramesSent) video and \(source.audioFramesSent) audio frames")
        #expect(!all.contains { $0.kind == .error && $0.message.hasPrefix("recording failed") })
        let failure = try #require(all.first { $0.kind == .error && $0.message.contains("webhook 'stalled'") })
        #expect(failure.message.contains("not delivered after 4 tries") && failure.data["webhook"] == "stalled", "\(failure.message)")

        let kinds = answered.withLock { $0.compactMap { $0.headers["x-biliup-event"] } }
        #expect(kinds.first == "stream_start" && kinds.last == "stream_end" && kinds.filter { $0 == "segment" }.count == 2, "\(kinds)")
        let segmentBody = try #require(answered.withLock { $0.first { $0.headers["x-biliup-event"] == "segment" }?.body })
        guard case .object(let payload) = try JSONDecoder().decode(JSONValue.self, from: segmentBody),
              case .object(let data)? = payload["data"], case .object(let report)? = data["report"] else {
            Issue.record("segment payload without a report: \(String(decoding: segmentBody, as: UTF8.self))")
            return
        }
        #expect(report["videoFrames"] != nil)
        #expect(payload["streamer"] == "ann" && payload["session"] != nil && payload["session"] != .null)
    }
}
