import Foundation
import Testing
import BiliupStore

@Suite struct StreamerTests {
    @Test func saveInsertsThenUpdatesById() throws {
        try withTempDir { dir in
            let store = try dir.store()
            var alice = try store.saveStreamer(StreamerRecord(name: "alice", urls: ["u1"]))
            #expect(alice.id != nil)
            #expect(alice.createdAt == alice.updatedAt)
            #expect(try store.streamer(named: "alice") == alice)

            // Saving what is stored changes nothing, not even updatedAt.
            #expect(try store.saveStreamer(alice) == alice)

            alice.urls = ["u1", "u2"]
            let saved = try store.saveStreamer(alice)
            #expect(saved.urls == ["u1", "u2"])
            #expect(saved.createdAt == alice.createdAt)
            #expect(saved.updatedAt >= alice.updatedAt)
            #expect(try store.streamer(id: alice.id!) == saved)
        }
    }

    @Test func duplicateNameIsAConflict() throws {
        try withTempDir { dir in
            let store = try dir.store()
            try store.saveStreamer(StreamerRecord(name: "alice", urls: ["u1"]))
            let insert = storeError { try store.saveStreamer(StreamerRecord(name: "alice", urls: ["u2"])) }
            #expect(insert == StoreError(.conflict, "streamer 'alice' exists"))

            var bob = try store.saveStreamer(StreamerRecord(name: "bob", urls: ["u3"]))
            bob.name = "alice"
            let rename = storeError { try store.saveStreamer(bob) }
            #expect(rename == StoreError(.conflict, "streamer 'alice' exists"))
            #expect(try store.streamers().map(\.name) == ["alice", "bob"])
        }
    }

    @Test func updatingOrDeletingAMissingIdIsNotFound() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let update = storeError { try store.saveStreamer(StreamerRecord(id: 42, name: "ghost", urls: [])) }
            #expect(update == StoreError(.notFound, "streamer 42 not found"))
            let delete = storeError { try store.deleteStreamer(id: 42) }
            #expect(delete == StoreError(.notFound, "streamer 42 not found"))
        }
    }

    @Test func deletingAStreamerKeepsItsSessions() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let alice = try store.saveStreamer(StreamerRecord(name: "alice", urls: ["u1"]))
            let session = try store.openSession(
                streamerId: alice.id, streamerName: "alice", plugin: "bilibili", url: "u1", title: nil, at: t0)
            try store.deleteStreamer(id: alice.id!)
            #expect(try store.streamers().isEmpty)
            let kept = try store.session(id: session.id!)
            #expect(kept?.streamerId == nil)  // foreign key ON DELETE SET NULL: foreign keys are on
            #expect(kept?.streamerName == "alice")
        }
    }

    @Test func syncAddsChangesAndRemovesOnlyScriptStreamers() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let api = try store.saveStreamer(StreamerRecord(name: "carol", urls: ["c"], origin: .api))

            let first = try store.syncScriptStreamers([
                StreamerRecord(name: "alice", urls: ["a"], options: ["qn": 10000]),
                StreamerRecord(name: "bob", urls: ["b"]),
            ])
            #expect(first == ScriptSync(added: ["alice", "bob"]))
            var alice = try #require(try store.streamer(named: "alice"))
            #expect(alice.origin == .script)

            // Paused through the API: a reload of main.lua must not resume it.
            alice.paused = true
            alice = try store.saveStreamer(alice)

            let second = try store.syncScriptStreamers([
                StreamerRecord(name: "alice", urls: ["a"], options: ["qn": 10000]),
                StreamerRecord(name: "bob", urls: ["b", "b2"]),
                StreamerRecord(name: "dave", urls: ["d"]),
            ])
            #expect(second == ScriptSync(added: ["dave"], changed: ["bob"]))
            #expect(try store.streamer(named: "alice") == alice)  // same updatedAt, still paused
            #expect(try store.streamer(named: "bob")?.urls == ["b", "b2"])

            let third = try store.syncScriptStreamers([StreamerRecord(name: "dave", urls: ["d"])])
            #expect(third == ScriptSync(removed: ["alice", "bob"]))
            #expect(try store.streamers().map(\.name) == ["carol", "dave"])
            #expect(try store.streamer(named: "carol") == api)
            #expect(try store.syncScriptStreamers([StreamerRecord(name: "dave", urls: ["d"])]).isEmpty)
        }
    }

    @Test func syncRefusesAnAPINameAndChangesNothing() throws {
        try withTempDir { dir in
            let store = try dir.store()
            try store.saveStreamer(StreamerRecord(name: "carol", urls: ["c"], origin: .api))
            let error = storeError {
                try store.syncScriptStreamers([StreamerRecord(name: "alice", urls: ["a"]), StreamerRecord(name: "carol", urls: ["x"])])
            }
            #expect(error?.kind == .conflict)
            #expect(error?.message.contains("'carol' is declared in main.lua and was also added through the API") == true)
            #expect(try store.streamers().map(\.name) == ["carol"])  // alice rolled back with the rest
        }
    }

    @Test func syncRefusesANameDeclaredTwice() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let error = storeError {
                try store.syncScriptStreamers([StreamerRecord(name: "alice", urls: ["a"]), StreamerRecord(name: "alice", urls: ["b"])])
            }
            #expect(error == StoreError(.conflict, "streamer 'alice' is declared twice"))
        }
    }

    @Test func templatesSaveAndSyncLikeStreamers() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let own = try store.saveTemplate(TemplateRecord(name: "mine", fields: ["tid": 17]))
            #expect(try store.syncScriptTemplates([
                TemplateRecord(name: "default", fields: ["title": "{streamer} %Y-%m-%d", "tid": 171]),
                TemplateRecord(name: "games", fields: ["tid": 17]),
            ]) == ScriptSync(added: ["default", "games"]))
            let games = try #require(try store.template(named: "games"))

            #expect(try store.syncScriptTemplates([
                TemplateRecord(name: "default", fields: ["title": "{streamer}", "tid": 171]),
                TemplateRecord(name: "games", fields: ["tid": 17.0]),  // a whole number is the same number
            ]) == ScriptSync(changed: ["default"]))
            #expect(try store.template(named: "games") == games)
            #expect(try store.template(named: "default")?.fields["title"] == "{streamer}")

            let duplicate = storeError { try store.saveTemplate(TemplateRecord(name: "games")) }
            #expect(duplicate == StoreError(.conflict, "template 'games' exists"))

            try store.deleteTemplate(id: own.id!)
            #expect(try store.syncScriptTemplates([]) == ScriptSync(removed: ["default", "games"]))
            #expect(try store.templates().isEmpty)
        }
    }
}
