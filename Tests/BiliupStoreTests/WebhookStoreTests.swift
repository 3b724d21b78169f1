import Foundation
import Testing
@testable import BiliupStore

/// Migration v6's `webhook` table: rows round-trip (events as a JSON list, the secret as is), names are
/// unique, and main.lua's set syncs apart from the API's, as templates do.
@Suite struct WebhookStoreTests {
    @Test func webhooksRoundTripAndSyncApartFromTheAPIs() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let api = try store.saveWebhook(WebhookRecord(name: "ops", url: "https://hooks.example.com/a", events: ["segment", "error"], secret: "k"))
            #expect(try store.webhook(id: try #require(api.id)) == api)
            #expect(throws: StoreError.self) { try store.saveWebhook(WebhookRecord(name: "ops", url: "https://other.example/", events: ["error"])) }

            let first = try store.syncScriptWebhooks([WebhookRecord(name: "lua", origin: .script, url: "https://hooks.example.com/lua", events: ["stream_end"])])
            #expect(first.added == ["lua"])
            let changed = try store.syncScriptWebhooks([WebhookRecord(name: "lua", origin: .script, url: "https://hooks.example.com/lua2", events: ["stream_end"])])
            #expect(changed.changed == ["lua"])
            #expect(try store.webhooks().map(\.name) == ["lua", "ops"])
            #expect(try store.webhooks().first?.url == "https://hooks.example.com/lua2")
            let conflict = WebhookRecord(name: "ops", origin: .script, url: "https://x.example/", events: ["error"])
            #expect(throws: StoreError.self) { try store.syncScriptWebhooks([conflict]) }
            let gone = try store.syncScriptWebhooks([])
            #expect(gone.removed == ["lua"])
            #expect(try store.webhooks() == [api], "the API's webhook is not main.lua's to remove")
            try store.deleteWebhook(id: api.id!)
            #expect(try store.webhooks().isEmpty)
        }
    }
}
