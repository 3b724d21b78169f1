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

    /// Returns whether the message went into the file: without `detail` only chat does. Written straight
    /// into the buffer as bytes: in a flood this runs for every message.
    @discardableResult
    public func write(_ message: DanmakuMessage) -> Bool {
        precondition(!finished, "write after finish")
        let unixSeconds = Int64(message.receivedAt.timeIntervalSince1970.rounded(.down))
        switch message.kind {
        case .chat:
            // A message that arrived just before the first frame is shown at its start.
            append("\t<d p=\"")
            appendThousandths(max(0, message.receivedAt.timeIntervalSince(origin)))
            append(",1,25,")
            appendInteger(Int64(message.color))
            append(",")
            appendInteger(unixSeconds)
            append(",0,")
            appendInteger(message.uid)
            append(",0\"")
            if detail {
                appendAttribute("timestamp", unixSeconds)
                appendAttribute("uid", message.uid)
                if !message.userName.isEmpty { appendAttribute("user", message.userName) }
            }
            append(">")
            Self.appendEscaped(message.text, attribute: false, to: &buffer)
            append("</d>\n")
        case .gift, .superChat, .guardBuy:
            guard detail else { return false }
            let (type, content): (StaticString, String) = switch message.kind {
            case .gift: ("gift", "\(message.userName)投喂了\(message.count)个\(message.giftName)")
            case .guardBuy: ("guard_buy", "\(message.userName)上了\(message.count)个月\(message.giftName)")
            default: ("super_chat", message.text)
            }
            append("\t<s")
            appendAttribute("timestamp", unixSeconds)
            appendAttribute("uid", message.uid)
            appendAttribute("username", message.userName)
            appendAttribute("price", message.price)
            append(" type=\"")
            append(type)
            append("\"")
            appendAttribute("num", message.count)
            appendAttribute("giftname", message.giftName)
            append(">")
            Self.appendEscaped(content, attribute: false, to: &buffer)
            append("</s>\n")
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

    private func append(_ text: StaticString) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    private func appendAttribute(_ name: StaticString, _ value: Int64) {
        append(" ")
        append(name)
        append("=\"")
        appendInteger(value)
        append("\"")
    }

    private func appendAttribute(_ name: StaticString, _ value: String) {
        append(" ")
        append(name)
        append("=\"")
        Self.appendEscaped(value, attribute: true, to: &buffer)
        append("\"")
    }

    private func appendInteger(_ value: Int64) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }

    /// Seconds with three decimals, as `%.3f` writes them.
    private func appendThousandths(_ seconds: Double) {
        let thousandths = seconds.isFinite ? Int64(min(seconds * 1000, 9e15).rounded()) : 0
        appendInteger(thousandths / 1000)
        let fraction = thousandths % 1000
        buffer.append(UInt8(ascii: "."))
        buffer.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        buffer.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        buffer.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    /// Escapes markup and drops what XML 1.0 cannot carry at all (most C0 controls, U+FFFE, U+FFFF), so a
    /// viewer's message can never break the document. In attributes, tab and newlines become character
    /// references, since parsers would otherwise turn them into spaces.
    static func escaped(_ text: String, attribute: Bool) -> String {
        var out: [UInt8] = []
        appendEscaped(text, attribute: attribute, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `escaped` into a byte buffer. Works on UTF-8 bytes: every byte that needs a change is ASCII, and
    /// U+FFFE and U+FFFF are the only three-byte sequences starting EF BF BE and EF BF BF.
    static func appendEscaped(_ text: String, attribute: Bool, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var plainFrom = 0
            var index = 0
            func replace(with replacement: StaticString, skipping count: Int) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
                replacement.withUTF8Buffer { out.append(contentsOf: $0) }
                index += count
                plainFrom = index
            }
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "&"): replace(with: "&amp;", skipping: 1)
                case UInt8(ascii: "<"): replace(with: "&lt;", skipping: 1)
                case UInt8(ascii: ">"): replace(with: "&gt;", skipping: 1)
                case UInt8(ascii: "\"") where attribute: replace(with: "&quot;", skipping: 1)
                case UInt8(ascii: "\t") where attribute: replace(with: "&#9;", skipping: 1)
                case UInt8(ascii: "\n") where attribute: replace(with: "&#10;", skipping: 1)
                case UInt8(ascii: "\r"): replace(with: "&#13;", skipping: 1)
                case UInt8(ascii: "\t"), UInt8(ascii: "\n"): index += 1
                case 0..<0x20: replace(with: "", skipping: 1)
                case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBF
                    && (bytes[index + 2] == 0xBE || bytes[index + 2] == 0xBF):
                    replace(with: "", skipping: 3)
                default: index += 1
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
        }
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
