/// Checks bytes against JSON's grammar (RFC 8259) in one pass without building anything, but for what
/// strings hold: a string is found by its closing quote, and reading it is lenient about escapes and
/// repairs invalid UTF-8, as a browser would. A chat message with one odd character is worth keeping;
/// what is not JSON at all (an HTML error page, a cut or garbled body) is refused.
struct JSONValidator {
    /// Deeper nesting than any platform sends; the bound keeps a hostile body from exhausting the stack.
    static let maxDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// Start and end (past the closing bracket) of each array and object checked, by ascending start.
    private(set) var containerSpans: [Int] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        containerSpans.reserveCapacity(Self.typicalSpanCount)
    }

    /// Room for the notes of a chat notification's containers (a Bilibili chat message has about 15),
    /// so that the array is not grown in steps for each one.
    private static let typicalSpanCount = 64

    /// Where the top-level value starts, when the bytes are exactly one JSON value between whitespace.
    mutating func document() -> Int? {
        skipWhitespace()
        let start = index
        guard value(depth: 0) else { return nil }
        skipWhitespace()
        return index == bytes.count ? start : nil
    }

    /// The byte at `index`; past the end a NUL, which JSON has nowhere outside strings, so every
    /// check fails on it as it should.
    private var current: UInt8 { index < bytes.count ? bytes[index] : 0 }

    private mutating func skipWhitespace() {
        while true {
            switch current {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) -> Bool {
        switch current {
        case UInt8(ascii: "{"): return depth < Self.maxDepth && object(depth: depth + 1)
        case UInt8(ascii: "["): return depth < Self.maxDepth && array(depth: depth + 1)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func object(depth: Int) -> Bool {
        let span = openSpan()
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") { return closeSpan(span) }
        while true {
            guard current == UInt8(ascii: "\""), string() else { return false }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            guard value(depth: depth) else { return false }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1; skipWhitespace()
            case UInt8(ascii: "}"): return closeSpan(span)
            default: return false
            }
        }
    }

    private mutating func array(depth: Int) -> Bool {
        let span = openSpan()
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { return closeSpan(span) }
        while true {
            guard value(depth: depth) else { return false }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1; skipWhitespace()
            case UInt8(ascii: "]"): return closeSpan(span)
            default: return false
            }
        }
    }

    /// Notes a container opening at `index`; returns where its end is to be noted.
    private mutating func openSpan() -> Int {
        containerSpans.append(index)
        containerSpans.append(0)
        return containerSpans.count - 1
    }

    /// Steps past the closing bracket at `index` and notes it as the end of the container.
    private mutating func closeSpan(_ span: Int) -> Bool {
        index += 1
        containerSpans[span] = index
        return true
    }

    private mutating func string() -> Bool {
        guard let end = JSONStringScanner.stringEnd(in: bytes, from: index + 1) else { return false }
        index = end
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// RFC 8259's number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Walked with a local
    /// index: numbers are most of a chat notification's tokens.
    private mutating func number() -> Bool {
        var at = index
        let end = bytes.count
        func isDigit(_ position: Int) -> Bool { position < end && bytes[position] &- UInt8(ascii: "0") < 10 }
        /// Past one or more digits from `position`, or nil when there is none.
        func digits(from position: Int) -> Int? {
            var past = position
            while isDigit(past) { past += 1 }
            return past > position ? past : nil
        }
        if at < end && bytes[at] == UInt8(ascii: "-") { at += 1 }
        if at < end && bytes[at] == UInt8(ascii: "0") {
            at += 1
        } else {
            guard let past = digits(from: at) else { return false }
            at = past
        }
        if at < end && bytes[at] == UInt8(ascii: ".") {
            guard let past = digits(from: at + 1) else { return false }
            at = past
        }
        if at < end && bytes[at] | 0x20 == UInt8(ascii: "e") {
            at += 1
            if at < end && (bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-")) { at += 1 }
            guard let past = digits(from: at) else { return false }
            at = past
        }
        index = at
        return true
    }
}
