import BiliupTestSupport
import Foundation

/// The command line of `live-source`, parsed by hand (this target has no ArgumentParser).
struct LiveSourceArguments {
    static let usage = """
        usage: live-source [--port P] [--speed X] MODE
          FLV:  (--flv FILE [--flv FILE2 ...] | --seconds S) [--streams N] [--once]
                [--cut-after S]... [--jump-at S --jump-ms MS] [--step-at S --step-ms MS]
                serves /live/s1.flv ... /live/sN.flv, looping unless --once; several --flv play back to back
          HLS:  (--hls-ts | --hls-fmp4) --seconds S [--window W] [--master] [--discontinuity-at I]
                [--drop-after I --drop-count C] [--fail-segment I]
                serves /hls/s1/index.m3u8 (and master.m3u8 with --master)
          always: /bad/html /bad/404 /bad/zeros /bad/truncated /bad/malformed.m3u8
        prints "READY <port>" on stdout once listening; runs until SIGINT or SIGTERM
        """

    enum Mode { case flv, hlsTS, hlsFMP4 }

    var port = 0
    var mode = Mode.flv
    var flvFiles: [URL] = []
    var seconds: Int?
    var streams = 1
    var flv = FlvLiveSource.Options(loop: true)
    var hls = HLSLiveSource.Options()

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        var jumpAt: Double?, jumpMs: Int?, stepAt: Double?, stepMs: Int?, dropAfter: Int?, dropCount: Int?
        while let option = rest.popFirst() {
            func value() throws -> String {
                guard let value = rest.popFirst() else { throw UsageError("\(option) needs a value") }
                return value
            }
            func number<T: LosslessStringConvertible>(_: T.Type = T.self) throws -> T {
                let text = try value()
                guard let number = T(text) else { throw UsageError("\(option): not a number: \(text)") }
                return number
            }
            switch option {
            case "--port": port = try number()
            case "--speed": flv.speed = try number(); hls.speed = flv.speed
            case "--flv": flvFiles.append(URL(fileURLWithPath: try value()))
            case "--seconds": seconds = try number(Int.self)
            case "--streams": streams = try number()
            case "--once": flv.loop = false
            case "--cut-after": flv.cutAfterSeconds.append(try number())
            case "--jump-at": jumpAt = try number(Double.self)
            case "--jump-ms": jumpMs = try number(Int.self)
            case "--step-at": stepAt = try number(Double.self)
            case "--step-ms": stepMs = try number(Int.self)
            case "--hls-ts": mode = .hlsTS
            case "--hls-fmp4": mode = .hlsFMP4
            case "--window": hls.window = try number()
            case "--master": hls.masterPlaylist = true
            case "--discontinuity-at": hls.discontinuityAt = try number(Int.self)
            case "--drop-after": dropAfter = try number(Int.self)
            case "--drop-count": dropCount = try number(Int.self)
            case "--fail-segment": hls.failSegmentOnce = try number(Int.self)
            default: throw UsageError("unknown option \(option)")
            }
        }
        if let jumpAt { flv.timestampJump = (jumpAt, jumpMs ?? 3_600_000) }
        if let stepAt { flv.backwardStep = (stepAt, stepMs ?? 5_000) }
        if let dropAfter { hls.dropSegments = (dropAfter, dropCount ?? 1) }
        guard mode == .flv ? (!flvFiles.isEmpty || seconds != nil) : seconds != nil else {
            throw UsageError(mode == .flv ? "give --flv FILE or --seconds S" : "HLS needs --seconds S")
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
