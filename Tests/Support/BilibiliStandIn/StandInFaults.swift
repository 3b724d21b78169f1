import Foundation

/// One way preupload says an account uploads too fast, each seen in the wild (reference/biliup.md §4.2).
public enum PreuploadRateLimit: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    /// HTTP 429 with `{"code":601,...}` (biliup's RateLimit).
    case code601
    /// HTTP 406 with `{"code":406,...}` (biliup #1285).
    case status406
    /// HTTP 200 with `{"OK":0,"info":"您上传视频过快，请稍后再试"}` (biliup #1565).
    case okZero

    /// `601` or `406`.
    public init(integerLiteral value: Int) {
        switch value {
        case 601: self = .code601
        case 406: self = .status406
        default: preconditionFailure("preupload rate limits are 601, 406 or \"OK:0\", not \(value)")
        }
    }

    /// `"OK:0"`.
    public init(stringLiteral value: String) {
        precondition(value == "OK:0", "preupload rate limits are 601, 406 or \"OK:0\", not \(value)")
        self = .okZero
    }
}

/// The faults the stand-in is told to show, and the seeded generator that makes random ones repeatable.
struct FaultState {
    var chunkFailureRate = 0.0
    var holdChunks = false
    var heldChunks = 0
    var cutConnectionEvery: Int?
    var preuploadRateLimits: [PreuploadRateLimit] = []
    var submitRateLimits = 0
    var chunkPutsSeen = 0
    var random = SplitMix64(seed: 0x5EED)
}

/// A tiny seeded generator: the same faults on every run of a test.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension BilibiliStandIn {
    /// The fraction of chunk PUTs answered with HTTP 500 (their bytes dropped), drawn from a seeded generator.
    public var chunkFailureRate: Double {
        get { lock.withLock { state.faults.chunkFailureRate } }
        set { lock.withLock { state.faults.chunkFailureRate = newValue } }
    }

    /// Every Nth chunk PUT has its connection cut after half its body arrived; nil: never.
    public var cutConnectionEvery: Int? {
        get { lock.withLock { state.faults.cutConnectionEvery } }
        set { lock.withLock { state.faults.cutConnectionEvery = newValue } }
    }

    /// Rate-limit answers for the next preuploads, one each, in order; then preupload works again.
    public var preuploadRateLimits: [PreuploadRateLimit] {
        get { lock.withLock { state.faults.preuploadRateLimits } }
        set { lock.withLock { state.faults.preuploadRateLimits = newValue } }
    }

    /// The next this many add calls answer 21070 (投稿过于频繁).
    public var submitRateLimits: Int {
        get { lock.withLock { state.faults.submitRateLimits } }
        set { lock.withLock { state.faults.submitRateLimits = newValue } }
    }

    /// While true, a chunk PUT's body is read and then no answer comes until it is set false again (then
    /// a 500): a client killed meanwhile is known to be waiting on that chunk, however slow the machine.
    public var holdChunks: Bool {
        get { lock.withLock { state.faults.holdChunks } }
        set { lock.withLock { state.faults.holdChunks = newValue } }
    }

    /// Chunk PUTs that `holdChunks` has held so far.
    public var heldChunks: Int { lock.withLock { state.faults.heldChunks } }

    /// Restarts the generator behind `chunkFailureRate`.
    public func seedFaults(_ seed: UInt64) {
        lock.withLock { state.faults.random = SplitMix64(seed: seed) }
    }

    /// What happens to the next chunk PUT.
    enum ChunkFault { case none, fail, cut, hold }

    func nextChunkFault() -> ChunkFault {
        lock.withLock {
            state.faults.chunkPutsSeen += 1
            if state.faults.holdChunks { return .hold }
            if let every = state.faults.cutConnectionEvery, every > 0, state.faults.chunkPutsSeen % every == 0 { return .cut }
            let rate = state.faults.chunkFailureRate
            if rate > 0, Double.random(in: 0..<1, using: &state.faults.random) < rate { return .fail }
            return .none
        }
    }

    func takePreuploadRateLimit() -> PreuploadRateLimit? {
        lock.withLock { state.faults.preuploadRateLimits.isEmpty ? nil : state.faults.preuploadRateLimits.removeFirst() }
    }

    func takeSubmitRateLimit() -> Bool {
        lock.withLock {
            guard state.faults.submitRateLimits > 0 else { return false }
            state.faults.submitRateLimits -= 1
            return true
        }
    }
}
