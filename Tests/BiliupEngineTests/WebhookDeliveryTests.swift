@testable import BiliupEngine
import BiliupNet
import BiliupScript
import BiliupStore
import BiliupTestSupport
import BiliupValues
import Foundation
import Synchronization
import Testing

/// Acceptance 2 (webhooks): real HTTP over loopback to local receivers. A receiver that fails the first
/// two deliveries gets the event on the third try, signed; one that accepts and never answers does not
/// slow the bus or the recording, its queue stays bounded, and the failure is an error event.
@Suite(.serialized) struct WebhookDeliveryTests {
    /// Waits between tries and per-try limits short enough for a test, and nothing else changed.
    static func fastSettings(timeout: Duration = .seconds(5), queueLimit: Int = 256) -> WebhookDeliverySettings {
        var s = WebhookDeliverySettings()
        s.retryDelays = [.milliseconds(10), .milliseconds(20), .milliseconds(40)]
        s.timeout = timeout
        s.queueLimit = queueLimit
        s.shutdownGrace = .milliseconds(100)
        return s
    }

    static func segmentEvent() -> EngineEvent {
        EngineEvent(.segment, streamer: "ann", sessionId: 7, message: "segment /rec/ann/1.flv",
                    data: ["path": "/rec/ann/1.flv", "bytes": 1234, "duration": 4.0,
                           "report": ["videoFrames": 100, "audioFrames": 180, "timestampJumps": 0]])
    }

    /// Polls generously (the machine is shared); records an issue if `condition` never holds.
    static func until(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) async {
        let end = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < end, !condition() { try? await Task.sleep(for: .milliseconds(10)) }
        if !condition() { Issue.record("never happened: \(what)", sourceLocation: sourceLocation) }
    }

    @Test func aReceiverThatFailsTwiceGetsTheEventOnTheThirdTrySigned() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let received = Mutex<[LoopbackRequest]>([])
        server.route("/hook") { request, response in
            let n = received.withLock { $0.append(request); return $0.count }
            response.send(status: n <= 2 ? 500 : 204, body: Data("internal details the engine must not echo".utf8))
        }
        let reports = Mutex<[EngineEvent]>([])
        let dispatcher = WebhookDispatcher(network: WebhookNetwork(), settings: Self.fastSettings()) { e in reports.withLock { $0.append(e) } }
        defer { dispatcher.update([]) }
        let secret = "s3cret-key"
        dispatcher.update([WebhookRecord(id: 1, name: "mine", url: "\(server.baseURL)/hook", events: ["segment", "stream_end"], secret: secret)])
        dispatcher.accept(EngineEvent(.streamStart, streamer: "ann", message: "not subscribed"))
        dispatcher.accept(Self.segmentEvent())
        await Self.until("three tries") { received.withLock { $0.count } >= 3 && dispatcher.stats(id: 1)?.delivered == 1 }

        let tries = received.withLock { $0 }
        #expect(tries.count == 3, "only the segment is subscribed and it needed three tries: \(tries.map(\.path))")
        #expect(tries.allSatisfy { $0.method == "POST" && $0.headers["content-type"] == "application/json" })
        #expect(tries.map { $0.headers["x-biliup-attempt"] } == ["1", "2", "3"])
        let delivery = try #require(tries.last?.headers["x-biliup-delivery"])
        #expect(tries.allSatisfy { $0.headers["x-biliup-delivery"] == delivery && $0.body == tries[0].body }, "a retry is the same delivery")
        #expect(tries.last?.headers["x-biliup-event"] == "segment")

        // The signature is HMAC-SHA256 of the body as received, computed here from SHA-256 alone (RFC 2104).
        let body = try #require(tries.last?.body)
        let expected = "sha256=" + Digest.hex(Self.hmacSHA256(key: Array(secret.utf8), message: Array(body)))
        #expect(tries.last?.headers["x-biliup-signature"] == expected)

