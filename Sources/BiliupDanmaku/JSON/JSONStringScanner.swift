/// Scanning JSON strings eight bytes at a time. Chat JSON is mostly strings (Bilibili nests a whole JSON
/// document, escaped, in one of them), and every pass over it (checking, skipping, unescaping) spends its
/// time here.
enum JSONStringScanner {
    private static let lowBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    private static let quotes: UInt64 = 0x2222_2222_2222_2222
    private static let backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C
    /// A byte below 0x20 has none of these bits.
    private static let aboveControl: UInt64 = 0xE0E0_E0E0_E0E0_E0E0

    /// The high bit of each byte of `word` that is zero, and of no other (no carry crosses a byte:
    /// "Bit Twiddling Hacks", determine if a word has a zero byte, exact form).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~(((word & lowBits) &+ lowBits) | word | lowBits)
    }

    /// The high bit of each quote, backslash and control character in `word`.
    @inline(__always)
    private static func specialBytes(_ word: UInt64) -> UInt64 {
        zeroBytes(word ^ quotes) | zeroBytes(word ^ backslashes) | zeroBytes(word & aboveControl)
    }

    @inline(__always)
    private static func word(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: index, as: UInt64.self))
    }

    /// The index of the first quote, backslash or control character at or after `start`, or
    /// `bytes.count` when there is none.
    static func plainRunEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index + 8 <= bytes.count {
            let special = specialBytes(word(bytes, at: index))
            // Words load little-endian: the lowest bit set marks the first such byte.
            if special != 0 { return index + special.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return index }
            index += 1
        }
        return index
    }

    /// Just past the closing quote of the string whose content starts at `start` (after its opening
    /// quote), or nil when there is none. What lies between is not checked here: strings are read
    /// leniently (`JSONSkipper.string`), and a message with one odd escape is worth keeping.
    ///
    /// Eight bytes at a time: while no two backslashes touch, a quote right after a backslash is escaped
    /// and every other quote ends the string, which masks tell without visiting each quote (Bilibili's
    /// nested document escapes one in every dozen bytes). A word where backslashes touch is walked
    /// byte by byte.
    static func stringEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        // Whether the byte at `index` is escaped by a backslash before it.
        var escaped = false
        while index + 8 <= bytes.count {
            let value = word(bytes, at: index)
            let quoteBytes = zeroBytes(value ^ quotes)
            let backslashBytes = zeroBytes(value ^ backslashes)
            // The high bit of each byte that follows a backslash (the word's first: by the carry).
            let afterBackslash = backslashBytes << 8 | (escaped ? 0x80 : 0)
            if backslashBytes & afterBackslash == 0 {
                let ending = quoteBytes & ~afterBackslash
                if ending != 0 { return index + ending.trailingZeroBitCount / 8 + 1 }
                escaped = backslashBytes >> 63 != 0
            } else {
                for position in index..<index + 8 {
                    if let end = step(bytes[position], at: position, escaped: &escaped) { return end }
                }
            }
            index += 8
        }
        for position in index..<bytes.count {
            if let end = step(bytes[position], at: position, escaped: &escaped) { return end }
        }
        return nil
    }

    /// One byte of the byte-by-byte walk: the string's end when `byte` is its closing quote.
    @inline(__always)
    private static func step(_ byte: UInt8, at position: Int, escaped: inout Bool) -> Int? {
        if escaped {
            escaped = false
        } else if byte == UInt8(ascii: "\\") {
            escaped = true
        } else if byte == UInt8(ascii: "\"") {
            return position + 1
        }
        return nil
    }
}
