import BiliupServer
import BiliupStore
import Foundation
import Testing

/// The first line of /etc/passwd: what must never come back from a file route.
let passwdMarker: String = {
    let text = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? "root:x:0:0:"
    return String(text.split(separator: "\n").first ?? "root:x:0:0:")
}()

extension TestServer {
    /// A recorded file under the server's folder with bytes `i % 251`, and a finished segment for it.
    func recordedSegment(name: String = "a.flv", size: Int = 256, streamerId: Int64? = nil, streamer: String = "alice",
                         at: Date = Date(), finish: Bool = true) throws -> (session: SessionRecord, segment: SegmentRecord, bytes: Data) {
        let file = dir.appendingPathComponent("recordings/\(streamer)/\(name)")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let bytes = Data((0..<size).map { UInt8($0 % 251) })
        try bytes.write(to: file)
        let session = try store.openSession(streamerId: streamerId, streamerName: streamer, plugin: "generic", url: deadURL(streamer),
                                            title: "title of \(streamer)", at: at)
        var segment = try store.addSegment(sessionId: session.id!, path: file.path, at: at)
        if finish {
            try store.finishSegment(id: segment.id!, at: at + 60, duration: 60, bytes: Int64(size), report: ["ok": true, "gaps": 0])
            segment = try store.segment(id: segment.id!)!
        }
        return (try store.session(id: session.id!)!, segment, bytes)
    }

    /// A segment whose stored path is `path`, whatever it is.
    func segment(pointingAt path: String) throws -> SegmentRecord {
        let session = try store.openSession(streamerId: nil, streamerName: "evil", plugin: "generic", url: deadURL("evil"), title: nil, at: Date())
        return try store.addSegment(sessionId: session.id!, path: path, at: Date())
    }
}

