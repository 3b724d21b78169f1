@testable import BiliupScript
import Foundation
import Testing

/// The Lua half of the host API ships as resource files of the BiliupScript target, and what the VMs
/// run is exactly those files.
@Suite struct PreludeResourceTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/BiliupScript/Resources/prelude")

    @Test(arguments: ["host", "main", "engine", "remux", "time", "match", "sandbox"])
    func theVMsRunTheShippedFile(_ name: String) throws {
        let shipped = Prelude.file(name)
        #expect(shipped.path.hasSuffix("biliup_BiliupScript.resources/prelude/\(name).lua"), "\(shipped.path)")
        let text = try String(contentsOf: shipped, encoding: .utf8)
        let source = try String(contentsOf: Self.sources.appendingPathComponent("\(name).lua"), encoding: .utf8)
        #expect(text == source)
        let loaded = switch name {
        case "host": Prelude.host
        case "main": Prelude.main
        case "engine": Prelude.engine
        case "remux": Prelude.remux
        case "time": Prelude.time
        case "match": Prelude.match
        default: Prelude.sandbox
        }
        #expect(loaded == text)
    }

    /// An error raised inside the prelude's wrappers still names the plugin's line, not the prelude's.
    @Test func preludeErrorsPointAtThePlugin() async throws {
        let (host, _) = try makeHost(["p": plugin("p", """
            local ok, err = pcall(http.get, "ftp://example.invalid/x")
            assert(not ok)
            http.get("ftp://example.invalid/x")
            """)])
        let message = try #require(await checkError(host, "test://p/1")).message
        #expect(message.contains("p.lua:7:"), "\(message)")
        #expect(!message.contains("prelude"), "\(message)")
    }
}
