import Foundation

/// Expands an output template into a file path: `{title}`, `{index}` and strftime's `%Y %m %d %H %M %S`
/// (and any other strftime conversion), plus the format's extension. Placeholder values never add
/// path separators, so a stream title cannot write outside the chosen directory.
public struct OutputTemplate: Sendable {
    public var pattern: String
    public init(_ pattern: String) { self.pattern = pattern }

    public func expand(values: [String: String], date: Date = Date()) -> String {
        var s = pattern
        for (k, v) in values { s = s.replacingOccurrences(of: "{\(k)}", with: OutputTemplate.sanitize(v)) }
        return OutputTemplate.strftime(s, date)
    }

    /// A path for a new file: the expansion plus `.ext`, with `_1`, `_2`… added if that name is taken
    /// (by a finished file or one still being written).
    public func uniquePath(values: [String: String], ext: String, date: Date = Date()) -> String {
        let base = expand(values: values, date: date)
        let fm = FileManager.default
        var candidate = "\(base).\(ext)"
        var n = 1
        while fm.fileExists(atPath: candidate) || fm.fileExists(atPath: candidate + Segmenter.partSuffix) {
            candidate = "\(base)_\(n).\(ext)"
            n += 1
        }
        return candidate
    }

    static func sanitize(_ v: String) -> String {
        let banned = Set<Character>(["/", "\\", "\0", ":", "*", "?", "\"", "<", ">", "|", "\n", "\r"])
        var out = String(v.map { banned.contains($0) ? "_" : $0 })
        while out.hasPrefix(".") { out.removeFirst() }  // no hidden files, no ".."
        return out.isEmpty ? "_" : String(out.prefix(100))
    }

    private static func strftime(_ format: String, _ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        localtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 4096)
        let n = Foundation.strftime(&buf, buf.count, format, &tmv)
        return n > 0 ? String(cString: buf) : format
    }
}