@Suite struct APIHistoryTests {
    @Test func sessionsListFiltersAndEmbedsSegments() async throws {
        try await withServer { server in
            let alice = try #require(integer(try await server.addStreamer("alice")["id"]))
            let bob = try #require(integer(try await server.addStreamer("bob")["id"]))
            let t0 = Date(timeIntervalSince1970: 1_700_000_000)
            let a1 = try server.recordedSegment(name: "a1.flv", streamerId: alice, streamer: "alice", at: t0)
            let b1 = try server.recordedSegment(name: "b1.flv", streamerId: bob, streamer: "bob", at: t0 + 1000)
            let a2 = try server.recordedSegment(name: "a2.flv", size: 100, streamerId: alice, streamer: "alice", at: t0 + 2000)
            // A second segment in a2's session, still recording.
            let extra = try server.store.addSegment(sessionId: a2.session.id!, path: server.dir.appendingPathComponent("recordings/alice/a2b.flv").path,
                                                    at: t0 + 2100)

            let all = try await server.request("GET", "/api/sessions")
            #expect(all.status == 200)
            #expect(all.items.map { integer($0["id"]) } == [a2.session.id, b1.session.id, a1.session.id], "newest first")
            #expect(integer(all.json["limit"]) == 50)
            #expect(integer(all.json["offset"]) == 0)

            let newest = try #require(all.items.first)
            #expect(integer(newest["streamer_id"]) == alice)
            #expect(newest["streamer"] as? String == "alice")
            #expect(newest["plugin"] as? String == "generic")
            #expect(newest["url"] as? String == deadURL("alice"))
            #expect(newest["title"] as? String == "title of alice")
            #expect(number(newest["started_at"]) == t0.timeIntervalSince1970 + 2000)
            expectNull(newest, "ended_at")
            expectNull(newest, "end_reason")
            #expect(integer(newest["bytes"]) == 100)
            #expect(integer(newest["segment_count"]) == 1)
            let segments = newest["segments"] as? [[String: Any]] ?? []
            #expect(segments.count == 2)
            #expect(segments.map { integer($0["id"]) } == [a2.segment.id, extra.id])
            let first = segments.first ?? [:]
            #expect(first["state"] as? String == "finished")
            #expect(first["file_name"] as? String == "a2.flv")
            #expect(first["path"] as? String == a2.segment.path)
            #expect(integer(first["session_id"]) == a2.session.id)
            #expect(first["file_url"] as? String == "/api/segments/\(a2.segment.id!)/file")
            #expect(number(first["duration"]) == 60)
            #expect(integer(first["bytes"]) == 100)
            #expect(number(first["ended_at"]) == t0.timeIntervalSince1970 + 2060)
            #expect(segments.last?["state"] as? String == "recording")
            expectNull(segments.last ?? [:], "ended_at")

            let onlyAlice = try await server.request("GET", "/api/sessions?streamer_id=\(alice)")
            #expect(onlyAlice.items.map { integer($0["id"]) } == [a2.session.id, a1.session.id])
            let onlyBob = try await server.request("GET", "/api/sessions?streamer_id=\(bob)")
            #expect(onlyBob.items.map { integer($0["id"]) } == [b1.session.id])
            let nobody = try await server.request("GET", "/api/sessions?streamer_id=999999")
            #expect(nobody.status == 200 && nobody.items.isEmpty)

            let from = try await server.request("GET", "/api/sessions?from=\(Int(t0.timeIntervalSince1970) + 1000)")
            #expect(from.items.map { integer($0["id"]) } == [a2.session.id, b1.session.id], "from is inclusive")
            let to = try await server.request("GET", "/api/sessions?to=\(Int(t0.timeIntervalSince1970) + 1000)")
            #expect(to.items.map { integer($0["id"]) } == [a1.session.id], "to is exclusive")
            let window = try await server.request("GET", "/api/sessions?from=\(Int(t0.timeIntervalSince1970) + 500)&to=\(Int(t0.timeIntervalSince1970) + 1500)")
            #expect(window.items.map { integer($0["id"]) } == [b1.session.id])
            let iso = try await server.request("GET", "/api/sessions?from=2023-11-14T22:30:00Z")  // t0 + 1000, inclusive
            #expect(iso.status == 200)
            #expect(iso.items.map { integer($0["id"]) } == [a2.session.id, b1.session.id], "\(iso.text.prefix(200))")

            let page = try await server.request("GET", "/api/sessions?limit=1&offset=1")
            #expect(page.items.map { integer($0["id"]) } == [b1.session.id])
            #expect(integer(page.json["limit"]) == 1)
            #expect(integer(page.json["offset"]) == 1)

            let one = try await server.request("GET", "/api/sessions/\(a1.session.id!)")
            #expect(one.status == 200)
            #expect(one.json["streamer"] as? String == "alice")
            #expect((one.json["segments"] as? [[String: Any]])?.map { integer($0["id"]) } == [a1.segment.id])
            expectError(try await server.request("GET", "/api/sessions/999999"), 404, "not_found")

            // A deleted streamer's history stays.
            #expect(try await server.request("DELETE", "/api/streamers/\(alice)").status == 204)
            let kept = try await server.request("GET", "/api/sessions/\(a1.session.id!)")
            #expect(kept.status == 200)
            #expect(kept.json["streamer"] as? String == "alice")
            expectNull(kept.json, "streamer_id")
        }
    }

    @Test func sessionQueryValidation() async throws {
        try await withServer { server in
            for query in ["limit=0", "limit=abc", "limit=501", "limit=-1", "offset=-1", "offset=x", "streamer_id=abc", "streamer_id=0",
                          "from=yesterday", "to=2024-13-45", "from=nan", "limit=1.5"] {
                expectError(try await server.request("GET", "/api/sessions?\(query)"), 400, "bad_request", query)
            }
            #expect(try await server.request("GET", "/api/sessions?limit=500").status == 200)
        }
    }

    @Test func segmentHasItsReport() async throws {
        try await withServer { server in
            let r = try server.recordedSegment()
            let reply = try await server.request("GET", "/api/segments/\(r.segment.id!)")
            #expect(reply.status == 200)
            #expect(reply.json["state"] as? String == "finished")
            #expect(reply.json["file_url"] as? String == "/api/segments/\(r.segment.id!)/file")
            let report = reply.json["report"] as? [String: Any]
            #expect(report?["ok"] as? Bool == true)
            #expect(integer(report?["gaps"]) == 0)
            expectError(try await server.request("GET", "/api/segments/999999"), 404, "not_found")
        }
    }

