/// One packet of Bilibili's chat protocol: a 16-byte big-endian header (total length, header length 16,
/// protocol version, operation, sequence) and a body.
public struct BilibiliPacket: Sendable, Equatable {
    public static let headerLength = 16

    public enum Version {
        public static let json: UInt16 = 0
        /// Auth and heartbeat traffic: a JSON body or a 4-byte integer, depending on the operation.
        public static let plain: UInt16 = 1
        public static let zlib: UInt16 = 2
        public static let brotli: UInt16 = 3
    }

    public enum Operation {
        public static let heartbeat: UInt32 = 2
        public static let heartbeatReply: UInt32 = 3
        public static let notification: UInt32 = 5
        public static let auth: UInt32 = 7
        public static let authReply: UInt32 = 8
    }

    public var version: UInt16
    public var operation: UInt32
    public var sequence: UInt32
    public var body: [UInt8]

    public init(version: UInt16, operation: UInt32, sequence: UInt32 = 1, body: [UInt8]) {
        self.version = version
        self.operation = operation
        self.sequence = sequence
        self.body = body
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerLength + body.count)
        bytes.appendBigEndian(UInt32(Self.headerLength + body.count))
        bytes.appendBigEndian(UInt16(Self.headerLength))
        bytes.appendBigEndian(version)
        bytes.appendBigEndian(operation)
        bytes.appendBigEndian(sequence)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// The packets of one WebSocket message, each bounded by its own length field. `trailing` is what
    /// follows the last whole packet when it is too short or too odd to be one: the real server sends an
    /// op 3 reply whose length covers 20 bytes and then echoes the heartbeat's body in the same message,
    /// so the caller decides whether such bytes are tolerable.
    public static func split(_ bytes: [UInt8]) throws -> (packets: [BilibiliPacket], trailing: Int) {
        guard !bytes.isEmpty else { throw DanmakuDecodeError.truncated }
        var packets: [BilibiliPacket] = []
        var offset = 0
        while offset < bytes.count {
            let remaining = bytes.count - offset
            guard remaining >= headerLength else {
                if packets.isEmpty { throw DanmakuDecodeError.truncated }
                return (packets, remaining)
            }
            let total = Int(bytes.readBigEndianUInt32(at: offset))
            let header = Int(bytes.readBigEndianUInt16(at: offset + 4))
            guard header == headerLength, total >= headerLength else {
                if packets.isEmpty { throw DanmakuDecodeError.malformed("packet header length \(header), total \(total)") }
                return (packets, remaining)
            }
            guard total <= remaining else { throw DanmakuDecodeError.truncated }
            packets.append(BilibiliPacket(version: bytes.readBigEndianUInt16(at: offset + 6),
                                          operation: bytes.readBigEndianUInt32(at: offset + 8),
                                          sequence: bytes.readBigEndianUInt32(at: offset + 12),
                                          body: Array(bytes[(offset + header)..<(offset + total)])))
            offset += total
        }
        return (packets, 0)
    }
}

extension [UInt8] {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    func readBigEndianUInt32(at offset: Int) -> UInt32 {
        self[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    func readBigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }
}
