import Foundation
import Testing
@testable import BiliupDanmaku

/// The converter's output through a real renderer: ffmpeg's `subtitles` filter (libass) on a blank video.
/// At `-v warning` libass's warnings and errors reach standard error, so an empty standard error means
/// libass found nothing to complain about.
@Suite struct ASSRenderTests {
    @Test func tenThousandCommentsRenderWithoutWarnings() async throws {
        let dir = try assScratchDirectory()
        let xml = dir.appendingPathComponent("crowd.xml").path
        let ass = DanmakuASS.assPath(forXML: xml)
        try Data(ASSLayoutTests.crowdedXML(count: 10_000, seed: 7).0.utf8).write(to: URL(fileURLWithPath: xml))
        let stats = try DanmakuASS.convertFile(xmlPath: xml, assPath: ass)
        #expect(stats.written > 7_000)

        // A frame every 2 s over the whole script (the last comment ends before 1220 s; each is shown 5 s
        // or more), at a smaller size than the script's 1920x1080 so that libass also scales.
        let run = try await runFFmpeg(["-v", "warning", "-f", "lavfi", "-i", "color=c=black:s=960x540:r=0.5:d=1220",
                                 "-vf", "subtitles=filename=\(ass)", "-f", "null", "-"])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty, "libass/ffmpeg said: \(run.stderr.prefix(2000))")

        // And it draws: a frame in the middle of the burst has bright (white and coloured) pixels.
        let frame = dir.appendingPathComponent("frame.gray").path
        let grab = try await runFFmpeg(["-v", "warning", "-f", "lavfi", "-i", "color=c=black:s=960x540:r=1:d=206",
                                  "-vf", "subtitles=filename=\(ass),format=gray", "-ss", "205", "-frames:v", "1",
                                  "-f", "rawvideo", frame])
        #expect(grab.status == 0, "\(grab.stderr)")
        let pixels = try Data(contentsOf: URL(fileURLWithPath: frame))
        #expect(pixels.count == 960 * 540)
        let bright = pixels.filter { $0 > 100 }.count
        #expect(bright > 5_000, "only \(bright) bright pixels: nothing rendered?")
        // Scrolling stays in the top half: the bottom quarter holds only bottom comments (centred).
        let bottomQuarterLeftEdge = (405..<540).map { Int(pixels[$0 * 960 + 5]) }
        #expect(bottomQuarterLeftEdge.allSatisfy { $0 < 50 })
    }

    /// Text full of ASS syntax and CJK renders without warnings too. (No emoji: no font installed here has
    /// them, and libass rightly warns about a glyph that no font has.)
    @Test func hostileTextRendersWithoutWarnings() async throws {
        let dir = try assScratchDirectory()
        let xml = dir.appendingPathComponent("hostile.xml").path
        try Data(officialXML([
            (0, 1, 25, 0xFFFFFF, "{\\fs200\\pos(0,0)}huge?"), (0.1, 5, 25, 0x00FF00, "\\N\\h\\n{}}{"),
            (0.2, 4, 36, 0, "中文 테스트 ｗｗｗ ½"), (0.3, 1, 18, 0xFF0000, "&lt;&amp;&gt;"),
        ]).utf8).write(to: URL(fileURLWithPath: xml))
        let ass = DanmakuASS.assPath(forXML: xml)
        #expect(try DanmakuASS.convertFile(xmlPath: xml, assPath: ass).written == 4)
        let run = try await runFFmpeg(["-v", "warning", "-f", "lavfi", "-i", "color=c=black:s=640x360:r=5:d=6",
                                 "-vf", "subtitles=filename=\(ass)", "-f", "null", "-"])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty, "libass/ffmpeg said: \(run.stderr)")
    }
}
