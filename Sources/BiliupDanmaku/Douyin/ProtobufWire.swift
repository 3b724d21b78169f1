/// Just enough of the protobuf wire format for Douyin's chat: reading the fields of a message without its
/// schema, and writing the few client frames. Ours because the messages read are few and shallow, and a
/// generated-code library (swift-protobuf) would add a package and a code generator for five fields.
public enum ProtobufWire {
    /// A field's value as the wire carries it; which Swift type it becomes is the schema's business.
    public enum Value: Sendable, Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    public struct Field: Sendable, Equatable {
        public var number: Int
        public var value: Value
    }

    /// The fields of one message in wire order. Groups (wire types 3 and 4, long deprecated and unused by
    /// Douyin), field number 0, over-long varints and lengths past the end are errors.
    public static func fields(_ bytes: ArraySlice<UInt8>) throws(DanmakuDecodeError) -> [Field] {
        var reader = Reader(bytes: bytes)
        var fields: [Field] = []
        while !reader.atEnd {
            let key = try reader.varint()
            let number = key >> 3
            guard number > 0, number <= 536_870_911 else { throw DanmakuDecodeError.malformed("protobuf field number \(number)") }
            let value: Value
            switch key & 7 {
            case 0: value = .varint(try reader.varint())
            case 1: value = .fixed64(try reader.littleEndian(UInt64.self))
            case 2:
                let length = try reader.varint()
                guard length <= UInt64(reader.remaining) else { throw DanmakuDecodeError.truncated }
                value = .bytes(try reader.take(Int(length)))
            case 5: value = .fixed32(try reader.littleEndian(UInt32.self))
            default: throw DanmakuDecodeError.malformed("protobuf wire type \(key & 7)")
            }
            fields.append(Field(number: Int(number), value: value))
        }
        return fields
    }

    private struct Reader {
        let bytes: ArraySlice<UInt8>
        var offset: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            offset = bytes.startIndex
        }

        var atEnd: Bool { offset >= bytes.endIndex }
        var remaining: Int { bytes.endIndex - offset }

        /// At most 10 bytes, as a 64-bit value needs.
        mutating func varint() throws(DanmakuDecodeError) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<10 {
                guard offset < bytes.endIndex else { throw DanmakuDecodeError.truncated }
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7f) << (7 * UInt64(index))
                if byte & 0x80 == 0 { return value }
            }
            throw DanmakuDecodeError.malformed("protobuf varint longer than 10 bytes")
        }

        mutating func littleEndian<T: FixedWidthInteger>(_: T.Type) throws(DanmakuDecodeError) -> T {
            try take(MemoryLayout<T>.size).reversed().reduce(0) { $0 << 8 | T($1) }
        }

        mutating func take(_ count: Int) throws(DanmakuDecodeError) -> ArraySlice<UInt8> {
            guard count <= remaining else { throw DanmakuDecodeError.truncated }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
    }

    /// Writes fields in the order they are added (protobuf readers accept any order).
    public struct Writer: Sendable {
        public private(set) var encoded: [UInt8] = []

        public init() {}

        public mutating func varint(_ number: Int, _ value: UInt64) {
            key(number, wireType: 0)
            appendVarint(value)
        }

        public mutating func bytes(_ number: Int, _ value: some Collection<UInt8>) {
            key(number, wireType: 2)
            appendVarint(UInt64(value.count))
            encoded.append(contentsOf: value)
        }

        public mutating func string(_ number: Int, _ value: String) {
            bytes(number, Array(value.utf8))
        }

        private mutating func key(_ number: Int, wireType: UInt64) {
            precondition(number > 0, "protobuf field numbers start at 1")
            appendVarint(UInt64(number) << 3 | wireType)
        }

        private mutating func appendVarint(_ value: UInt64) {
            var rest = value
            while rest >= 0x80 {
                encoded.append(UInt8(rest & 0x7f) | 0x80)
                rest >>= 7
            }
            encoded.append(UInt8(rest))
        }
    }
}

/// Looking up a message's fields by number (the first occurrence; repeated fields through `all`).
struct ProtobufFields {
    let fields: [ProtobufWire.Field]

    init(_ bytes: ArraySlice<UInt8>) throws(DanmakuDecodeError) {
        fields = try ProtobufWire.fields(bytes)
    }

    func all(_ number: Int) -> [ProtobufWire.Value] {
        fields.compactMap { $0.number == number ? $0.value : nil }
    }

    func varint(_ number: Int) -> UInt64? {
        for case .varint(let v) in all(number) { return v }
        return nil
    }

    func bytes(_ number: Int) -> ArraySlice<UInt8>? {
        for case .bytes(let v) in all(number) { return v }
        return nil
    }

    /// A string field, with bytes that are not UTF-8 replaced.
    func text(_ number: Int) -> String? {
        bytes(number).map { String(decoding: $0, as: UTF8.self) }
    }

    func message(_ number: Int) throws(DanmakuDecodeError) -> ProtobufFields? {
        guard let body = bytes(number) else { return nil }
        return try ProtobufFields(body)
    }
}
