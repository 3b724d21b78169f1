/// The message digests scripts sign requests with. Implemented here because Foundation on Linux has none
/// and the package takes no crypto dependency.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case md5, sha1, sha256, sm3

    /// Hashes the concatenation of `parts`, so HMAC need not copy its key pad and message together.
    func hash(_ parts: UnsafeRawBufferPointer...) -> [UInt8] {
        switch self {
        case .md5: Self.hash(BlockHasher<MD5>(), parts)
        case .sha1: Self.hash(BlockHasher<SHA1>(), parts)
        case .sha256: Self.hash(BlockHasher<SHA256>(), parts)
        case .sm3: Self.hash(BlockHasher<SM3>(), parts)
        }
    }

    private static func hash<C>(_ hasher: consuming BlockHasher<C>, _ parts: [UnsafeRawBufferPointer]) -> [UInt8] {
        for part in parts { hasher.update(part) }
        return hasher.finish()
    }
}

public enum Digest {
    public static func hash(_ algorithm: DigestAlgorithm, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        algorithm.hash(bytes)
    }

    /// Takes `[UInt8]`, `Data`, `ArraySlice`, a string's `utf8` view, ...; contiguous storage is hashed in place.
    public static func hash(_ algorithm: DigestAlgorithm, _ bytes: some Collection<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ algorithm.hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(bytes).withUnsafeBytes { algorithm.hash($0) }
    }

    public static func md5(_ bytes: [UInt8]) -> [UInt8] { hash(.md5, bytes) }
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] { hash(.sha1, bytes) }
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { hash(.sha256, bytes) }
    public static func sm3(_ bytes: [UInt8]) -> [UInt8] { hash(.sm3, bytes) }

    /// Lowercase, two digits a byte, as sites expect signatures.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, byte) in bytes.enumerated() {
                out[2 * i] = digits[Int(byte >> 4)]
                out[2 * i + 1] = digits[Int(byte & 0x0f)]
            }
            return bytes.count * 2
        }
    }
}
