import Foundation

/// One chat line of a danmaku XML file, as the ASS converter places it.
public struct DanmakuComment: Sendable, Equatable {
    public enum Position: Sendable, Equatable {
        /// Bilibili modes 1-3 (and 6, reverse scrolling, which players commonly show as ordinary scrolling).
        case scrolling
        /// Mode 4.
        case bottom
        /// Mode 5.
        case top
    }

    /// Seconds from the start of the file (the video segment's first frame, for biliup's files).
    public var time: Double
    public var position: Position
    /// Bilibili's size value: 25 is the normal size, 18 small, 36 large.
    public var size: Int
    /// 24-bit RGB.
    public var color: Int
    public var text: String

    public init(time: Double, position: Position = .scrolling, size: Int = 25, color: Int = 0xFFFFFF, text: String) {
        self.time = time
        self.position = position
        self.size = size
        self.color = color
        self.text = text
    }
}

/// Why a danmaku XML file could not be read; `line` is 1-based.
public struct DanmakuXMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

/// Reads the danmaku XML biliup writes (`DanmakuXMLWriter`) and Bilibili's own downloads (the same `<i>`
/// root with `<chatserver>`, `<chatid>`, … before the `<d p="time,mode,size,color,…">` elements).
///
/// A small strict parser rather than FoundationXML: FoundationXML would bring libxml2 (and its own
/// dependencies) into the statically linked executable for a format this small, and its errors do not say
/// which line of the file is wrong. Document type declarations are refused, so no entity can expand.
/// `<s>` (gifts, super chats, guard purchases) and any other element are checked for well-formedness and
/// otherwise ignored: only chat is shown on the video.
public enum DanmakuXMLReader {
    /// Larger files are refused rather than read into memory: a day of a busy room's chat is far below it.
    public static let maxFileSize = 1 << 30

    public struct Document: Sendable, Equatable {
        /// Chat in file order.
        public var comments: [DanmakuComment]
        /// `<d>` elements whose mode has no place on a lane-based screen (7 positioned, 8 code, 9 and others).
        public var unsupported: Int
    }

    public static func read(contentsOf path: String) throws -> Document {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        guard size <= UInt64(maxFileSize) else {
            throw DanmakuXMLError(line: 1, reason: "the file is larger than \(maxFileSize >> 20) MiB")
        }
        try handle.seek(toOffset: 0)
        let data = try handle.readToEnd() ?? Data()
        return try parse(Array(data))
    }

    public static func parse(_ bytes: [UInt8]) throws(DanmakuXMLError) -> Document {
        var parser = XMLScanner(bytes)
        return try parser.document()
    }

    /// Interprets `p="time,mode,size,color,…"`; fields after the colour (timestamp, pool, user hash, id)
    /// are not needed for display.
    static func comment(p: String, text: String, line: Int) throws(DanmakuXMLError) -> DanmakuComment? {
        let fields = p.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 4, let time = Double(fields[0]), time.isFinite,
              let mode = Int(fields[1]), let size = Int(fields[2]), let color = Int(fields[3]) else {
            throw DanmakuXMLError(line: line, reason: "<d> attribute p: expected \"time,mode,size,color,…\", got \"\(p.prefix(80))\"")
        }
        let position: DanmakuComment.Position
        switch mode {
        case 1, 2, 3, 6: position = .scrolling
        case 4: position = .bottom
        case 5: position = .top
        default: return nil
        }
        return DanmakuComment(time: max(0, time), position: position, size: size, color: color & 0xFFFFFF, text: text)
    }
}

/// A pull parser over the whole file's bytes that keeps the line number for errors.
private struct XMLScanner {
    let bytes: [UInt8]
    var index = 0
    var line = 1

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    mutating func document() throws(DanmakuXMLError) -> DanmakuXMLReader.Document {
        var comments: [DanmakuComment] = []
        var unsupported = 0
        var open: [(name: String, line: Int)] = []
        var rootSeen = false
        // Inside a `<d>` that is a child of the root: its text, the line it started on, and its p.
        var chat: (text: String, line: Int, p: String)?

        while index < bytes.count {
            let byte = bytes[index]
            if byte != UInt8(ascii: "<") {
                let start = line
                let text = try characterData()
                if open.isEmpty {
                    guard text.allSatisfy(\.isWhitespace) else { throw fail("text outside the root element", at: start) }
                } else if chat != nil {
                    chat!.text += text
                }
                continue
            }
            if starts(with: "<!--") {
                try skip(past: "-->", what: "comment")
            } else if starts(with: "<?") {
                try skip(past: "?>", what: "processing instruction")
            } else if starts(with: "<![CDATA[") {
                guard !open.isEmpty else { throw fail("CDATA outside the root element") }
                index += 9
                let begin = index
                try skip(past: "]]>", what: "CDATA section")
                let text = try utf8(bytes[begin..<(index - 3)])
                if chat != nil { chat!.text += text }
            } else if starts(with: "<!") {
                throw fail("document type declarations are not accepted in danmaku files")
            } else if starts(with: "</") {
                index += 2
                let name = try self.name()
                skipWhitespace()
                try expect(">")
                guard let last = open.last, last.name == name else {
                    throw fail(open.last.map { "</\(name)> closes <\($0.name)> (opened on line \($0.line))" } ?? "</\(name)> without an open element")
                }
                open.removeLast()
                if let done = chat, open.count == 1 {
                    if let comment = try DanmakuXMLReader.comment(p: done.p, text: done.text, line: done.line) {
                        comments.append(comment)
                    } else {
                        unsupported += 1
                    }
                    chat = nil
                }
            } else {
                let start = line
                index += 1
                let name = try self.name()
                let attributes = try self.attributes()
                let empty = starts(with: "/>")
                index += empty ? 2 : 0
                if !empty { try expect(">") }
                if open.isEmpty {
                    guard !rootSeen else { throw fail("a second root element <\(name)>", at: start) }
                    guard name == "i" else { throw fail("the root element is <\(name)>, not <i>: not a danmaku file", at: start) }
                    rootSeen = true
                }
                if chat != nil { throw fail("<\(name)> inside <d>", at: start) }
                if name == "d" && open.count == 1 {
                    guard let p = attributes["p"] else { throw fail("<d> without a p attribute", at: start) }
                    if empty {
                        if let comment = try DanmakuXMLReader.comment(p: p, text: "", line: start) { comments.append(comment) } else { unsupported += 1 }
                    } else {
                        chat = ("", start, p)
                    }
                }
                if !empty { open.append((name, start)) }
            }
        }
        if let unclosed = open.last { throw fail("the file ends inside <\(unclosed.name)>, which is never closed", at: unclosed.line) }
        guard rootSeen else { throw fail("no root element <i>: not a danmaku file") }
        return .init(comments: comments, unsupported: unsupported)
    }

