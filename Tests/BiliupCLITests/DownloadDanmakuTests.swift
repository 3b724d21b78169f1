import BiliupTestSupport
import Foundation
import Testing

/// `biliup download URL --danmaku`, run as a user runs it: a plugin from --plugin-dir whose check gives
/// the stream and the room's chat parameters and whose `danmaku` step names the chat server, a paced
/// live FLV source, and the Bilibili chat stand-in reached through --host-remap (wss → ws).
@Suite struct DownloadDanmakuTests {
    static let plugin = """
        return {
          name = "chatsite",
          match = "^https://live%.chatsite%.test/room/(%d+)",
          check = function(url, opts)
            local info = http.get("https://api.chatsite.test/room"):json()
            if not info.live then return { live = false, title = "Over" } end
            return { live = true, title = "Chat night", streamer = "Ann", streams = { { url = info.flv } },
                     danmaku = { protocol = "bilibili", room_id = info.room_id } }
          end,
          danmaku = function(params, opts)
            local info = http.get("https://api.chatsite.test/danmu?id=" .. params.room_id):json()
            return { url = info.url, token = info.token, uid = 0, room_id = params.room_id,
                     headers = { Cookie = "buvid3=standin" } }
          end,
        }
        """

    /// Acceptance 2 through the command line: 3 segments, 3 XML files, every message in exactly one,
    /// each within 0.2 s of its stamped stream time in its segment.
    @Test func downloadWithDanmakuWritesOneAlignedXMLPerSegment() async throws {
        let fake = try FakePlatform()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        // 12 s at real speed split every 4 s: cuts at the keyframes of 4 and 8 s.
        let source = try FlvLiveSource(server: server, name: "chat", file: try TestMedia.flv(seconds: 12))
        let sent = 80
        let standIn = try BilibiliChatStandIn(script: ChatScript(messages: sent, perSecond: 10, kinds: [.chat, .gift],
                                                                 stamp: { _ in String(format: "%.3f", source.liveMediaSeconds) }))
        defer { standIn.stop() }
        let flv = source.url.absoluteString
        let roomID = standIn.roomID
        fake.route("api.chatsite.test", "/room") { _, w in
            let body = #"{"live":\#(source.sentUntilMediaTime < 11.9),"flv":"\#(flv)","room_id":\#(roomID)}"#
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
        }
        let chatURL = standIn.chatURL
        let token = standIn.token
        fake.route("api.chatsite.test", "/danmu") { _, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"url":"\#(chatURL)","token":"\#(token)"}"#.utf8))
        }
        let dir = try PluginPaths.temporary()
        try Self.plugin.write(toFile: "\(dir)/chatsite.lua", atomically: true, encoding: .utf8)
        let out = try scratchDirectory("danmaku")
        var arguments = ["download", "https://live.chatsite.test/room/1", "--plugin-dir", dir,
                         "--host-remap", "api.chatsite.test=\(fake.base("api.chatsite.test"))",
                         "--split-time", "4s", "--danmaku", "--danmaku-detail", "-o", out.path + "/{streamer}_%H-%M-%S"]
        for rule in standIn.remapRules { arguments += ["--host-remap", rule] }
        let run = try await BiliupProcess.run(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("danmaku: capturing bilibili chat"), "\(run.stderr)")
        let videos = try recordedFiles(in: out)
        try #require(videos.count == 3, "\(videos) \(run.stderr)")
        let alignment = try DanmakuAlignment(videos: videos)
        // Gifts are <s> elements (danmaku_detail), not stamped: only the chat half is aligned.
        let chat = (0..<sent).filter { $0 % 2 == 0 }
        let problems = alignment.problems(sent: 0)
        #expect(problems.isEmpty, "\(problems)")
        let indices = alignment.segments.flatMap(\.entries).compactMap { DanmakuAlignment.index(of: $0.text) }
        #expect(indices.sorted() == chat, "\(indices.sorted())")
        let gifts = try videos.map { try String(contentsOf: $0.deletingPathExtension().appendingPathExtension("xml"), encoding: .utf8) }
            .map { $0.components(separatedBy: "type=\"gift\"").count - 1 }.reduce(0, +)
        #expect(gifts == sent - chat.count)
        #expect(standIn.report.registrations >= 1 && standIn.report.refusals.isEmpty, "\(standIn.report.refusals)")
        #expect(fake.requests(to: "api.chatsite.test", "/danmu").count >= 1)
        // The console names each segment's XML and its count.
        #expect(run.stderr.contains("danmaku ") && run.stderr.contains(" messages"), "\(run.stderr)")
    }

    @Test func theDanmakuOptionsNeedDanmaku() async throws {
        for flag in ["--danmaku-ass", "--danmaku-detail"] {
            let run = try await BiliupProcess.run(["download", "https://live.chatsite.test/room/1", flag])
            #expect(run.status != 0)
            #expect(run.stderr.contains("\(flag): only with --danmaku"), "\(run.stderr)")
        }
    }
}
