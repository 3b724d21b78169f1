import BiliupServer
import BiliupStore
import Foundation
import Testing

/// Logins are bcrypt, a quarter second of a core each by design. Sixteen at once must not stall the
/// rest of the server: they run on threads of their own, a few at a time. Timed: runs in the timed
/// test pass, and compares with the cost of one bcrypt measured here, not with a fixed limit.
@Suite struct LoginLoadTests {
    @Test func parallelLoginsLeaveOtherRequestsFast() async throws {
        let cost: UInt8 = 11
        try await withServer(configure: { $0.passwordCost = cost }) { server in
            try server.store.addUser(UserRecord(name: "root", passwordHash: Secrets.hashPassword("rootpass1", cost: cost), admin: true))
            let token = try await server.login("root", "rootpass1")
            let one = Date()
            _ = Secrets.verify("rootpass1", hash: Secrets.hashPassword("x", cost: cost))
            let bcrypt = Date().timeIntervalSince(one)

            let storm = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    // Different addresses are not available on loopback, so the storm uses the right
                    // password (no backoff) and new names would only hit the decoy: both are bcrypt.
                    for _ in 0..<16 {
                        group.addTask { try await server.request("POST", "/api/login", json: ["username": "root", "password": "rootpass1"]).status }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            var latencies: [Double] = []
            try await Task.sleep(for: .milliseconds(50))
            for _ in 0..<20 {
                let start = Date()
                let me = try await RawHTTP(port: server.port).send("GET", "/api/me", headers: [("Authorization", "Bearer \(token)")])
                latencies.append(Date().timeIntervalSince(start))
                #expect(me.status == 200)
            }
            let statuses = try await storm.value
            #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
            let median = latencies.sorted()[latencies.count / 2]
            #expect(median < bcrypt, "GET /api/me took \(median) s (median) while 16 logins ran; one bcrypt is \(bcrypt) s")
            print("parallel logins: /api/me median \(Int(median * 1000)) ms; one bcrypt \(Int(bcrypt * 1000)) ms")
        }
    }
}
