import COpenSSL

/// The message digests scripts sign requests with. OpenSSL's libcrypto computes them; its 3.0 default
/// provider, which Debian ships, has all four, SM3 included.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case md5, sha1, sha256, sm3

    /// False where the system's libcrypto was built without the algorithm (some distributions leave SM3
    /// out, a FIPS-only configuration MD5).
    public var isAvailable: Bool { FetchedDigests.shared[self] != nil }

    fileprivate var openSSLName: String {
        switch self {
        case .md5: "MD5"
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sm3: "SM3"
        }
    }

    fileprivate var implementation: OpaquePointer {
        guard let md = FetchedDigests.shared[self] else { fatalError("this system's libcrypto has no \(openSSLName)") }
        return md
    }
}

/// Fetched once: EVP_MD_fetch searches the loaded providers, which costs more than hashing a short
/// signature string does. A fetched EVP_MD is immutable and used by any thread; it lives as long as the
/// process.
private struct FetchedDigests: @unchecked Sendable {
    static let shared = FetchedDigests()

    private let implementations: [DigestAlgorithm: OpaquePointer]

    private init() {
        var found: [DigestAlgorithm: OpaquePointer] = [:]
        for algorithm in DigestAlgorithm.allCases {
            found[algorithm] = EVP_MD_fetch(nil, algorithm.openSSLName, nil)
        }
        // A failed fetch leaves its reason on this thread's OpenSSL error queue, where a later, unrelated
        // failure would find it first.
        ERR_clear_error()
        implementations = found
    }

    subscript(algorithm: DigestAlgorithm) -> OpaquePointer? { implementations[algorithm] }
}

public enum Digest {
    /// Traps if `algorithm` is not available (`DigestAlgorithm.isAvailable`).
    public static func hash(_ algorithm: DigestAlgorithm, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let md = algorithm.implementation
        return [UInt8](unsafeUninitializedCapacity: Int(EVP_MAX_MD_SIZE)) { out, count in
            var size: UInt32 = 0
            // EVP_Digest fails only when it cannot allocate its context.
            guard EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &size, md, nil) == 1 else {
                fatalError("EVP_Digest(\(algorithm.openSSLName)) failed")
            }
            count = Int(size)
        }
    }

    /// Takes `[UInt8]`, `Data`, `ArraySlice`, a string's `utf8` view, ...; contiguous storage is hashed in place.
    public static func hash(_ algorithm: DigestAlgorithm, _ bytes: some Collection<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ hash(algorithm, UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(bytes).withUnsafeBytes { hash(algorithm, $0) }
    }

    /// HMAC (RFC 2104) of `message` under `key`. Traps if `algorithm` is not available.
    public static func hmac(_ algorithm: DigestAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        // HMAC() takes the key's length as an int. HMAC itself replaces a key longer than the digest's
        // block by its hash, so hashing a longer key here first gives the same result.
        let key = key.count > Int(Int32.max) ? hash(algorithm, key) : key
        let md = algorithm.implementation
        return key.withUnsafeBytes { key in
            message.withUnsafeBufferPointer { message in
                [UInt8](unsafeUninitializedCapacity: Int(EVP_MAX_MD_SIZE)) { out, count in
                    var size: UInt32 = 0
                    // Fails only when memory runs out.
                    guard HMAC(md, key.baseAddress, Int32(key.count), message.baseAddress, message.count,
                               out.baseAddress, &size) != nil else {
                        fatalError("HMAC(\(algorithm.openSSLName)) failed")
                    }
                    count = Int(size)
                }
            }
        }
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
