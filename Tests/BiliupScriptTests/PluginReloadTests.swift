import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct PluginReloadTests {
    @Test func anEditedPluginIsUsedByTheNextCheck() async throws {
        let (host, dir) = try makeHost(["room": plugin("room", "return { live = false, title = 'one' }")])
        #expect(try await host.check("test://room/1").title == "one")
        try plugin("room", "return { live = false, title = 'two' }").write(toFile: "\(dir)/room.lua", atomically: true, encoding: .utf8)
        #expect(try await host.check("test://room/1").title == "two")
    }

    @Test func aBrokenEditKeepsTheLastGoodVersionAndSaysWhere() async throws {
        let log = LogCapture()
        let (host, dir) = try makeHost(["room": plugin("room", "return { live = false, title = 'good' }")], log: log)
        #expect(try await host.check("test://room/1").title == "good")
        try "return {\n  name = 'room',\n  match = 'x'\n  check = nil\n}\n".write(toFile: "\(dir)/room.lua", atomically: true, encoding: .utf8)
        #expect(try await host.check("test://room/1").title == "good")
        let catalog = await host.catalog()
        let failure = try #require(catalog.failures.first)
        #expect(failure.file == "\(dir)/room.lua" && failure.keptPrevious)
        #expect(failure.message.contains("room.lua:4:"), "\(failure.message)")
        #expect(log.all.contains { $0.level == .error && $0.message.contains("room.lua:4:") })
        // Fixed again: the new version loads and the failure is gone.
        try plugin("room", "return { live = false, title = 'fixed' }").write(toFile: "\(dir)/room.lua", atomically: true, encoding: .utf8)
        #expect(try await host.check("test://room/1").title == "fixed")
        #expect(await host.catalog().failures.isEmpty)
    }

    @Test func contractErrorsAtLoadAreReported() async throws {
        let (host, _) = try makeHost([
            "wrongname": "return { name = 'other', match = 'x', check = function() end }",
            "nomatch": "return { name = 'nomatch', check = function() end }",
            "badpattern": "return { name = 'badpattern', match = '[a', check = function() end }",
            "loops": "while true do end",
        ])
        let failures = await host.catalog().failures
        let byFile = Dictionary(uniqueKeysWithValues: failures.map { (URL(fileURLWithPath: $0.file).lastPathComponent, $0.message) })
        #expect(byFile["wrongname.lua"] == "name \"other\" differs from the file name wrongname.lua")
        #expect(byFile["nomatch.lua"] == "match: expected a Lua pattern or a list of them")
        #expect(byFile["badpattern.lua"]?.contains("bad pattern \"[a\"") == true)
        #expect(byFile["loops.lua"]?.contains("limit") == true)
    }

    @Test func laterDirectoriesOverrideAndFallbacksComeLast() async throws {
        let first = try PluginPaths.temporary()
        let second = try PluginPaths.temporary()
        try plugin("site", "return { live = false, title = 'shipped' }").write(toFile: "\(first)/site.lua", atomically: true, encoding: .utf8)
        try plugin("site", "return { live = false, title = 'mine' }").write(toFile: "\(second)/site.lua", atomically: true, encoding: .utf8)
        try """
            return { name = "any", fallback = true, match = "^test://", check = function() return { live = false, title = "fallback" } end }
            """.write(toFile: "\(first)/any.lua", atomically: true, encoding: .utf8)
        let host = PluginHost(configuration: ScriptConfiguration(pluginDirectories: [first, second], reloadInterval: .zero))
        #expect(try await host.check("test://site/1").title == "mine")
        #expect(try await host.check("test://other/1").title == "fallback")
        #expect(await host.catalog().plugins.map(\.name) == ["site", "any"])
    }
}