    @Test func segmentFileIsServedWithRanges() async throws {
        try await withServer { server in
            let r = try server.recordedSegment(size: 256)
            let path = "/api/segments/\(r.segment.id!)/file"

            let full = try await server.request("GET", path)
            #expect(full.status == 200)
            #expect(full.body == r.bytes)
            #expect(full.header("Content-Length") == "256")
            #expect(full.header("Content-Type") == "video/x-flv")
            #expect(full.header("Accept-Ranges") == "bytes")

            let middle = try await server.request("GET", path, headers: ["Range": "bytes=10-19"])
            #expect(middle.status == 206)
            #expect(middle.body == r.bytes[10...19])
            #expect(middle.header("Content-Range") == "bytes 10-19/256")
            #expect(middle.header("Content-Length") == "10")
            #expect(middle.header("Content-Type") == "video/x-flv")

            let suffix = try await server.request("GET", path, headers: ["Range": "bytes=-5"])
            #expect(suffix.status == 206)
            #expect(suffix.body == r.bytes[251...255])
            #expect(suffix.header("Content-Range") == "bytes 251-255/256")

            let open = try await server.request("GET", path, headers: ["Range": "bytes=100-"])
            #expect(open.status == 206)
            #expect(open.body == r.bytes[100...])
            #expect(open.header("Content-Range") == "bytes 100-255/256")
            #expect(open.header("Content-Length") == "156")

            // An end past the file is cut to the file.
            let clipped = try await server.request("GET", path, headers: ["Range": "bytes=250-9999"])
            #expect(clipped.status == 206)
            #expect(clipped.body == r.bytes[250...])
            #expect(clipped.header("Content-Range") == "bytes 250-255/256")

            // A suffix longer than the file is the whole file.
            let whole = try await server.request("GET", path, headers: ["Range": "bytes=-1000"])
            #expect(whole.status == 206)
            #expect(whole.body == r.bytes)

            for range in ["bytes=256-", "bytes=300-400", "bytes=20-10", "bytes=-0", "bytes=abc", "bytes=-"] {
                let bad = try await server.request("GET", path, headers: ["Range": range])
                expectError(bad, 416, "range_not_satisfiable", range)
                #expect(bad.header("Content-Range") == "bytes */256", "\(range): \(bad.header("Content-Range") ?? "none")")
            }
        }
    }

    @Test func aFileBeingWrittenIsServedFromItsPartFile() async throws {
        try await withServer { server in
            let r = try server.recordedSegment(name: "live.flv", size: 50, finish: false)
            try FileManager.default.moveItem(atPath: r.segment.path, toPath: r.segment.path + ".part")
            let reply = try await server.request("GET", "/api/segments/\(r.segment.id!)/file")
            #expect(reply.status == 200)
            #expect(reply.body == r.bytes)
        }
    }

    @Test func missingAndRemovedFilesAre404() async throws {
        try await withServer { server in
            let gone = try server.recordedSegment(name: "gone.flv")
            try FileManager.default.removeItem(atPath: gone.segment.path)
            expectError(try await server.request("GET", "/api/segments/\(gone.segment.id!)/file"), 404, "not_found")

            let removed = try server.recordedSegment(name: "removed.flv")
            try server.store.removeSegment(id: removed.segment.id!, reason: "too small")
            expectError(try await server.request("GET", "/api/segments/\(removed.segment.id!)/file"), 404, "not_found")
            let info = try await server.request("GET", "/api/segments/\(removed.segment.id!)")
            #expect(info.json["state"] as? String == "removed")
            #expect(info.json["file_url"] == nil || info.json["file_url"] is NSNull)

            expectError(try await server.request("GET", "/api/segments/999999/file"), 404, "not_found")
        }
    }

