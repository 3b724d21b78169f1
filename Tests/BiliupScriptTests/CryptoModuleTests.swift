@testable import BiliupScript
import BiliupNet
import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

/// Lua's `crypto` module as plugins call it: each digest by its own name and through `crypto.digest`,
/// hex and raw, and HMAC, checked against the `openssl` command; percent-encoding against Python.
@Suite struct CryptoModuleTests {
    /// A plugin that applies every digest function to `opts.cases` ({algorithm, key, message} in hex) and
    /// percent-encodes `opts.texts`, returning the answers under `extra`.
    static let answeringPlugin = plugin("crypto", """
        local digests = {}
        for i, case in ipairs(opts.cases) do
          local alg, key, message = case.algorithm, crypto.unhex(case.key), crypto.unhex(case.message)
          digests[i] = {
            crypto[alg](message),
            crypto.digest(alg, message),
            crypto.hex(crypto.digest(alg, message, true)),
            crypto.hmac(alg, key, message),
            crypto.hex(crypto.hmac(alg, key, message, true)),
          }
          if alg == "sha256" then digests[i][6] = crypto.hmac_sha256(key, message) end
        end
        local texts = {}
        for i, text in ipairs(opts.texts) do
          local encoded = crypto.urlencode(text)
          texts[i] = { encoded, crypto.urldecode(encoded), crypto.urldecode(text), crypto.urldecode(text, true) }
        end
        local ok, err = pcall(crypto.digest, "sha512", "x")
        return { live = false, extra = { digests = digests, texts = texts, unknown = tostring(err) } }
        """)

    /// Generous limits: the largest case hashes a MiB four times over in unoptimized test builds.
    static let limits = ScriptLimits(runTime: .seconds(30), memoryBytes: 256 << 20)

    @Test func digestsAndHMACMatchTheOpenSSLCommand() async throws {
        let key = CryptoReference.randomBytes(65)
        let messages = [[], Array("abc".utf8), CryptoReference.randomBytes(1000), CryptoReference.mebibytePattern]
        var cases: [JSONValue] = []
        var expected: [[String]] = []
        try CryptoReference.withFiles(messages) { files in
            for algorithm in DigestAlgorithm.allCases {
                let digests = try CryptoReference.openssl(algorithm, files: files)
                let macs = try CryptoReference.openssl(algorithm, key: key, files: files)
                for (index, message) in messages.enumerated() {
                    cases.append(.object(["algorithm": .string(algorithm.rawValue), "key": .string(Digest.hex(key)),
                                          "message": .string(Digest.hex(message))]))
                    let answers = Array(repeating: digests[index], count: 3) + Array(repeating: macs[index], count: 2)
                    expected.append(algorithm == .sha256 ? answers + [macs[index]] : answers)
                }
            }
        }
        let (host, _) = try makeHost(["crypto": Self.answeringPlugin], limits: Self.limits)
        let result = try await host.check("test://crypto/1", options: ["cases": .array(cases), "texts": .array([])])
        guard case .array(let answers)? = result.extra?["digests"] else { Issue.record("no digests"); return }
        try #require(answers.count == expected.count)
        for (index, (answer, wanted)) in zip(answers, expected).enumerated() {
            #expect(answer == .array(wanted.map(JSONValue.string)), "case \(index)")
        }
        guard case .string(let unknown)? = result.extra?["unknown"] else { Issue.record("no error for sha512"); return }
        #expect(unknown.hasSuffix("crypto.digest: algorithm must be one of md5, sha1, sha256, sm3"))
    }

    @Test func knownAnswersThroughLua() async throws {
        let (host, _) = try makeHost(["c": plugin("c", """
            assert(crypto.md5("message digest") == "f96b697d7cb7938d525a2f31aaf161d0")
            assert(crypto.sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
            assert(crypto.sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            assert(crypto.sm3("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
            assert(crypto.hmac("sha256", "Jefe", "what do ya want for nothing?") ==
                   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
            assert(crypto.hmac_sha256("", "") == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
            assert(crypto.hmac("md5", string.rep("\\170", 80), "Test Using Larger Than Block-Size Key - Hash Key First")
                   == "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd")
            assert(#crypto.digest("sm3", "abc", true) == 32)
            return { live = false }
            """)])
        let result = try await host.check("test://c/1")
        #expect(result.live == false)
    }

    @Test func percentEncodingThroughLuaMatchesPython() async throws {
        let texts = ["", "abc-._~XYZ019", ":/?#[]@!$&'()*+,;=", "a b+c", "中文 é", "\u{1F600}", "100%", "%zz%4",
                     "%E4%B8%AD+%2B"]
        let expected = try CryptoReference.python("""
            import sys, urllib.parse as p
            for s in sys.argv[1:]:
                encoded = p.quote(s, safe="")
                print(encoded, p.unquote(encoded), p.unquote(s), p.unquote_plus(s), sep="\\t")
            """, texts)
        try #require(expected.count == texts.count)
        let (host, _) = try makeHost(["crypto": Self.answeringPlugin], limits: Self.limits)
        let result = try await host.check("test://crypto/1",
                                          options: ["cases": .array([]), "texts": .array(texts.map(JSONValue.string))])
        guard case .array(let answers)? = result.extra?["texts"] else { Issue.record("no texts"); return }
        try #require(answers.count == texts.count)
        for (text, (answer, line)) in zip(texts, zip(answers, expected)) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { JSONValue.string(String($0)) }
            #expect(answer == .array(fields), "\(text)")
        }
    }
}
