extension Digest {
    /// HMAC (RFC 2104). Every supported digest has 64-byte blocks.
    public static func hmac(_ algorithm: DigestAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? hash(algorithm, key) : key
        block += repeatElement(0, count: blockSize - block.count)
        let innerPad = block.map { $0 ^ 0x36 }
        let outerPad = block.map { $0 ^ 0x5c }
        let inner = innerPad.withUnsafeBytes { pad in message.withUnsafeBytes { algorithm.hash(pad, $0) } }
        return outerPad.withUnsafeBytes { pad in inner.withUnsafeBytes { algorithm.hash(pad, $0) } }
    }
}
