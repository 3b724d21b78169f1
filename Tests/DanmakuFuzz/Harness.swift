import BiliupDanmaku
import Foundation

// libFuzzer entry point for the danmaku decoders, built only by `scripts/fuzz-danmaku.sh` (Package.swift adds
// this target when BILIUP_LIBFUZZER=1, and `swift build --sanitize=fuzzer` instruments every module and links
// libFuzzer's `main`, hence `-parse-as-library` and no main here). The first input byte picks the decoder;
// the rest is one frame. A decoder may throw DanmakuDecodeError; anything else, or a trap, is a finding.

private let receivedAt = Date(timeIntervalSince1970: 1_733_120_000)

/// In the order of the selector byte the script prefixes to each seed: keep in step with fuzz-danmaku.sh.
private let decoders: [@Sendable ([UInt8]) throws -> Void] = [
    { _ = try BilibiliDecoder().decode($0, receivedAt: receivedAt) },
    { bytes in
        var decoder = DouyuDecoder()
        _ = try decoder.feed(bytes, receivedAt: receivedAt)
    },
    { _ = TwitchIRC.decode(String(decoding: $0, as: UTF8.self), receivedAt: receivedAt) },
    { _ = try HuyaChatSession(presenterUID: 1_199_513_219_532).receive(.binary($0), at: receivedAt) },
    { _ = try DouyinChatSession().receive(.binary($0), at: receivedAt) },
    { _ = try TwitCastingComments.decode(String(decoding: $0, as: UTF8.self), receivedAt: receivedAt) },
    { _ = try YouTubeLiveChat.decode($0, receivedAt: receivedAt) },
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let decode = decoders[Int(input[0]) % decoders.count]
    do {
        try decode(Array(input.dropFirst()))
    } catch is DanmakuDecodeError {
        // A rejected frame: what a broken or hostile stream should get.
    } catch {
        fatalError("a decoder threw something other than DanmakuDecodeError: \(type(of: error))")
    }
    return 0
}
