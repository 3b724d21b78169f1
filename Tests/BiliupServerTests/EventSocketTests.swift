import BiliupEngine
import BiliupTestSupport
import Foundation
import Testing

/// `/api/ws` under load: many subscribers, a burst, and one that does not read.
@Suite(.serialized) struct EventSocketTests {
    /// Publishes markers until every listed connection has received one, so that the burst after it
    /// starts once every subscriber is known to be following the feed. Returns the last marker's seq.
    private func settle(_ swarm: WebSocketSwarm, _ server: TestServer, connections: Range<Int>) async throws -> Int {
        var marker = 0
        for _ in 0..<600 {
            marker += 1
            server.bus.publish(EngineEvent(.state, message: "marker \(marker)"))
            if await swarm.waitUntil(timeout: .milliseconds(200), { stats in connections.allSatisfy { stats[$0].messages > 0 } }) {
                // Every subscriber got some marker; wait until each has the last one (nothing else is
                // published here, so the feed numbered the markers 1, 2, ...).
                #expect(await swarm.waitUntil(timeout: .seconds(60)) { stats in connections.allSatisfy { stats[$0].lastSeq == marker } })
                return marker
            }
        }
        throw TestServerError("subscribers never received a marker")
    }

    @Test func aThousandSubscribersEachReceiveABurstOfTenThousandInOrder() async throws {
        let server = try await TestServer.start()
        let subscribers = 1000
        let stalledIndex = subscribers  // one more connection that never reads
        let clock = ContinuousClock()
        let t0 = clock.now
        let swarm = try await WebSocketSwarm.connect(
            count: subscribers + 1, port: server.port, path: "/api/ws?types=log,state&level=debug",
            options: .init(stalled: [stalledIndex], threads: 2, stalledReceiveBufferSize: 4096))
        let t1 = clock.now
        let start = try await settle(swarm, server, connections: 0..<subscribers)
        let t2 = clock.now
        let cpu0 = cpuSecondsOfProcess()
        let burst = 10_000
        for i in 1...burst {
            server.bus.publish(EngineEvent(.error, level: .warn, message: "burst event \(i) of \(burst)"))
        }
        let last = start + burst
        let allArrived = await swarm.waitForAll(lastSeq: last, timeout: .seconds(600))
        let stats = swarm.stats()
        #expect(allArrived)
        for s in stats.prefix(subscribers) {
            #expect(s.lastSeq == last, "subscriber \(s.index) stopped at \(s.lastSeq ?? -1)")
            #expect(s.violations == 0, "subscriber \(s.index): \(s.firstViolation?.description ?? "")")
            #expect(s.skipped == 0 && s.missed == 0, "subscriber \(s.index) skipped \(s.missed)")
            #expect(s.error == nil)
        }
        // The one that never read held nobody back and is still connected (its backlog is bounded by
        // the socket buffers, the rest waits in the shared ring).
        #expect(stats[stalledIndex].error == nil)
        let t3 = clock.now
        print("websocket burst: \(subscribers) × \(burst) messages; connect \(t1 - t0), settle \(t2 - t1), burst \(t3 - t2); process CPU in the burst \(String(format: "%.1f", cpuSecondsOfProcess() - cpu0)) s, of which the client swarm \(String(format: "%.1f", swarm.cpuSeconds())) s in all")
        swarm.closeAll()
        await server.stop()
    }

