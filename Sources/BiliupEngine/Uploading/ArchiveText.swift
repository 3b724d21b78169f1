import Foundation

/// An archive's title, description or dynamic text from its template, in the way `output` names files:
/// strftime's conversions first (at the session's start, local time), then `{streamer}`, `{title}` and
/// `{url}`, so a stream title such as "100%d" stays as it was written. Unlike a file name, the text
/// keeps slashes and dots; only control characters (a line break in a stream title) become spaces in
/// one-line fields, which is the caller's choice of template text.
enum ArchiveText {
    /// strftime's buffer; a template's text is short, and a longer expansion is cut at a character.
    static let maxBytes = 4096

    static func render(_ template: String, values: [String: String], at date: Date) -> String {
        fillIn(strftime(template, date), values)
    }

    private static func strftime(_ text: String, _ date: Date) -> String {
        guard text.contains("%") else { return text }
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: maxBytes + 1)
        // A mark at the end makes the expansion non-empty, so 0 can only mean "does not fit".
        guard Foundation.strftime(&buffer, buffer.count, text + "|", &parts) > 0 else { return text }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(String(decoding: bytes, as: UTF8.self).dropLast())
    }

    private static func fillIn(_ text: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let key = String(rest[rest.index(after: open)..<close])
            if let v = values[key] { out += v.replacingOccurrences(of: "\n", with: " ") } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
