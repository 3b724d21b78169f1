import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct ASSXMLReaderTests {
    /// What biliup's own writer produces (with detail: `<s>` gifts and the extra attributes) reads back
    /// as the chat, in order, with times, colours and text as written; gifts are not shown.
    @Test func readsBiliupsXML() throws {
        let dir = try assScratchDirectory()
        let path = dir.appendingPathComponent("seg.xml").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let start = Date(timeIntervalSince1970: 1_733_120_000)
        let writer = try DanmakuXMLWriter(handle: handle, header: .init(room: "1", platform: "bilibili", segmentStart: start, offset: 0.25), detail: true)
        writer.write(DanmakuMessage(text: "第一条 <b>&\"'", userName: "甲", uid: 1, color: 0xFF0000, receivedAt: start.addingTimeInterval(1.25)))
        writer.write(DanmakuMessage(kind: .gift, text: "", userName: "乙", uid: 2, receivedAt: start.addingTimeInterval(2), price: 100, count: 1, giftName: "小心心"))
        writer.write(DanmakuMessage(text: "tab\tand\nnewline", userName: "丙", uid: 3, receivedAt: start.addingTimeInterval(3.5)))
        try writer.finish()
        try handle.close()

        let document = try DanmakuXMLReader.read(contentsOf: path)
        #expect(document.unsupported == 0)
        #expect(document.comments == [
            DanmakuComment(time: 1.25, position: .scrolling, size: 25, color: 0xFF0000, text: "第一条 <b>&\"'"),
            DanmakuComment(time: 3.5, position: .scrolling, size: 25, color: 0xFFFFFF, text: "tab\tand\nnewline"),
        ])
    }

    /// Bilibili's download format: metadata elements before the comments, modes 1/4/5/6 shown, 7 and 8
    /// (positioned and code comments) counted as unsupported; references of every kind resolved.
    @Test func readsBilibilisXML() throws {
        let xml = officialXML([
            (0.5, 1, 25, 16777215, "滚动"), (1, 4, 18, 255, "底部"), (1.5, 5, 36, 0, "顶部"), (2, 6, 25, 1, "reverse"),
            (3, 7, 25, 1, "[0,0,\"1-1\",4.5,\"positioned\"]"), (4, 8, 25, 1, "code"),
        ]).replacingOccurrences(of: ">reverse<", with: ">&#x4E2D;&#25991;&apos;&quot;<")
        let document = try DanmakuXMLReader.parse(Array(xml.utf8))
        #expect(document.comments.map(\.position) == [.scrolling, .bottom, .top, .scrolling])
        #expect(document.comments.map(\.size) == [25, 18, 36, 25])
        #expect(document.comments.map(\.color) == [0xFFFFFF, 0x0000FF, 0, 1])
        #expect(document.comments[3].text == "中文'\"")
        #expect(document.comments.map(\.time) == [0.5, 1, 1.5, 2])
        #expect(document.unsupported == 2)
    }

    @Test func acceptsByteOrderMarkCDATAAndEmptyChat() throws {
        let xml = "\u{FEFF}<?xml version=\"1.0\"?>\n<i>\n<d p=\"1,1,25,0\"><![CDATA[<raw> & {x}]]></d><d p=\"2,1,25,0\"/></i>"
        let document = try DanmakuXMLReader.parse(Array(xml.utf8))
        #expect(document.comments.map(\.text) == ["<raw> & {x}", ""])
    }

    /// Each broken file is refused with the line where it breaks, never a trap.
    @Test(arguments: [
        ("<i>\n<d p=\"1,1,25,0\">x</d>\n<d p=\"2,1,25,0\">y\n", 3, "ends inside <d>"),
        ("<i>\n\n<d p=\"1,1\">x</d></i>", 3, "expected \"time,mode,size,color"),
        ("<i>\n<d>x</d></i>", 2, "without a p attribute"),
        ("<i><d p=\"1,1,25,0\">a &nbsp; b</d></i>", 1, "unknown entity &nbsp;"),
        ("<i><d p=\"1,1,25,0\">a & b</d></i>", 1, "starts no entity"),
        ("<!DOCTYPE i [<!ENTITY a \"aaaa\">]>\n<i></i>", 1, "document type declarations"),
        ("<?xml version=\"1.0\"?>\n<html></html>", 2, "not <i>"),
        ("<i>\n<d p=\"1,1,25,0\">x</b>\n</i>", 2, "</b> closes <d>"),
        ("<i><d p=\"1,1,25,0\"><b>x</b></d></i>", 1, "<b> inside <d>"),
        ("<i></i>\n<i></i>", 2, "second root"),
        ("<i>\n<!-- never closed\n\n", 2, "unterminated comment"),
        ("<i><d p=\"1,1,25,0\" p=\"2,1,25,0\">x</d></i>", 1, "given twice"),
        ("<i><d p=\"1,1,25,0\">&#0;</d></i>", 1, "not a character XML allows"),
        ("", 1, "no root element"),
    ] as [(String, Int, String)])
    func refusesBrokenFiles(xml: String, line: Int, says: String) {
        #expect {
            _ = try DanmakuXMLReader.parse(Array(xml.utf8))
        } throws: { error in
            guard let error = error as? DanmakuXMLError else { return false }
            return error.line == line && error.reason.contains(says)
        }
    }

    @Test func refusesInvalidUTF8() {
        let bytes = Array("<i><d p=\"1,1,25,0\">".utf8) + [0xFF, 0xFE] + Array("</d></i>".utf8)
        #expect(throws: DanmakuXMLError(line: 1, reason: "invalid UTF-8")) { try DanmakuXMLReader.parse(bytes) }
    }

    /// Seeded mutations of a valid file: every outcome is a document or a DanmakuXMLError.
    @Test func survivesMutatedFiles() {
        let xml = Array(officialXML([(0.5, 1, 25, 255, "a&amp;b"), (1, 5, 25, 0, "中文"), (2, 4, 18, 1, "x")]).utf8)
        for mutated in mutations(of: xml, count: fuzzIterations(default: 3000), seed: 0xA55) {
            _ = try? DanmakuXMLReader.parse(mutated)
        }
    }
}
