import BiliupEngine
import BiliupNet
import BiliupScript
import BiliupTestSupport
import Foundation

// Watching idle rooms (scripts/bench/watch.sh): ROOMS rooms on a fake platform, all offline, checked by
// the real PluginHost (one Lua VM, a plugin doing one GET of ~2 KB JSON per check) through the
// CheckScheduler at INTERVAL seconds and a per-platform budget of RATE checks/s, for SECONDS seconds.
// Reported: the measured check rate against the configured one, CPU per thread (Lua, network, scheduler)
// per check and per hour of watching, peak RSS. Baseline in the same run: the same GET made straight from
// Swift at the same rate (network thread only, no Lua, no scheduler).

let arguments = CommandLine.arguments.dropFirst().map { Double($0) }
func argument(_ i: Int, _ fallback: Double) -> Double { i < arguments.count ? arguments[i] ?? fallback : fallback }
let seconds = argument(0, 120)
let roomCount = Int(argument(1, 1000))
let interval = argument(2, 30)
let rate = argument(3, 25)
/// The first seconds hold the bucket's starting burst and the rooms' first spread; they are not measured.
let warmUp = min(10, seconds / 4)
/// Long enough for a few hundred bare requests at the same rate.
let baselineSeconds = max(10, seconds / 5)
let biliupThreads = ["biliup-lua", "biliup-net", "biliup-sched"]

let fake = try FakePlatform()
FakeRoomAPI.serve(on: fake)
let pluginDir = try PluginPaths.temporary()
defer { try? FileManager.default.removeItem(atPath: pluginDir) }
try FakeRoomAPI.source.write(toFile: "\(pluginDir)/\(FakeRoomAPI.plugin).lua", atomically: true, encoding: .utf8)
let host = PluginHost(configuration: ScriptConfiguration(
    pluginDirectories: [pluginDir], hostRemap: fake.remap(),
    log: { if $0.level >= .warn { print("[\($0.level.rawValue)] \($0.source): \($0.message)") } }))

/// Results by outcome; the first error is kept for the report.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var offline = 0, live = 0, failed = 0
    private(set) var firstError: String?
    func add(_ result: Result<CheckResult, ScriptError>) {
        lock.withLock {
            switch result {
            case .success(let r): if r.live { live += 1 } else { offline += 1 }
            case .failure(let e): failed += 1; if firstError == nil { firstError = e.description }
            }
        }
    }
    var snapshot: (offline: Int, live: Int, failed: Int, error: String?) { lock.withLock { (offline, live, failed, firstError) } }
}

let warmCheck = await host.checkResult("https://live.watch-bench.test/1", options: [:])
precondition((try? warmCheck.get())?.live == false, "the warm-up check failed: \(warmCheck)")
print("watch: \(roomCount) offline rooms, interval \(Int(interval)) s, budget \(rate) checks/s, \(Int(seconds)) s " +
      "(measured after \(Int(warmUp)) s); answer \(FakeRoomAPI.answer(room: "500").utf8.count) bytes of JSON per check")

// MARK: Watching

let tally = Tally()
let scheduler = CheckScheduler(checker: host, rates: PlatformRates(defaultPerSecond: rate, perPlatform: [FakeRoomAPI.plugin: rate]),
                               onResult: { _, result in tally.add(result) })
scheduler.setRooms((1...roomCount).map {
    WatchedRoom(streamer: "streamer\($0)", url: "https://live.watch-bench.test/\($0)", interval: interval)
})
let start = ContinuousClock.now
scheduler.start()
try await Task.sleep(until: start + .seconds(warmUp))
let cpuBefore = threadCPU(), processBefore = processCPU()
let callsBefore = scheduler.stats.callsStarted[FakeRoomAPI.plugin] ?? 0
let measureStart = ContinuousClock.now
try await Task.sleep(until: start + .seconds(seconds))
let window = (ContinuousClock.now - measureStart).seconds
let calls = (scheduler.stats.callsStarted[FakeRoomAPI.plugin] ?? 0) - callsBefore
let cpu = cpuDelta(cpuBefore, threadCPU()), processSeconds = processCPU() - processBefore
let queuedAtEnd = scheduler.stats.queued
await scheduler.stop()
let results = tally.snapshot

