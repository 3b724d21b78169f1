import BiliupTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// A local Bilibili for the browser test and the upload benchmark: prints one JSON line
// {"base", "remap", "cookies"} and serves until SIGINT or SIGTERM.

let usage = "usage: bilibili-standin [--port N] [--dir D] [--discard] [--account MID:UNAME ...] [--qr-after N]"

// Blocked before any thread exists (threads inherit the mask), so `sigwait` below receives them.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("bilibili-standin: \(message)\n".utf8))
    exit(status)
}

var port = 0
var directory: URL?
var discard = false
var accounts: [(Int64, String)] = []
/// QR codes are confirmed (as the first account) after this many polls; nil: nobody ever scans.
var qrAfterPolls: Int?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--port":
        guard let value = arguments.popFirst().flatMap({ Int($0) }) else { fail("--port needs a number\n\(usage)", status: 2) }
        port = value
    case "--dir":
        guard let value = arguments.popFirst() else { fail("--dir needs a directory\n\(usage)", status: 2) }
        directory = URL(fileURLWithPath: value)
    case "--discard":
        discard = true
    case "--account":
        guard let value = arguments.popFirst(), let colon = value.firstIndex(of: ":"), let mid = Int64(value[..<colon]),
              value.index(after: colon) < value.endIndex
        else { fail("--account needs MID:UNAME\n\(usage)", status: 2) }
        accounts.append((mid, String(value[value.index(after: colon)...])))
    case "--qr-after":
        guard let value = arguments.popFirst().flatMap({ Int($0) }), value >= 0 else { fail("--qr-after needs a number\n\(usage)", status: 2) }
        qrAfterPolls = value
    default:
        fail("unknown argument \(argument)\n\(usage)", status: 2)
    }
}

do {
    let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("bilibili-standin-\(getpid())")
    let standIn = try BilibiliStandIn(directory: dir, port: port, discardUploads: discard)
    if accounts.isEmpty { accounts = [(10_000_001, "standin-up")] }
    let added = accounts.map { standIn.addAccount(mid: $0.0, uname: $0.1) }
    if let qrAfterPolls { standIn.qrScanAfterPolls(qrAfterPolls, account: added[0]) }
    let cookies = dir.appendingPathComponent("cookies.json")
    try Data(standIn.loginInfoJSON(for: added[0]).utf8).write(to: cookies)
    let line = try JSONSerialization.data(
        withJSONObject: ["base": standIn.baseURL.absoluteString, "remap": standIn.remapRules, "cookies": cookies.path],
        options: [.sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(line + Data("\n".utf8))  // unbuffered: a pipe reader sees it now
    var signal: Int32 = 0
    sigwait(&stopSignals, &signal)
    standIn.stop()
} catch {
    fail("\(error)", status: 1)
}
