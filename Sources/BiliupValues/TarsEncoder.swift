public enum Tars {
    /// Encodes the fields of a struct body (no STRUCT_BEGIN/END around it), as WUP requests carry them.
    /// Fields are written in ascending tag order, which Tars readers rely on; equal tags keep their order.
    /// Tags must be 0...255.
    public static func encode(_ fields: [(Int, TarsValue)]) -> [UInt8] {
        var writer = TarsWriter()
        writer.writeFields(fields)
        return writer.bytes
    }
}

struct TarsWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeFields(_ fields: [(Int, TarsValue)]) {
        let ordered = fields.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
        for (_, (tag, value)) in ordered { write(value, tag: tag) }
    }

    mutating func write(_ value: TarsValue, tag: Int) {
        switch value {
        case .int(let v):
            writeInt(v, tag: tag)
        case .float(let v):
            writeHead(tag, .float)
            writeBigEndian(v.bitPattern)
        case .double(let v):
            writeHead(tag, .double)
            writeBigEndian(v.bitPattern)
        case .string(let v):
            if v.count <= Int(UInt8.max) {
                writeHead(tag, .string1)
                bytes.append(UInt8(v.count))
            } else {
                precondition(v.count <= Int32.max, "a Tars string holds at most 2^31 - 1 bytes")
                writeHead(tag, .string4)
                writeBigEndian(UInt32(v.count))
            }
            bytes += v
        case .bytes(let v):
            writeHead(tag, .simpleList)
            writeHead(0, .int8)  // the element type
            writeInt(Int64(v.count), tag: 0)
            bytes += v
        case .map(let entries):
            writeHead(tag, .map)
            writeInt(Int64(entries.count), tag: 0)
            for (key, value) in entries {
                write(key, tag: 0)
                write(value, tag: 1)
            }
        case .list(let elements):
            writeHead(tag, .list)
            writeInt(Int64(elements.count), tag: 0)
            for element in elements { write(element, tag: 0) }
        case .structure(let fields):
            writeHead(tag, .structBegin)
            writeFields(fields)
            writeHead(0, .structEnd)
        }
    }

    private mutating func writeInt(_ v: Int64, tag: Int) {
        if v == 0 {
            writeHead(tag, .zero)
        } else if let narrow = Int8(exactly: v) {
            writeHead(tag, .int8)
            bytes.append(UInt8(bitPattern: narrow))
        } else if let narrow = Int16(exactly: v) {
            writeHead(tag, .int16)
            writeBigEndian(UInt16(bitPattern: narrow))
        } else if let narrow = Int32(exactly: v) {
            writeHead(tag, .int32)
            writeBigEndian(UInt32(bitPattern: narrow))
        } else {
            writeHead(tag, .int64)
            writeBigEndian(UInt64(bitPattern: v))
        }
    }

    private mutating func writeHead(_ tag: Int, _ type: TarsWireType) {
        precondition((0...255).contains(tag), "Tars tags are 0...255, got \(tag)")
        if tag < 15 {
            bytes.append(UInt8(tag) << 4 | type.rawValue)
        } else {
            bytes += [0xf0 | type.rawValue, UInt8(tag)]
        }
    }

    private mutating func writeBigEndian(_ v: some FixedWidthInteger) {
        withUnsafeBytes(of: v.bigEndian) { bytes += $0 }
    }
}
