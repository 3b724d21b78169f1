import BiliupServer
import BiliupStore
import Foundation
import Testing

/// Password guessing gets slower and then refused; unknown names cost what known ones do; a user
/// added by another process closes the API at once.
@Suite struct LoginDefenseTests {
    @Test func wrongLoginsBackOffWithRetryAfterAndASuccessResets() async throws {
        try await withServer(users: rootAndViewer) { server in
            var statuses: [Int] = []
            var retryAfter: [Int] = []
            let start = Date()
            for i in 0..<200 {
                let reply = try await server.request("POST", "/api/login", json: ["username": i % 2 == 0 ? "root" : "nobody\(i)", "password": "wrong-\(i)"])
                statuses.append(reply.status)
                if reply.status == 429 {
                    #expect(reply.errorCode == "too_many_attempts")
                    retryAfter.append(Int(reply.header("Retry-After") ?? "") ?? -1)
                }
            }
            // Five free attempts, then one more each time a doubling wait has passed: on a slow machine
            // some waits end while the guesses go on, but never more than log2 of the time taken.
            let elapsed = max(Date().timeIntervalSince(start), 1)
            let bound = 5 + Int(log2(elapsed).rounded(.up)) + 2
            let checked = statuses.filter { $0 == 401 }.count
            #expect(checked <= bound, "only the free attempts and one per doubled wait reach bcrypt: \(checked) of 200 in \(elapsed) s")
            #expect(statuses.filter { $0 == 429 }.count >= 200 - bound)
            #expect(retryAfter.allSatisfy { (1...300).contains($0) }, "\(retryAfter.prefix(5))")
            // The right password waits its turn too (the guesses were made for its name)...
            let blocked = try await server.request("POST", "/api/login", json: ["username": "root", "password": "rootpass1"])
            #expect(blocked.status == 429)
        }
    }

    @Test func aSuccessClearsTheCount() async throws {
        try await withServer(users: rootAndViewer) { server in
            for round in 0..<3 {
                for i in 0..<4 {
                    let wrong = try await server.request("POST", "/api/login", json: ["username": "viewer", "password": "bad\(round)\(i)"])
                    #expect(wrong.status == 401)
                }
                _ = try await server.login("viewer", "viewerpass")
            }
        }
    }

    /// Unknown names are checked against a decoy hash: their answer takes as long as a known name's
    /// (it took 1.4 ms against 440 ms before). Compared with each other, not with a clock limit, and
    /// with a wide margin: beside other suites one bcrypt has taken from 0.1 s to 2.3 s, while the
    /// difference tested for is a factor of 300.
    @Test func unknownUserNamesCostABcryptToo() async throws {
        let cost: UInt8 = 10
        try await withServer(configure: { $0.passwordCost = cost }) { server in
            try server.store.addUser(UserRecord(name: "root", passwordHash: Secrets.hashPassword("rootpass1", cost: cost), admin: true))
            var known: [Double] = []
            var unknown: [Double] = []
            for i in 0..<3 {
                for (name, into) in [("root", 0), ("ghost\(i)", 1)] {
                    let start = Date()
                    let reply = try await server.request("POST", "/api/login", json: ["username": name, "password": "wrong-guess"])
                    #expect(reply.status == 401 && reply.errorCode == "bad_credentials")
                    if into == 0 { known.append(Date().timeIntervalSince(start)) } else { unknown.append(Date().timeIntervalSince(start)) }
                }
            }
            let k = known.min()!, u = unknown.min()!
            #expect(u > k / 20, "unknown user answered in \(u) s, known in \(k) s")
        }
    }

    @Test func aUserAddedElsewhereClosesTheAPIAtOnce() async throws {
        try await withServer { server in
            #expect(try await server.request("GET", "/api/status").status == 200)
            #expect(try await server.request("GET", "/api/status").status == 200)
            // As `biliup user add` in another process does: straight into the store.
            try server.store.addUser(UserRecord(name: "late", passwordHash: Secrets.hashPassword("latepass1", cost: 4), admin: true))
            expectError(try await server.request("GET", "/api/status"), 401, "login_required")
        }
    }
}
