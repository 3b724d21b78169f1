/// The compression function of a hash built like MD5, SHA-1, SHA-256 and SM3: 64-byte blocks, the message
/// padded with 0x80, zeros and its 64-bit bit length.
protocol BlockCompression {
    /// MD5 stores the length (and its words) little-endian; the others big-endian.
    static var lengthIsLittleEndian: Bool { get }
    init()
    /// `blocks.count` is a multiple of 64. Taking many blocks at once lets an implementation set up its
    /// scratch space once per call instead of once per block.
    mutating func compress(_ blocks: UnsafeRawBufferPointer)
    var digest: [UInt8] { get }
}

/// Feeds a message of any length, in pieces of any size, through a `BlockCompression`.
struct BlockHasher<Compression: BlockCompression> {
    private var compression = Compression()
    /// Bytes of an incomplete block carried over to the next `update`.
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    init() {
        pending.reserveCapacity(64)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var rest = bytes[...]
        if !pending.isEmpty {
            let take = min(64 - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            guard pending.count == 64 else { return }
            compressPending()
        }
        let whole = rest.count & ~63
        if whole > 0 {
            compression.compress(UnsafeRawBufferPointer(rebasing: rest.prefix(whole)))
        }
        pending.append(contentsOf: rest.dropFirst(whole))
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    consuming func finish() -> [UInt8] {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        tail += repeatElement(0, count: (55 - Int(length % 64) + 64) % 64)
        let lengthBytes = Compression.lengthIsLittleEndian ? bitLength.littleEndian : bitLength.bigEndian
        withUnsafeBytes(of: lengthBytes) { tail += $0 }
        update(tail)
        return compression.digest
    }

    private mutating func compressPending() {
        let block = pending
        block.withUnsafeBytes { compression.compress($0) }
        pending.removeAll(keepingCapacity: true)
    }
}

extension UInt32 {
    @inline(__always)
    func rotatedLeft(_ count: UInt32) -> UInt32 {
        (self &<< count) | (self &>> (32 &- count))
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func bigEndianWord(at index: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
    }

    @inline(__always)
    func littleEndianWord(at index: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
    }
}

extension Array where Element == UInt8 {
    /// The digest bytes of state words, in the hash's byte order.
    init(words: some Sequence<UInt32>, littleEndian: Bool) {
        self.init()
        for word in words {
            Swift.withUnsafeBytes(of: littleEndian ? word.littleEndian : word.bigEndian) { append(contentsOf: $0) }
        }
    }
}