// MARK: Baseline: the same GET from Swift at the same rate

let infoURL = fake.remap().apply("https://\(FakeRoomAPI.host)\(FakeRoomAPI.path)?id=500")
let baseBefore = threadCPU()
let baseStart = ContinuousClock.now
let baseFailures = await withTaskGroup(of: Bool.self) { group in
    var sent = 0
    while true {
        let due = baseStart + .seconds(Double(sent) / rate)
        guard due < baseStart + .seconds(baselineSeconds) else { break }
        try? await Task.sleep(until: due)
        sent += 1
        group.addTask { (try? await HTTPClient.fetch(HTTPRequest(url: infoURL)).get().status) == 200 }
    }
    var failed = 0
    for await ok in group where !ok { failed += 1 }
    return failed
}
let baseWindow = (ContinuousClock.now - baseStart).seconds
let baseRequests = Int((baselineSeconds * rate).rounded(.up))
let baseCPU = cpuDelta(baseBefore, threadCPU())

// MARK: Report

let measuredRate = Double(calls) / window
let perCheck = { (name: String) in (cpu[name] ?? 0) * 1000 / Double(max(calls, 1)) }
let biliupCPU = biliupThreads.map { cpu[$0] ?? 0 }.reduce(0, +)
let perHour = { (cpuSeconds: Double) in cpuSeconds / window * 3600 }
let barePerRequest = (baseCPU["biliup-net"] ?? 0) * 1000 / Double(baseRequests)
let checkMs = biliupCPU * 1000 / Double(max(calls, 1))
print("")
print(String(format: "check rate      %.2f checks/s measured over %.1f s, configured %.2f: %+.1f %%", measuredRate, window, rate,
             (measuredRate / rate - 1) * 100))
print(String(format: "results         %d offline, %d live, %d failed%@; %d rooms still queued at the end (budget-bound)",
             results.offline, results.live, results.failed, results.error.map { " (first: \($0))" } ?? "", queuedAtEnd))
print(String(format: "CPU per check   %.3f ms = Lua %.3f + network %.3f + scheduler %.3f", checkMs,
             perCheck("biliup-lua"), perCheck("biliup-net"), perCheck("biliup-sched")))
print(String(format: "CPU per hour    %.1f CPU-s of biliup threads (Lua %.1f, network %.1f, scheduler %.1f) watching %d idle rooms at %.0f checks/s",
             perHour(biliupCPU), perHour(cpu["biliup-lua"] ?? 0), perHour(cpu["biliup-net"] ?? 0), perHour(cpu["biliup-sched"] ?? 0),
             roomCount, measuredRate))
print(String(format: "                %.1f CPU-s for the whole process (Swift task threads and the fake platform's server included)",
             perHour(processSeconds)))
print(String(format: "                at the %.0f s interval without a budget (%.1f checks/s): %.1f CPU-s of biliup threads",
             interval, Double(roomCount) / interval, checkMs / 1000 * Double(roomCount) / interval * 3600))
print(String(format: "baseline        %d bare GETs from Swift at %.0f/s over %.1f s: %.3f ms network CPU per request (%d failed); check / request = %.1f",
             baseRequests, rate, baseWindow, barePerRequest, baseFailures, checkMs / max(barePerRequest, 1e-9)))
print(String(format: "peak RSS        %.0f MB (fake platform server included)", peakRSSMB()))
let others = cpu.filter { !biliupThreads.contains($0.key) }.sorted { $0.value > $1.value }
print("other threads   " + others.map { String(format: "%@ %.2f s", $0.key, $0.value) }.joined(separator: ", "))
