import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct ASSLayoutTests {
    /// 10,000 comments over twenty minutes, with a burst far beyond what the screen holds: every scrolling
    /// comment's position over time, read back from the `\move` in the file, never overlaps another whose
    /// band of lines it shares; top and bottom comments never share lines while both are shown; each
    /// comment appears between its time and its time plus the allowed wait; every comment is accounted for.
    @Test func tenThousandCommentsNeverOverlap() throws {
        let (xml, times) = Self.crowdedXML(count: 10_000, seed: 12)
        let options = DanmakuASS.Options()
        let (script, stats) = try DanmakuASS.convert(DanmakuXMLReader.parse(Array(xml.utf8)), options: options)
        let ass = try parseASS(script)

        #expect(stats.written + stats.dropped + stats.blocked + stats.skipped == 10_000)
        #expect(stats.written == ass.events.count)
        #expect(stats.dropped > 0, "the burst must overflow the screen")
        #expect(stats.written > 7_000)

        // Each comment carries its index; it appears once, not before its time nor after the wait.
        var seen = Set<Int>()
        for event in ass.events {
            let index = Int(event.text.prefix { $0 != " " }.dropFirst())!
            #expect(seen.insert(index).inserted)
            #expect(event.start >= times[index] - 0.006 && event.start <= times[index] + options.maxDelay + 0.006,
                    "#\(index) at \(times[index]) shown at \(event.start)")
        }

        let height = { (e: ASSEvent) in Double(e.fontSize ?? ass.styleFontSize) }
        let scrolling = ass.events.filter(\.isScrolling).sorted { $0.start < $1.start }
        #expect(scrolling.count > 6_000)
        var pairsChecked = 0
        for (i, a) in scrolling.enumerated() {
            let aTop = a.move!.y1
            #expect(a.move!.y1 == a.move!.y2 && a.move!.x1 == Double(ass.playResX) && a.move!.x2 < 0)
            #expect(aTop + height(a) <= options.area * Double(ass.playResY), "scrolling comment below the area: \(a.overrides)")
            for b in scrolling[(i + 1)...] {
                if b.start >= a.end { break }
                let bTop = b.move!.y1
                guard aTop < bTop + height(b) && bTop < aTop + height(a) else { continue }
                // A started first: A's right edge must stay at or left of B's left edge while both show.
                for t in [b.start, min(a.end, b.end)] {
                    let aRight = Self.x(a, at: t) - a.move!.x2
                    let bLeft = Self.x(b, at: t)
                    #expect(bLeft >= aRight - 1e-6, "overlap at \(t): \(a.overrides) \(a.text) / \(b.overrides) \(b.text)")
                }
                pairsChecked += 1
            }
        }
        #expect(pairsChecked > 10_000)

        let fixed = ass.events.filter { !$0.isScrolling }
        #expect(fixed.count > 500)
        for (i, a) in fixed.enumerated() {
            let aBand = Self.band(a, height: height(a))
            for b in fixed[(i + 1)...] where a.start < b.end && b.start < a.end {
                let bBand = Self.band(b, height: height(b))
                #expect(!(aBand.lowerBound < bBand.upperBound && bBand.lowerBound < aBand.upperBound),
                        "fixed comments share lines: \(a.overrides) / \(b.overrides)")
            }
        }
    }

    /// One lane, equal comments all at 0: each waits until the one before has entered the screen (and
    /// will not be caught), and those that would wait past 3 s are dropped.
    @Test func fullLaneDelaysThenDrops() throws {
        var options = DanmakuASS.Options()
        options.area = 0.04  // 43 px: one lane of 41
        let xml = officialXML(Array(repeating: (0, 1, 25, 0xFFFFFF, "AAAA"), count: 10))
        let (script, stats) = try DanmakuASS.convert(DanmakuXMLReader.parse(Array(xml.utf8)), options: options)
        // "AAAA" at 36: 4 × 0.6 × 36 → 87, + 2 × 2 outline + 18 gap = 109 px. It has entered after
        // 109 × 1200 / 2029 = 64.5 cs, so the next starts 65 cs later.
        let starts = try parseASS(script).events.map(\.start)
        #expect(starts == [0, 0.65, 1.3, 1.95, 2.6])
        #expect(stats == DanmakuASS.Stats(written: 5, dropped: 5))
    }

    /// A long comment behind a short one: it moves faster, so it must wait until it cannot catch up
    /// (later than the short one merely having entered).
    @Test func fasterCommentWaitsUntilItCannotCatchUp() throws {
        var options = DanmakuASS.Options()
        options.area = 0.04
        options.maxDelay = 10
        let long = String(repeating: "长", count: 40)
        let xml = officialXML([(0, 1, 25, 0xFFFFFF, "A"), (0, 1, 25, 0xFFFFFF, long)])
        let (script, _) = try DanmakuASS.convert(DanmakuXMLReader.parse(Array(xml.utf8)), options: options)
        let events = try parseASS(script).events
        try #require(events.count == 2)
        // "A": 22 + 4 + 18 = 44 px, entered after 27 cs. The long one (1440 + 22 = 1462 px) reaches x = 0
        // 1920 × 1200 / 3382 = 681.3 cs after it starts, and "A" leaves at 1200: start ≥ 518.7 → 519.
        #expect(events[1].start == 5.19)
    }

    /// x of an event's left edge at time t.
    static func x(_ e: ASSEvent, at t: Double) -> Double {
        let m = e.move!
        return m.x1 + (m.x2 - m.x1) * (t - e.start) / (e.end - e.start)
    }

    /// The lines a fixed comment covers: below its y for top comments (\an8), above it for bottom (\an2).
    static func band(_ e: ASSEvent, height: Double) -> Range<Double> {
        e.alignment == 2 ? (e.pos!.y - height)..<e.pos!.y : e.pos!.y..<(e.pos!.y + height)
    }

    /// Comments in Bilibili's format, text starting with "#index ", mostly scrolling, some top and bottom,
    /// three sizes, mixed scripts, and a burst of 2,000 in 10 s at 200 s. Returns the times too. No emoji:
    /// no font here has them, and libass warns about a glyph no font has, which is not the converter's doing.
    static func crowdedXML(count: Int, seed: UInt64) -> (String, [Double]) {
        var rng = SplitMix64(state: seed)
        let pieces = ["弹幕", "哈哈哈", "666", "awsl", "前方高能", "good game", "草", "？？？", "主播加油", "{x}", "a\\b",
                      "這個", "LOL", "ｗｗｗ", "테스트", "12345", "真的假的"]
        var comments: [(time: Double, mode: Int, size: Int, color: Int, text: String)] = []
        for index in 0..<count {
            let time = index >= 4_000 && index < 6_000
                ? 200 + Double.random(in: 0..<10, using: &rng)
                : Double.random(in: 0..<1200, using: &rng)
            let roll = Int.random(in: 0..<100, using: &rng)
            let mode = roll < 85 ? 1 : roll < 93 ? 5 : 4
            let sizeRoll = Int.random(in: 0..<10, using: &rng)
            let size = sizeRoll == 0 ? 18 : sizeRoll == 1 ? 36 : 25
            let color = [0xFFFFFF, 0xFFFFFF, 0xFE0302, 0x00CD00, 0x000000, 0xFFFF00].randomElement(using: &rng)!
            let words = (0..<Int.random(in: 1...5, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
            comments.append((time, mode, size, color, "#\(index) " + words.joined()))
        }
        return (officialXML(comments), comments.map(\.time))
    }
}
