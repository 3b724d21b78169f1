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
        /// The origin's time of the first frame (HLS EXT-X-PROGRAM-DATE-TIME), where the stream has one.
        public var programDateTime: Date?

        public init(room: String, platform: String, segmentStart: Date, offset: Double, programDateTime: Date? = nil) {
            self.room = room
            self.platform = platform
            self.segmentStart = segmentStart
            self.offset = offset
            self.programDateTime = programDateTime
        }

        /// Seconds the segment's start on this machine's clock trails the origin's time of its first frame.
        public var latency: Double? { programDateTime.map { segmentStart.timeIntervalSince($0) } }
    }

    private let handle: FileHandle
    private let origin: Date
    private let detail: Bool
    private let buffer = XMLOutputBuffer()
    private var finished = false
    public private(set) var messageCount = 0

    public init(handle: FileHandle, header: Header, detail: Bool) throws {
        self.handle = handle
        self.origin = header.segmentStart
        self.detail = detail
        buffer.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<i>\n\(Self.headerLine(header))" as String)
        try flush()
    }

    /// The comment line that names the room, platform, segment start and offset (third line of a file).
    static func headerLine(_ header: Header) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let start = formatter.string(from: header.segmentStart)
        var note = "room: \(header.room), platform: \(header.platform), segment start: \(start), "
            + "offset: \(String(format: "%.3f", header.offset)) s"
        if let stamped = header.programDateTime, let latency = header.latency {
            note += ", program date time: \(formatter.string(from: stamped)), latency: \(String(format: "%.3f", latency)) s"
        }
        return "\t<!-- \(commentSafe(note)) -->\n"
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
            buffer.appendEscaped(message.text, attribute: false)
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
            buffer.appendEscaped(content, attribute: false)
            append("</s>\n")
        }
        messageCount += 1
        return true
    }

    /// A note for readers of the file at this point (a chat gap, what a segment holds), as an XML comment.
    public func comment(_ text: String) {
        precondition(!finished, "comment after finish")
        buffer.append("\t<!-- \(Self.commentSafe(text)) -->\n" as String)
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer.bytes)
        buffer.removeAll()
    }

    /// Closes the root element and writes everything out; the file is a complete document afterwards.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        append("</i>\n")
        try flush()
    }

    private func append(_ text: StaticString) { buffer.append(text) }
    private func appendInteger(_ value: Int64) { buffer.append(value) }
    private func appendThousandths(_ seconds: Double) { buffer.appendThousandths(seconds) }

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
        buffer.appendEscaped(value, attribute: true)
        append("\"")
    }

    /// `text` as it is written into the document (`XMLOutputBuffer.appendEscaped`).
    static func escaped(_ text: String, attribute: Bool) -> String {
        let out = XMLOutputBuffer(capacity: text.utf8.count + 16)
        out.appendEscaped(text, attribute: attribute)
        return String(decoding: out.bytes, as: UTF8.self)
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
