import BiliupTestSupport
import Foundation
import Testing

/// `biliup danmaku2ass` as a user runs it on the XML files beside a recording.
@Suite struct Danmaku2AssCLITests {
    static func xml(_ lines: [String]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<i>\n\t<!-- room: 1, platform: bilibili -->\n" + lines.joined(separator: "\n") + "\n</i>\n"
    }

    @Test func convertsEachFileBesideIt() async throws {
        let dir = try scratchDirectory("danmaku2ass")
        let first = dir.appendingPathComponent("seg 1.xml").path
        let second = dir.appendingPathComponent("seg2.xml").path
        try Data(Self.xml(["\t<d p=\"1.000,1,25,16711680,1733120000,0,1,0\">你好 spam</d>",
                           "\t<d p=\"2.500,1,25,16777215,1733120001,0,2,0\">hello</d>",
                           "\t<d p=\"3.000,5,25,65280,1733120002,0,3,0\">top</d>"]).utf8).write(to: URL(fileURLWithPath: first))
        try Data(Self.xml([]).utf8).write(to: URL(fileURLWithPath: second))

        let run = try await BiliupProcess.run(["danmaku2ass", first, second, "--resolution", "1280x720", "--font", "DejaVu Sans",
                                               "--opacity", "1", "--duration", "8", "--block-keywords", "SPAM, x"])
        #expect(run.status == 0, "\(run.stderr)")
        let ass1 = dir.appendingPathComponent("seg 1.ass").path
        let ass2 = dir.appendingPathComponent("seg2.ass").path
        #expect(run.stdout == "\(first) -> \(ass1): 2 comments written, 1 blocked by keyword\n\(second) -> \(ass2): 0 comments written\n")
        let script = try String(contentsOfFile: ass1, encoding: .utf8)
        #expect(script.contains("\nPlayResX: 1280\nPlayResY: 720\n"))
        #expect(script.contains("\nStyle: Danmaku,DejaVu Sans,24,&H00FFFFFF,"))
        // An 8 s crossing from 2.5 s; the top comment in green (BGR 00FF00).
        #expect(script.contains("Dialogue: 1,0:00:02.50,0:00:10.50,Danmaku,,0,0,0,,{\\move(1280,0,"))
        #expect(script.contains("Dialogue: 2,0:00:03.00,0:00:08.00,Danmaku,,0,0,0,,{\\an8\\pos(640,0)\\c&H00FF00&}top"))
        #expect(!script.contains("spam"))
        #expect(try String(contentsOfFile: ass2, encoding: .utf8).hasSuffix("Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"))

        // --output names the file for a single input.
        let chosen = dir.appendingPathComponent("chosen.ass").path
        let single = try await BiliupProcess.run(["danmaku2ass", second, "--output", chosen])
        #expect(single.status == 0, "\(single.stderr)")
        #expect(FileManager.default.fileExists(atPath: chosen))
    }

    /// A broken file is named with its line, a missing one with the system's reason; the good file between
    /// them is still converted, and the exit status is 1.
    @Test func badFilesFailClearlyOthersStillConvert() async throws {
        let dir = try scratchDirectory("danmaku2ass-bad")
        let broken = dir.appendingPathComponent("broken.xml").path
        let good = dir.appendingPathComponent("good.xml").path
        let missing = dir.appendingPathComponent("missing.xml").path
        try Data("<i>\n<d p=\"1,1,25,0\">ok</d>\n<d p=\"oops\">x</d>\n</i>\n".utf8).write(to: URL(fileURLWithPath: broken))
        try Data(Self.xml(["<d p=\"1,1,25,0\">ok</d>"]).utf8).write(to: URL(fileURLWithPath: good))

        let run = try await BiliupProcess.run(["danmaku2ass", broken, good, missing])
        #expect(run.status == 1)
        #expect(run.stderr.contains("biliup danmaku2ass: \(broken): line 3: <d> attribute p: expected \"time,mode,size,color,…\", got \"oops\"\n"), "\(run.stderr)")
        #expect(run.stderr.contains("biliup danmaku2ass: \(missing): cannot read: No such file or directory\n"), "\(run.stderr)")
        #expect(run.stdout.contains("\(good) -> "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["broken.xml", "good.ass", "good.xml"])
    }

    @Test func badOptionsAreRefusedBeforeAnyWork() async throws {
        let dir = try scratchDirectory("danmaku2ass-options")
        let file = dir.appendingPathComponent("a.xml").path
        try Data(Self.xml([]).utf8).write(to: URL(fileURLWithPath: file))
        for (args, says) in [(["--resolution", "wide"], "--resolution: \"wide\" is not WIDTHxHEIGHT"),
                             (["--opacity", "0"], "opacity 0.0 must be above 0"),
                             (["--area", "1.5"], "area 1.5 must be above 0"),
                             (["--output", "x.ass", file], "--output: only with one FILE.xml")] {
            let run = try await BiliupProcess.run(["danmaku2ass", file] + args)
            #expect(run.status != 0)
            #expect(run.stderr.contains(says), "\(args): \(run.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.xml"])

        let help = try await BiliupProcess.run(["danmaku2ass", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--block-keywords") && help.stdout.contains("subtitles=NAME.ass"))
    }
}
