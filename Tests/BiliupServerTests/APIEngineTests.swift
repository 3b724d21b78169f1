import BiliupServer
import BiliupStore
import Foundation
import Testing

@Suite struct APIEngineTests {
    @Test func statusFields() async throws {
        try await withServer { server in
            try await server.addStreamer("alice")
            try await server.addStreamer("bob")
            let reply = try await server.request("GET", "/api/status")
            #expect(reply.status == 200)
            let s = reply.json
            #expect(s["version"] as? String == "test")
            let started = try #require(number(s["started_at"]))
            #expect(abs(started - Date().timeIntervalSince1970) < 600)
            #expect((number(s["uptime"]) ?? -1) >= 0)
            #expect(integer(s["streamers"]) == 2)
            #expect((s["recordings"] as? [Any])?.isEmpty == true)
            #expect((s["queue"] as? [Any])?.isEmpty == true)
            let disk = s["disk"] as? [String: Any] ?? [:]
            #expect(disk["path"] is String)
            let free = integer(disk["free"]), total = integer(disk["total"])
            #expect(free != nil && total != nil && free! <= total! && total! > 0, "\(disk)")
        }
    }

    @Test func configGetSetAndClear() async throws {
        try await withServer { server in
            let editable = ["output", "format", "split_time", "split_size", "check_interval", "delay", "min_segment_size",
                            "max_recordings", "min_free_disk", "block_private_addresses"]
            let get = try await server.request("GET", "/api/config")
            #expect(get.status == 200)
            #expect(Set(get.json["editable"] as? [String] ?? []) == Set(editable))
            let options = get.json["options"] as? [String: Any] ?? [:]
            let sources = get.json["sources"] as? [String: String] ?? [:]
            for key in editable {
                #expect(options.keys.contains(key), "options.\(key)")
                #expect(["default", "script"].contains(sources[key] ?? "?"), "sources.\(key): \(sources[key] ?? "none")")
            }
            let formatBefore = options["format"]

            let set = try await server.request("PUT", "/api/config", json: ["split_time": "10m", "format": "mkv", "max_recordings": 3,
                                                                          "min_free_disk": "1GB"])
            #expect(set.status == 200, "\(set.text)")
            let o = set.json["options"] as? [String: Any] ?? [:]
            let src = set.json["sources"] as? [String: String] ?? [:]
            #expect(number(o["split_time"]) == 600)
            #expect(o["format"] as? String == "mkv")
            #expect(integer(o["max_recordings"]) == 3)
            #expect((integer(o["min_free_disk"]) ?? 0) >= 1_000_000_000)
            for key in ["split_time", "format", "max_recordings", "min_free_disk"] { #expect(src[key] == "api", "\(key)") }
            #expect(src["delay"] != "api")
            // Kept in the store, shown by GET.
            let stored = try server.store.settings()
            #expect(stored["format"] == .string("mkv"))
            let again = try await server.request("GET", "/api/config")
            #expect((again.json["options"] as? [String: Any])?["format"] as? String == "mkv")
            #expect((again.json["sources"] as? [String: String])?["split_time"] == "api")

            // null clears the API's value.
            let cleared = try await server.request("PUT", "/api/config", json: ["format": NSNull(), "split_time": NSNull()])
            #expect(cleared.status == 200)
            let csrc = cleared.json["sources"] as? [String: String] ?? [:]
            #expect(csrc["format"] != "api" && csrc["split_time"] != "api")
            #expect(csrc["max_recordings"] == "api")
            #expect(String(describing: (cleared.json["options"] as? [String: Any])?["format"]) == String(describing: formatBefore))
            #expect(try server.store.settings()["format"] == nil)

            // An empty change is fine.
            #expect(try await server.request("PUT", "/api/config", json: [String: Any]()).status == 200)
        }
    }

    @Test func configValidation() async throws {
        try await withServer { server in
            let before = try server.store.settings()
            let cases: [(Any, String?)] = [
                (["bogus": 1], "bogus"),
                (["data_dir": "/tmp"], "data_dir"),
                (["format": "avi"], "format"),
                (["format": 5], "format"),
                (["split_time": -1], "split_time"),
                (["split_time": "forever"], "split_time"),
                (["split_size": "huge"], "split_size"),
                (["max_recordings": 0], "max_recordings"),
                (["max_recordings": 1.5], "max_recordings"),
                (["max_recordings": "3"], "max_recordings"),
                (["min_free_disk": -5], "min_free_disk"),
                (["delay": [1]], "delay"),
                (["output": ""], "output"),
                (["format": "mkv", "bogus": 1], "bogus"),
                ("[1, 2]", nil), ("not json", nil), ("", nil), ("null", nil), ("5", nil),
            ]
            for (body, key) in cases {
                let reply = try await server.request("PUT", "/api/config", json: body)
                expectError(reply, 400, nil, "\(body)")
                if let key { #expect((reply.errorMessage ?? "").contains(key), "\(body): \(reply.errorMessage ?? "")") }
            }
            #expect(try server.store.settings() == before, "a refused change changes nothing")
            let get = try await server.request("GET", "/api/config")
            #expect((get.json["sources"] as? [String: String])?["format"] != "api")
        }
    }

    @Test func pluginsListTheShippedOnes() async throws {
        try await withServer { server in
            let reply = try await server.request("GET", "/api/plugins")
            #expect(reply.status == 200)
            #expect(reply.json["directories"] is [Any])
            #expect(reply.json["failures"] is [Any])
            let plugins = reply.json["plugins"] as? [[String: Any]] ?? []
            let names = Set(plugins.compactMap { $0["name"] as? String })
            #expect(names.isSuperset(of: ["bilibili", "generic"]), "\(names)")
            for p in plugins {
                for key in ["name", "file", "patterns", "batch", "fallback", "defaults", "options"] {
                    #expect(p[key] != nil, "plugin \(p["name"] ?? "?") lacks \(key)")
                }
            }
            #expect(plugins.first { $0["name"] as? String == "generic" }?["fallback"] as? Bool == true)
            #expect(plugins.first { $0["name"] as? String == "bilibili" }?["fallback"] as? Bool == false)
            #expect(((plugins.first { $0["name"] as? String == "bilibili" }?["patterns"] as? [String]) ?? []).isEmpty == false)
        }
    }

    @Test func eventsListWithCursorsAndStreamerFilter() async throws {
        try await withServer { server in
            // Events of two made-up streamer ids, so the engine's own events do not interfere.
            let (x, y): (Int64, Int64) = (777_001, 777_002)
            var appended: [EventRecord] = []
            for i in 0..<6 {
                let e = EventRecord(kind: "test", level: i == 5 ? .error : .info, streamerId: i % 2 == 0 ? x : y, sessionId: i == 0 ? 42 : nil,
                                    message: "event \(i)", data: ["i": .int(Int64(i))])
                appended += try server.store.append([e])
            }
            let ids = appended.map { $0.id! }
            let xs = [ids[0], ids[2], ids[4]]

            let onlyX = try await server.request("GET", "/api/events?streamer_id=\(x)")
            #expect(onlyX.status == 200)
            #expect(onlyX.items.map { integer($0["id"]) } == xs.map(Optional.init), "in id order")
            let first = try #require(onlyX.items.first)
            #expect(first["kind"] as? String == "test")
            #expect(first["level"] as? String == "info")
            #expect(integer(first["streamer_id"]) == x)
            #expect(integer(first["session_id"]) == 42)
            #expect(first["message"] as? String == "event 0")
            #expect(integer((first["data"] as? [String: Any])?["i"]) == 0)
            #expect(abs((number(first["timestamp"]) ?? 0) - Date().timeIntervalSince1970) < 600)
            let onlyY = try await server.request("GET", "/api/events?streamer_id=\(y)")
            #expect(onlyY.items.last?["level"] as? String == "error")

            // limit: the newest, still in id order.
            let two = try await server.request("GET", "/api/events?streamer_id=\(x)&limit=2")
            #expect(two.items.map { integer($0["id"]) } == [ids[2], ids[4]])
            // after_id: the oldest after it.
            let after = try await server.request("GET", "/api/events?streamer_id=\(x)&after_id=\(ids[0])&limit=1")
            #expect(after.items.map { integer($0["id"]) } == [ids[2]])
            let afterAll = try await server.request("GET", "/api/events?after_id=\(ids[3])")
            #expect(afterAll.items.compactMap { integer($0["id"]) }.allSatisfy { $0 > ids[3] })
            #expect(afterAll.items.compactMap { integer($0["id"]) }.starts(with: [ids[4], ids[5]]))
            // before_id: the newest before it.
            let before = try await server.request("GET", "/api/events?streamer_id=\(x)&before_id=\(ids[4])")
            #expect(before.items.map { integer($0["id"]) } == [ids[0], ids[2]])
            let between = try await server.request("GET", "/api/events?after_id=\(ids[1])&before_id=\(ids[4])")
            let betweenIds = between.items.compactMap { integer($0["id"]) }
            #expect(betweenIds.filter(ids.contains) == [ids[2], ids[3]])
            #expect(betweenIds.allSatisfy { $0 > ids[1] && $0 < ids[4] })

            // Ids always grow in a page.
            let all = try await server.request("GET", "/api/events?limit=1000")
            let allIds = all.items.compactMap { integer($0["id"]) }
            #expect(allIds == allIds.sorted() && allIds.count >= 6)
            #expect(try await server.request("GET", "/api/events?streamer_id=999999").items.isEmpty)
        }
    }

    @Test func engineEventsReachTheLog() async throws {
        try await withServer { server in
            let s = try await server.addStreamer("alice")
            let id = integer(s["id"])!
            _ = try await server.request("POST", "/api/streamers/\(id)/pause")
            // The store sink is asynchronous: wait for the pause to be logged.
            var messages: [String] = []
            for _ in 0..<300 {
                let reply = try await server.request("GET", "/api/events?streamer_id=\(id)")
                messages = reply.items.compactMap { $0["message"] as? String }
                if messages.contains("paused") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(messages.contains("paused"), "\(messages)")
        }
    }

    @Test func eventQueryValidation() async throws {
        try await withServer { server in
            for query in ["limit=0", "limit=abc", "limit=1001", "limit=", "after_id=x", "after_id=-1", "before_id=0", "before_id=y",
                          "streamer_id=abc", "streamer_id=0", "limit=2.5"] {
                let reply = try await server.request("GET", "/api/events?\(query)")
                if query == "limit=" {
                    #expect(reply.status == 200, "an empty value is the default")
                } else {
                    expectError(reply, 400, "bad_request", query)
                }
            }
        }
    }
}
