import Foundation
import Testing
@testable import BiliupDanmaku

/// Every decoder against seeded mutations of the hand-made seed frames in `Corpus/<protocol>/` (made by
/// `Corpus/make-corpus.py`). A decoder may reject a mutated frame with `DanmakuDecodeError`; it must never
/// trap, hang or throw anything else. `BILIUP_FUZZ_ITERATIONS` sets the frames per decoder (a few hundred
/// each on every test run; `scripts/fuzz-danmaku.sh` runs 1,000,000).
@Suite struct DanmakuFuzzTests {
    static let corpus = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Corpus")
    static let receivedAt = Date(timeIntervalSince1970: 1_733_120_000)

    /// One decoder per protocol, fed one frame (a WebSocket message, or a TCP read for Douyu), answering how
    /// many events (messages, replies, popularity) it found. Sessions are used where they exist, so their
    /// frame handling is fuzzed too.
    static let decoders: [String: @Sendable ([UInt8]) throws -> Int] = [
        "bilibili": { try BilibiliDecoder().decode($0, receivedAt: receivedAt).count },
        "douyu": { bytes in
            var decoder = DouyuDecoder()
            return try decoder.feed(bytes, receivedAt: receivedAt).count
        },
        "twitch": { TwitchIRC.decode(String(decoding: $0, as: UTF8.self), receivedAt: receivedAt).count },
        "huya": { bytes in
            let receipt = try HuyaChatSession(presenterUID: 1_199_513_219_532).receive(.binary(bytes), at: receivedAt)
            return receipt.messages.count + receipt.replies.count
        },
        "douyin": { bytes in
            let receipt = try DouyinChatSession().receive(.binary(bytes), at: receivedAt)
            return receipt.messages.count + receipt.replies.count
        },
        "twitcasting": { try TwitCastingComments.decode(String(decoding: $0, as: UTF8.self), receivedAt: receivedAt).count },
        "youtube": { try YouTubeLiveChat.decode($0, receivedAt: receivedAt).messages.count },
    ]

    static func seeds(_ protocolName: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = corpus.appending(path: protocolName)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map { name in
            (name, Array(try Data(contentsOf: directory.appending(path: name))))
        }
    }

    @Test func everyProtocolHasValidSeeds() throws {
        let directories = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
            .filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".md") }
        #expect(Set(directories) == Set(Self.decoders.keys))
        for (protocolName, decode) in Self.decoders {
            let seeds = try Self.seeds(protocolName)
            #expect(!seeds.isEmpty, "\(protocolName)")
            for seed in seeds {
                #expect(seed.bytes.count <= 4096, "\(protocolName)/\(seed.name) is a small seed")
                // A seed is a frame the decoder accepts and finds something in: mutations start from valid input.
                #expect(try decode(seed.bytes) > 0, "\(protocolName)/\(seed.name)")
            }
        }
    }

    @Test(arguments: ["bilibili", "douyu", "twitch", "huya", "douyin", "twitcasting", "youtube"])
    func survivesMutatedSeeds(_ protocolName: String) throws {
        let decode = try #require(Self.decoders[protocolName])
        let seeds = try Self.seeds(protocolName)
        let perSeed = max(1, fuzzIterations(default: 600) / max(seeds.count, 1))
        var rejected = 0
        var decoded = 0
        for (index, seed) in seeds.enumerated() {
            // Seeds differ per protocol and file, so runs replay exactly and explore different mutations.
            let seedValue = UInt64(index + 1) &* 0x9E37_79B9 &+ UInt64(truncatingIfNeeded: protocolName.utf8.reduce(0) { $0 &* 31 &+ Int($1) })
            for bytes in mutations(of: seed.bytes, count: perSeed, seed: seedValue) {
                do {
                    _ = try decode(bytes)
                    decoded += 1
                } catch is DanmakuDecodeError {
                    rejected += 1
                }
            }
        }
        #expect(rejected + decoded == perSeed * seeds.count)
        // Twitch's line reader accepts any text; the binary protocols must notice broken frames.
        if protocolName != "twitch" { #expect(rejected > 0, "\(protocolName)") }
    }
}
