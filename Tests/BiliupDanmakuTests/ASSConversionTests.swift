import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct ASSConversionTests {
    func converted(_ comments: [(time: Double, mode: Int, size: Int, color: Int, text: String)],
                   options: DanmakuASS.Options = .init()) throws -> (ParsedASS, DanmakuASS.Stats, String) {
        let (script, stats) = try DanmakuASS.convert(DanmakuXMLReader.parse(Array(officialXML(comments).utf8)), options: options)
        return (try parseASS(script), stats, script)
    }

    @Test func headerStyleAndOpacity() throws {
        let (ass, _, script) = try converted([(1, 1, 25, 0xFFFFFF, "x")])
        #expect(ass.playResX == 1920 && ass.playResY == 1080)
        // Alpha 0x33 = (1 - 0.8) × 255; black outline; outline 2 at size 36; top-left alignment for \move.
        #expect(ass.styleLine == "Style: Danmaku,Noto Sans CJK SC,36,&H33FFFFFF,&H33FFFFFF,&H33000000,&H33000000,0,0,0,0,100,100,0,0,1,2,0,7,0,0,0,1")
        #expect(script.contains("\nWrapStyle: 2\n") && script.contains("\nScaledBorderAndShadow: yes\n"))
        #expect(ass.events.first.map { "\($0.start) \($0.end) \($0.layer) \($0.overrides) \($0.text)" } == "1.0 13.0 1 \\move(1920,0,-44,0) x")

        var options = DanmakuASS.Options()
        options.height = 720
        options.width = 1280
        options.opacity = 1
        options.font = "DejaVu Sans"
        let (small, _, _) = try converted([(1, 1, 25, 0xFFFFFF, "x")], options: options)
        #expect(small.styleLine.hasPrefix("Style: Danmaku,DejaVu Sans,24,&H00FFFFFF,"), "font size scales with the height")
        options.fontSize = 50
        #expect(try converted([(1, 1, 25, 0xFFFFFF, "x")], options: options).0.styleFontSize == 50)
    }

    /// RGB becomes ASS's BGR; white is the style's colour; black text gets a white outline.
    @Test func colours() throws {
        let (ass, _, _) = try converted([(1, 1, 25, 0xFF8000, "orange"), (2, 1, 25, 0xFFFFFF, "white"), (3, 1, 25, 0, "black")])
        let tags = ass.events.map { $0.overrides.replacingOccurrences(of: #"\\move\([^)]*\)"#, with: "", options: .regularExpression) }
        #expect(tags == ["\\c&H0080FF&", "", "\\c&H000000&\\3c&HFFFFFF&"])
    }

    /// Top comments stack downwards from the top, bottom ones upwards from the bottom, each for 5 s; a
    /// lane is used again once its comment has gone. Sizes other than 25 get their own font size.
    @Test func topAndBottomLanes() throws {
        let (ass, stats, _) = try converted([
            (0, 5, 25, 0xFFFFFF, "top one"), (0.5, 5, 25, 0xFFFFFF, "top two"), (1, 5, 36, 0xFFFFFF, "top big"),
            (0, 4, 25, 0xFFFFFF, "bottom one"), (0.2, 4, 18, 0xFFFFFF, "bottom small"),
            (5, 5, 25, 0xFFFFFF, "top again"),
        ])
        #expect(stats.written == 6)
        let summary = ass.events.map { "\($0.start)-\($0.end) \($0.overrides) \($0.text)" }
        // Lanes are 41 px (36 × 1.125); the 36-size comment (font 52) takes two.
        #expect(summary == [
            "0.0-5.0 \\an8\\pos(960,0) top one",
            "0.0-5.0 \\an2\\pos(960,1080) bottom one",
            "0.2-5.2 \\an2\\pos(960,1039)\\fs26 bottom small",
            "0.5-5.5 \\an8\\pos(960,41) top two",
            "1.0-6.0 \\an8\\pos(960,82)\\fs52 top big",
            "5.0-10.0 \\an8\\pos(960,0) top again",
        ])
        #expect(ass.events.allSatisfy { $0.layer == 2 })
    }

    @Test func blockedKeywordsAreLeftOutAndCounted() throws {
        var options = DanmakuASS.Options()
        options.blockKeywords = ["SPAM", "广告", ""]
        let (ass, stats, _) = try converted([(1, 1, 25, 0xFFFFFF, "this is spam!"), (2, 1, 25, 0xFFFFFF, "看广告"),
                                             (3, 1, 25, 0xFFFFFF, "fine"), (4, 1, 25, 0xFFFFFF, " \n ")], options: options)
        #expect(ass.events.map(\.text) == ["fine"])
        #expect(stats == DanmakuASS.Stats(written: 1, dropped: 0, blocked: 2, skipped: 1))
    }

    /// A viewer's braces and backslashes stay text: no override block, no `\N` line break, no `\h`.
    @Test func viewerTextCannotBecomeOverrides() throws {
        let (ass, _, _) = try converted([(1, 1, 25, 0xFFFFFF, "{\\b1\\pos(0,0)}big\\N\\h}{ 中文\nline\ttab")])
        let text = try #require(ass.events.first?.text)
        #expect(text == "\\{\\\u{200B}b1\\\u{200B}pos(0,0)\\}big\\\u{200B}N\\\u{200B}h\\}\\{ 中文 line tab")
        // Every brace is escaped and every other backslash is defused by the zero-width space after it.
        let scalars = Array(text.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            if scalar == "{" || scalar == "}" { #expect(i > 0 && scalars[i - 1] == "\\") }
            if scalar == "\\" { #expect(i + 1 < scalars.count && ["{", "}", "\u{200B}"].contains(scalars[i + 1])) }
        }
    }

    /// Bilibili's files are ordered by comment id: comments are laid out by time.
    @Test func commentsAreOrderedByTime() throws {
        let (ass, _, _) = try converted([(9, 1, 25, 0xFFFFFF, "late"), (1, 1, 25, 0xFFFFFF, "early"), (5, 1, 25, 0xFFFFFF, "middle")])
        #expect(ass.events.map(\.text) == ["early", "middle", "late"])
        #expect(ASSScript.time(366_123) == "1:01:01.23")
    }

    @Test func convertFileWritesBesideAndAtomically() throws {
        let dir = try assScratchDirectory()
        let xml = dir.appendingPathComponent("NAME.xml").path
        try Data(officialXML([(1, 1, 25, 0xFFFFFF, "一"), (2, 5, 25, 0xFFFFFF, "二")]).utf8).write(to: URL(fileURLWithPath: xml))
        let ass = DanmakuASS.assPath(forXML: xml)
        #expect(ass == dir.appendingPathComponent("NAME.ass").path)
        #expect(DanmakuASS.assPath(forXML: "/a/b.danmaku") == "/a/b.danmaku.ass")

        let stats = try DanmakuASS.convertFile(xmlPath: xml, assPath: ass)
        #expect(stats == DanmakuASS.Stats(written: 2))
        let written = try String(contentsOfFile: ass, encoding: .utf8)
        #expect(written.hasPrefix("[Script Info]\n; Danmaku from NAME.xml, laid out by biliup danmaku2ass\n"))
        #expect(try parseASS(written).events.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["NAME.ass", "NAME.xml"])

        // A broken XML leaves the earlier ASS as it was and says which line is wrong.
        try Data("<i>\n<d p=\"1,1,25,0\">x\n".utf8).write(to: URL(fileURLWithPath: xml))
        #expect(throws: DanmakuASSError.malformed(path: xml, DanmakuXMLError(line: 2, reason: "the file ends inside <d>, which is never closed"))) {
            try DanmakuASS.convertFile(xmlPath: xml, assPath: ass)
        }
        #expect(try String(contentsOfFile: ass, encoding: .utf8) == written)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["NAME.ass", "NAME.xml"])
    }

    @Test func unreadableAndUnwritableFilesAreNamed() throws {
        let dir = try assScratchDirectory()
        let missing = dir.appendingPathComponent("missing.xml").path
        #expect(throws: DanmakuASSError.unreadable(path: missing, reason: "No such file or directory")) {
            try DanmakuASS.convertFile(xmlPath: missing, assPath: missing + ".ass")
        }
        let xml = dir.appendingPathComponent("ok.xml").path
        try Data(officialXML([(1, 1, 25, 0xFFFFFF, "x")]).utf8).write(to: URL(fileURLWithPath: xml))
        let nowhere = dir.appendingPathComponent("no/such/dir/ok.ass").path
        #expect {
            try DanmakuASS.convertFile(xmlPath: xml, assPath: nowhere)
        } throws: { error in
            guard case .unwritable(let path, _) = error as? DanmakuASSError else { return false }
            return path == nowhere
        }
        var bad = DanmakuASS.Options()
        bad.area = 0
        #expect(throws: DanmakuASSError.badOptions("area 0.0 must be above 0 and at most 1")) {
            try DanmakuASS.convertFile(xmlPath: xml, assPath: xml + ".ass", options: bad)
        }
    }
}