    @Test func aSubscriberThatStopsReadingSkipsAheadAndMemoryStaysBounded() async throws {
        let server = try await TestServer.start()
        let swarm = try await WebSocketSwarm.connect(
            count: 5, port: server.port, path: "/api/ws?types=log",
            options: .init(stalled: [4], threads: 1, stalledReceiveBufferSize: 4096))
        let markers = try await settleLog(swarm, server, connections: 0..<4)
        let rssBefore = residentBytes()
        // Three times the feed's ring: a subscriber that kept everything would hold it all. Published
        // in steps the readers keep up with, so that only the one that stopped reading falls behind.
        let total = 100_000, step = 10_000
        let padding = String(repeating: "x", count: 200)
        for first in stride(from: 1, through: total, by: step) {
            for i in first..<(first + step) {
                server.bus.publish(EngineEvent(.error, level: .warn, message: "event \(i) \(padding)"))
            }
            let published = markers + first + step - 1
            #expect(await swarm.waitUntil(timeout: .seconds(120)) { s in s.prefix(4).allSatisfy { $0.lastSeq == published } })
        }
        let rssGrowth = residentBytes() - rssBefore
        swarm.resume([4])
        let final = swarm.stats()[0].lastSeq ?? 0
        #expect(await swarm.waitUntil(timeout: .seconds(120)) { $0[4].lastSeq == final })
        let stats = swarm.stats()
        for s in stats.prefix(4) {
            #expect(s.violations == 0 && s.skipped == 0, "reader \(s.index): \(s.firstViolation?.description ?? "skipped")")
        }
        #expect(stats[4].skipped >= 1, "the stalled subscriber was not told it skipped")
        #expect(stats[4].missed > 0)
        #expect(stats[4].violations == 0)
        #expect(stats[4].messages < stats[0].messages)
        print("stalled subscriber: received \(stats[4].messages), skipped \(stats[4].missed); RSS grew \(rssGrowth >> 20) MiB over \(total) events")
        // Bounded: the ring (32,768 messages of ~350 bytes) and socket buffers, not 200,000 events.
        #expect(rssGrowth < 48 << 20)
        swarm.closeAll()
        await server.stop()
    }

    private func settleLog(_ swarm: WebSocketSwarm, _ server: TestServer, connections: Range<Int>) async throws -> Int {
        for marker in 1...600 {
            server.bus.publish(EngineEvent(.error, level: .warn, message: "marker \(marker)"))
            if await swarm.waitUntil(timeout: .milliseconds(200), { stats in connections.allSatisfy { stats[$0].messages > 0 } }) {
                return marker
            }
        }
        throw TestServerError("subscribers never received a marker")
    }

    @Test func filtersByLevelStreamerAndTypeAndCanBeChanged() async throws {
        let server = try await TestServer.start()
        let swarm = try await WebSocketSwarm.connect(count: 1, port: server.port, path: "/api/ws?types=log&level=warn")
        _ = try await settleLog(swarm, server, connections: 0..<1)
        let before = swarm.stats()[0].messages
        server.bus.publish(EngineEvent(.error, level: .info, message: "below the level"))
        server.bus.publish(EngineEvent(.state, level: .error, message: "a state, not subscribed"))
        server.bus.publish(EngineEvent(.error, level: .error, message: "wanted"))
        #expect(await swarm.waitUntil(timeout: .seconds(30)) { $0[0].messages == before + 1 })
        #expect(swarm.send(text: #"{"types": ["state"], "level": "debug"}"#, to: 0))
        try await Task.sleep(for: .milliseconds(300))
        server.bus.publish(EngineEvent(.error, level: .error, message: "a log, no longer subscribed"))
        server.bus.publish(EngineEvent(.state, level: .debug, message: "a state now"))
        #expect(await swarm.waitUntil(timeout: .seconds(30)) { $0[0].messages == before + 2 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(swarm.stats()[0].messages == before + 2)
        swarm.closeAll()
        await server.stop()
    }

    @Test func upgradesAreRefusedWithoutLoginOrFromAnotherOrigin() async throws {
        let server = try await TestServer.start(users: [("root", "rootpass1", true)])
        await #expect(throws: (any Error).self) {
            _ = try await WebSocketSwarm.connect(count: 1, port: server.port, path: "/api/ws")
        }
        let token = try await server.login("root", "rootpass1")
        let ok = try await WebSocketSwarm.connect(count: 1, port: server.port, path: "/api/ws", headers: ["Cookie": "biliup_session=\(token)"])
        ok.closeAll()
        await #expect(throws: (any Error).self) {
            _ = try await WebSocketSwarm.connect(count: 1, port: server.port, path: "/api/ws",
                                                 headers: ["Cookie": "biliup_session=\(token)", "Origin": "http://evil.example"])
        }
        await #expect(throws: (any Error).self) {
            _ = try await WebSocketSwarm.connect(count: 1, port: server.port, path: "/api/ws?level=loud", headers: ["Authorization": "Bearer \(token)"])
        }
        let plain = try await server.request("GET", "/api/ws", token: token)
        #expect(plain.status == 400 && plain.errorCode == "bad_request")
        let anonymous = try await server.request("GET", "/api/ws")
        #expect(anonymous.status == 401)
        await server.stop()
    }
}

/// This process's resident memory, from /proc.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// CPU seconds this process has used (user + system).
func cpuSecondsOfProcess() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
