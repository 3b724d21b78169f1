import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import BiliupDanmaku

@Suite struct DanmakuXMLWriterTests {
    let start = Date(timeIntervalSince1970: 1_733_120_000.5)
    var header: DanmakuXMLWriter.Header {
        .init(room: "21452505 <--x-->", platform: "bilibili", segmentStart: start, offset: -0.125)
    }

    /// Writes the messages through a real file and returns its text.
    func written(_ messages: [DanmakuMessage], detail: Bool) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("danmaku-\(UUID().uuidString).xml").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let writer = try DanmakuXMLWriter(handle: handle, header: header, detail: detail)
        for (index, message) in messages.enumerated() {
            writer.write(message)
            if index == 0 { try writer.flush() }
        }
        try writer.finish()
        try handle.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    let chat = DanmakuMessage(text: "hello", userName: "观众甲", uid: 12345, color: 16772431,
                              receivedAt: Date(timeIntervalSince1970: 1_733_120_003.7506))

    @Test func writesBiliupsChatLine() throws {
        let text = try written([chat], detail: false)
        #expect(text == """
            <?xml version="1.0" encoding="UTF-8"?>
            <i>
            \t<!-- room: 21452505 <- -x- ->, platform: bilibili, segment start: 2024-12-02T06:13:20.500Z, offset: -0.125 s -->
            \t<d p="3.251,1,25,16772431,1733120003,0,12345,0">hello</d>
            </i>

            """)
    }

    @Test func detailAddsAttributesAndGiftElements() throws {
        let at = Date(timeIntervalSince1970: 1_733_120_010)
        let messages = [
            chat,
            DanmakuMessage(kind: .gift, text: "", userName: "送礼人", uid: 678, receivedAt: at, price: 100, count: 5, giftName: "小心心"),
            DanmakuMessage(kind: .superChat, text: "加油", userName: "SC人", uid: 42, receivedAt: at, price: 30_000, count: 1, giftName: "醒目留言"),
            DanmakuMessage(kind: .guardBuy, text: "", userName: "舰长人", uid: 43, receivedAt: at, price: 198_000, count: 1, giftName: "舰长"),
        ]
        let root = try XMLDocument(xmlString: try written(messages, detail: true)).rootElement()
        let elements = try #require(root?.children?.compactMap { $0 as? XMLElement })
        #expect(elements.map(\.name) == ["d", "s", "s", "s"])
        func attributes(_ element: XMLElement) -> [String: String] {
            Dictionary(uniqueKeysWithValues: (element.attributes ?? []).map { ($0.name!, $0.stringValue!) })
        }
        #expect(attributes(elements[0]) == ["p": "3.251,1,25,16772431,1733120003,0,12345,0", "timestamp": "1733120003",
                                            "uid": "12345", "user": "观众甲"])
        #expect(attributes(elements[1]) == ["timestamp": "1733120010", "uid": "678", "username": "送礼人", "price": "100",
                                            "type": "gift", "num": "5", "giftname": "小心心"])
        #expect(elements[1].stringValue == "送礼人投喂了5个小心心")
        #expect(attributes(elements[2])["type"] == "super_chat" && attributes(elements[2])["giftname"] == "醒目留言")
        #expect(attributes(elements[2])["price"] == "30000" && elements[2].stringValue == "加油")
        #expect(attributes(elements[3])["type"] == "guard_buy" && elements[3].stringValue == "舰长人上了1个月舰长")
        // Without detail, only chat is written and without the extra attributes.
        let plain = try XMLDocument(xmlString: try written(messages, detail: false)).rootElement()
        let plainElements = try #require(plain?.children?.compactMap { $0 as? XMLElement })
        #expect(plainElements.map(\.name) == ["d"] && plainElements[0].attributes?.count == 1)
    }

    @Test func hostileTextRoundTrips() throws {
        let hostile = "<d p=\"1\">&amp; 'quoted' \"double\" ]]> 😀 tab\there\nline \r end"
        let name = "x\"/><evil a='1'>&\t\n😀"
        let controls = "a\u{0}b\u{1}c\u{8}d\u{B}e\u{1F}f\u{FFFE}g\u{FFFF}h"
        let messages = [hostile, controls].map {
            DanmakuMessage(text: $0, userName: name, uid: 1, receivedAt: start.addingTimeInterval(1))
        }
        let root = try XMLDocument(xmlString: try written(messages, detail: true)).rootElement()
        let elements = try #require(root?.children?.compactMap { $0 as? XMLElement })
        #expect(elements.count == 2)
        #expect(elements[0].stringValue == hostile)
        #expect(elements[0].attribute(forName: "user")?.stringValue == name)
        #expect(elements[1].stringValue == "abcdefgh")
    }
}
