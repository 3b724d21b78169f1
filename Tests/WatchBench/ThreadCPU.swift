import Foundation

/// CPU seconds per thread name, summed over threads of the same name. From /proc/self/task/*/schedstat
/// (nanoseconds on the CPU, exact) rather than the clock ticks of `stat`: a thread that wakes for
/// 100 µs every 10 ms, like the network loop here, can fall between ticks and be charged nothing.
func threadCPU() -> [String: Double] {
    var out: [String: Double] = [:]
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for tid in tasks {
        guard let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
              let schedstat = try? String(contentsOfFile: "/proc/self/task/\(tid)/schedstat", encoding: .utf8),
              let nanoseconds = Double(schedstat.split(separator: " ").first ?? "") else { continue }
        out[comm.trimmingCharacters(in: .whitespacesAndNewlines), default: 0] += nanoseconds / 1e9
    }
    return out
}

/// CPU seconds of the whole process (every thread, the fake platform's included).
func processCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Peak resident memory in MB (VmHWM).
func peakRSSMB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

/// Per-thread CPU between two readings.
func cpuDelta(_ before: [String: Double], _ after: [String: Double]) -> [String: Double] {
    var out: [String: Double] = [:]
    for (name, value) in after { out[name] = value - (before[name] ?? 0) }
    return out
}
