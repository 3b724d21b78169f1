import BiliupValues

/// Lenient reads of platform JSON: a missing key, a wrong type or an out-of-range index is nil, never a trap.
extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    /// Platforms send some numbers as strings (uids above 2^53 in particular).
    var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .number(let d): return d.isFinite && abs(d) < 9e18 ? Int64(d) : nil
        case .string(let s): return Int64(s)
        default: return nil
        }
    }
}
