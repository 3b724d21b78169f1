@testable import BiliupScript
@testable import BiliupNet
import BiliupTestSupport
import Foundation
import Testing

/// The Swift side of the crypto pieces; `CryptoModuleTests` checks the same through Lua's `crypto`.
@Suite struct CryptoTests {
    /// Block-boundary lengths: empty, one short of the length field (55), spilling padding into a second
    /// block (56...63), exactly a block, and many blocks.
    static let lengths = [0, 1, 55, 56, 63, 64, 65, 1000]

    // MARK: - Digests

    /// RFC 1321's MD5 suite, RFC 3174's SHA-1 and FIPS 180-2's SHA-256 tests (RFC 6234 repeats them), and
    /// GB/T 32905-2016's two SM3 examples.
    static let digestVectors: [(DigestAlgorithm, String, String)] = [
        (.md5, "", "d41d8cd98f00b204e9800998ecf8427e"),
        (.md5, "abc", "900150983cd24fb0d6963f7d28e17f72"),
        (.md5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (.md5, String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        (.sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (.sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (.sha1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        (.sha1, String(repeating: "a", count: 1_000_000), "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
        (.sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (.sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (.sha256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (.sha256, String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        (.sm3, "abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        (.sm3, String(repeating: "abcd", count: 16), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
    ]

    @Test func digestKnownAnswers() {
        for (algorithm, input, expected) in Self.digestVectors {
            #expect(Digest.hex(Digest.hash(algorithm, Array(input.utf8))) == expected, "\(algorithm) of \(input.prefix(20))")
        }
    }

    @Test func digestsMatchTheOpenSSLCommand() throws {
        let inputs = Self.lengths.map(CryptoReference.randomBytes) + [CryptoReference.mebibytePattern]
        try CryptoReference.withFiles(inputs) { files in
            for algorithm in DigestAlgorithm.allCases {
                let expected = try CryptoReference.openssl(algorithm, files: files)
                try #require(expected.count == inputs.count)
                for (input, answer) in zip(inputs, expected) {
                    #expect(Digest.hex(Digest.hash(algorithm, input)) == answer, "\(algorithm), length \(input.count)")
                }
            }
        }
    }

    @Test func everyInputTypeHashesTheSame() {
        let bytes = CryptoReference.randomBytes(300)
        let expected = Digest.sha256(bytes)
        #expect(Digest.hash(.sha256, Data(bytes)) == expected)
        #expect(Digest.hash(.sha256, bytes[...]) == expected)
        #expect(Digest.hash(.sha256, bytes.lazy.map { $0 }) == expected)  // not contiguous
        #expect(bytes.withUnsafeBytes { Digest.hash(.sha256, $0) } == expected)
        #expect(Digest.hash(.md5, "abc".utf8) == Digest.md5(Array("abc".utf8)))
        #expect(Digest.hash(.sha1, [UInt8]()) == Digest.sha1([]))
    }

    @Test func digestAlgorithmsByName() {
        #expect(DigestAlgorithm.allCases.map(\.rawValue) == ["md5", "sha1", "sha256", "sm3"])
        #expect(DigestAlgorithm(rawValue: "sha1") == .sha1)
        // Debian's libcrypto, which setup.sh installs, has all four in its default provider.
        #expect(DigestAlgorithm.allCases.filter { !$0.isAvailable } == [])
        #expect(Digest.md5([]).count == 16 && Digest.sha1([]).count == 20)
        #expect(Digest.sha256([]).count == 32 && Digest.sm3([]).count == 32)
        #expect(Digest.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }

    // MARK: - HMAC

    /// RFC 2202's test cases 1, 2 and 6 for HMAC-MD5 and HMAC-SHA-1, RFC 4231's 1, 2 and 6 for
    /// HMAC-SHA-256 (case 6's key is longer than a block, so it is hashed first), and an empty key and
    /// message, as Python's hmac module answers.
    static let hmacVectors: [(DigestAlgorithm, [UInt8], String, String)] = [
        (.md5, Array(repeating: 0x0b, count: 16), "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"),
        (.md5, Array("Jefe".utf8), "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738"),
        (.md5, Array(repeating: 0xaa, count: 80), "Test Using Larger Than Block-Size Key - Hash Key First",
         "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"),
        (.md5, [], "", "74e6f7298a9c2d168935f58c001bad88"),
        (.sha1, Array(repeating: 0x0b, count: 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
        (.sha1, Array("Jefe".utf8), "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (.sha1, Array(repeating: 0xaa, count: 80), "Test Using Larger Than Block-Size Key - Hash Key First",
         "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        (.sha1, [], "", "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"),
        (.sha256, Array(repeating: 0x0b, count: 20), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (.sha256, Array("Jefe".utf8), "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (.sha256, Array(repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (.sha256, [], "", "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
        (.sm3, [], "", "0d23f72ba15e9c189a879aefc70996b06091de6e64d31b7a84004356dd915261"),
    ]

    @Test func hmacKnownAnswers() {
        for (algorithm, key, message, expected) in Self.hmacVectors {
            #expect(Digest.hex(Digest.hmac(algorithm, key: key, message: Array(message.utf8))) == expected,
                    "\(algorithm), key \(key.count) bytes")
        }
    }

    @Test func hmacMatchesTheOpenSSLCommand() throws {
        // Keys shorter than, equal to and longer than the 64-byte block.
        let keys = [1, 16, 64, 65, 200].map(CryptoReference.randomBytes)
        let messages = [0, 100, 1000].map(CryptoReference.randomBytes) + [CryptoReference.mebibytePattern]
        try CryptoReference.withFiles(messages) { files in
            for algorithm in DigestAlgorithm.allCases {
                for key in keys {
                    let expected = try CryptoReference.openssl(algorithm, key: key, files: files)
                    try #require(expected.count == messages.count)
                    for (message, answer) in zip(messages, expected) {
                        #expect(Digest.hex(Digest.hmac(algorithm, key: key, message: message)) == answer,
                                "\(algorithm), key \(key.count), message \(message.count)")
                    }
                }
            }
        }
    }

    // MARK: - RC4

    @Test func rc4KnownVectors() {
        let vectors = [("Key", "Plaintext", "bbf316e8d940af0ad3"), ("Wiki", "pedia", "1021bf0420"),
                       ("Secret", "Attack at dawn", "45a01f645fc35b383552544b9bf5")]
        for (key, plaintext, ciphertext) in vectors {
            #expect(Digest.hex(RC4.apply(key: Array(key.utf8), to: Array(plaintext.utf8))) == ciphertext)
        }
    }

    @Test func rc4RoundTrips() {
        for (keyLength, dataLength) in [(1, 0), (5, 1), (16, 1000), (256, 4096), (300, 10)] {
            let key = CryptoReference.randomBytes(keyLength), data = CryptoReference.randomBytes(dataLength)
            let encrypted = RC4.apply(key: key, to: data)
            #expect(encrypted.count == data.count)
            #expect(RC4.apply(key: key, to: encrypted) == data)
        }
    }

    // MARK: - Base64

    static let douyinAlphabet = "Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe"

    @Test func base64MatchesPython() throws {
        let inputs = (0..<12).map(CryptoReference.randomBytes) + [CryptoReference.randomBytes(1000)]
        let expected = try CryptoReference.withFiles(inputs) { try CryptoReference.python("""
            import base64, sys
            table = str.maketrans(sys.argv[1], sys.argv[2])
            for path in sys.argv[3:]:
                encoded = base64.b64encode(open(path, "rb").read()).decode()
                print(encoded or "-", encoded.translate(table) or "-")
            """, [Base64.standardAlphabet, Self.douyinAlphabet] + $0) }
        try #require(expected.count == inputs.count)
        for (input, line) in zip(inputs, expected) {
            let fields = line.split(separator: " ").map { $0 == "-" ? "" : String($0) }
            let standard = Base64.encode(input)
            let douyin = Base64.encode(input, alphabet: Self.douyinAlphabet)
            #expect([standard, douyin] == fields, "length \(input.count)")
            #expect(Base64.decode(standard) == input)
            #expect(Base64.decode(douyin, alphabet: Self.douyinAlphabet) == input)
            let unpadded = Base64.encode(input, alphabet: Self.douyinAlphabet, padding: false)
            #expect(unpadded == douyin.filter { $0 != "=" })
            #expect(Base64.decode(unpadded, alphabet: Self.douyinAlphabet) == input)
        }
    }

    @Test func base64DecodingIsForgivingButNotSloppy() {
        #expect(Base64.decode("aGVsbG8") == Array("hello".utf8))
        #expect(Base64.decode(" aGVs\r\nbG8=\n") == Array("hello".utf8))
        #expect(Base64.decode("-_8") == [0xfb, 0xff])  // URL-safe for "+/8"
        #expect(Base64.decode("+/8=") == [0xfb, 0xff])
        #expect(Base64.decode("") == [])
        #expect(Base64.decode("aGVsbG8*") == nil)
        #expect(Base64.decode("aGVsbG8=aGVs") == nil)
        #expect(Base64.decode("aGVsb") == nil)  // 5 symbols: no encoder writes a lone 6 bits
        #expect(Base64.decode("héllo") == nil)
        // The URL-safe fallback is for the standard alphabet only: in douyin's, "-" is a symbol of its own.
        #expect(Base64.decode("+", alphabet: Self.douyinAlphabet) == nil)
    }

    // MARK: - Percent encoding

    /// Empty, the unreserved set, every reserved character of RFC 3986, a space, UTF-8 of two, three and
    /// four bytes, a literal "%", a NUL and the characters JavaScript's encodeURIComponent leaves alone.
    static let percentSamples = ["", "abc-._~XYZ019", ":/?#[]@!$&'()*+,;=", "a b+c&d=e/f?g#h", "中文 é", "100%",
                                 "%zz%4", "a\u{0}b", "\u{1F600}!*'()"]

    @Test func percentEncodingMatchesPython() throws {
        let expected = try CryptoReference.python("""
            import sys, urllib.parse as p
            for s in sys.argv[1:]:
                print(p.quote(s.replace("\\\\0", "\\x00"), safe=""))
            """, Self.percentSamples.map { $0.replacingOccurrences(of: "\u{0}", with: "\\0") })
        try #require(expected.count == Self.percentSamples.count)
        for (sample, answer) in zip(Self.percentSamples, expected) {
            let encoded = PercentEncoding.encode(sample)
            #expect(encoded == answer, "\(sample)")
            #expect(PercentEncoding.decode(encoded) == sample)
            #expect(PercentEncoding.decode(encoded, plusAsSpace: true) == sample)  // a "+" was encoded
        }
    }

    /// libcurl escapes at most 8 MB a call, so longer text goes in pieces; a piece boundary inside a
    /// character's UTF-8 must not change a byte of the result.
    @Test func percentEncodingLongTextInPieces() {
        let count = 3 << 20  // 9 MiB of UTF-8 after the two ASCII bytes
        let text = "ab" + String(repeating: "中", count: count)
        #expect((PercentEncoding.escapePieceLength - 2) % 3 != 0)  // the first boundary splits a "中"
        let encoded = PercentEncoding.encode(text)
        #expect(encoded.utf8.count == 2 + 9 * count)
        #expect(encoded == "ab" + String(repeating: "%E4%B8%AD", count: count))
        #expect(PercentEncoding.decode(encoded) == text)
    }

    @Test func percentDecodingMatchesPython() throws {
        let samples = ["", "a%20b+c", "%E4%B8%AD%e6%96%87", "100%", "%zz%4", "%4", "%%41", "%FF%fe", "+%2B", "%00"]
        let expected = try CryptoReference.python("""
            import sys, urllib.parse as p
            for s in sys.argv[1:]:
                print(repr(p.unquote(s)), repr(p.unquote_plus(s)), sep="\\t")
            """, samples)
        try #require(expected.count == samples.count)
        for (sample, line) in zip(samples, expected) {
            let ours = [PercentEncoding.decode(sample), PercentEncoding.decode(sample, plusAsSpace: true)]
            #expect(ours.map(pythonRepr).joined(separator: "\t") == line, "\(sample)")
        }
    }
}

/// Python's repr of a str of printable text, NUL and U+FFFD: enough to compare decoded samples line by
/// line (a raw NUL cannot be a command-line argument, a newline would split lines).
private func pythonRepr(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        .replacingOccurrences(of: "\u{0}", with: "\\x00") + "'"
}
