/// A value of Tencent's Tars (formerly JCE) serialization, which huya's WUP API speaks. The wire carries
/// each value's type, so values decode without a schema. Ours because Tars has no C or Swift library
/// packaged for Debian; Tencent's own is a C++ RPC framework with generated code per schema.
public enum TarsValue: Sendable, Equatable {
    /// Written in the fewest bytes that hold it; zero takes none.
    case int(Int64)
    case float(Float)
    case double(Double)
    /// Tars strings declare no encoding, so they are kept as bytes: whatever decodes encodes back the same.
    /// `.string("text")` and `text` convert to and from UTF-8.
    case string([UInt8])
    /// Tars' "simple list" of bytes (`vector<byte>`), distinct on the wire from a list of byte integers.
    case bytes([UInt8])
    /// Entries in wire order; keys may repeat on the wire, so this is not a dictionary.
    case map([(TarsValue, TarsValue)])
    case list([TarsValue])
    /// Fields as (tag, value), in wire order when decoded.
    case structure([(Int, TarsValue)])

    public static func string(_ text: String) -> TarsValue { .string(Array(text.utf8)) }

    /// A string's text, or nil when this is no string or its bytes are not UTF-8.
    public var text: String? {
        guard case .string(let bytes) = self else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    public static func == (lhs: TarsValue, rhs: TarsValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): a == b
        case (.float(let a), .float(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.map(let a), .map(let b)): a.elementsEqual(b) { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.list(let a), .list(let b)): a == b
        case (.structure(let a), .structure(let b)): a.elementsEqual(b) { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}

/// The type nibble of a Tars field head.
enum TarsWireType: UInt8 {
    case int8 = 0, int16, int32, int64, float, double, string1, string4, map, list, structBegin, structEnd, zero,
         simpleList
}
