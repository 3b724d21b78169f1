import BiliupServer
import BiliupStore
import Foundation
import Testing

@Suite struct APIStreamerTests {
    /// danmaku_detail and danmaku_ass: off unless sent, kept by the store, changed by a PUT alone.
    @Test func danmakuOptionsRoundTrip() async throws {
        try await withServer { server in
            let plain = try await server.addStreamer("plain")
            #expect(plain["danmaku_detail"] as? Bool == false && plain["danmaku_ass"] as? Bool == false, "\(plain)")
            let full = try await server.addStreamer("full", ["danmaku": true, "danmaku_detail": true, "danmaku_ass": true])
            #expect(full["danmaku_detail"] as? Bool == true && full["danmaku_ass"] as? Bool == true, "\(full)")
            let id = try #require(integer(full["id"]))
            #expect(try server.store.streamer(id: id)?.danmakuASS == true)
            let changed = try await server.request("PUT", "/api/streamers/\(id)", json: ["danmaku_ass": false])
            #expect(changed.status == 200)
            #expect(changed.json["danmaku_ass"] as? Bool == false && changed.json["danmaku_detail"] as? Bool == true, "\(changed.text)")
            let wrong = try await server.request("PUT", "/api/streamers/\(id)", json: ["danmaku_detail": "yes"])
            #expect(wrong.status == 400 && wrong.errorMessage == "danmaku_detail: expected true or false", "\(wrong.text)")
        }
    }

    @Test func addGetAndListStreamers() async throws {
        try await withServer { server in
            let alice = try await server.addStreamer("alice", ["schedule": ["20:00-02:00"], "title_include": ["game"],
                                                               "overrides": ["format": "mkv", "split_time": "1h", "min_segment_size": "2MB"],
                                                               "options": ["qn": 10000], "danmaku": true])
            #expect(alice["name"] as? String == "alice")
            #expect(alice["urls"] as? [String] == [deadURL("alice")])
            #expect(alice["origin"] as? String == "api")
            #expect(alice["schedule"] as? [String] == ["20:00-02:00"])
            #expect(alice["title_include"] as? [String] == ["game"])
            #expect(alice["title_exclude"] as? [String] == [])
            #expect(alice["danmaku"] as? Bool == true)
            #expect(alice["paused"] as? Bool == false)
            expectNull(alice, "template")
            expectNull(alice, "recording")
            #expect(alice.keys.contains("last_error"), "last_error: null or a message (docs/api.md), got no such key")
            #expect(integer((alice["options"] as? [String: Any])?["qn"]) == 10000)
            let overrides = alice["overrides"] as? [String: Any] ?? [:]
            #expect(overrides["format"] as? String == "mkv")
            #expect(number(overrides["split_time"]) == 3600)
            #expect(integer(overrides["min_segment_size"]) != nil)
            #expect(["idle", "waiting", "queued"].contains(alice["state"] as? String ?? "?"), "\(alice)")
            let now = Date().timeIntervalSince1970
            #expect(abs((number(alice["created_at"]) ?? 0) - now) < 600)
            #expect(number(alice["updated_at"]) != nil)
            let id = try #require(integer(alice["id"]))
            #expect(try server.store.streamer(id: id)?.name == "alice")

            try await server.addStreamer("bob", ["urls": [deadURL("bob"), "https://example.com/live/bobroom"]])
            try await server.addStreamer("carol")

            let one = try await server.request("GET", "/api/streamers/\(id)")
            #expect(one.status == 200)
            #expect(one.json["name"] as? String == "alice")
            #expect(one.json["id"] as? NSNumber == NSNumber(value: id))

            let all = try await server.request("GET", "/api/streamers")
            #expect(all.status == 200)
            #expect(all.items.map { $0["name"] as? String } == ["alice", "bob", "carol"])
            #expect(integer(all.json["total"]) == 3)
            #expect(integer(all.json["limit"]) == 50)
            #expect(integer(all.json["offset"]) == 0)

            let page = try await server.request("GET", "/api/streamers?limit=1&offset=1")
            #expect(page.items.map { $0["name"] as? String } == ["bob"])
            #expect(integer(page.json["total"]) == 3)
            #expect(integer(page.json["limit"]) == 1)
            #expect(integer(page.json["offset"]) == 1)

            let past = try await server.request("GET", "/api/streamers?offset=10")
            #expect(past.status == 200 && past.items.isEmpty && integer(past.json["total"]) == 3)

            // q matches a name (any case) or a URL.
            let byName = try await server.request("GET", "/api/streamers?q=ALI")
            #expect(byName.items.map { $0["name"] as? String } == ["alice"])
            #expect(integer(byName.json["total"]) == 1)
            let byURL = try await server.request("GET", "/api/streamers?q=bobroom")
            #expect(byURL.items.map { $0["name"] as? String } == ["bob"])
            let none = try await server.request("GET", "/api/streamers?q=zzz")
            #expect(none.status == 200 && none.items.isEmpty && integer(none.json["total"]) == 0)

            let max = try await server.request("GET", "/api/streamers?limit=1000")
            #expect(max.status == 200)
        }
    }

