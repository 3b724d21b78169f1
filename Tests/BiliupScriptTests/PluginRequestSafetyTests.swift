import BiliupNet
import BiliupScript
import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

/// What a plugin's requests and stream headers may be (security issue 13, point 3): headers that cannot
/// inject lines or replace Host, no redirects to other schemes, and `block_private_addresses` applied.
@Suite struct PluginRequestSafetyTests {
    @Test func injectedHeadersAreRefusedWithTheHeaderNamed() async throws {
        let fake = try FakePlatform()
        fake.route("api.example.com", "/x") { _, w in w.send(status: 200, body: Data("fine".utf8)) }
        let attempt = """
            local ok, err = pcall(http.request, { url = "https://api.example.com/x", headers = opts.headers, method = opts.method })
            return { live = false, title = ok and "sent" or err }
            """
        let (host, _) = try makeHost(["h": plugin("h", attempt)], remap: fake.remap())
        let cases: [([String: JSONValue], String?, String)] = [
            (["X-Token": .string("a\r\nX-Admin: 1")], nil, "header \"X-Token\": value contains a line break (CR/LF)"),
            (["Host": .string("internal.example")], nil, "header \"Host\" is set from the URL and body and cannot be given"),
            (["Content-Length": .string("5")], nil, "header \"Content-Length\" is set from the URL and body and cannot be given"),
            (["Cookie": .string("a=1\nX: y")], nil, "header \"Cookie\": value contains a line break (CR/LF)"),
            ([:], "GET /admin HTTP/1.1\r\nX:", "is not a method name"),
        ]
        for (headers, method, says) in cases {
            var options: [String: JSONValue] = ["headers": .object(headers)]
            if let method { options["method"] = .string(method) }
            let title = try await host.check("test://h/1", options: options).title ?? ""
            #expect(title.contains("http.request: ") && title.contains(says), "\(title)")
        }
        #expect(fake.requests(to: "api.example.com").isEmpty)
        #expect(try await host.check("test://h/1", options: ["headers": .object(["X-Token": .string("ok")])]).title == "sent")
    }

    @Test func aRedirectToAnotherSchemeIsNotFollowed() async throws {
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        let fake = try FakePlatform()
        fake.route("api.example.com", "/r") { _, w in
            w.send(status: 302, headers: ["Location": "gopher://127.0.0.1:\(trap.port)/_SET%20x%201"])
        }
        let (host, _) = try makeHost(["r": plugin("r", """
            local ok, err = pcall(http.get, "https://api.example.com/r")
            return { live = false, title = ok and "followed" or err }
            """)], remap: fake.remap())
        let title = try await host.check("test://r/1").title ?? ""
        #expect(title.contains("redirect not followed") && title.contains("only http and https"), "\(title)")
        #expect(trap.connections == 0)
    }

    /// A plugin's stream headers go out with every request for the stream: a line break is a plugin error.
    @Test func streamHeadersWithLineBreaksAreAPluginError() async throws {
        let (host, _) = try makeHost(["s": plugin("s", """
            return { live = true, streams = { { url = "https://cdn.example/live.flv", headers = { Referer = "https://x/\\r\\nHost: y" } } } }
            """)])
        let r = await host.checkResult("test://s/1")
        guard case .failure(let e) = r else { Issue.record("accepted: \(r)"); return }
        #expect(e.message.contains("streams[1].headers: header \"Referer\": value contains a line break (CR/LF)"), "\(e.message)")
    }

    /// With block_private_addresses on, a plugin's request to loopback is refused after resolution; the
    /// setting is read per request, so turning it off applies to the next one.
    @Test func privateAddressesAreRefusedWhenTheSettingIsOn() async throws {
        let fake = try FakePlatform()
        fake.route("api.example.com", "/x") { _, w in w.send(status: 200, body: Data("reached".utf8)) }
        let dir = try PluginPaths.temporary()
        try plugin("p", """
            local ok, r = pcall(http.get, "https://api.example.com/x")
            return { live = false, title = ok and r.body or r }
            """).write(toFile: "\(dir)/p.lua", atomically: true, encoding: .utf8)
        var configuration = ScriptConfiguration(pluginDirectories: [dir], hostRemap: fake.remap(), reloadInterval: .zero)
        configuration.addressPolicy.blocksPrivateAddresses = true
        let host = PluginHost(configuration: configuration)
        let refused = try await host.check("test://p/1").title ?? ""
        #expect(refused.contains("refused to connect to 127.0.0.1") && refused.contains("block_private_addresses"), "\(refused)")
        #expect(fake.requests(to: "api.example.com").isEmpty)
        configuration.addressPolicy.blocksPrivateAddresses = false
        #expect(try await host.check("test://p/1").title == "reached")
    }

    @Test func mainLuaDeclaresTheSetting() async throws {
        let (on, _) = try MainScriptTests.script("biliup.config { block_private_addresses = true }\n")
        #expect(try await on.load().get().global.blockPrivateAddresses == true)
        let (off, _) = try MainScriptTests.script("biliup.config { max_recordings = 2 }\n")
        #expect(try await off.load().get().global.blockPrivateAddresses == false)
        let (bad, _) = try MainScriptTests.script("biliup.config { block_private_addresses = \"yes\" }\n")
        guard case .failure(let e) = await bad.load() else { Issue.record("accepted"); return }
        #expect(e.message.contains("main.lua:1: block_private_addresses: expected true or false, got string \"yes\""), "\(e.message)")
    }
}
