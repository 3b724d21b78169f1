import BiliupScript
import Foundation
import Testing

/// `biliup.webhook { url, events, secret, name }` in main.lua: read into the configuration, and every
/// mistake an error with file and line that never shows the secret.
@Suite struct MainWebhookTests {
    @Test func webhooksAreDeclared() async throws {
        let (script, _) = try MainScriptTests.script("""
            biliup.webhook {
              url = "https://hooks.example.com/biliup",
              events = { "stream_start", "segment", "stream_end", "upload_done", "error" },
              secret = "change me",
            }
            biliup.webhook { url = "http://127.0.0.1:9000/all", name = "local" }
            """)
        let config = try await script.load().get()
        #expect(config.webhooks == [
            WebhookDeclaration(name: "https://hooks.example.com/biliup", url: "https://hooks.example.com/biliup",
                               events: ["stream_start", "segment", "stream_end", "upload_done", "error"], secret: "change me", line: 1),
            WebhookDeclaration(name: "local", url: "http://127.0.0.1:9000/all", events: WebhookRules.eventNames, line: 6),
        ])
    }

    @Test func mistakesAreErrorsWithTheirLines() async throws {
        let (script, _) = try MainScriptTests.script("""
            biliup.webhook { url = "ftp://example.com/x" }
            biliup.webhook { url = "https://a.example/x", events = { "segmnt" } }
            biliup.webhook { url = "https://b.example/x", secret = 12345, evnts = {} }
            biliup.webhook { events = { "segment" } }
            biliup.webhook { url = "https://c.example/x", events = {} }
            biliup.webhook { url = "https://d.example/x", name = "twice" }
            biliup.webhook { url = "https://e.example/x", name = "twice" }
            """)
        guard case .failure(let error) = await script.load() else { Issue.record("a broken main.lua loaded"); return }
        let lines = error.message.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("main.lua:1: biliup.webhook: url: expected an http:// or https:// URL") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("main.lua:2: biliup.webhook: events: unknown event \"segmnt\" (did you mean \"segment\"?)") }, "\(lines)")
        #expect(lines.contains { $0 == "main.lua:3: biliup.webhook: unknown option \"evnts\" (did you mean \"events\"?)" }, "\(lines)")
        #expect(lines.contains { $0 == "main.lua:3: biliup.webhook: secret: expected a string, got a number" }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("main.lua:4: biliup.webhook: url: expected an http(s) URL, got nil") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("main.lua:5: biliup.webhook: events: name at least one of") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("main.lua:7: biliup.webhook \"twice\" is declared twice") }, "\(lines)")
        #expect(!error.message.contains("12345"), "the secret stays out of messages")
    }

    @Test func aWebhookThatIsNotATableIsRefusedAtItsLine() async throws {
        let (script, _) = try MainScriptTests.script("biliup.webhook \"https://x.example\"\n")
        guard case .failure(let error) = await script.load() else { Issue.record("loaded"); return }
        #expect(error.message.contains("main.lua:1") && error.message.contains("biliup.webhook: expected a table"), "\(error.message)")
    }
}
