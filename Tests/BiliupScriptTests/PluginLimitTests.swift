import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// A plugin that raises, loops forever or allocates without bound is stopped with an error naming it,
/// while the other checks in the same VM complete. Serialized: each test runs busy-looping plugins,
/// and two of them at once on a 2-core machine would starve each other's clocks.
@Suite(.serialized) struct PluginLimitTests {
    static let plugins = [
        "raises": plugin("raises", "error('the site changed')"),
        "spins": plugin("spins", "local n = 0 while true do n = n + 1 end"),
        "spinsinpcall": plugin("spinsinpcall", "while true do pcall(function() while true do end end) end"),
        "hoards": plugin("hoards", "local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep('x', 1000) .. i end"),
        "nested": plugin("nested", "local co = coroutine.wrap(function() while true do end end) co()"),
        "slow": plugin("slow", """
            local r = http.get("https://api.example.com/slow")
            return { live = false, title = r.body }
            """),
    ]

    @Test func runawayPluginsAreStoppedAndOthersFinish() async throws {
        let fake = try FakePlatform()
        fake.route("api.example.com", "/slow") { _, w in
            Thread.sleep(forTimeInterval: 0.3)  // still waiting while the runaways run
            w.send(status: 200, body: Data("fine".utf8))
        }
        let (host, _) = try makeHost(Self.plugins, remap: fake.remap())
        async let slow = host.checkResult("test://slow/1")
        async let raises = host.checkResult("test://raises/1")
        async let spins = host.checkResult("test://spins/1")
        async let spinsInPcall = host.checkResult("test://spinsinpcall/1")
        async let hoards = host.checkResult("test://hoards/1")
        async let nested = host.checkResult("test://nested/1")
        let results = await [raises, spins, spinsInPcall, hoards, nested]

        #expect(try await slow.get().title == "fine")
        let errors = results.map { r -> ScriptError? in if case .failure(let e) = r { return e }; return nil }
        #expect(errors[0]?.kind == .runtime && errors[0]?.source == "raises" && errors[0]?.message.hasSuffix("raises.lua:5: the site changed") == true)
        for (i, name) in ["spins", "spinsinpcall", "hoards", "nested"].enumerated() {
            let e = try #require(errors[i + 1], "\(name) was not stopped")
            #expect(e.kind == .limit && e.source == name, "\(name): \(e)")
        }
        #expect(errors[3]?.message == "memory limit of 64 MiB exceeded")

        // The VM is still usable, and gave back what the hoarder held.
        #expect(try await host.check("test://slow/1").title == "fine")
    }

    /// Each runaway is stopped by its own limit (run time is the VM thread's CPU time, instructions,
    /// memory), not by the call timeout: that is what the error's kind says, whatever the wall clock of a
    /// busy machine shows.
    @Test func eachRunawayIsStoppedByALimit() async throws {
        let (host, _) = try makeHost(Self.plugins)
        for name in ["spins", "spinsinpcall", "hoards", "nested"] {
            let r = await host.checkResult("test://\(name)/1")
            guard case .failure(let e) = r else { Issue.record("\(name) was not stopped"); continue }
            #expect(e.kind == .limit, "\(name): \(e)")
            #expect(e.message.hasSuffix("limit)") || e.message.contains("memory limit"), "\(name): \(e.message)")
        }
    }

    @Test func instructionLimitIsPerCall() async throws {
        let (host, _) = try makeHost(["counts": plugin("counts", """
            local n = 0
            for i = 1, tonumber(opts.n) do n = n + i end
            return { live = false, title = tostring(n) }
            """)], limits: ScriptLimits(instructions: 2_000_000))
        #expect(try await host.check("test://counts/1", options: ["n": .int(100_000)]).title == "5000050000")
        let big = await host.checkResult("test://counts/1", options: ["n": .int(10_000_000)])
        guard case .failure(let e) = big else { Issue.record("not stopped"); return }
        #expect(e.kind == .limit && e.message.contains("instruction limit exceeded"))
        // A fresh call gets a fresh budget.
        #expect(try await host.check("test://counts/1", options: ["n": .int(100_000)]).title == "5000050000")
    }

    @Test func callTimeoutCoversWaits() async throws {
        let fake = try FakePlatform()
        fake.route("api.example.com", "/never") { _, w in
            Thread.sleep(forTimeInterval: 3)
            w.send(status: 200)
        }
        let (host, _) = try makeHost(["waits": plugin("waits", "http.get('https://api.example.com/never') return { live = false }")],
                                     remap: fake.remap(), limits: ScriptLimits(callTimeout: .milliseconds(300)))
        let r = await host.checkResult("test://waits/1")
        guard case .failure(let e) = r else { Issue.record("no timeout"); return }
        #expect(e.kind == .timeout && e.source == "waits")
    }
}
