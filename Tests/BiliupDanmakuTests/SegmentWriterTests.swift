import Foundation
import Testing
@testable import BiliupDanmaku

/// The segment writer's rules, driven with chosen instants (no threads, no network): which file each
/// message goes to, the time it gets there, gaps, drops and the files' life cycle.
@Suite struct SegmentWriterTests {
    /// Plays a recording's events in time order, ticking the writer every 0.1 s in between as its
    /// thread would.
    final class Run {
        let folder: ScratchFolder
        let writer: DanmakuSegmentWriter
        private(set) var now = 0.0

        init(_ folder: ScratchFolder, holdback: Double = 2, heldCapacity: Int = 10_000, detail: Bool = false,
             assWriter: (@Sendable (String) throws -> String?)? = nil) {
            self.folder = folder
            writer = DanmakuSegmentWriter(settings: .init(room: "room 1", platform: "bilibili", detail: detail,
                                                          holdback: holdback, heldCapacity: heldCapacity, assWriter: assWriter))
        }

        func advance(to t: Double) {
            while now < t {
                now = min(t, now + 0.1)
                _ = writer.tick(now: ChatTime.base + now)
            }
        }

        func say(_ text: String, at t: Double, kind: DanmakuMessage.Kind = .chat) {
            advance(to: t)
            writer.add([ChatTime.message(text, at: t, kind: kind)])
        }

        /// The segment `name` whose first frame is at `first` reaches the writer `late` seconds after it.
        /// `stamped`: the origin's time of the first frame (HLS EXT-X-PROGRAM-DATE-TIME).
        func open(_ name: String, first: Double, lag: Double, late: Double? = nil, stamped: Double? = nil) {
            advance(to: first + (late ?? lag))
            writer.opened(videoPath: folder.video(name), firstFrameAt: ChatTime.date(first), arrivalLag: lag,
                          programDateTime: stamped.map(ChatTime.date), now: ChatTime.base + now)
        }

