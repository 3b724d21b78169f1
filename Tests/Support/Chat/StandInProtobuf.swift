import Foundation

/// The protobuf wire format as far as Douyin's chat uses it, written for the stand-in: varints (type 0)
/// and length-delimited fields (type 2) for strings, bytes and nested messages.
enum StandInProtobuf {
    struct Writer {
        private(set) var bytes: [UInt8] = []

        private mutating func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 {
                bytes.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        mutating func uint(_ field: Int, _ value: UInt64) {
            varint(UInt64(field) << 3)
            varint(value)
        }

        mutating func bool(_ field: Int, _ value: Bool) { uint(field, value ? 1 : 0) }

        mutating func bytes(_ field: Int, _ value: [UInt8], lengthField: UInt64? = nil) {
            varint(UInt64(field) << 3 | 2)
            varint(lengthField ?? UInt64(value.count))
            bytes += value
        }

        mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

        mutating func message(_ field: Int, _ build: (inout Writer) -> Void) {
            var inner = Writer()
            build(&inner)
            bytes(field, inner.bytes)
        }
    }

    enum Value: Equatable {
        case varint(UInt64)
        case bytes([UInt8])
        var uint: UInt64? { if case .varint(let v) = self { v } else { nil } }
        var data: [UInt8]? { if case .bytes(let v) = self { v } else { nil } }
        var string: String? { data.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Fields in order (repeated fields appear repeatedly); nil for anything malformed or of a wire type
    /// the chat does not use.
    static func read(_ b: [UInt8]) -> [(field: Int, value: Value)]? {
        var fields: [(Int, Value)] = []
        var o = 0
        func varint() -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while o < b.count, shift < 64 {
                let byte = b[o]; o += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }
        while o < b.count {
            guard let key = varint(), key >> 3 > 0 else { return nil }
            switch key & 7 {
            case 0:
                guard let value = varint() else { return nil }
                fields.append((Int(key >> 3), .varint(value)))
            case 2:
                guard let length = varint(), length <= UInt64(b.count - o) else { return nil }
                fields.append((Int(key >> 3), .bytes(Array(b[o..<(o + Int(length))]))))
                o += Int(length)
            default:
                return nil
            }
        }
        return fields
    }
}
