import Foundation

/// Prometheus's `promtool check metrics` (Debian's `prometheus` package, installed by scripts/setup.sh),
/// the judge of what `GET /metrics` prints.
public enum Promtool {
    public static let path: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// What promtool says of `exposition`: nothing when it passes (lint warnings included).
    public static func problems(in exposition: String) throws -> String? {
        guard let path else { return "promtool is not installed (Debian's prometheus package; scripts/setup.sh installs it)" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try exposition.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try runTool("/bin/sh", ["-c", "exec \"$0\" check metrics < \"$1\"", path, file.path])
        let said = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        return result.status == 0 && said.isEmpty ? nil : "promtool exit \(result.status): \(said)"
    }
}

/// The value of one sample of a Prometheus text exposition: `name{labels}` as printed, or nil.
public func metricValue(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}