        /// `refined`: the first frame's instant as the recording measures it at the close.
        func close(_ name: String, at t: Double, refined: Double? = nil) throws -> DanmakuSegmentSummary {
            advance(to: t)
            return try #require(writer.closing(videoPath: folder.video(name), refinedStart: refined.map { ChatTime.base + $0 },
                                               now: ChatTime.base + now))
        }

        func chat(_ name: String) throws -> [String] {
            try ParsedDanmakuXML(path: folder.xml(name)).chat.map(\.description)
        }
    }

    @Test func threeSegmentsGetEveryMessageOnceTimedFromTheirFirstFrame() throws {
        let folder = try ScratchFolder("segments")
        defer { folder.remove() }
        let run = Run(folder)
        run.say("before", at: 95)
        run.say("a0", at: 100)
        run.open("a", first: 100, lag: 0.4)
        run.say("a1", at: 104.5)
        run.say("a-last", at: 109.999)
        run.say("b0", at: 110)
        run.say("b1", at: 110.3)
        run.open("b", first: 110, lag: 0.6)
        let a = try run.close("a", at: 110.8)
        run.say("b2", at: 115)
        run.say("b-last", at: 119.95)
        run.say("c0", at: 120.05)
        run.open("c", first: 120, lag: 0.2)
        let b = try run.close("b", at: 120.5)
        run.say("c1", at: 125)
        run.say("after", at: 126.5)
        let c = try run.close("c", at: 127)

        #expect(try run.chat("a") == ["before@0.000", "a0@0.000", "a1@4.500", "a-last@9.999"])
        #expect(try run.chat("b") == ["b0@0.000", "b1@0.300", "b2@5.000", "b-last@9.950"])
        #expect(try run.chat("c") == ["c0@0.050", "c1@5.000", "after@6.500"])
        let counts: [Int] = [a.messages, b.messages, c.messages]
        #expect(counts == [4, 4, 3])
        #expect([a.offset, b.offset, c.offset] == [0.4, 0.6, 0.2])
        #expect(a.xmlPath == folder.xml("a") && a.errors.isEmpty && a.dropped == 0 && a.gaps.isEmpty)
        for name in ["a", "b", "c"] {
            #expect(folder.exists(name + ".xml") && !folder.exists(name + ".xml.part"))
        }
        #expect(run.writer.finish(now: ChatTime.base + 130) == 0)
    }

    /// A segment's opening that reaches the writer late still gets the messages from its first frame on,
    /// as long as the holdback covers the delay; without it they land in the previous file.
    @Test(arguments: [(2.0, "b"), (0.0, "a")])
    func holdbackKeepsMessagesForALateOpening(holdback: Double, expectedFile: String) throws {
        let folder = try ScratchFolder("holdback")
        defer { folder.remove() }
        let run = Run(folder, holdback: holdback)
        run.open("a", first: 100, lag: 0)
        run.say("early in b", at: 110.2)
        // The first frame is at 110 and arrived at once, but the opening comes 1.5 s later.
        run.open("b", first: 110, lag: 0, late: 1.5)
        _ = try run.close("a", at: 111.7)
        _ = try run.close("b", at: 115)
        let expected = expectedFile == "b" ? "early in b@0.200" : "early in b@10.200"
        #expect(try run.chat(expectedFile) == [expected])
        #expect(try run.chat(expectedFile == "a" ? "b" : "a") == [])
    }

    @Test func holdbackGrowsWithTheMeasuredLagUpToItsBound() throws {
        let folder = try ScratchFolder("lag")
        defer { folder.remove() }
        let run = Run(folder)
        #expect(run.writer.holdback == 2)
        run.open("a", first: 100, lag: 4)
        #expect(run.writer.holdback == 4.5)
        run.open("b", first: 110, lag: 100)
        #expect(run.writer.holdback == DanmakuSegmentWriter.maxHoldback)
    }

    @Test func gapsAreNotedWhereTheyHappenAndSplitAtCuts() throws {
        let folder = try ScratchFolder("gaps")
        defer { folder.remove() }
        let run = Run(folder)
        run.open("a", first: 100, lag: 0)
        run.say("a0", at: 101)
        run.advance(to: 103)
        run.writer.disconnected(at: ChatTime.date(103), reason: "server closed")
        run.advance(to: 105.5)
        run.writer.connected(at: ChatTime.date(105.5))
        run.say("a1", at: 106)
        run.advance(to: 108)
        run.writer.disconnected(at: ChatTime.date(108), reason: "reset--by peer-")
        run.open("b", first: 110, lag: 0.1)
        let a = try run.close("a", at: 110.5)
        run.writer.connected(at: ChatTime.date(112))
        run.say("b0", at: 113)
        run.advance(to: 115)
        run.writer.disconnected(at: ChatTime.date(115), reason: "timeout")
        run.open("c", first: 120, lag: 0.1)
        let b = try run.close("b", at: 120.5)
        run.writer.connected(at: ChatTime.date(121))
        let c = try run.close("c", at: 125)

        #expect(a.gaps == [.init(at: 3, seconds: 2.5, reason: "server closed"),
                           .init(at: 8, seconds: 2, reason: "reset--by peer- (still down when the segment ended)")])
        #expect(b.gaps == [.init(at: 0, seconds: 2, reason: "reset--by peer-"),
                           .init(at: 5, seconds: 5, reason: "timeout (still down when the segment ended)")])
        #expect(c.gaps == [.init(at: 0, seconds: 1, reason: "timeout")])
        let parsedA = try ParsedDanmakuXML(path: folder.xml("a"))
        #expect(parsedA.chat.map(\.description) == ["a0@1.000", "a1@6.000"])
        // The comment sits between the messages it separates, and cannot break the document.
        #expect(parsedA.comments.contains("chat lost from 3.000 s for 2.500 s: server closed"))
        #expect(parsedA.comments.contains("chat lost from 8.000 s for 2.000 s: reset- -by peer- (still down when the segment ended)"))
        let text = try String(contentsOfFile: folder.xml("a"), encoding: .utf8)
        let gap = try #require(text.range(of: "chat lost from 3.000"))
        #expect(text.range(of: ">a0<")!.lowerBound < gap.lowerBound && gap.upperBound < text.range(of: ">a1<")!.lowerBound)
        #expect(try ParsedDanmakuXML(path: folder.xml("c")).comments.contains("chat lost from 0.000 s for 1.000 s: timeout"))
    }

    @Test func fileIsAPartWhileOpenFlushedEverySecondAndRenamedWhenComplete() throws {
        let folder = try ScratchFolder("part")
        defer { folder.remove() }
        let run = Run(folder, holdback: 0.5)
        run.open("a", first: 100, lag: 0)
        #expect(folder.exists("a.xml.part") && !folder.exists("a.xml"))
        run.say("kept even if we crash", at: 100.2)
        run.advance(to: 100.9)
        // Written (held 0.5 s) but not yet flushed…
        var part = try String(contentsOfFile: folder.xml("a") + ".part", encoding: .utf8)
        #expect(part.contains("room: room 1, platform: bilibili"))
        #expect(!part.contains("kept even if we crash"))
        // …and on disk within the flush interval.
        run.advance(to: 102)
        part = try String(contentsOfFile: folder.xml("a") + ".part", encoding: .utf8)
        #expect(part.contains(">kept even if we crash</d>"))
        let a = try run.close("a", at: 103)
        #expect(a.messages == 1 && folder.exists("a.xml") && !folder.exists("a.xml.part"))
        // A segment without chat still gets its file, which says so.
        run.open("b", first: 104, lag: 0)
        let b = try run.close("b", at: 105)
        let parsed = try ParsedDanmakuXML(path: folder.xml("b"))
        #expect(b.messages == 0 && parsed.chat.isEmpty)
        #expect(parsed.comments.contains("end of segment: 0 messages, 0 dropped, 0 gaps"))
    }

    @Test func fiveHundredMessagesAreFlushedAtOnce() throws {
        let folder = try ScratchFolder("flush")
        defer { folder.remove() }
        let run = Run(folder, holdback: 0)
        run.open("a", first: 100, lag: 0)
        run.writer.add((0..<SegmentXMLFile.flushMessages).map { ChatTime.message("m\($0)", at: 100) })
        _ = run.writer.tick(now: ChatTime.base + run.now + 0.6)
        let part = try String(contentsOfFile: folder.xml("a") + ".part", encoding: .utf8)
        #expect(part.contains(">m\(SegmentXMLFile.flushMessages - 1)</d>"))
        _ = try run.close("a", at: 101)
    }

    @Test func droppedMessagesAreCountedInTheirSegment() throws {
        let folder = try ScratchFolder("dropped")
        defer { folder.remove() }
        let run = Run(folder)
        run.open("a", first: 100, lag: 0)
        run.open("b", first: 110, lag: 0)
        run.writer.dropped(5, at: ChatTime.date(103))
        run.writer.dropped(7, at: ChatTime.date(112))
        let a = try run.close("a", at: 113)
        let b = try run.close("b", at: 114)
        #expect(a.dropped == 5 && b.dropped == 7)
        #expect(try ParsedDanmakuXML(path: folder.xml("a")).comments.contains("5 messages dropped here (3.000 s): the chat queue was full"))
    }

    /// A segment opened with a late estimate of its first frame (the recorder started behind the live
    /// edge) and closed with a better one: its times, comments and header move to the better one; a
    /// difference below the threshold leaves the file as written. The origin's stamp of the first frame
    /// stays; the latency behind it follows the better estimate.
    @Test func aBetterEstimateAtTheCloseMovesTheFilesTimes() throws {
        let folder = try ScratchFolder("retime")
        defer { folder.remove() }
        let run = Run(folder)
        run.open("a", first: 100.25, lag: 1, stamped: 95)
        run.say("a0", at: 100.1)  // before the first estimate: written at 0, moved to 0.1 by the better one
        run.say("a1", at: 101)
        run.writer.disconnected(at: ChatTime.date(102), reason: "reset")
        run.writer.connected(at: ChatTime.date(102.5))
        run.say("a2", at: 103)
        run.writer.dropped(4, at: ChatTime.date(103.5))
        run.open("b", first: 104, lag: 0)
        let a = try run.close("a", at: 104.5, refined: 100)
        run.say("b0", at: 105)
        let b = try run.close("b", at: 106, refined: 104.03)

        let parsedA = try ParsedDanmakuXML(path: folder.xml("a"))
        #expect(parsedA.chat.map(\.description) == ["a0@0.250", "a1@1.000", "a2@3.000"])
        #expect(parsedA.comments.contains("chat lost from 2.000 s for 0.500 s: reset"))
        #expect(parsedA.comments.contains("4 messages dropped here (3.500 s): the chat queue was full"))
        #expect(parsedA.comments.contains { $0.hasPrefix("times moved by +0.250 s when the segment ended") })
        let header = try #require(parsedA.comments.first)
        #expect(header.hasSuffix("offset: 1.250 s, program date time: \(ChatTime.iso(95)), latency: 5.000 s"), "\(header)")
        #expect(a.programDateTime == ChatTime.date(95) && a.latency.map { abs($0 - 5) < 1e-6 } == true)
        #expect(header.contains("segment start: \(ChatTime.iso(100))"), "\(header)")
        #expect(a.offset == 1.25 && a.gaps == [.init(at: 2, seconds: 0.5, reason: "reset")] && a.messages == 3 && a.dropped == 4)
        #expect(!FileManager.default.fileExists(atPath: folder.xml("a") + ".part.retime"))
        // 30 ms: under the threshold, written as measured at the opening.
        #expect(try run.chat("b") == ["b0@1.000"])
        let commentsB = try ParsedDanmakuXML(path: folder.xml("b")).comments
        #expect(b.offset == 0 && !commentsB.contains { $0.hasPrefix("times moved") })
        #expect(b.programDateTime == nil && b.latency == nil && commentsB.first?.hasSuffix("offset: 0.000 s") == true)
    }

    /// With no file open, held messages wait for the next one, but no more than the bound.
    @Test func heldMessagesAreBounded() throws {
        let folder = try ScratchFolder("bound")
        defer { folder.remove() }
        let run = Run(folder, heldCapacity: 10)
        run.writer.add((0..<25).map { ChatTime.message("m\($0)", at: 90 + Double($0) * 0.01) })
        run.advance(to: 95)
        #expect(run.writer.heldCount == 10)
        #expect(run.writer.unplaced == 15)
        run.open("a", first: 100, lag: 0)
        let a = try run.close("a", at: 101)
        #expect(a.messages == 10)
        #expect(try run.chat("a").first == "m15@0.000")
    }

    @Test func messagesAfterTheLastSegmentAreCountedAtFinish() throws {
        let folder = try ScratchFolder("finish")
        defer { folder.remove() }
        let run = Run(folder)
        run.open("a", first: 100, lag: 0)
        _ = try run.close("a", at: 105)
        run.say("late 1", at: 106)
        run.say("late 2", at: 107)
        #expect(run.writer.finish(now: ChatTime.base + 108) == 2)
        #expect(run.writer.closing(videoPath: folder.video("a"), now: ChatTime.base + 108) == nil)
    }

    @Test func giftsCountOnlyWithDetail() throws {
        let folder = try ScratchFolder("detail")
        defer { folder.remove() }
        for detail in [false, true] {
            let run = Run(folder, detail: detail)
            let name = detail ? "with" : "without"
            run.open(name, first: 100, lag: 0)
            run.say("hi", at: 101)
            run.say("", at: 102, kind: .gift)
            let summary = try run.close(name, at: 103)
            #expect(summary.messages == (detail ? 2 : 1))
            #expect(try ParsedDanmakuXML(path: folder.xml(name)).specials == (detail ? ["s"] : []))
        }
    }

    @Test func anExistingXMLIsNeverOverwritten() throws {
        let folder = try ScratchFolder("exists")
        defer { folder.remove() }
        try Data("theirs".utf8).write(to: URL(fileURLWithPath: folder.xml("a")))
        let run = Run(folder)
        run.open("a", first: 100, lag: 0)
        run.say("mine", at: 101)
        let a = try run.close("a", at: 104)
        #expect(a.errors.count == 1 && a.errors[0].contains("exists and is left as it is"))
        #expect(try String(contentsOfFile: folder.xml("a"), encoding: .utf8) == "theirs")
        #expect(try String(contentsOfFile: folder.xml("a") + ".part", encoding: .utf8).contains(">mine</d>"))
    }

    @Test func assWriterRunsOnTheCompleteXML() throws {
        let folder = try ScratchFolder("ass")
        defer { folder.remove() }
        let run = Run(folder, assWriter: { xml in
            let text = try String(contentsOfFile: xml, encoding: .utf8)
            guard text.hasSuffix("</i>\n"), text.contains(">hi</d>") else { throw CocoaError(.fileReadCorruptFile) }
            let ass = (xml as NSString).deletingPathExtension + ".ass"
            try Data("[Script Info]\n".utf8).write(to: URL(fileURLWithPath: ass))
            return ass
        })
        run.open("a", first: 100, lag: 0)
        run.say("hi", at: 101)
        let a = try run.close("a", at: 102)
        #expect(a.assPath == folder.path + "/a.ass" && a.errors.isEmpty)

        let failing = Run(folder, assWriter: { _ in throw CocoaError(.fileWriteNoPermission) })
        failing.open("b", first: 100, lag: 0)
        let b = try failing.close("b", at: 101)
        #expect(b.assPath == nil && b.errors.count == 1 && b.errors[0].hasPrefix("ASS for \(folder.xml("b"))"))
    }
}
