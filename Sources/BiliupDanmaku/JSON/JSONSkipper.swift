/// Moves through JSON that `JSONValidator` has accepted: finds an object's member or an array's item by
/// skipping the values before it, and decodes strings and integers. Every loop still stops at the end of
/// the bytes, so text that was never validated reads as nothing rather than out of bounds.
struct JSONSkipper {
    let bytes: UnsafeBufferPointer<UInt8>

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

    func elementStarts(inArrayAt start: Int) -> [Int] {
        var starts: [Int] = []
        var index = skipWhitespace(from: start + 1)
        while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
            starts.append(index)
            index = nextItem(after: valueEnd(from: index))
        }
        return starts
    }

    /// The string starting at `start` (its opening quote), escapes decoded. A lone surrogate escape
    /// becomes U+FFFD, as invalid UTF-8 does.
    func string(at start: Int) -> String {
        let end = stringEnd(from: start)
        let contentEnd = max(start + 1, end - 1)
        let content = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<contentEnd])
        guard content.contains(UInt8(ascii: "\\")) else { return String(decoding: content, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var index = 0
        func flushUTF8() {
            guard !utf8.isEmpty else { return }
            scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
            utf8.removeAll(keepingCapacity: true)
        }
        while index < content.count {
            let byte = content[index]
            index += 1
            guard byte == UInt8(ascii: "\\"), index < content.count else {
                utf8.append(byte)
                continue
            }
            let escaped = content[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                flushUTF8()
                scalars.append(unicodeEscape(in: content, at: &index))
            default: utf8.append(escaped)
            }
        }
        flushUTF8()
        return String(scalars)
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

    static func hexValue(_ byte: UInt8) -> UInt8? {
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
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return bytes.count
    }

    /// Just past the value starting at `start`.
    private func valueEnd(from start: Int) -> Int {
        guard start < bytes.count else { return start }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index = stringEnd(from: index)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            return bytes.count
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

    /// Whether the key string from `start` (its opening quote) to `end` (past its closing one) is `name`.
    private func keyMatches(_ name: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        let raw = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<max(start + 1, end - 1)])
        if !raw.contains(UInt8(ascii: "\\")) { return raw.elementsEqual(name) }
        return string(at: start).utf8.elementsEqual(name)
    }
}
