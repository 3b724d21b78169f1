import BiliupTestSupport
import Foundation
import Synchronization
import Testing

/// `biliup check`, `biliup plugins` and `biliup download` with a room page, run as a user runs them,
/// against a fake platform reached through --host-remap and a plugin from --plugin-dir.
@Suite struct PluginCommandTests {
    static let plugin = """
        return {
          name = "fakesite",
          match = "^https://live%.fakesite%.test/room/(%d+)",
          defaults = { quality = "origin" },
          options = { quality = "origin or hd" },
          check = function(url, opts)
            local id = url:match("/room/(%d+)")
            local info = http.get("https://api.fakesite.test/room?id=" .. id .. "&q=" .. opts.quality):json()
            if info.error then error("room " .. id .. ": " .. info.error) end
            if not info.live then return { live = false, title = info.title } end
            return { live = true, title = info.title, streamer = info.name,
                     streams = { { url = info.flv, quality = opts.quality, headers = { Referer = "https://live.fakesite.test/" } } },
                     danmaku = { protocol = "fakesite", room = id } }
          end,
        }
        """

    /// A fake API: room 1 live (stream at `flv`), room 2 offline, room 3 an API error.
    static func api(_ fake: FakePlatform, flv: @escaping @Sendable () -> String, live: @escaping @Sendable () -> Bool = { true }) {
        fake.route("api.fakesite.test", "/room") { r, w in
            let body: String
            switch r.query["id"] {
            case "1": body = #"{"live":\#(live()),"title":"Night \#(r.query["q"] ?? "")","name":"Ann","flv":"\#(flv())"}"#
            case "2": body = #"{"live":false,"title":"Sleeping"}"#
            default: body = #"{"error":"no such room"}"#
            }
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
        }
    }

    static func pluginDirectory() throws -> String {
        let dir = try PluginPaths.temporary()
        try plugin.write(toFile: "\(dir)/fakesite.lua", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func checkPrintsTheRoomAndItsStreams() async throws {
        let fake = try FakePlatform()
        Self.api(fake, flv: { "https://cdn.fakesite.test/live/1.flv" })
        let dir = try Self.pluginDirectory()
        let remap = "api.fakesite.test=\(fake.base("api.fakesite.test"))"
        // The global options work before the subcommand too.
        let run = try await BiliupProcess.run(["--plugin-dir", dir, "--host-remap", remap, "check",
                                               "https://live.fakesite.test/room/1", "--opt", "quality=hd"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("plugin:   fakesite"))
        #expect(run.stdout.contains("status:   LIVE"))
        #expect(run.stdout.contains("title:    Night hd"))
        #expect(run.stdout.contains("stream 1: flv (quality hd)"))
        #expect(run.stdout.contains("https://cdn.fakesite.test/live/1.flv"))
        #expect(run.stdout.contains("Referer: https://live.fakesite.test/"))
        #expect(run.stdout.contains("danmaku:  protocol=fakesite room=1"))

        let json = try await BiliupProcess.run(["check", "--json", "--plugin-dir", dir, "--host-remap", remap, "https://live.fakesite.test/room/2"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["live"] as? Bool == false)
        #expect(object?["title"] as? String == "Sleeping")

        let failing = try await BiliupProcess.run(["check", "--plugin-dir", dir, "--host-remap", remap, "https://live.fakesite.test/room/3"])
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("fakesite: ") && failing.stderr.contains("room 3: no such room"), "\(failing.stderr)")

        let unknown = try await BiliupProcess.run(["check", "--plugin-dir", dir, "https://nowhere.test/x"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no plugin matches https://nowhere.test/x"))
    }

    @Test func pluginsListsPatternsOptionsAndLoadErrors() async throws {
        let dir = try Self.pluginDirectory()
        let listed = try await BiliupProcess.run(["plugins", "--plugin-dir", dir])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("fakesite  \(dir)/fakesite.lua"))
        #expect(listed.stdout.contains("  match  ^https://live%.fakesite%.test/room/(%d+)"))
        #expect(listed.stdout.contains("  option quality = origin  (origin or hd)"))
        for shipped in ["bilibili", "douyu", "huya", "douyin", "twitch", "youtube", "generic (fallback)"] {
            #expect(listed.stdout.contains("\n\(shipped)"), "\(shipped) missing")
        }
        try "return {\n  name = 'broken'\n  match = 'x',\n}\n".write(toFile: "\(dir)/broken.lua", atomically: true, encoding: .utf8)
        let broken = try await BiliupProcess.run(["plugins", "--plugin-dir", dir])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("ERROR \(dir)/broken.lua: broken.lua:3: '}' expected"), "\(broken.stdout)")
    }

    /// A room page is recorded: the plugin gives the stream, and after the source cuts the connection it
    /// is asked again before the reconnect; when the room goes offline the recording ends normally.
    @Test func downloadRecordsARoomPageAndAsksThePluginAgainAfterADrop() async throws {
        let fake = try FakePlatform()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "room1", file: try TestMedia.flv(seconds: 10),
                                       options: .init(speed: 2, cutAfterSeconds: [4]))
        let flvURL = source.url.absoluteString
        Self.api(fake, flv: { flvURL }, live: { source.sentUntilMediaTime < 9.9 })
        let dir = try Self.pluginDirectory()
        let out = try scratchDirectory("room-page")
        let run = try await BiliupProcess.run(["download", "https://live.fakesite.test/room/1", "--plugin-dir", dir,
                                               "--host-remap", "api.fakesite.test=\(fake.base("api.fakesite.test"))",
                                               "-o", out.path + "/{streamer}-{title}"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("fakesite room live: Night origin"), "\(run.stderr)")
        let files = try recordedFiles(in: out)
        try #require(files.count == 1, "\(files)")
        #expect(files[0].lastPathComponent == "Ann-Night origin.flv")
        let facts = try await onThread { try FileFacts(files[0]) }
        // A live source moves on while the recorder reconnects: every frame it sent, once.
        #expect(facts.videoFrames == source.videoFramesSent)
        #expect(facts.decodeErrors.isEmpty)
        // Once at the start, once before each reconnect (after the cut, and after the end of the media).
        let checks = fake.requests(to: "api.fakesite.test", "/room")
        #expect(checks.count >= 3, "\(checks.count) checks")
        #expect(source.connectionsServed == 2)
        #expect(run.stderr.contains("the room is offline"), "\(run.stderr)")
    }

    @Test func downloadOfAnOfflineRoomFailsClearly() async throws {
        let fake = try FakePlatform()
        Self.api(fake, flv: { "" })
        let dir = try Self.pluginDirectory()
        let out = try scratchDirectory("offline-room")
        let run = try await BiliupProcess.run(["download", "https://live.fakesite.test/room/2", "--plugin-dir", dir,
                                               "--host-remap", "api.fakesite.test=\(fake.base("api.fakesite.test"))",
                                               "-o", out.path + "/{title}"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("https://live.fakesite.test/room/2: the room is offline (Sleeping)"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }
}
