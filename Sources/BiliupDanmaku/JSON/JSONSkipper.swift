/// Moves through JSON that `JSONValidator` has accepted: finds an object's member or an array's item by
/// skipping the values before it, and decodes strings and integers. Every loop still stops at the end of
/// the bytes, never reading out of bounds.
struct JSONSkipper {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The validator's notes: start and end of every array and object, by ascending start.
    let containerSpans: UnsafeBufferPointer<Int>

    /// Where the value of member `name` starts, in the object starting at `start`.
    func member(named name: UnsafeBufferPointer<UInt8>, inObjectAt start: Int) -> Int? {
        var index = skipWhitespace(from: start + 1)
        while index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            let keyEnd = stringEnd(from: index)
            let matches = keyMatches(name, from: index, to: keyEnd)
            index = skipWhitespace(from: keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index = skipWhitespace(from: index + 1)
            if matches { return index < bytes.count ? index : nil }
            index = nextItem(after: valueEnd(from: index))
        }
        return nil
    }

    /// Where item `position` starts, in the array starting at `start`.
    func element(_ position: Int, inArrayAt start: Int) -> Int? {
        var index = skipWhitespace(from: start + 1)
        var remaining = position
        while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
            if remaining == 0 { return index }
            remaining -= 1
            index = nextItem(after: valueEnd(from: index))
        }
        return nil
    }

    /// Calls `body` with where each of the array's first `limit` items starts, in order.
    func forEachElementStart(inArrayAt start: Int, limit: Int, _ body: (Int) -> Void) {
        var index = skipWhitespace(from: start + 1)
        var found = 0
        while found < limit, index < bytes.count, bytes[index] != UInt8(ascii: "]") {
            body(index)
            found += 1
            index = nextItem(after: valueEnd(from: index))
        }
    }

    /// The string starting at `start` (its opening quote), escapes decoded, leniently: a lone
    /// surrogate or a malformed `\u` becomes U+FFFD (as invalid UTF-8 does), an escape JSON does not
    /// have stands for the character escaped.
    func string(at start: Int) -> String {
        let content = contents(ofStringAt: start)
        guard JSONStringScanner.plainRunEnd(in: content, from: 0) < content.count else {
            return String(decoding: content, as: UTF8.self)
        }
        // Decoded straight into the string's storage, which repairs invalid UTF-8.
        return String(unsafeUninitializedCapacity: Self.unescapedCapacity(content)) { unescape(content, into: $0) }
    }

    /// The UTF-8 bytes of the string starting at `start`, escapes decoded.
    func stringBytes(at start: Int) -> [UInt8] {
        let content = contents(ofStringAt: start)
        return [UInt8](unsafeUninitializedCapacity: Self.unescapedCapacity(content)) {
            $1 = unescape(content, into: $0)
        }
    }

    /// The bytes between the string's quotes.
    private func contents(ofStringAt start: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[(start + 1)..<max(start + 1, stringEnd(from: start) - 1)])
    }

    /// Decoded text is at most half as long again as its escaped form: an escape of two bytes gives one,
    /// `\uXXXX` (six) at most three, a surrogate pair (twelve) four; only a malformed `\u` (two bytes)
    /// gives more, U+FFFD's three.
    private static func unescapedCapacity(_ content: UnsafeBufferPointer<UInt8>) -> Int {
        content.count + content.count / 2 + 1
    }

    /// Writes `content` with its escapes decoded into `out` (of `unescapedCapacity`); returns the length.
    private func unescape(_ content: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var written = 0
        var index = 0
        while index < content.count {
            let runEnd = JSONStringScanner.plainRunEnd(in: content, from: index)
            if runEnd > index {
                UnsafeMutableRawPointer(out.baseAddress! + written)
                    .copyMemory(from: content.baseAddress! + index, byteCount: runEnd - index)
                written += runEnd - index
                index = runEnd
            }
            guard index < content.count else { break }
            let byte = content[index]
            index += 1
            guard byte == UInt8(ascii: "\\"), index < content.count else {
                out[written] = byte
                written += 1
                continue
            }
            let escaped = content[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "b"): out[written] = 0x08
            case UInt8(ascii: "f"): out[written] = 0x0C
            case UInt8(ascii: "n"): out[written] = 0x0A
            case UInt8(ascii: "r"): out[written] = 0x0D
            case UInt8(ascii: "t"): out[written] = 0x09
            case UInt8(ascii: "u"):
                UTF8.encode(unicodeEscape(in: content, at: &index)) { unit in
                    out[written] = unit
                    written += 1
                }
                continue
            default: out[written] = escaped
            }
            written += 1
        }
        return written
    }

    /// `\uXXXX` (the index just past the `u`), with a following `\uXXXX` low surrogate when this is a
    /// high one.
    private func unicodeEscape(in content: UnsafeBufferPointer<UInt8>, at index: inout Int) -> Unicode.Scalar {
        guard let unit = hexQuad(in: content, at: index) else { return "\u{FFFD}" }
        index += 4
        if (0xD800..<0xDC00).contains(unit), index + 6 <= content.count,
           content[index] == UInt8(ascii: "\\"), content[index + 1] == UInt8(ascii: "u"),
           let low = hexQuad(in: content, at: index + 2), (0xDC00..<0xE000).contains(low) {
            index += 6
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
        }
        return Unicode.Scalar(unit) ?? "\u{FFFD}"
    }

    private func hexQuad(in content: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32? {
        guard index + 4 <= content.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = Self.hexValue(content[index + offset]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The number starting at `start` as an integer: exact for integers within Int64, truncated toward
    /// zero for others below 9e18 in size, nil for anything else.
    func integer(at start: Int) -> Int64? {
        let end = valueEnd(from: start)
        var index = start
        let negative = index < end && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var magnitude: UInt64 = 0
        var exact = index < end
        while index < end {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { exact = false; break }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { exact = false; break }
            magnitude = sum
            index += 1
        }
        if exact {
            if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
            if magnitude <= UInt64(Int64.max) { return Int64(magnitude) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        guard let double = Double(text), double.isFinite, abs(double) < 9e18 else { return nil }
        return Int64(double)
    }

    // MARK: - Skipping

    private func skipWhitespace(from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    /// Past the `,` that follows a value (or at the closing bracket when none does).
    private func nextItem(after end: Int) -> Int {
        let index = skipWhitespace(from: end)
        guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return index }
        return skipWhitespace(from: index + 1)
    }

    /// Just past the closing quote of the string whose opening quote is at `start`.
    private func stringEnd(from start: Int) -> Int {
        JSONStringScanner.stringEnd(in: bytes, from: start + 1) ?? bytes.count
    }

    /// Just past the value starting at `start`.
    private func valueEnd(from start: Int) -> Int {
        guard start < bytes.count else { return start }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return containerEnd(startingAt: start)
        default:
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return index
                default: index += 1
                }
            }
            return index
        }
    }

    /// A binary search of the validator's notes; the end of the bytes for a start it did not note.
    private func containerEnd(startingAt start: Int) -> Int {
        var low = 0
        var high = containerSpans.count / 2
        while low < high {
            let middle = (low + high) / 2
            let noted = containerSpans[middle * 2]
            if noted == start { return containerSpans[middle * 2 + 1] }
            if noted < start { low = middle + 1 } else { high = middle }
        }
        return bytes.count
    }

    /// Whether the key string from `start` (its opening quote) to `end` (past its closing one) is `name`.
    private func keyMatches(_ name: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        let raw = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<max(start + 1, end - 1)])
        if raw.count == name.count && raw.elementsEqual(name) { return true }
        // A key written with escapes can still be the name.
        return raw.contains(UInt8(ascii: "\\")) && string(at: start).utf8.elementsEqual(name)
    }
}
