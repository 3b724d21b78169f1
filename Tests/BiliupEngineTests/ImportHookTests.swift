import BiliupEngine
import BiliupMedia
import BiliupScript
import BiliupUpload
import BiliupValues
import Foundation
import Testing

/// The hooks `biliup import` writes for biliup's processors do what biliup did: `run` gets the files on
/// its standard input, `mv` moves them (with their chat XML), `rm` deletes them.
@Suite struct ImportHookTests {
    @Test func processorStepsRunMoveAndDelete() async throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "import-hooks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A path with a space, a quote and a semicolon: it must reach the command as data, never as shell.
        let marker = "pwned-\(UUID().uuidString)"
        let segment = "\(dir)/a b'; touch \(marker); '.flv"
        try Data("video".utf8).write(to: URL(fileURLWithPath: segment))
        try Data("<i/>".utf8).write(to: URL(fileURLWithPath: (segment as NSString).deletingPathExtension + ".xml"))
        let other = "\(dir)/other.flv"
        try Data("video".utf8).write(to: URL(fileURLWithPath: other))
        try """
            [streamers.alice]
            url = ["https://live.bilibili.com/1"]
            segment_processor = [{ run = "cat > '\(dir)/seen.txt'" }]
            postprocessor = [{ mv = "\(dir)/backup/" }]
            [streamers.bob]
            url = ["https://live.bilibili.com/2"]
            postprocessor = ["rm"]
            """.write(toFile: "\(dir)/config.toml", atomically: true, encoding: .utf8)
        _ = try await BiliupImporter(source: "\(dir)/config.toml", output: "\(dir)/main.lua", dataDir: "\(dir)/data", dryRun: false,
                                     force: false, client: BilibiliClient()).run()
        let script = MainScript(path: "\(dir)/main.lua", configuration: ScriptConfiguration(pluginDirectories: []),
                                parseDuration: { Units.duration($0)?.seconds }, parseSize: { Units.size($0) },
                                checkOutput: { OutputTemplate.problem(in: $0)?.description }, formats: OutputFormat.allCases.map(\.rawValue))
        let config = try await script.load().get()
        #expect(config.hooks == ["segment": 1, "stream_end": 2])

        #expect(await script.emit("segment", ["streamer": .string("alice"), "path": .string(segment)]).isEmpty)
        #expect(try String(contentsOfFile: "\(dir)/seen.txt", encoding: .utf8) == segment + "\n")
        #expect(!FileManager.default.fileExists(atPath: marker))

        // Without a template, biliup ran the postprocessor when the recording ended, on its files.
        #expect(await script.emit("stream_end", ["streamer": .string("alice"), "segments": .array([.string(segment)])]).isEmpty)
        let moved = "\(dir)/backup/" + (segment as NSString).lastPathComponent
        #expect(FileManager.default.fileExists(atPath: moved))
        #expect(FileManager.default.fileExists(atPath: (moved as NSString).deletingPathExtension + ".xml"))

        #expect(await script.emit("stream_end", ["streamer": .string("bob"), "segments": .array([.string(other)])]).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: other))
    }
}
