/// RC4, the stream cipher some sites still obfuscate parameters with. Encrypting and decrypting are the
/// same operation.
///
/// Ours rather than libcrypto's: OpenSSL 3's default provider has no RC4 ("unsupported"); only its legacy
/// provider does, which would have to be loaded into the process for these 20 lines.
public enum RC4 {
    /// `key` must not be empty: RC4 has no keystream for it. Bytes past the 256th do not matter, as in
    /// every RC4 implementation.
    public static func apply(key: [UInt8], to data: [UInt8]) -> [UInt8] {
        precondition(!key.isEmpty, "RC4 needs a non-empty key")
        var state = [UInt8](unsafeUninitializedCapacity: 256) { buffer, count in
            for i in 0..<256 { buffer[i] = UInt8(i) }
            count = 256
        }
        return state.withUnsafeMutableBufferPointer { s in
            var j: UInt8 = 0
            for i in 0..<256 {
                j = j &+ s[i] &+ key[i % key.count]
                s.swapAt(i, Int(j))
            }
            var i: UInt8 = 0
            j = 0
            return data.map { byte in
                i = i &+ 1
                j = j &+ s[Int(i)]
                s.swapAt(Int(i), Int(j))
                return byte ^ s[Int(s[Int(i)] &+ s[Int(j)])]
            }
        }
    }
}
