/// A JSON document checked once and then read in place: a lookup scans the bytes for the asked-for key
/// or index and decodes only the values read. A chat notification is a kilobyte or more of which a decoder
/// reads a handful of fields; building the whole tree for each one (as `JSONDecoder` does) was 85 % of
/// the CPU a chat flood cost.
///
/// Reads are lenient the way platform JSON needs: a missing key, a wrong type or an index out of range
/// is nil, never a trap. With a duplicated key the first one counts.
struct ScannedJSON {
    let root: JSONElement

    /// Checks the whole text against JSON's grammar (nesting depth limited), so that lookups can skip
    /// values without checking them again.
    init(_ bytes: [UInt8]) throws(DanmakuDecodeError) {
        let valid = bytes.withUnsafeBufferPointer { buffer -> Int? in
            var validator = JSONValidator(bytes: buffer)
            return validator.document()
        }
        guard let start = valid else { throw .malformed("body is not JSON") }
        root = JSONElement(bytes: bytes, start: start)
    }
}

/// One value inside a `ScannedJSON`: its document's bytes (shared, not copied) and where the value starts.
struct JSONElement {
    private let bytes: [UInt8]
    private let start: Int

    fileprivate init(bytes: [UInt8], start: Int) {
        self.bytes = bytes
        self.start = start
    }

    private var first: UInt8 { bytes[start] }
    var isArray: Bool { first == UInt8(ascii: "[") }

    subscript(key: String) -> JSONElement? {
        guard first == UInt8(ascii: "{") else { return nil }
        let found = bytes.withUnsafeBufferPointer { buffer -> Int? in
            var key = key
            return key.withUTF8 { JSONSkipper(bytes: buffer).member(named: $0, inObjectAt: start) }
        }
        return found.map { JSONElement(bytes: bytes, start: $0) }
    }

    subscript(index: Int) -> JSONElement? {
        guard isArray, index >= 0 else { return nil }
        let found = bytes.withUnsafeBufferPointer { JSONSkipper(bytes: $0).element(index, inArrayAt: start) }
        return found.map { JSONElement(bytes: bytes, start: $0) }
    }

    /// An array's items in order; empty for anything else.
    var elements: [JSONElement] {
        guard isArray else { return [] }
        let starts = bytes.withUnsafeBufferPointer { JSONSkipper(bytes: $0).elementStarts(inArrayAt: start) }
        return starts.map { JSONElement(bytes: bytes, start: $0) }
    }

    var stringValue: String? {
        guard first == UInt8(ascii: "\"") else { return nil }
        return bytes.withUnsafeBufferPointer { JSONSkipper(bytes: $0).string(at: start) }
    }

    /// Platforms send some numbers as strings (uids above 2^53 in particular); a number with a fraction
    /// or beyond Int64 is truncated when it fits, nil when it does not.
    var int64Value: Int64? {
        if let string = stringValue { return Int64(string) }
        return bytes.withUnsafeBufferPointer { JSONSkipper(bytes: $0).integer(at: start) }
    }
}
