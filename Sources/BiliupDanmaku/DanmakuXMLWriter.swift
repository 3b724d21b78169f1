import Foundation

/// Writes one video segment's chat as the XML biliup writes (Bilibili's danmaku format, so existing
/// players and converters read it): tab-indented, root `<i>`, chat as `<d p="…">`, and with `detail` the
/// gifts, super chats and guard purchases as `<s …>`. Output is buffered and reaches the file on
/// `flush()` (the caller's cadence) and on `finish()`, which closes the root element.
public final class DanmakuXMLWriter {
    public struct Header: Sendable {
        public var room: String
        public var platform: String
        /// Time zero of the file: the segment's first video frame, on the chat's clock.
        public var segmentStart: Date
        /// Measured difference between chat arrival and the video, noted for readers of the file.
        public var offset: Double

        public init(room: String, platform: String, segmentStart: Date, offset: Double) {
            self.room = room
            self.platform = platform
            self.segmentStart = segmentStart
            self.offset = offset
        }
    }

    private let handle: FileHandle
    private let origin: Date
    private let detail: Bool
    private var buffer: [UInt8] = []
    private var finished = false
    public private(set) var messageCount = 0

    public init(handle: FileHandle, header: Header, detail: Bool) throws {
        self.handle = handle
        self.origin = header.segmentStart
        self.detail = detail
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let start = formatter.string(from: header.segmentStart)
        let note = "room: \(header.room), platform: \(header.platform), segment start: \(start), "
            + "offset: \(String(format: "%.3f", header.offset)) s"
        append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<i>\n\t<!-- \(Self.commentSafe(note)) -->\n")
        try flush()
    }

    /// Returns whether the message went into the file: without `detail` only chat does.
    @discardableResult
    public func write(_ message: DanmakuMessage) -> Bool {
        precondition(!finished, "write after finish")
        let unixSeconds = Int64(message.receivedAt.timeIntervalSince1970.rounded(.down))
        switch message.kind {
        case .chat:
            // A message that arrived just before the first frame is shown at its start.
            let seconds = max(0, message.receivedAt.timeIntervalSince(origin))
            var line = "\t<d p=\"\(String(format: "%.3f", seconds)),1,25,\(message.color),\(unixSeconds),0,\(message.uid),0\""
            if detail {
                line += " timestamp=\"\(unixSeconds)\" uid=\"\(message.uid)\""
                if !message.userName.isEmpty { line += " user=\"\(Self.escaped(message.userName, attribute: true))\"" }
            }
            append(line + ">\(Self.escaped(message.text, attribute: false))</d>\n")
        case .gift, .superChat, .guardBuy:
            guard detail else { return false }
            let (type, content) = switch message.kind {
            case .gift: ("gift", "\(message.userName)投喂了\(message.count)个\(message.giftName)")
            case .guardBuy: ("guard_buy", "\(message.userName)上了\(message.count)个月\(message.giftName)")
            default: ("super_chat", message.text)
            }
            let attributes = [("timestamp", "\(unixSeconds)"), ("uid", "\(message.uid)"), ("username", message.userName),
                              ("price", "\(message.price)"), ("type", type), ("num", "\(message.count)"),
                              ("giftname", message.giftName)]
            let rendered = attributes.map { "\($0.0)=\"\(Self.escaped($0.1, attribute: true))\"" }.joined(separator: " ")
            append("\t<s \(rendered)>\(Self.escaped(content, attribute: false))</s>\n")
        }
        messageCount += 1
        return true
    }

    /// A note for readers of the file at this point (a chat gap, what a segment holds), as an XML comment.
    public func comment(_ text: String) {
        precondition(!finished, "comment after finish")
        append("\t<!-- \(Self.commentSafe(text)) -->\n")
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes the root element and writes everything out; the file is a complete document afterwards.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        append("</i>\n")
        try flush()
    }

    private func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    /// Escapes markup and drops what XML 1.0 cannot carry at all (most C0 controls, U+FFFE, U+FFFF), so a
    /// viewer's message can never break the document. In attributes, tab and newlines become character
    /// references, since parsers would otherwise turn them into spaces.
    static func escaped(_ text: String, attribute: Bool) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\t" where attribute: out += "&#9;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _ where !isXMLCharacter(scalar): continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Swift strings hold no surrogates, so of XML 1.0's exclusions only these remain.
    private static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x20 ? scalar.value != 0xFFFE && scalar.value != 0xFFFF : scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    /// Markup means nothing inside a comment, but it may not contain "--" nor end in "-" (comments also
    /// carry reasons worded elsewhere, such as a connection's).
    private static func commentSafe(_ text: String) -> String {
        var safe = String(String.UnicodeScalarView(text.unicodeScalars.filter(isXMLCharacter)))
        while safe.contains("--") { safe = safe.replacingOccurrences(of: "--", with: "- -") }
        if safe.hasSuffix("-") { safe += " " }
        return safe
    }
}
