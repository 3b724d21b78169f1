import BiliupEngine
import BiliupTestSupport
import Foundation
import Testing

// TEMPORARY diagnostics for the swarm against the real server; deleted before handing back.
@Suite(.serialized) struct ZZSwarmDiagTemp {
    @Test func diag() async throws {
        let server = try await TestServer.start()
        let n = Int(ProcessInfo.processInfo.environment["DIAG_N"] ?? "1000")!
        let burst = Int(ProcessInfo.processInfo.environment["DIAG_BURST"] ?? "10000")!
        let swarm = try await WebSocketSwarm.connect(count: n, port: server.port, path: "/api/ws?types=log,state&level=debug",
                                                     options: .init(threads: 2))
        var marker = 0
        while true {
            marker += 1
            server.bus.publish(EngineEvent(.state, message: "marker \(marker)"))
            if await swarm.waitUntil(timeout: .milliseconds(200), { $0.allSatisfy { $0.messages > 0 } }) { break }
        }
        let start = swarm.stats().compactMap(\.lastSeq).max() ?? 0
        _ = await swarm.waitUntil(timeout: .seconds(30)) { $0.allSatisfy { $0.lastSeq == start } }
        print("DIAG settled at \(start), cpu \(swarm.cpuSeconds())")
        let t0 = ContinuousClock.now
        for i in 1...burst { server.bus.publish(EngineEvent(.error, level: .warn, message: "burst event \(i) of \(burst)")) }
        print("DIAG published in \(ContinuousClock.now - t0)")
        for _ in 0..<24 {
            try await Task.sleep(for: .seconds(5))
            let s = swarm.stats()
            let done = s.filter { $0.lastSeq == start + burst }.count
            let stuck = s.filter { $0.lastSeq == start }.count
            print("DIAG t=\(ContinuousClock.now - t0) msgs=\(swarm.totalMessages) done=\(done) stuck=\(stuck) cpu=\(swarm.cpuSeconds()) closed=\(s.filter { $0.state == .closed }.count) viol=\(s.filter { $0.violations > 0 }.count)")
            if done == n { break }
        }
        let s = swarm.stats()
        if let stuck = s.first(where: { $0.lastSeq == start }) { print("DIAG stuck example: \(stuck)") }
        if let v = s.first(where: { $0.violations > 0 }) { print("DIAG violation example: \(v)") }
        if let ok = s.first(where: { $0.lastSeq == start + burst }) { print("DIAG ok example: \(ok)") }
        swarm.closeAll()
        await server.stop()
    }
}
