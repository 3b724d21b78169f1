import BiliupMedia
import BiliupTestSupport
import Foundation
import Testing

/// `Remux.file` (main.lua's biliup.remux): every frame copied into the new container, which decodes cleanly.
@Suite struct RemuxTests {
    static func counts(_ file: URL) throws -> (video: Int, audio: Int) {
        let info = try TestMedia.ffprobeJSON(file, ["-count_packets", "-show_streams"])
        let streams = info["streams"] as? [[String: Any]] ?? []
        func count(_ type: String) -> Int {
            streams.filter { $0["codec_type"] as? String == type }.compactMap { Int($0["nb_read_packets"] as? String ?? "") }.reduce(0, +)
        }
        return (count("video"), count("audio"))
    }

    @Test(arguments: ["mkv", "mp4", "ts"])
    func flvIsCopiedIntoAnotherContainer(ext: String) throws {
        let source = try TestMedia.flv(seconds: 4)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("remux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("copy.\(ext)")
        let report = try Remux.file(source.path, to: out.path)
        #expect(FileManager.default.fileExists(atPath: out.path))
        #expect(!FileManager.default.fileExists(atPath: out.path + ".part"))
        let expected = try Self.counts(source)
        #expect(try Self.counts(out) == expected)
        #expect(report.videoFrames == expected.video && report.audioFrames == expected.audio)
        let decode = try runTool("/usr/bin/ffmpeg", ["-v", "error", "-i", out.path, "-f", "null", "-"])
        #expect(decode.stderr.isEmpty, "\(decode.stderr)")
    }

    @Test func badRequestsAreRefusedClearly() throws {
        let source = try TestMedia.flv(seconds: 2)
        #expect(throws: MediaError.self) { try Remux.file(source.path, to: "/tmp/x.avi") }
        #expect(throws: MediaError.self) { try Remux.file("/nonexistent.flv", to: "/tmp/x.mkv") }
        #expect(throws: MediaError.self) { try Remux.file(source.path, to: source.path.replacingOccurrences(of: ".flv", with: ".flv")) }
    }
}