    // MARK: pieces

    private func fail(_ reason: String, at line: Int? = nil) -> DanmakuXMLError {
        DanmakuXMLError(line: line ?? self.line, reason: reason)
    }

    private func starts(with literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != pointer[offset] { return false }
        return true
    }

    private mutating func expect(_ literal: StaticString) throws(DanmakuXMLError) {
        guard starts(with: literal) else {
            throw fail(index < bytes.count ? "expected \"\(literal)\"" : "the file ends where \"\(literal)\" was expected")
        }
        index += literal.utf8CodeUnitCount
    }

    /// Moves past the terminator, counting lines on the way.
    private mutating func skip(past terminator: StaticString, what: String) throws(DanmakuXMLError) {
        let start = line
        while index < bytes.count {
            if starts(with: terminator) {
                index += terminator.utf8CodeUnitCount
                return
            }
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        throw fail("unterminated \(what)", at: start)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
    }

    private mutating func name() throws(DanmakuXMLError) -> String {
        let begin = index
        while index < bytes.count {
            let b = bytes[index]
            let isNameByte = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") || b >= 0x80
            guard isNameByte else { break }
            index += 1
        }
        guard index > begin else { throw fail(index < bytes.count ? "expected an element or attribute name" : "the file ends inside a tag") }
        return try utf8(bytes[begin..<index])
    }

    private mutating func attributes() throws(DanmakuXMLError) -> [String: String] {
        var found: [String: String] = [:]
        while true {
            let hadSpace = index < bytes.count && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index])
            skipWhitespace()
            guard index < bytes.count else { throw fail("the file ends inside a tag") }
            if bytes[index] == UInt8(ascii: ">") || starts(with: "/>") { return found }
            guard hadSpace else { throw fail("expected whitespace between attributes") }
            let name = try self.name()
            skipWhitespace()
            try expect("=")
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw fail("attribute \(name): expected a quoted value")
            }
            let quote = bytes[index]
            index += 1
            let value = try characterData(until: quote)
            index += 1
            guard found.updateValue(value, forKey: name) == nil else { throw fail("attribute \(name) given twice") }
        }
    }

    /// Text up to the next `<` (or the closing quote of an attribute), with references resolved.
    private mutating func characterData(until quote: UInt8? = nil) throws(DanmakuXMLError) -> String {
        var out = ""
        var runStart = index
        while true {
            guard index < bytes.count else {
                if quote != nil { throw fail("the file ends inside an attribute value") }
                break
            }
            let b = bytes[index]
            if let quote, b == quote { break }
            if b == UInt8(ascii: "<") {
                guard quote == nil else { throw fail("\"<\" inside an attribute value") }
                break
            }
            if b == UInt8(ascii: "&") {
                out += try utf8(bytes[runStart..<index])
                out.unicodeScalars.append(try reference())
                runStart = index
                continue
            }
            if b == 0x0A { line += 1 }
            index += 1
        }
        out += try utf8(bytes[runStart..<index])
        return out
    }

    /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#N;` `&#xN;`; the index is on the `&`.
    private mutating func reference() throws(DanmakuXMLError) -> Unicode.Scalar {
        let begin = index + 1
        var end = begin
        while end < bytes.count, end - begin <= 10, bytes[end] != UInt8(ascii: ";") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { throw fail("\"&\" that starts no entity reference") }
        let body = String(decoding: bytes[begin..<end], as: UTF8.self)
        index = end + 1
        switch body {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            var value: UInt32?
            if body.hasPrefix("#x") { value = UInt32(body.dropFirst(2), radix: 16) }
            else if body.hasPrefix("#") { value = UInt32(body.dropFirst(), radix: 10) }
            guard let value else { throw fail("unknown entity &\(body);") }
            guard let scalar = Unicode.Scalar(value), value >= 0x20 || value == 0x09 || value == 0x0A || value == 0x0D else {
                throw fail("&\(body); is not a character XML allows")
            }
            return scalar
        }
    }

    private func utf8(_ slice: ArraySlice<UInt8>) throws(DanmakuXMLError) -> String {
        guard let text = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8") }
        return text
    }
}
