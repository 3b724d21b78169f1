import BiliupTestSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// A local chat server of one platform, for benchmarks and trying biliup's danmaku capture by hand:
// prints one JSON line {"platform", "url", "remap", "port"} and serves until SIGINT or SIGTERM, then
// prints what it saw (a second JSON line: messages sent, connections, registrations, heartbeats…).
//
//   chat-standin bilibili --messages 1000 --rate 50 &
//   biliup download … --host-remap "$(jq -r '.remap | join(",")')"

let usage = """
    usage: chat-standin PLATFORM [--messages N] [--rate PER_SECOND] [--kinds chat,gift,superChat,guardBuy]
                        [--fault KIND@INDEX ...] [--stamp-elapsed] [--room ID] [--reuse-frames]
      PLATFORM: bilibili, douyu, huya, douyin, twitch, twitcasting, youtube
      KIND: garbage, truncated, bomb, close, reset (sent before message INDEX)
      --stamp-elapsed: each text starts with the seconds since the first message went out
      --reuse-frames: bilibili only, for floods: each batch size's compressed frame is built once and
                      sent again (message contents repeat), so the stand-in's CPU does not cap the rate
    """

var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)  // before any thread exists, so sigwait gets them

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("chat-standin: \(message)\n".utf8))
    exit(status)
}

var arguments = CommandLine.arguments.dropFirst()
guard let platform = arguments.popFirst(), !platform.hasPrefix("-") else { fail("no platform\n\(usage)") }
var script = ChatScript(messages: 100)
var room: String?
var stampElapsed = false
var reuseFrames = false
while let argument = arguments.popFirst() {
    switch argument {
    case "--messages":
        guard let value = arguments.popFirst().flatMap({ Int($0) }), value >= 0 else { fail("--messages needs a count\n\(usage)") }
        script.messages = value
    case "--rate":
        guard let value = arguments.popFirst().flatMap({ Double($0) }), value > 0 else { fail("--rate needs a positive number\n\(usage)") }
        script.perSecond = value
    case "--kinds":
        let kinds = (arguments.popFirst() ?? "").split(separator: ",").map { StandInChatMessage.Kind(rawValue: String($0)) }
        guard !kinds.isEmpty, kinds.allSatisfy({ $0 != nil }) else { fail("--kinds takes chat,gift,superChat,guardBuy\n\(usage)") }
        script.kinds = kinds.compactMap { $0 }
    case "--fault":
        let parts = (arguments.popFirst() ?? "").split(separator: "@")
        guard parts.count == 2, let kind = ChatFault.Kind(rawValue: String(parts[0])), let index = Int(parts[1]) else {
            fail("--fault takes KIND@INDEX\n\(usage)")
        }
        script.faults.append(ChatFault(kind, beforeMessage: index))
    case "--stamp-elapsed":
        stampElapsed = true
    case "--reuse-frames":
        reuseFrames = true
    case "--room":
        guard let value = arguments.popFirst() else { fail("--room needs an id\n\(usage)") }
        room = value
    case "--help", "-h":
        print(usage)
        exit(0)
    default:
        fail("unknown argument \(argument)\n\(usage)")
    }
}

if stampElapsed {
    let start = Mutex<ContinuousClock.Instant?>(nil)
    script.stamp = { _ in
        let now = ContinuousClock.now
        let first = start.withLock { value in
            if value == nil { value = now }
            return value!
        }
        return String(format: "%.3f", (now - first) / .seconds(1))
    }
}



do {
    let standIn: any ChatStandIn
    switch platform {
    case "bilibili": standIn = try BilibiliChatStandIn(roomID: room.flatMap { Int64($0) } ?? 22_603_245, script: script,
                                                         reuseFrames: reuseFrames)
    case "douyu": standIn = try DouyuChatStandIn(roomID: room ?? "9999", script: script, splitPause: 0)
    case "huya": standIn = try HuyaChatStandIn(presenterUID: room.flatMap { Int64($0) } ?? 1_199_561_209_513, script: script)
    case "douyin": standIn = try DouyinChatStandIn(roomID: room ?? "7319482612581034790", script: script)
    case "twitch": standIn = try TwitchChatStandIn(channel: room ?? "standin_channel", script: script)
    case "twitcasting": standIn = try TwitCastingChatStandIn(movieID: room ?? "820000001", script: script)
    case "youtube": standIn = try YouTubeChatStandIn(videoID: room ?? "dQw4w9WgXcQ", script: script)
    default: fail("unknown platform \(platform)\n\(usage)")
    }
    var info: [String: Any] = ["platform": standIn.platform, "url": standIn.chatURL, "remap": standIn.remapRules]
    if let bilibili = standIn as? BilibiliChatStandIn {
        info["room_id"] = bilibili.roomID
        info["token"] = bilibili.token
    }
    if let youtube = standIn as? YouTubeChatStandIn { info["continuation"] = youtube.initialContinuation }
    let line = try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(line + Data("\n".utf8))  // unbuffered: a pipe reader sees it now
    var signal: Int32 = 0
    sigwait(&stopSignals, &signal)
    standIn.stop()
    let report = standIn.report
    let summary: [String: Any] = ["sent": standIn.sent.count, "connections": report.connections,
                                  "registrations": report.registrations, "refusals": report.refusals,
                                  "heartbeats": report.heartbeats, "pongs": report.pongs, "acks": report.acks.count,
                                  "acks_requested": report.acksRequested.count, "protocol_errors": report.protocolErrors,
                                  "faults": report.faults.map(\.rawValue)]
    let end = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(end + Data("\n".utf8))
} catch {
    fail("\(error)", status: 1)
}
