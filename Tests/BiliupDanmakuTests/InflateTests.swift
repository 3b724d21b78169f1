import Testing
@testable import BiliupDanmaku

@Suite struct InflateTests {
    let text = Array(String(repeating: "弹幕 danmaku ", count: 500).utf8)

    @Test func inflatesZlibAndGzipStreams() throws {
        #expect(try Inflate.zlib(deflated(text)) == text)
        #expect(try Inflate.zlib(deflated(text, windowBits: 31)) == text)
    }

    @Test func decompressesBrotli() throws {
        let packets = try Inflate.brotli(brotliDanmuAndGift)
        #expect(packets.count == 433)
        #expect(String(decoding: packets[16..<60], as: UTF8.self).hasPrefix(#"{"cmd": "DANMU_MSG:4"#))
    }

    @Test func refusesBombsPastTheLimit() throws {
        #expect(throws: DanmakuDecodeError.tooLarge(limit: Inflate.defaultLimit)) {
            try Inflate.brotli(brotliBomb)
        }
        let zeros = [UInt8](repeating: 0, count: 9 << 20)
        #expect(throws: DanmakuDecodeError.tooLarge(limit: Inflate.defaultLimit)) {
            try Inflate.zlib(deflated(zeros))
        }
        // Exactly at the limit is allowed: the ceiling is on what comes out, not on the ratio.
        #expect(try Inflate.zlib(deflated(zeros), limit: zeros.count).count == zeros.count)
    }

    @Test func truncatedAndGarbageInputThrows() {
        let zlibBody = deflated(text)
        for cut in [0, 1, 2, zlibBody.count / 2, zlibBody.count - 1] {
            #expect(throws: DanmakuDecodeError.self) { try Inflate.zlib(Array(zlibBody[0..<cut])) }
        }
        for cut in [0, 1, brotliDanmuAndGift.count / 2, brotliDanmuAndGift.count - 1] {
            #expect(throws: DanmakuDecodeError.self) { try Inflate.brotli(Array(brotliDanmuAndGift[0..<cut])) }
        }
        #expect(throws: DanmakuDecodeError.self) { try Inflate.zlib(Array("not compressed at all".utf8)) }
        #expect(throws: DanmakuDecodeError.self) { try Inflate.brotli(Array("not compressed at all".utf8)) }
    }

    @Test func survivesMutatedStreams() {
        let count = fuzzIterations(default: 2000)
        var decoded = 0
        for (seed, stream) in [deflated(text), brotliDanmuAndGift].enumerated() {
            for bytes in mutations(of: stream, count: count, seed: UInt64(seed + 1)) {
                if (try? Inflate.zlib(bytes, limit: 1 << 20)) != nil { decoded += 1 }
                if (try? Inflate.brotli(bytes, limit: 1 << 20)) != nil { decoded += 1 }
            }
        }
        // Most mutations break the stream; the point is that none traps.
        #expect(decoded < 2 * count)
    }
}