        let json = try JSONDecoder().decode(JSONValue.self, from: body)
        guard case .object(let payload) = json, case .object(let data)? = payload["data"] else {
            Issue.record("not a JSON object with data: \(String(decoding: body, as: UTF8.self))")
            return
        }
        #expect(payload["type"] == "segment")
        #expect(payload["id"] == .string(delivery))
        #expect(UUID(uuidString: delivery) != nil)
        #expect(payload["streamer"] == "ann")
        #expect(payload["session"] == 7)
        #expect(payload["time"] != nil)
        #expect(data["report"] == ["videoFrames": 100, "audioFrames": 180, "timestampJumps": 0], "a segment carries its integrity report")
        #expect(reports.withLock { $0 }.isEmpty, "a delivery that succeeded in the end is no failure")
        #expect(dispatcher.stats(id: 1) == { var s = WebhookStats(); s.delivered = 1; return s }())
    }

    @Test func anUnsignedWebhookSendsNoSignatureAndEachEventGetsItsOwnId() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let received = Mutex<[LoopbackRequest]>([])
        server.route("/hook") { request, response in
            received.withLock { $0.append(request) }
            response.send(status: 200)
        }
        let dispatcher = WebhookDispatcher(network: WebhookNetwork(), settings: Self.fastSettings()) { _ in }
        defer { dispatcher.update([]) }
        dispatcher.update([WebhookRecord(id: 3, name: "plain", url: "\(server.baseURL)/hook", events: ["segment"])])
        dispatcher.accept(Self.segmentEvent())
        dispatcher.accept(Self.segmentEvent())
        await Self.until("two deliveries") { received.withLock { $0.count } >= 2 }
        let tries = received.withLock { $0 }
        #expect(tries.allSatisfy { $0.headers["x-biliup-signature"] == nil })
        #expect(Set(tries.compactMap { $0.headers["x-biliup-delivery"] }).count == 2)
    }

    /// A receiver that accepts connections and never answers: publishing stays immediate, at most
    /// `queueLimit` events wait (the rest are dropped and counted), and each give-up is an error event
    /// naming the webhook and the reason. The events about the failure are not sent to any webhook.
    @Test func aStalledReceiverNeverBlocksTheBusAndItsQueueStaysBounded() async throws {
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        let bus = EventBus()
        let seen = Mutex<[EngineEvent]>([])
        let stream = bus.subscribe()
        let collector = Task { for await e in stream { seen.withLock { $0.append(e) } } }
        let limit = 8
        let dispatcher = WebhookDispatcher(network: WebhookNetwork(), settings: Self.fastSettings(timeout: .milliseconds(500), queueLimit: limit)) {
            bus.publish($0)
        }
        dispatcher.update([WebhookRecord(id: 5, name: "stalled", url: "http://127.0.0.1:\(trap.port)/hook", events: ["segment", "error"])])
        bus.attach { dispatcher.accept($0) }

        let published = 1000
        for i in 0..<published {
            bus.publish(EngineEvent(.segment, streamer: "ann", sessionId: 1, message: "segment \(i)"))
        }
        // Every event went through the bus (it was never held up by the receiver).
        await Self.until("all events through the bus") { seen.withLock { $0.filter { $0.kind == .segment }.count } == published }
        await Self.until("the first give-up reported") { seen.withLock { $0.contains { $0.kind == .error } } }
        let stats = try #require(dispatcher.stats(id: 5))
        #expect(stats.queued <= limit, "bounded: \(stats)")
        #expect(stats.dropped >= published - limit - 2, "the rest were dropped and counted: \(stats)")

        let failure = try #require(seen.withLock { $0.first { $0.kind == .error } })
        #expect(failure.level == .error)
        #expect(failure.message.contains("webhook 'stalled'") && failure.message.contains("not delivered after 4 tries"), "\(failure.message)")
        #expect(failure.message.contains("timed out"), "the reason: \(failure.message)")
        #expect(failure.data["webhook"] == "stalled")
        #expect(trap.connections >= 4, "each try connected: \(trap.connections)")
        let target = try #require(WebhookTarget(WebhookRecord(id: 5, name: "stalled", url: "http://x/", events: ["error"])))
        #expect(!target.wants(failure), "a delivery failure is not itself delivered (no loop)")

        dispatcher.update([])
        await bus.close()
        collector.cancel()
    }

    /// Only the failure's status in our words: what the receiver answered stays out of events and logs.
    @Test func aFailureNamesTheStatusButNeverTheReceiversBody() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/hook") { _, response in response.send(status: 503, body: Data("<script>secret-internal</script>".utf8)) }
        let reports = Mutex<[EngineEvent]>([])
        let dispatcher = WebhookDispatcher(network: WebhookNetwork(), settings: Self.fastSettings()) { e in reports.withLock { $0.append(e) } }
        defer { dispatcher.update([]) }
        dispatcher.update([WebhookRecord(id: 9, name: "down", url: "\(server.baseURL)/hook?token=abc", events: ["stream_end"])])
        dispatcher.accept(EngineEvent(.streamEnd, streamer: "ann", message: "session over"))
        await Self.until("the give-up") { !reports.withLock { $0 }.isEmpty }
        let failure = try #require(reports.withLock { $0.first })
        #expect(failure.message.hasSuffix("HTTP 503"), "\(failure.message)")
        #expect(!failure.message.contains("secret-internal") && !failure.message.contains("token=abc"))
        #expect(dispatcher.stats(id: 9)?.failed == 1 && dispatcher.stats(id: 9)?.lastError == "HTTP 503")
    }

    /// The address rules of every outgoing request: a receiver on a private address is refused when
    /// `block_private_addresses` is on (after DNS, at connect), and reached when it is off.
    @Test func blockPrivateAddressesRefusesALoopbackReceiver() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let hits = server.countRequests(answering: 200)
        let policy = AddressPolicy(blocksPrivateAddresses: true)
        let reports = Mutex<[EngineEvent]>([])
        let dispatcher = WebhookDispatcher(network: WebhookNetwork(addressPolicy: policy), settings: Self.fastSettings()) { e in
            reports.withLock { $0.append(e) }
        }
        defer { dispatcher.update([]) }
        // A name, so the refusal happens after DNS, not by a look at the URL.
        dispatcher.update([WebhookRecord(id: 2, name: "local", url: "http://localhost:\(server.port)/hook", events: ["segment"])])
        dispatcher.accept(Self.segmentEvent())
        await Self.until("the refusal") { !reports.withLock { $0 }.isEmpty }
        #expect(reports.withLock { $0.first?.message.contains("block_private_addresses") } == true, "\(reports.withLock { $0 })")
        #expect(hits.count == 0)
        policy.blocksPrivateAddresses = false
        dispatcher.accept(Self.segmentEvent())
        await Self.until("delivered once allowed") { hits.count == 1 }
    }

    /// A host remap points the webhook's host elsewhere, as it does for every other request.
    @Test func theHostRemapApplies() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let received = Mutex<[LoopbackRequest]>([])
        server.route("/base/hook") { request, response in
            received.withLock { $0.append(request) }
            response.send(status: 200)
        }
        let remap = try HostRemap(parsing: ["hooks.example.com=\(server.baseURL)/base"])
        let dispatcher = WebhookDispatcher(network: WebhookNetwork(hostRemap: remap), settings: Self.fastSettings()) { _ in }
        defer { dispatcher.update([]) }
        dispatcher.update([WebhookRecord(id: 4, name: "remapped", url: "https://hooks.example.com/hook", events: ["segment"])])
        dispatcher.accept(Self.segmentEvent())
        await Self.until("delivered through the remap") { received.withLock { $0.count } == 1 }
    }

    /// The names main.lua and the API accept are exactly the engine's hook kinds.
    @Test func theEventNamesAreTheEnginesHookKinds() {
        let hookable = EngineEvent.Kind.allCases.filter { EngineEvent($0, message: "").isHookable }.map(\.rawValue)
        #expect(Set(WebhookRules.eventNames) == Set(hookable))
    }

    /// HMAC-SHA256 from SHA-256 alone, so the test does not check the engine's HMAC with itself.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var k = key.count > 64 ? Digest.hash(.sha256, key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = Digest.hash(.sha256, k.map { $0 ^ 0x36 } + message)
        return Digest.hash(.sha256, k.map { $0 ^ 0x5C } + inner)
    }
}