    /// Only the store's segment files are served, and only regular recording files: never /etc/passwd,
    /// whatever the store or the request says.
    @Test func filesOutsideTheRecordingsAreNeverServed() async throws {
        try await withServer { server in
            var attempts: [(String, TestServer.Reply)] = []
            // A tampered store pointing at a system file, directly or with "..".
            for path in ["/etc/passwd", server.dir.appendingPathComponent("recordings/../../../../../../../etc/passwd").path,
                         "/etc/../etc/passwd", "/etc"] {
                let segment = try server.segment(pointingAt: path)
                attempts.append((path, try await server.request("GET", "/api/segments/\(segment.id!)/file")))
            }
            // A .flv symlink to /etc/passwd, in the recordings.
            let link = server.dir.appendingPathComponent("recordings/evil/link.flv")
            try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc/passwd")
            let linked = try server.segment(pointingAt: link.path)
            attempts.append(("symlink", try await server.request("GET", "/api/segments/\(linked.id!)/file")))
            attempts.append(("symlink range", try await server.request("GET", "/api/segments/\(linked.id!)/file", headers: ["Range": "bytes=0-10"])))
            // A .part symlink next to a missing file.
            let partLink = server.dir.appendingPathComponent("recordings/evil/partial.flv")
            try FileManager.default.createSymbolicLink(atPath: partLink.path + ".part", withDestinationPath: "/etc/passwd")
            let partial = try server.segment(pointingAt: partLink.path)
            attempts.append(("part symlink", try await server.request("GET", "/api/segments/\(partial.id!)/file")))
            // A directory named like a recording.
            let folder = server.dir.appendingPathComponent("recordings/evil/folder.flv")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let dirSegment = try server.segment(pointingAt: folder.path)
            attempts.append(("directory", try await server.request("GET", "/api/segments/\(dirSegment.id!)/file")))
            // The store's own database, renamed in the path only.
            let db = try server.segment(pointingAt: server.dir.appendingPathComponent("data/biliup.sqlite3").path)
            attempts.append(("database", try await server.request("GET", "/api/segments/\(db.id!)/file")))

            // Paths in the request.
            for path in ["/api/segments/..%2F..%2Fetc%2Fpasswd/file", "/api/segments/%2Fetc%2Fpasswd/file",
                         "/api/segments/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/api/segments/1%2F..%2F..%2Fetc%2Fpasswd/file",
                         "/api/segments/%2e%2e/file", "/api/segments/1/file/..%2F..%2F..%2Fetc%2Fpasswd",
                         "/api/segments/1/file?path=/etc/passwd", "/api/segments/etc/passwd/file"] {
                attempts.append((path, try await server.request("GET", path)))
            }
            for (what, reply) in attempts {
                #expect((400..<500).contains(reply.status), "\(what): \(reply.status)")
                #expect(reply.isJSONError, "\(what): \(reply.text.prefix(200))")
                #expect(!reply.text.contains(passwdMarker), "\(what) served /etc/passwd")
                #expect(!reply.text.contains("SQLite format"), "\(what) served the database")
                #expect(reply.header("Content-Type") != "video/x-flv", "\(what)")
            }
            // Ids that are paths are refused before routing: encoded separators have no plain spelling.
            expectError(try await server.request("GET", "/api/segments/..%2F..%2Fetc%2Fpasswd/file"), 400, "bad_path")
            expectError(try await server.request("GET", "/api/segments/%2Fetc%2Fpasswd/file"), 400, "bad_path")
            // The one legitimate file still works.
            let good = try server.recordedSegment(name: "fine.flv", size: 20)
            let reply = try await server.request("GET", "/api/segments/\(good.segment.id!)/file?path=/etc/passwd")
            #expect(reply.status == 200 && reply.body == good.bytes)
        }
    }

    /// The web page's file server cannot be walked out of either.
    @Test func webAssetsCannotBeWalkedOutOf() async throws {
        let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/BiliupServer/Resources/web").path
        try await withServer(webDirectory: web) { server in
            let index = try await server.request("GET", "/")
            #expect(index.status == 200)
            #expect((index.header("Content-Type") ?? "").hasPrefix("text/html"))
            for path in ["/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                         "/pages/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/..%5c..%5c..%5cetc%5cpasswd", "//etc/passwd"] {
                let reply = try await server.request("GET", path)
                #expect(reply.status == 400 || reply.status == 404, "\(path): \(reply.status)")
                #expect(!reply.text.contains(passwdMarker), "\(path) served /etc/passwd")
            }
        }
    }
}
