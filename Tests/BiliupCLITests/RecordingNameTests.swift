import BiliupTestSupport
import Foundation
import Testing

/// File names made from what a platform says (titles, streamer names) and `-o` as given, in real
/// recordings: long CJK and emoji titles record with every name within 200 bytes, titles and names
/// cannot add folders or hide files, an existing file is never overwritten, and `-o` cannot climb out
/// of its folder.
@Suite struct RecordingNameTests {
    static let cjk = String(repeating: "直播", count: 100)
    static let emoji = String(repeating: "👩‍👩‍👧", count: 200)
    /// strftime conversions, a line break, a NUL and a climb: all text in a name, none of them acted on.
    static let tricky = "%D %n 100%\n\u{0}../../etc/passwd"

    /// A plugin whose rooms 1-3 are live with those titles and the streamer names ".", "..", "...",
    /// each on its own stream of `sources`.
    static func pluginDirectory(streams: [String]) throws -> String {
        func lua(_ s: String) -> String {
            "\"" + s.unicodeScalars.map { $0.value < 0x20 ? String(format: "\\%03d", $0.value) : $0 == "\"" || $0 == "\\" ? "\\\($0)" : String($0) }.joined() + "\""
        }
        let plugin = """
            local titles = { \(lua(cjk)), \(lua(emoji)), \(lua(tricky)) }
            local names = { ".", "..", "..." }
            local streams = { \(streams.map(lua).joined(separator: ", ")) }
            return {
              name = "namesite",
              match = "^https://live%.namesite%.test/(%d)",
              check = function(url)
                local id = tonumber(url:match("/(%d)$"))
                return { live = true, title = titles[id], streamer = names[id], streams = { { url = streams[id] } } }
              end,
            }
            """
        let dir = try PluginPaths.temporary()
        try plugin.write(toFile: "\(dir)/namesite.lua", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func longTitlesAndDotNamesRecordInTheirOwnFolders() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let media = try TestMedia.flv(seconds: 3)
        let sources = try (1...3).map { try FlvLiveSource(server: server, name: "room\($0)", file: media, options: .init(speed: 10)) }
        let plugins = try Self.pluginDirectory(streams: sources.map(\.url.absoluteString))
        let out = try scratchDirectory("names")
        let run = try await BiliupProcess.run(["download", "--plugin-dir", plugins, "-o", out.path + "/{streamer}/{title}",
                                               "https://live.namesite.test/1", "https://live.namesite.test/2", "https://live.namesite.test/3"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("File name too long") == false, "\(run.stderr)")
        // One folder per streamer, ".", ".." and "..." each its own, visible, inside the output folder.
        let folders = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(folders == ["_", "__", "___"])
        for (i, folder) in ["_", "__", "___"].enumerated() {
            let files = try recordedFiles(in: out.appendingPathComponent(folder))
            try #require(files.count == 1, "\(folder): \(files)")
            let name = files[0].lastPathComponent
            #expect(name.utf8.count <= 200 && name.utf8.count + "_999.part".utf8.count <= 200, "\(name.utf8.count) bytes")
            #expect(!name.contains("\n") && !name.contains("\u{0}") && !name.contains("/"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(folder).path)
                        .allSatisfy { $0 == name || $0 == name + ".json" })
            let facts = try await onThread { try FileFacts(files[0]) }
            #expect(facts.videoFrames == sources[i].videoFramesSent && facts.decodeErrors.isEmpty, "\(name)")
        }
        let cjkName = try recordedFiles(in: out.appendingPathComponent("_"))[0].deletingPathExtension().lastPathComponent
        #expect(Self.cjk.hasPrefix(cjkName) && cjkName.count >= 60, "\(cjkName.count) characters")
        let emojiName = try recordedFiles(in: out.appendingPathComponent("__"))[0].deletingPathExtension().lastPathComponent
        #expect(Self.emoji.hasPrefix(emojiName) && !emojiName.isEmpty, "cut inside an emoji: \(emojiName.unicodeScalars.count) scalars")
        let trickyName = try recordedFiles(in: out.appendingPathComponent("___"))[0].deletingPathExtension().lastPathComponent
        #expect(trickyName == "_D _n 100___.._.._etc_passwd")
    }

    /// A file already at the target name keeps its bytes; links planted at the next names (one dangling,
    /// whose target a recording opened through it would create outside, one to an existing file) are not
    /// followed; the recording goes to the first free name.
    @Test func anExistingTargetIsNeverOverwritten() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "room", file: try TestMedia.flv(seconds: 3), options: .init(speed: 10))
        let out = try scratchDirectory("existing")
        let outside = try scratchDirectory("outside")
        let precious = Data("ssh-ed25519 AAAA precious key\n".utf8)
        try precious.write(to: out.appendingPathComponent("room.flv"))
        let victim = outside.appendingPathComponent("authorized_keys")
        try precious.write(to: victim)
        let planted = outside.appendingPathComponent("planted")
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("room_1.flv.part").path, withDestinationPath: planted.path)
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("room_2.flv").path, withDestinationPath: victim.path)
        let run = try await BiliupProcess.run(["download", source.url.absoluteString, "-o", out.path + "/{title}"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.contents(atPath: out.appendingPathComponent("room.flv").path) == precious)
        #expect(FileManager.default.contents(atPath: victim.path) == precious)
        #expect(!FileManager.default.fileExists(atPath: planted.path), "a recording was written through a planted link")
        let recorded = out.appendingPathComponent("room_3.flv")
        let facts = try await onThread { try FileFacts(recorded) }
        #expect(facts.videoFrames == source.videoFramesSent && facts.decodeErrors.isEmpty)
    }

    @Test(arguments: [("/../x/{title}", "\"..\""), ("/a\nb/{title}", "control characters"), ("/{title}%5000Y", "strftime")])
    func outputsThatLeaveTheirFolderAreRefused(suffix: String, why: String) async throws {
        let out = try scratchDirectory("refused")
        let run = try await BiliupProcess.run(["download", "http://127.0.0.1:9/room.flv", "-o", out.path + suffix])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--output: ") && run.stderr.contains(why), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path).contains("x") == false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }
}
