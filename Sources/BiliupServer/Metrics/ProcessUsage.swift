import Foundation

/// This process's CPU time, memory and files as the kernel counts them (/proc/self), under the names
/// Prometheus client libraries use (`process_*`), so existing dashboards read them.
struct ProcessUsage {
    var cpuSeconds: Double
    var residentBytes: Int64
    var virtualBytes: Int64
    var startTime: Double
    var openFiles: Int
    var maxFiles: Int

    /// Nil where /proc is not there (not Linux).
    static func now() -> ProcessUsage? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // The fields after the command name (which may hold spaces and parentheses), from field 3 on.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ n: Int) -> Double { n - 3 < fields.count ? Double(fields[n - 3]) ?? 0 : 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let openFiles = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessUsage(cpuSeconds: (field(14) + field(15)) / ticks, residentBytes: Int64(field(24) * page),
                            virtualBytes: Int64(field(23)), startTime: bootTime() + field(22) / ticks,
                            openFiles: openFiles, maxFiles: Int(clamping: limit.rlim_cur))
    }

    /// When the machine booted (unix seconds): process start times in /proc count from there.
    private static func bootTime() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }) else { return 0 }
        return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
    }
}
