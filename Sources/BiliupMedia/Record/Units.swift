import Foundation

/// Parses the durations and sizes users write in options: `30s`, `10m`, `1h`, `1h30m`, `HH:MM:SS`,
/// `90` (seconds); `500MB`, `2GB`, `700M`, `1.5G`, `123456` (bytes).
public enum Units {
    public static func duration(_ text: String) -> Duration? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s.contains(":") {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
            guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
            let total = parts.reduce(0.0) { $0 * 60 + $1! }
            return total > 0 ? .milliseconds(Int64(total * 1000)) : nil
        }
        if let plain = Double(s) { return plain > 0 ? .milliseconds(Int64(plain * 1000)) : nil }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for c in s {
            if c.isNumber || c == "." { number.append(c); continue }
            let scale: Double
            switch c {
            case "h": scale = 3600
            case "m": scale = 60
            case "s": scale = 1
            default: return nil
            }
            guard let v = Double(number) else { return nil }
            total += v * scale
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total > 0 else { return nil }
        return .milliseconds(Int64(total * 1000))
    }

    public static func size(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = s.prefix { $0.isNumber || $0 == "." }
        guard let v = Double(digits), v > 0 else { return nil }
        let scale: Double
        switch s.dropFirst(digits.count).trimmingCharacters(in: .whitespaces) {
        case "", "B": scale = 1
        case "K", "KB", "KIB": scale = Double(1 << 10)
        case "M", "MB", "MIB": scale = Double(1 << 20)
        case "G", "GB", "GIB": scale = Double(1 << 30)
        case "T", "TB", "TIB": scale = Double(1 << 40)
        default: return nil
        }
        return Int64(v * scale)
    }
}
