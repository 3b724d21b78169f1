import BiliupScript
import Foundation
import Testing

/// Every load of main.lua makes a new Lua state; the one it replaces (or a failed candidate) must be
/// closed, or each reload keeps a whole heap.
@Suite struct MainScriptReloadTests {
    /// Resident memory of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        let fields = ((try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "").split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func aThousandReloadsKeepMemoryFlat() async throws {
        // A few hundred KiB of Lua heap per load, so that a leak of the state shows far above noise.
        let (good, _) = try MainScriptTests.script("""
            local keep = {}
            for i = 1, 20000 do keep[i] = string.rep("x", 16) .. i end
            biliup.streamer "a" { url = "https://live.bilibili.com/1" }
            """)
        let (broken, _) = try MainScriptTests.script("local keep = {} for i = 1, 20000 do keep[i] = tostring(i) end error('broken')")
        for _ in 0..<50 {
            _ = await good.load()
            _ = await broken.load()
        }
        let before = Self.residentBytes()
        for _ in 0..<500 {
            guard case .success = await good.load() else { Issue.record("the good main.lua failed to load"); return }
            guard case .failure = await broken.load() else { Issue.record("the broken main.lua loaded"); return }
        }
        let grown = Self.residentBytes() - before
        #expect(grown < 5 << 20, "1,000 loads grew resident memory by \(grown >> 10) KiB")
    }
}