    @Test func urlsListIsKeptAndURLIsShorthand() async throws {
        try await withServer { server in
            let reply = try await server.request("POST", "/api/streamers", json: ["name": "multi", "urls": [deadURL("a"), deadURL("b")]])
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.json["urls"] as? [String] == [deadURL("a"), deadURL("b")])
            #expect(try server.store.streamer(named: "multi")?.urls == [deadURL("a"), deadURL("b")])
        }
    }

    @Test func putChangesOnlyTheNamedFields() async throws {
        try await withServer { server in
            let s = try await server.addStreamer("alice", ["schedule": ["20:00-02:00"], "danmaku": false,
                                                           "overrides": ["format": "ts"], "title_exclude": ["rerun"]])
            let id = try #require(integer(s["id"]))

            let danmaku = try await server.request("PUT", "/api/streamers/\(id)", json: ["danmaku": true])
            #expect(danmaku.status == 200, "\(danmaku.text)")
            #expect(danmaku.json["danmaku"] as? Bool == true)
            #expect(danmaku.json["name"] as? String == "alice")
            #expect(danmaku.json["urls"] as? [String] == [deadURL("alice")])
            #expect(danmaku.json["schedule"] as? [String] == ["20:00-02:00"])
            #expect(danmaku.json["title_exclude"] as? [String] == ["rerun"])
            #expect((danmaku.json["overrides"] as? [String: Any])?["format"] as? String == "ts")
            #expect(danmaku.json["origin"] as? String == "api")
            #expect(try server.store.streamer(id: id)?.danmaku == true)
            #expect(try server.store.streamer(id: id)?.schedule == ["20:00-02:00"])

            let url = try await server.request("PUT", "/api/streamers/\(id)", json: ["url": deadURL("alice2"), "schedule": [String]()])
            #expect(url.status == 200)
            #expect(url.json["urls"] as? [String] == [deadURL("alice2")])
            #expect(url.json["schedule"] as? [String] == [])
            #expect(url.json["danmaku"] as? Bool == true)

            let renamed = try await server.request("PUT", "/api/streamers/\(id)", json: ["name": "alicia"])
            #expect(renamed.status == 200)
            #expect(renamed.json["name"] as? String == "alicia")
            #expect(try server.store.streamer(id: id)?.name == "alicia")
            let list = try await server.request("GET", "/api/streamers")
            #expect(list.items.map { $0["name"] as? String } == ["alicia"])

            // A template named, then taken away with "".
            let withTemplate = try await server.request("PUT", "/api/streamers/\(id)", json: ["template": "tpl"])
            #expect(withTemplate.json["template"] as? String == "tpl")
            let withoutTemplate = try await server.request("PUT", "/api/streamers/\(id)", json: ["template": ""])
            expectNull(withoutTemplate.json, "template")

            // An empty PUT changes nothing.
            let same = try await server.request("PUT", "/api/streamers/\(id)", json: [String: Any]())
            #expect(same.status == 200)
            #expect(same.json["name"] as? String == "alicia")
            #expect(same.json["danmaku"] as? Bool == true)
        }
    }

    @Test func namesAreUnique() async throws {
        try await withServer { server in
            let a = try await server.addStreamer("alice")
            try await server.addStreamer("bob")
            let duplicate = try await server.request("POST", "/api/streamers", json: ["name": "alice", "url": deadURL("other")])
            expectError(duplicate, 409, "conflict")
            let rename = try await server.request("PUT", "/api/streamers/\(integer(a["id"])!)", json: ["name": "bob"])
            expectError(rename, 409, "conflict")
            #expect(try server.store.streamer(id: integer(a["id"])!)?.name == "alice")
            #expect(try server.store.streamers().count == 2)
        }
    }

    @Test func pauseResumeStartStop() async throws {
        try await withServer { server in
            let s = try await server.addStreamer("alice")
            let id = try #require(integer(s["id"]))

            // Not recording: nothing to stop.
            expectError(try await server.request("POST", "/api/streamers/\(id)/stop"), 409, "conflict")

            let paused = try await server.request("POST", "/api/streamers/\(id)/pause")
            #expect(paused.status == 200, "\(paused.text)")
            #expect(paused.json["state"] as? String == "paused")
            #expect(paused.json["paused"] as? Bool == true)
            #expect(try server.store.streamer(id: id)?.paused == true)
            // The list (which is cached) shows it too.
            let list = try await server.request("GET", "/api/streamers")
            #expect(list.items.first?["state"] as? String == "paused")
            #expect(list.items.first?["paused"] as? Bool == true)
            // Twice is fine.
            let again = try await server.request("POST", "/api/streamers/\(id)/pause")
            #expect(again.status == 200 && again.json["state"] as? String == "paused")
            // A PUT keeps the pause.
            let put = try await server.request("PUT", "/api/streamers/\(id)", json: ["danmaku": true])
            #expect(put.json["paused"] as? Bool == true)
            #expect(put.json["state"] as? String == "paused")

            let resumed = try await server.request("POST", "/api/streamers/\(id)/resume")
            #expect(resumed.status == 200)
            #expect(resumed.json["paused"] as? Bool == false)
            #expect(resumed.json["state"] as? String != "paused")
            #expect(try server.store.streamer(id: id)?.paused == false)
            let list2 = try await server.request("GET", "/api/streamers")
            #expect(list2.items.first?["paused"] as? Bool == false)

            // start resumes a paused streamer.
            _ = try await server.request("POST", "/api/streamers/\(id)/pause")
            let started = try await server.request("POST", "/api/streamers/\(id)/start")
            #expect(started.status == 200, "\(started.text)")
            #expect(started.json["paused"] as? Bool == false)
            #expect(started.json["state"] as? String != "paused")
            #expect(started.json["name"] as? String == "alice")
            #expect(try server.store.streamer(id: id)?.paused == false)
        }
    }

    @Test func deleteRemovesTheStreamer() async throws {
        try await withServer { server in
            let s = try await server.addStreamer("alice")
            let id = try #require(integer(s["id"]))
            let deleted = try await server.request("DELETE", "/api/streamers/\(id)")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            expectError(try await server.request("GET", "/api/streamers/\(id)"), 404, "not_found")
            expectError(try await server.request("DELETE", "/api/streamers/\(id)"), 404, "not_found")
            expectError(try await server.request("PUT", "/api/streamers/\(id)", json: ["danmaku": true]), 404, "not_found")
            for action in ["start", "stop", "pause", "resume"] {
                expectError(try await server.request("POST", "/api/streamers/\(id)/\(action)"), 404, "not_found", action)
            }
            let list = try await server.request("GET", "/api/streamers")
            #expect(list.items.isEmpty && integer(list.json["total"]) == 0)
            #expect(try server.store.streamer(id: id) == nil)
            // The name is free again.
            try await server.addStreamer("alice")
        }
    }

    @Test func scriptStreamersCannotBeChangedOrDeletedThroughTheAPI() async throws {
        try await withServer { server in
            try server.store.syncScriptStreamers([StreamerRecord(name: "lua-star", urls: [deadURL("lua-star")], origin: .script)])
            let stored = try #require(try server.store.streamer(named: "lua-star"))
            let id = try #require(stored.id)

            let one = try await server.request("GET", "/api/streamers/\(id)")
            #expect(one.status == 200)
            #expect(one.json["origin"] as? String == "script")

            let put = try await server.request("PUT", "/api/streamers/\(id)", json: ["danmaku": true])
            expectError(put, 409, "declared_in_script")
            let delete = try await server.request("DELETE", "/api/streamers/\(id)")
            expectError(delete, 409, "declared_in_script")
            #expect(try server.store.streamer(id: id)?.danmaku == false)
            #expect(try server.store.streamer(id: id) != nil)

            // The name is taken.
            let dup = try await server.request("POST", "/api/streamers", json: ["name": "lua-star", "url": deadURL("x")])
            expectError(dup, 409)
            // Renaming an API streamer onto it too.
            let api = try await server.addStreamer("api-one")
            expectError(try await server.request("PUT", "/api/streamers/\(integer(api["id"])!)", json: ["name": "lua-star"]), 409)
        }
    }

    @Test func streamerValidation() async throws {
        try await withServer { server in
            let cases: [(String, Any, String?)] = [
                ("name not a string", ["name": 5, "url": deadURL("a")], "name"),
                ("name missing", ["url": deadURL("a")], "name"),
                ("url missing", ["name": "a"], "url"),
                ("url not a string", ["name": "a", "url": ["x"]], "url"),
                ("urls not a list", ["name": "a", "urls": "http://x/"], "urls"),
                ("empty name", ["name": "   ", "url": deadURL("a")], "name"),
                ("slash in name", ["name": "a/b", "url": deadURL("a")], "name"),
                ("dot-dot name", ["name": "../../etc", "url": deadURL("a")], "name"),
                ("long name", ["name": String(repeating: "n", count: 101), "url": deadURL("a")], "name"),
                ("not a URL", ["name": "a", "url": "not a url"], "url"),
                ("file URL", ["name": "a", "url": "file:///etc/passwd"], "url"),
                ("empty urls", ["name": "a", "urls": [String]()], "url"),
                ("too many urls", ["name": "a", "urls": (0..<11).map { deadURL("u\($0)") }], "urls"),
                ("bad schedule", ["name": "a", "url": deadURL("a"), "schedule": ["25:00-26:00"]], "schedule"),
                ("schedule words", ["name": "a", "url": deadURL("a"), "schedule": ["whenever"]], "schedule"),
                ("schedule not a list", ["name": "a", "url": deadURL("a"), "schedule": "20:00-02:00"], "schedule"),
                ("unknown override", ["name": "a", "url": deadURL("a"), "overrides": ["bogus": 1]], "bogus"),
                ("bad format", ["name": "a", "url": deadURL("a"), "overrides": ["format": "avi"]], "format"),
                ("format not a string", ["name": "a", "url": deadURL("a"), "overrides": ["format": 5]], "format"),
                ("negative split", ["name": "a", "url": deadURL("a"), "overrides": ["split_time": -5]], "split_time"),
                ("bad duration", ["name": "a", "url": deadURL("a"), "overrides": ["delay": "soon"]], "delay"),
                ("bad size", ["name": "a", "url": deadURL("a"), "overrides": ["split_size": "big"]], "split_size"),
                ("overrides not an object", ["name": "a", "url": deadURL("a"), "overrides": [1, 2]], "overrides"),
                ("danmaku not a bool", ["name": "a", "url": deadURL("a"), "danmaku": "yes"], "danmaku"),
                ("options not an object", ["name": "a", "url": deadURL("a"), "options": "qn"], "options"),
                ("not JSON", "{name: a", nil),
                ("a list", "[1, 2]", nil),
                ("null", "null", nil),
                ("empty body", "", nil),
            ]
            for (what, body, field) in cases {
                let reply = try await server.request("POST", "/api/streamers", json: body)
                expectError(reply, 400, nil, what)
                #expect(["bad_request", "invalid_json", "invalid_field"].contains(reply.errorCode ?? ""), "\(what): \(reply.text)")
                if let field {
                    #expect((reply.errorMessage ?? "").contains(field), "\(what): the message should name \(field): \(reply.errorMessage ?? "")")
                }
            }
            #expect(try server.store.streamers().isEmpty)

            // The same on a PUT, which leaves the streamer as it was.
            let s = try await server.addStreamer("alice", ["overrides": ["format": "flv"]])
            let id = integer(s["id"])!
            for (what, body, field) in cases where what != "name missing" && what != "url missing" {
                let reply = try await server.request("PUT", "/api/streamers/\(id)", json: body)
                expectError(reply, 400, nil, "PUT \(what)")
                if let field, !["empty urls"].contains(what) {
                    #expect((reply.errorMessage ?? "").contains(field), "PUT \(what): \(reply.errorMessage ?? "")")
                }
            }
            let after = try #require(try server.store.streamer(id: id))
            #expect(after.name == "alice" && after.urls == [deadURL("alice")] && after.overrides == ["format": "flv"])
        }
    }

    @Test func overridesAreNormalised() async throws {
        try await withServer { server in
            let s = try await server.addStreamer("alice", ["overrides": ["split_time": "10m", "delay": 0, "split_size": "2GB",
                                                                         "check_interval": 30, "output": "{streamer}/%Y", "format": "mp4"]])
            let o = s["overrides"] as? [String: Any] ?? [:]
            #expect(number(o["split_time"]) == 600)
            #expect(number(o["delay"]) == 0)
            #expect(number(o["check_interval"]) == 30)
            #expect((integer(o["split_size"]) ?? 0) >= 2_000_000_000)
            #expect(o["output"] as? String == "{streamer}/%Y")
            #expect(o["format"] as? String == "mp4")
        }
    }
}
