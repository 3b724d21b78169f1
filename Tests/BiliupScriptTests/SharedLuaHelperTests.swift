import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The helpers the shipped plugins share from `lua/lib/web.lua`, loaded with `require` as a plugin does.
@Suite struct SharedLuaHelperTests {
    /// What a plugin whose check runs `body` (with `web` required) returned as its title.
    static func title(_ body: String) async throws -> String? {
        let dir = try PluginPaths.temporary()
        let shippedLib = (PluginPaths.shipped as NSString).deletingLastPathComponent + "/lib"
        try FileManager.default.createSymbolicLink(atPath: dir + "/lib", withDestinationPath: shippedLib)
        try plugin("h", "local web = require(\"web\")\n" + body).write(toFile: dir + "/h.lua", atomically: true, encoding: .utf8)
        let host = PluginHost(configuration: ScriptConfiguration(pluginDirectories: [dir], reloadInterval: .zero))
        return try await host.check("test://h/1").title
    }

    @Test func unescapeHTMLDecodesEntitiesInOnePass() async throws {
        let title = try await Self.title(#"""
            return { live = false, title = web.unescape_html('&quot;a&quot; &amp;quot; &#34;&#034;&#x22;&#X41; &lt;b&gt; &apos;&#39; x&nbsp;y &bogus; &#xZZ; &x22;') }
            """#)
        #expect(title == "\"a\" &quot; \"\"\"A <b> '' x\u{a0}y &bogus; &#xZZ; &x22;")
    }

    @Test func nonEmptyKeepsOnlyStringsWithText() async throws {
        let title = try await Self.title("""
            local out = {}
            for _, v in ipairs({ "x", "", 5, json.null, false }) do out[#out + 1] = tostring(web.non_empty(v)) end
            out[#out + 1] = tostring(web.non_empty(nil))
            return { live = false, title = table.concat(out, ",") }
            """)
        #expect(title == "x,nil,nil,nil,nil,nil")
    }

    @Test func userAgentIsADesktopBrowser() async throws {
        let title = try await Self.title("return { live = false, title = web.USER_AGENT }")
        #expect(title?.hasPrefix("Mozilla/5.0 (Windows NT 10.0; Win64; x64)") == true)
        #expect(title?.contains("Chrome/") == true)
    }

    /// No shipped plugin keeps its own copy of a shared helper.
    @Test func pluginsUseTheSharedHelpers() throws {
        let dir = PluginPaths.shipped
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasSuffix(".lua") {
            let source = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            #expect(!source.contains("local function non_empty"), "\(name)")
            #expect(!source.contains("&amp;\", \"&\""), "\(name) decodes HTML entities itself")
            #expect(!source.contains("Chrome/120.0.0.0"), "\(name) spells out the shared user agent")
        }
    }
}
