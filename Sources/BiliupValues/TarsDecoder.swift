/// Why bytes are not Tars: where decoding stopped and what was wrong there.
public struct TarsDecodingError: Error, Equatable, CustomStringConvertible {
    /// Byte offset of the head or value that could not be read.
    public let offset: Int
    public let reason: String

    public var description: String { "Tars: at byte \(offset): \(reason)" }
}

extension Tars {
    /// Containers nested deeper than this are refused, so hostile input cannot exhaust the stack.
    public static let maxNestingDepth = 64

    /// Decodes a struct body (the inverse of `encode`) to its fields in wire order. Strings stay bytes (see
    /// `TarsValue.string`); huya's are ASCII, so `text` reads them.
    public static func decode(_ bytes: [UInt8]) throws(TarsDecodingError) -> [(Int, TarsValue)] {
        var reader = TarsReader(bytes: bytes)
        return try reader.readFields(depth: 0)
    }
}

struct TarsReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Fields up to the end of the input at depth 0, else up to and including a STRUCT_END.
    mutating func readFields(depth: Int) throws(TarsDecodingError) -> [(Int, TarsValue)] {
        var fields: [(Int, TarsValue)] = []
        while depth > 0 || offset < bytes.count {
            let start = offset
            let (tag, type) = try readHead()
            if type == TarsWireType.structEnd.rawValue {
                guard depth > 0 else { throw TarsDecodingError(offset: start, reason: "STRUCT_END outside a struct") }
                return fields
            }
            fields.append((tag, try readValue(type: type, at: start, depth: depth)))
        }
        return fields
    }

    private mutating func readHead() throws(TarsDecodingError) -> (tag: Int, type: UInt8) {
        let first = try readByte()
        let tag = first >> 4
        return (tag == 15 ? Int(try readByte()) : Int(tag), first & 0x0f)
    }

    /// A value whose head (type `type`, starting at `start`) has been read.
    private mutating func readValue(type: UInt8, at start: Int, depth: Int) throws(TarsDecodingError) -> TarsValue {
        guard let wireType = TarsWireType(rawValue: type) else {
            throw TarsDecodingError(offset: start, reason: "unknown type \(type)")
        }
        switch wireType {
        case .zero, .int8, .int16, .int32, .int64:
            return .int(try readInteger(wireType))
        case .float:
            return .float(Float(bitPattern: try readBigEndian(UInt32.self)))
        case .double:
            return .double(Double(bitPattern: try readBigEndian(UInt64.self)))
        case .string1:
            let length = Int(try readByte())
            return .string(Array(try take(length)))
        case .string4:
            let length = Int(try readBigEndian(UInt32.self))
            return .string(Array(try take(length)))
        case .simpleList:
            let elementStart = offset
            guard try readHead().type == TarsWireType.int8.rawValue else {
                throw TarsDecodingError(offset: elementStart, reason: "simple list of other elements than bytes")
            }
            let length = try readCount(bytesPerElement: 1)
            return .bytes(Array(try take(length)))
        case .map:
            try checkDepth(depth, at: start)
            let count = try readCount(bytesPerElement: 2)
            var entries: [(TarsValue, TarsValue)] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let key = try readElement(tag: 0, depth: depth + 1)
                entries.append((key, try readElement(tag: 1, depth: depth + 1)))
            }
            return .map(entries)
        case .list:
            try checkDepth(depth, at: start)
            let count = try readCount(bytesPerElement: 1)
            var elements: [TarsValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try readElement(tag: 0, depth: depth + 1)) }
            return .list(elements)
        case .structBegin:
            try checkDepth(depth, at: start)
            return .structure(try readFields(depth: depth + 1))
        case .structEnd:
            throw TarsDecodingError(offset: start, reason: "STRUCT_END where a value belongs")
        }
    }

    /// A list element or map key/value, which must carry `tag`.
    private mutating func readElement(tag: Int, depth: Int) throws(TarsDecodingError) -> TarsValue {
        let start = offset
        let head = try readHead()
        guard head.tag == tag else {
            throw TarsDecodingError(offset: start, reason: "tag \(head.tag) where tag \(tag) belongs")
        }
        return try readValue(type: head.type, at: start, depth: depth)
    }

    /// The element count of a container; a count the remaining input cannot hold is refused before any
    /// memory is reserved for it.
    private mutating func readCount(bytesPerElement: Int) throws(TarsDecodingError) -> Int {
        let start = offset
        let head = try readHead()
        guard head.tag == 0, let type = TarsWireType(rawValue: head.type),
              [.zero, .int8, .int16, .int32, .int64].contains(type) else {
            throw TarsDecodingError(offset: start, reason: "a length that is not an integer with tag 0")
        }
        let count = try readInteger(type)
        guard count >= 0, count <= (bytes.count - offset) / bytesPerElement else {
            throw TarsDecodingError(offset: start, reason: "length \(count) with \(bytes.count - offset) bytes left")
        }
        return Int(count)
    }

    private mutating func readInteger(_ type: TarsWireType) throws(TarsDecodingError) -> Int64 {
        switch type {
        case .int8: Int64(Int8(bitPattern: try readByte()))
        case .int16: Int64(Int16(bitPattern: try readBigEndian(UInt16.self)))
        case .int32: Int64(Int32(bitPattern: try readBigEndian(UInt32.self)))
        case .int64: Int64(bitPattern: try readBigEndian(UInt64.self))
        default: 0  // .zero: callers pass integer types only
        }
    }

    private func checkDepth(_ depth: Int, at start: Int) throws(TarsDecodingError) {
        guard depth < Tars.maxNestingDepth else {
            throw TarsDecodingError(offset: start, reason: "nested deeper than \(Tars.maxNestingDepth)")
        }
    }

    private mutating func readBigEndian<T: FixedWidthInteger>(_: T.Type) throws(TarsDecodingError) -> T {
        try take(MemoryLayout<T>.size).reduce(0) { $0 << 8 | T($1) }
    }

    private mutating func readByte() throws(TarsDecodingError) -> UInt8 {
        try readBigEndian(UInt8.self)
    }

    private mutating func take(_ count: Int) throws(TarsDecodingError) -> ArraySlice<UInt8> {
        guard count <= bytes.count - offset else {
            throw TarsDecodingError(offset: offset, reason: "input ends \(count - (bytes.count - offset)) bytes short")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}
