/// A JSON document checked once and then read in place: a lookup scans the bytes for the asked-for key
/// or index and decodes only the values read. A chat notification is a kilobyte or more of which a decoder
/// reads a handful of fields; building the whole tree for each one (as `JSONDecoder` does) was 85 % of
/// the CPU a chat flood cost.
///
/// Reads are lenient the way platform JSON needs: a missing key, a wrong type or an index out of range
/// is nil, never a trap. With a duplicated key the first one counts.
struct ScannedJSON {
    let root: JSONElement

    /// Checks the text against JSON's grammar (`JSONValidator`; nesting depth limited), so that lookups
    /// can skip values without checking them again; where each array and object ends is noted on the
    /// way, so that skipping one costs a lookup rather than a pass over its bytes.
    init(_ bytes: [UInt8]) throws(DanmakuDecodeError) {
        let checked = bytes.withUnsafeBufferPointer { buffer -> (start: Int, spans: [Int])? in
            var validator = JSONValidator(bytes: buffer)
            return validator.document().map { ($0, validator.containerSpans) }
        }
        guard let checked else { throw .malformed("body is not JSON") }
        root = JSONElement(text: JSONText(bytes: bytes, containerSpans: checked.spans), start: checked.start)
    }
}

/// A validated document's bytes and where its arrays and objects end.
private final class JSONText {
    let bytes: [UInt8]
    /// Start and end (past the closing bracket) of every array and object, by ascending start.
    let containerSpans: [Int]

    init(bytes: [UInt8], containerSpans: [Int]) {
        self.bytes = bytes
        self.containerSpans = containerSpans
    }

    func read<T>(_ body: (JSONSkipper) -> T) -> T {
        bytes.withUnsafeBufferPointer { bytes in
            containerSpans.withUnsafeBufferPointer { body(JSONSkipper(bytes: bytes, containerSpans: $0)) }
        }
    }
}

/// One value inside a `ScannedJSON`: its document (shared, not copied) and where the value starts.
struct JSONElement {
    private let text: JSONText
    private let start: Int

    fileprivate init(text: JSONText, start: Int) {
        self.text = text
        self.start = start
    }

    private var first: UInt8 { text.bytes[start] }
    var isArray: Bool { first == UInt8(ascii: "[") }

    subscript(key: String) -> JSONElement? {
        guard isObject else { return nil }
        var key = key
        let found = key.withUTF8 { name in text.read { $0.member(named: name, inObjectAt: start) } }
        return found.map { JSONElement(text: text, start: $0) }
    }

    subscript(index: Int) -> JSONElement? {
        guard isArray, index >= 0 else { return nil }
        let found = text.read { $0.element(index, inArrayAt: start) }
        return found.map { JSONElement(text: text, start: $0) }
    }

    /// An array's items in order; empty for anything else.
    var elements: [JSONElement] {
        guard isArray else { return [] }
        var items: [JSONElement] = []
        text.read { skipper in
            skipper.forEachElementStart(inArrayAt: start, limit: .max) { items.append(JSONElement(text: text, start: $0)) }
        }
        return items
    }

    /// An array's first `count` items (fewer when it has fewer; at most `JSONItems.capacity`): one walk
    /// for several reads, where each subscript would skip every item before its own.
    func prefix(_ count: Int) -> JSONItems {
        var items = JSONItems(text: text)
        guard isArray else { return items }
        text.read { $0.forEachElementStart(inArrayAt: start, limit: min(count, JSONItems.capacity)) { items.add($0) } }
        return items
    }

    var stringValue: String? {
        guard first == UInt8(ascii: "\"") else { return nil }
        return text.read { $0.string(at: start) }
    }

    /// A string's UTF-8 bytes, escapes decoded: for a string that holds JSON of its own.
    var stringBytes: [UInt8]? {
        guard first == UInt8(ascii: "\"") else { return nil }
        return text.read { $0.stringBytes(at: start) }
    }

    var isObject: Bool { first == UInt8(ascii: "{") }

    /// Platforms send some numbers as strings (uids above 2^53 in particular); a number with a fraction
    /// or beyond Int64 is truncated when it fits, nil when it does not.
    var int64Value: Int64? {
        if let string = stringValue { return Int64(string) }
        return text.read { $0.integer(at: start) }
    }
}

/// Items of an array found in one walk, kept inline: a decoder takes a few of these per message, and an
/// array for each was an allocation per read.
struct JSONItems {
    static let capacity = 16

    fileprivate let text: JSONText
    private var starts: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private(set) var count = 0

    fileprivate init(text: JSONText) {
        self.text = text
    }

    fileprivate mutating func add(_ start: Int) {
        guard count < Self.capacity else { return }
        withUnsafeMutableBytes(of: &starts) {
            $0.storeBytes(of: start, toByteOffset: count * MemoryLayout<Int>.stride, as: Int.self)
        }
        count += 1
    }

    /// The item at `index`, or nil past the end.
    subscript(index: Int) -> JSONElement? {
        guard index >= 0 && index < count else { return nil }
        let start = withUnsafeBytes(of: starts) {
            $0.load(fromByteOffset: index * MemoryLayout<Int>.stride, as: Int.self)
        }
        return JSONElement(text: text, start: start)
    }
}
