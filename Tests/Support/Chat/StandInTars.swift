import Foundation

/// Tars (JCE) encoding as Huya's servers use it, written for the stand-in from the format's description:
/// each field is a head (`tag << 4 | type`, or `0xF0 | type` and a tag byte for tags ≥ 15) and a value.
/// Integers take the smallest type that holds them (0 as type 12, "zero"), big-endian; strings are type 6
/// (u8 length) or 7 (u32 length); bytes are a simple list (type 13: an element head, an int length, the
/// bytes); structs are type 10 … 11.
enum StandInTars {
    indirect enum Value: Equatable {
        case int(Int64)
        case string(String)
        case bytes([UInt8])
        case structure([Int: Value])
        case list([Value])

        var int: Int64? { if case .int(let v) = self { v } else { nil } }
        var string: String? { if case .string(let v) = self { v } else { nil } }
        var bytes: [UInt8]? { if case .bytes(let v) = self { v } else { nil } }
        var fields: [Int: Value]? { if case .structure(let v) = self { v } else { nil } }
    }

    struct Writer {
        private(set) var bytes: [UInt8] = []

        private mutating func head(_ tag: Int, _ type: UInt8) {
            if tag < 15 { bytes.append(UInt8(tag) << 4 | type) } else { bytes += [0xF0 | type, UInt8(tag)] }
        }

        mutating func int(_ tag: Int, _ value: Int64) {
            if value == 0 {
                head(tag, 12)
            } else if let v = Int8(exactly: value) {
                head(tag, 0); bytes.append(UInt8(bitPattern: v))
            } else if let v = Int16(exactly: value) {
                head(tag, 1); withUnsafeBytes(of: v.bigEndian) { bytes += $0 }
            } else if let v = Int32(exactly: value) {
                head(tag, 2); withUnsafeBytes(of: v.bigEndian) { bytes += $0 }
            } else {
                head(tag, 3); withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
            }
        }

        mutating func bool(_ tag: Int, _ value: Bool) { int(tag, value ? 1 : 0) }

        mutating func string(_ tag: Int, _ value: String, lengthField: UInt32? = nil) {
            let utf8 = Array(value.utf8)
            if utf8.count <= 255 && lengthField == nil {
                head(tag, 6); bytes.append(UInt8(utf8.count))
            } else {
                head(tag, 7); withUnsafeBytes(of: (lengthField ?? UInt32(utf8.count)).bigEndian) { bytes += $0 }
            }
            bytes += utf8
        }

        mutating func bytes(_ tag: Int, _ value: [UInt8], lengthField: Int64? = nil) {
            head(tag, 13)
            head(0, 0)  // element type: bytes
            int(0, lengthField ?? Int64(value.count))
            bytes += value
        }

        mutating func structure(_ tag: Int, _ build: (inout Writer) -> Void) {
            head(tag, 10)
            build(&self)
            head(0, 11)
        }
    }

    /// Reads fields until the end of `bytes` (or a struct end); nil for anything malformed.
    static func read(_ bytes: [UInt8]) -> [Int: Value]? {
        var offset = 0
        return readFields(bytes, &offset, inStruct: false)
    }

    private static func readFields(_ b: [UInt8], _ o: inout Int, inStruct: Bool) -> [Int: Value]? {
        var fields: [Int: Value] = [:]
        while o < b.count {
            guard let (tag, type) = readHead(b, &o) else { return nil }
            if type == 11 { return inStruct ? fields : nil }
            guard let value = readValue(b, &o, type: type) else { return nil }
            fields[tag] = value
        }
        return inStruct ? nil : fields
    }

    private static func readHead(_ b: [UInt8], _ o: inout Int) -> (Int, UInt8)? {
        guard o < b.count else { return nil }
        let first = b[o]; o += 1
        var tag = Int(first >> 4)
        if tag == 15 {
            guard o < b.count else { return nil }
            tag = Int(b[o]); o += 1
        }
        return (tag, first & 0x0F)
    }

    private static func readInt(_ b: [UInt8], _ o: inout Int, width: Int) -> Int64? {
        guard b.count - o >= width else { return nil }
        let raw = b[o..<(o + width)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        o += width
        let shift = UInt64(64 - width * 8)
        return Int64(bitPattern: raw << shift) >> Int64(shift)  // sign-extend
    }

    private static func readValue(_ b: [UInt8], _ o: inout Int, type: UInt8) -> Value? {
        switch type {
        case 0: return readInt(b, &o, width: 1).map(Value.int)
        case 1: return readInt(b, &o, width: 2).map(Value.int)
        case 2: return readInt(b, &o, width: 4).map(Value.int)
        case 3: return readInt(b, &o, width: 8).map(Value.int)
        case 12: return .int(0)
        case 6, 7:
            guard let length = readInt(b, &o, width: type == 6 ? 1 : 4).map({ type == 6 ? $0 & 0xFF : $0 & 0xFFFF_FFFF }),
                  b.count - o >= length else { return nil }
            defer { o += Int(length) }
            return .string(String(decoding: b[o..<(o + Int(length))], as: UTF8.self))
        case 10:
            return readFields(b, &o, inStruct: true).map(Value.structure)
        case 13:
            guard let (_, elementType) = readHead(b, &o), elementType == 0,
                  let (_, lengthType) = readHead(b, &o), let length = readValue(b, &o, type: lengthType)?.int,
                  length >= 0, b.count - o >= length else { return nil }
            defer { o += Int(length) }
            return .bytes(Array(b[o..<(o + Int(length))]))
        case 9:
            guard let (_, lengthType) = readHead(b, &o), let count = readValue(b, &o, type: lengthType)?.int,
                  count >= 0, count <= b.count else { return nil }
            var items: [Value] = []
            for _ in 0..<count {
                guard let (_, itemType) = readHead(b, &o), let item = readValue(b, &o, type: itemType) else { return nil }
                items.append(item)
            }
            return .list(items)
        case 8:
            guard let (_, lengthType) = readHead(b, &o), let count = readValue(b, &o, type: lengthType)?.int,
                  count >= 0, count <= b.count else { return nil }
            var items: [Value] = []
            for _ in 0..<(count * 2) {
                guard let (_, itemType) = readHead(b, &o), let item = readValue(b, &o, type: itemType) else { return nil }
                items.append(item)
            }
            return .list(items)
        default:
            return nil  // floats never occur in the frames the stand-in reads
        }
    }
}
