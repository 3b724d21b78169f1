import BiliupNet
import BiliupScript
import BiliupTestSupport
import Foundation

// Plugin checks at scale (scripts/bench/plugins.sh): N concurrent checks of the shipped bilibili plugin
// (WBI-signed room info + play info, JSON decoding, stream selection) against a local fake API, in one
// Lua VM. Baseline in the same run: the same two HTTP requests per check made straight from Swift,
// without Lua, through the same network thread. Reported per check: CPU of the Lua thread and of the
// network thread, and the ratio of a check's CPU to its bare requests'.

let arguments = CommandLine.arguments
let concurrency = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5

/// CPU seconds per thread name (from /proc/self/task/*/stat), summed over threads of the same name.
func threadCPU() -> [String: Double] {
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var out: [String: Double] = [:]
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for tid in tasks {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
        let name = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        out[name, default: 0] += (user + system) / ticks
    }
    return out
}

func rssMB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

struct Phase {
    var wall: Double
    var lua: Double
    var net: Double
    var failures: Int
}

func measure(_ body: () async -> Int) async -> Phase {
    let before = threadCPU()
    let start = ContinuousClock.now
    let failures = await body()
    let wall = (ContinuousClock.now - start).seconds
    let after = threadCPU()
    precondition(after["biliup-lua"] != nil && after["biliup-net"] != nil, "cannot read per-thread CPU from /proc/self/task")
    func delta(_ name: String) -> Double { (after[name] ?? 0) - (before[name] ?? 0) }
    return Phase(wall: wall, lua: delta("biliup-lua"), net: delta("biliup-net"), failures: failures)
}

// 1,000 checks in flight hold ~2,000 sockets (client and fake server): lift the soft descriptor limit,
// or connections and the /proc reads below fail.
var limit = rlimit()
getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
limit.rlim_cur = limit.rlim_max
setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)

let fake = try BilibiliFake.fake()
let remap = fake.remap()
let host = PluginHost(configuration: ScriptConfiguration(
    pluginDirectories: [PluginPaths.shipped], hostRemap: remap,
    log: { if $0.level >= .warn { print("[\($0.level.rawValue)] \($0.source): \($0.message)") } }))

// Warm-up: loads the plugins and caches the WBI keys (nav), as a running engine would have.
let first = try await host.check("https://live.bilibili.com/6")
precondition(first.live && !first.streams.isEmpty, "the warm-up check found no stream")

let infoURL = remap.apply("https://\(BilibiliFake.api)\(BilibiliFake.infoPath)?room_id=6&web_location=444.8&wts=1&w_rid=0")
let playURL = remap.apply("https://\(BilibiliFake.api)\(BilibiliFake.playPath)?room_id=7734200&qn=10000&platform=html5&protocol=0,1&format=0,1,2&codec=0&dolby=5&wts=1&w_rid=0")

print("plugin checks: \(concurrency) concurrent bilibili checks per round, \(rounds) rounds, one VM")
print(String(format: "%5@ %-9@ %9@ %10@ %10@ %10@ %9@", "round", "phase", "checks/s", "lua ms/ck", "net ms/ck", "total/ck", "failures"))
var sums: [String: (wall: Double, lua: Double, net: Double)] = [:]
for round in 1...rounds {
    let baseline = await measure {
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    let a = await HTTPClient.fetch(HTTPRequest(url: infoURL))
                    let b = await HTTPClient.fetch(HTTPRequest(url: playURL))
                    return (try? a.get().status) == 200 && (try? b.get().status) == 200
                }
            }
            var failed = 0
            for await ok in group where !ok { failed += 1 }
            return failed
        }
    }
    let plugin = await measure {
        await withTaskGroup(of: Bool.self) { group in
            for i in 0..<concurrency {
                group.addTask { (try? await host.check("https://live.bilibili.com/\(i + 1)"))?.live == true }
            }
            var failed = 0
            for await ok in group where !ok { failed += 1 }
            return failed
        }
    }
    for (name, p) in [("requests", baseline), ("plugin", plugin)] {
        let n = Double(concurrency)
        print(String(format: "%5d %-9@ %9.0f %10.3f %10.3f %10.3f %9d", round, name, n / p.wall, p.lua * 1000 / n,
                     p.net * 1000 / n, (p.lua + p.net) * 1000 / n, p.failures))
        if round > 1 {  // the first round warms connection pools and allocators
            sums[name, default: (0, 0, 0)].wall += p.wall
            sums[name, default: (0, 0, 0)].lua += p.lua
            sums[name, default: (0, 0, 0)].net += p.net
        }
    }
}
if rounds > 1 {
    let n = Double(concurrency * (rounds - 1))
    let b = sums["requests"]!, p = sums["plugin"]!
    print("")
    print(String(format: "rounds 2-%d: plugin %.0f checks/s, %.3f ms CPU per check (Lua %.3f + network %.3f)", rounds,
                 n / p.wall, (p.lua + p.net) * 1000 / n, p.lua * 1000 / n, p.net * 1000 / n))
    print(String(format: "             bare requests %.3f ms CPU per check (network thread); check / requests = %.2f",
                 (b.lua + b.net) * 1000 / n, (p.lua + p.net) / max(b.lua + b.net, 1e-9)))
    print(String(format: "             process RSS %.0f MB (fake server included)", rssMB()))
}
