import BiliupDanmaku
import BiliupNet
import BiliupValues
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// One side of scripts/bench/danmaku.sh: connects to a `chat-standin bilibili` and takes its chat until
// EXPECTED messages arrived (or the time is up), then prints one JSON line with what it cost this process.
// BILIUP_HOST_REMAP carries the stand-in's remap rules.
//
//   danmaku-bench floor   URL ROOM TOKEN EXPECTED SECONDS
//       receive and decompress only: the same transport and WebSocket framing, packets split and
//       zlib/brotli bodies inflated, nested packets counted; no JSON, no messages, no files.
//   danmaku-bench capture URL ROOM TOKEN EXPECTED SECONDS DIR
//       what a recording with `danmaku = true` does: the production bilibili session (JSON decoded into
//       messages), DanmakuCapture's queue and writer thread, one XML per 10-second segment in DIR.

let usage = "usage: danmaku-bench floor|capture URL ROOM TOKEN EXPECTED SECONDS [DIR]"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("danmaku-bench: \(message)\n".utf8))
    exit(2)
}

let args = Array(CommandLine.arguments.dropFirst())
guard args.count >= 6, let room = Int64(args[2]), let expected = Int(args[4]), let seconds = Double(args[5]) else { fail(usage) }
let mode = args[0]
let url = args[1]
let token = args[3]

/// Counts what arrives; the connection thread adds, the main thread reads.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var errors: [String] = []
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    func error(_ e: String) { lock.lock(); errors.append(e); lock.unlock() }
    var value: (Int, [String]) { lock.lock(); defer { lock.unlock() }; return (count, errors) }
}

/// The floor: bilibili's registration and heartbeat, then each frame split into packets and every
/// compressed body inflated and split again, counting the notifications; nothing is parsed further.
final class FloorSession: ChatSession {
    let room: Int64
    let token: String
    let tally: Tally
    init(room: Int64, token: String, tally: Tally) {
        self.room = room
        self.token = token
        self.tally = tally
    }
    func openingFrames() -> [ChatFrame] { [.binary(BilibiliClientFrames.auth(viewerUID: 0, roomID: room, token: token))] }
    var heartbeatInterval: Duration? { BilibiliClientFrames.heartbeatInterval }
    func heartbeatFrame() -> ChatFrame? { .binary(BilibiliClientFrames.heartbeat()) }
    func receive(_ frame: ChatFrame, at time: Date) throws(DanmakuDecodeError) -> ChatReceipt {
        guard case .binary(let bytes) = frame else { return ChatReceipt() }
        tally.add(try count(bytes, depth: 0))
        return ChatReceipt()
    }
    private func count(_ bytes: [UInt8], depth: Int) throws(DanmakuDecodeError) -> Int {
        let packets: [BilibiliPacket]
        do { packets = try BilibiliPacket.split(bytes).packets } catch { throw error as? DanmakuDecodeError ?? .malformed("split") }
        var n = 0
        for p in packets where p.operation == BilibiliPacket.Operation.notification {
            switch p.version {
            case BilibiliPacket.Version.brotli where depth == 0:
                n += try count(try inflate { try Inflate.brotli(p.body) }, depth: 1)
            case BilibiliPacket.Version.zlib where depth == 0:
                n += try count(try inflate { try Inflate.zlib(p.body) }, depth: 1)
            default:
                n += 1
            }
        }
        return n
    }
    private func inflate(_ body: () throws -> [UInt8]) throws(DanmakuDecodeError) -> [UInt8] {
        do { return try body() } catch { throw error as? DanmakuDecodeError ?? .malformed("inflate") }
    }
}

let tally = Tally()
// The stand-in names the real chat host; BILIUP_HOST_REMAP points it at the stand-in, as for biliup.
guard let remap = try? HostRemap.environment(ProcessInfo.processInfo.environment["BILIUP_HOST_REMAP"]) else { fail("bad BILIUP_HOST_REMAP") }
let network = ChatNetworkSettings(hostRemap: remap)
let capture: DanmakuCapture?
let resolve: @Sendable () throws -> ChatSource
switch mode {
case "floor":
    capture = nil
    let endpoint = ChatEndpoint(url: url, transport: .webSocket)
    resolve = { ChatSource(platform: "bilibili", room: String(room), kind: .stream(endpoint, makeSession: {
        FloorSession(room: room, token: token, tally: tally)
    })) }
case "capture":
    guard args.count == 7 else { fail(usage) }
    capture = DanmakuCapture(settings: .init(room: String(room), platform: "bilibili", detail: true))
    let params: [String: JSONValue] = ["url": .string(url), "room_id": .int(room), "token": .string(token)]
    resolve = { try ChatPlatforms.source(protocol: "bilibili", parameters: params) }
default:
    fail(usage)
}

let connection = ChatConnection(resolve: resolve, network: network) { event in
    switch event {
    case .messages(let m):
        tally.add(m.count)
        capture?.accept(event)
    case .disconnected(_, let reason):
        tally.error(reason)
        capture?.accept(event)
    case .connected:
        capture?.accept(event)
    }
}

let dir = args.count == 7 ? args[6] : ""
var segment = 1
var written = 0
capture?.segmentOpened(videoPath: "\(dir)/segment-1.flv", firstFrameAt: Date(), arrivalLag: 0)
connection.start()
let started = ContinuousClock.now
var lastCut = started
while tally.value.0 < expected && ContinuousClock.now - started < .seconds(seconds) {
    Thread.sleep(forTimeInterval: 0.05)
    if capture != nil && ContinuousClock.now - lastCut >= .seconds(10) {
        written += capture!.segmentClosing(videoPath: "\(dir)/segment-\(segment).flv")?.messages ?? 0
        segment += 1
        capture!.segmentOpened(videoPath: "\(dir)/segment-\(segment).flv", firstFrameAt: Date(), arrivalLag: 0)
        lastCut = .now
    }
}
let wall = (ContinuousClock.now - started) / .seconds(1)
connection.stop()
if let capture {
    written += capture.segmentClosing(videoPath: "\(dir)/segment-\(segment).flv")?.messages ?? 0
    _ = capture.finish()
}

var usage_ = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage_)
let cpu = Double(usage_.ru_utime.tv_sec + usage_.ru_stime.tv_sec) + Double(usage_.ru_utime.tv_usec + usage_.ru_stime.tv_usec) / 1e6
let (received, errors) = tally.value
let result: [String: Any] = ["mode": mode, "received": received, "wall_s": wall, "cpu_s": cpu,
                             "peak_rss_kib": usage_.ru_maxrss, "segments": segment, "written": written,
                             "disconnects": errors]
let line = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: line, as: UTF8.self))
