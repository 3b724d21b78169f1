/// The XML writer's pending output: a growable byte buffer written to directly, since in a chat flood
/// every message appends a dozen pieces and an array's per-append checks were a third of the writer's
/// cost. Text is escaped on the way in.
final class XMLOutputBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64 << 10) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The bytes appended since the last `removeAll`, valid until the next append.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

    func removeAll() { count = 0 }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = grown
    }

    func append(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        reserve(raw.count)
        UnsafeMutableRawPointer(storage + count).copyMemory(from: base, byteCount: raw.count)
        count += raw.count
    }

    func append(_ text: StaticString) {
        text.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// A decimal integer.
    func append(_ value: Int64) {
        reserve(20)
        if value < 0 {
            storage[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var limit: UInt64 = 10
        while digits < 20 && magnitude >= limit {
            digits += 1
            limit = limit.multipliedReportingOverflow(by: 10).partialValue
        }
        var position = count + digits
        count = position
        repeat {
            position -= 1
            storage[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    /// Seconds (negative ones as 0) with three decimals, as `%.3f` writes them.
    func appendThousandths(_ seconds: Double) {
        let thousandths = seconds.isFinite ? Int64(min(max(seconds, 0) * 1000, 9e15).rounded()) : 0
        append(thousandths / 1000)
        let fraction = thousandths % 1000
        reserve(4)
        storage[count] = UInt8(ascii: ".")
        storage[count + 1] = UInt8(ascii: "0") + UInt8(fraction / 100)
        storage[count + 2] = UInt8(ascii: "0") + UInt8(fraction / 10 % 10)
        storage[count + 3] = UInt8(ascii: "0") + UInt8(fraction % 10)
        count += 4
    }

    /// `text` with markup escaped and what XML 1.0 cannot carry at all dropped (most C0 controls,
    /// U+FFFE, U+FFFF), so that a viewer's message can never break the document. In attributes, tab and
    /// newlines become character references, since parsers would otherwise turn them into spaces. Works
    /// on UTF-8 bytes: every byte that needs a change is ASCII, and U+FFFE and U+FFFF are the only
    /// three-byte sequences starting EF BF BE and EF BF BF.
    func appendEscaped(_ text: String, attribute: Bool) {
        var text = text
        text.withUTF8 { bytes in
            var plainFrom = 0
            var index = 0
            func replace(with replacement: StaticString, skipping length: Int) {
                append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[plainFrom..<index])))
                append(replacement)
                index += length
                plainFrom = index
            }
            while index < bytes.count {
                let byte = bytes[index]
                // Most bytes are plain text: one comparison each.
                if byte > UInt8(ascii: ">") && byte != 0xEF {
                    index += 1
                    continue
                }
                switch byte {
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
            append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[plainFrom..<index])))
        }
    }
}
