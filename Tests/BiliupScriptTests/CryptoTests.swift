@testable import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct CryptoTests {
    /// Block-boundary lengths: empty, one short of the length field (55), spilling padding into a second
    /// block (56...63), exactly a block, and many blocks.
    static let lengths = [0, 1, 55, 56, 63, 64, 65, 1000, 1 << 20]

    static let haveOpenSSLSM3: Bool = {
        guard let result = try? runTool("openssl", ["list", "-digest-algorithms"]) else { return false }
        return result.status == 0 && result.stdout.contains("SM3")
    }()

    // MARK: - Digests

    @Test func digestsMatchPython() throws {
        let inputs = Self.lengths.map(randomBytes)
        let expected = try withTemporaryFiles(inputs) { try python("""
            import hashlib, sys
            for path in sys.argv[1:]:
                data = open(path, "rb").read()
                print(" ".join(hashlib.new(name, data).hexdigest() for name in ("md5", "sha1", "sha256")))
            """, $0) }
        try #require(expected.count == inputs.count)
        for (input, line) in zip(inputs, expected) {
            let ours = [DigestAlgorithm.md5, .sha1, .sha256].map { Digest.hex(Digest.hash($0, input)) }
            #expect(ours.joined(separator: " ") == line, "length \(input.count)")
        }
    }

    @Test func sm3StandardVectors() {
        #expect(Digest.hex(Digest.sm3(Array("abc".utf8)))
            == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        #expect(Digest.hex(Digest.sm3(Array(String(repeating: "abcd", count: 16).utf8)))
            == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
    }

    @Test(.enabled(if: haveOpenSSLSM3, "openssl has no SM3")) func sm3MatchesOpenSSL() throws {
        for length in Self.lengths {
            let input = randomBytes(length)
            let output = try withTemporaryFiles([input]) { try runTool("openssl", ["dgst", "-sm3", "-r", $0[0]]) }
            try #require(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.split(separator: " ").first.map(String.init) == Digest.hex(Digest.sm3(input)),
                    "length \(length)")
        }
    }

    @Test func piecewiseInputHashesTheSame() {
        let input = randomBytes(5000)
        for chunk in [1, 3, 55, 63, 64, 65, 200, 4999] {
            #expect(hashInPieces(BlockHasher<MD5>(), input, chunk) == Digest.md5(input), "chunk \(chunk)")
            #expect(hashInPieces(BlockHasher<SHA1>(), input, chunk) == Digest.sha1(input), "chunk \(chunk)")
            #expect(hashInPieces(BlockHasher<SHA256>(), input, chunk) == Digest.sha256(input), "chunk \(chunk)")
            #expect(hashInPieces(BlockHasher<SM3>(), input, chunk) == Digest.sm3(input), "chunk \(chunk)")
        }
    }

    @Test func everyInputTypeHashesTheSame() {
        let bytes = randomBytes(300)
        let expected = Digest.sha256(bytes)
        #expect(Digest.hash(.sha256, Data(bytes)) == expected)
        #expect(Digest.hash(.sha256, bytes[...]) == expected)
        #expect(Digest.hash(.sha256, bytes.lazy.map { $0 }) == expected)  // not contiguous
        #expect(bytes.withUnsafeBytes { Digest.hash(.sha256, $0) } == expected)
        #expect(Digest.hash(.md5, "abc".utf8) == Digest.md5(Array("abc".utf8)))
    }

    @Test func digestAlgorithmsByName() {
        #expect(DigestAlgorithm.allCases.map(\.rawValue) == ["md5", "sha1", "sha256", "sm3"])
        #expect(DigestAlgorithm(rawValue: "sha1") == .sha1)
        #expect(Digest.hex(Digest.sha1([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Digest.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }

    // MARK: - HMAC

    @Test func hmacMatchesPython() throws {
        // Keys shorter than, equal to and longer than the 64-byte block (long keys are hashed first).
        let pairs = [(0, 0), (16, 100), (64, 64), (65, 1), (200, 1000)].map { (randomBytes($0), randomBytes($1)) }
        let expected = try withTemporaryFiles(pairs.flatMap { [$0.0, $0.1] }) { try python("""
            import hmac, sys
            paths = sys.argv[1:]
            for key_path, message_path in zip(paths[0::2], paths[1::2]):
                key, message = open(key_path, "rb").read(), open(message_path, "rb").read()
                print(" ".join(hmac.new(key, message, name).hexdigest() for name in ("md5", "sha1", "sha256")))
            """, $0) }
        try #require(expected.count == pairs.count)
        for ((key, message), line) in zip(pairs, expected) {
            let ours = [DigestAlgorithm.md5, .sha1, .sha256].map {
                Digest.hex(Digest.hmac($0, key: key, message: message))
            }
            #expect(ours.joined(separator: " ") == line, "key \(key.count), message \(message.count)")
        }
    }

    @Test(.enabled(if: haveOpenSSLSM3, "openssl has no SM3")) func hmacSM3MatchesOpenSSL() throws {
        for (keyLength, messageLength) in [(3, 3), (64, 100), (100, 64)] {
            let key = randomBytes(keyLength), message = randomBytes(messageLength)
            let output = try withTemporaryFiles([message]) {
                try runTool("openssl", ["dgst", "-sm3", "-r", "-mac", "HMAC",
                                        "-macopt", "hexkey:\(Digest.hex(key))", $0[0]])
            }
            try #require(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.split(separator: " ").first.map(String.init)
                == Digest.hex(Digest.hmac(.sm3, key: key, message: message)))
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
            let key = randomBytes(keyLength), data = randomBytes(dataLength)
            let encrypted = RC4.apply(key: key, to: data)
            #expect(encrypted.count == data.count)
            #expect(RC4.apply(key: key, to: encrypted) == data)
        }
    }

    // MARK: - Base64

    static let douyinAlphabet = "Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe"

    @Test func base64MatchesPython() throws {
        let inputs = (0..<12).map(randomBytes) + [randomBytes(1000)]
        let expected = try withTemporaryFiles(inputs) { try python("""
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

    static let percentSamples = ["", "abc-._~XYZ019", "a b+c&d=e/f?g#h", "中文 é", "100%", "%zz%4", "\u{1F600}!*'()"]

    @Test func percentEncodingMatchesPython() throws {
        let expected = try python("""
            import sys, urllib.parse as p
            for s in sys.argv[1:]:
                print(p.quote(s, safe=""), p.quote_plus(s, safe=""), sep="\\t")
            """, Self.percentSamples)
        try #require(expected.count == Self.percentSamples.count)
        for (sample, line) in zip(Self.percentSamples, expected) {
            let encoded = PercentEncoding.encode(sample), form = PercentEncoding.encode(sample, spaceAsPlus: true)
            #expect("\(encoded)\t\(form)" == line)
            #expect(PercentEncoding.decode(encoded) == sample)
            #expect(PercentEncoding.decode(form, plusAsSpace: true) == sample)
        }
    }

    @Test func percentDecodingMatchesPython() throws {
        let samples = ["a%20b+c", "%E4%B8%AD%e6%96%87", "100%", "%zz%4", "%4", "%%41", "%FF%fe", "+%2B"]
        let expected = try python("""
            import sys, urllib.parse as p
            for s in sys.argv[1:]:
                print(p.unquote(s), p.unquote_plus(s), sep="\\t")
            """, samples)
        try #require(expected.count == samples.count)
        for (sample, line) in zip(samples, expected) {
            #expect("\(PercentEncoding.decode(sample))\t\(PercentEncoding.decode(sample, plusAsSpace: true))" == line,
                    "\(sample)")
        }
    }
}

// MARK: - Helpers

private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in generator.next() }
}

private func hashInPieces<C>(_ hasher: consuming BlockHasher<C>, _ input: [UInt8], _ chunk: Int) -> [UInt8] {
    for start in stride(from: 0, to: input.count, by: chunk) {
        hasher.update(Array(input[start..<min(start + chunk, input.count)]))
    }
    return hasher.finish()
}

/// Runs a Python 3 script and returns its output lines.
private func python(_ script: String, _ arguments: [String]) throws -> [String] {
    let result = try runTool("python3", ["-c", script] + arguments)
    guard result.status == 0 else {
        throw TestSupportError.toolFailed(tool: "python3", arguments: ["-c", "…"], status: result.status,
                                          stderr: result.stderr)
    }
    return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
}

/// Calls `body` with the paths of files holding `contents` (inputs for tools; some are megabytes), then
/// removes them.
private func withTemporaryFiles<T>(_ contents: [[UInt8]], _ body: ([String]) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crypto-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let paths = try contents.enumerated().map { index, bytes in
        let path = directory.appendingPathComponent("\(index)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
    return try body(paths)
}
