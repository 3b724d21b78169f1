import BiliupMedia
import BiliupValues
import Foundation

/// Reading biliup's values (numbers written as strings, 0/1 for flags, "HH:MM:SS" durations, JSON kept
/// in strings) into ours. nil: the value cannot be read, and the caller notes the key.
enum ImportValues {
    /// biliup's "not set" is a null: its server stores its config as serde writes it (every unset
    /// option `null`), YAML's `key:` is null, and the database's columns are NULL. Such keys are dropped,
    /// as if absent, so that they are neither carried over nor noted.
    static func withoutNulls(_ object: [String: JSONValue]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, value) in object {
            switch value {
            case .null: continue
            case .object(let streamers) where key == "streamers":
                // A streamer left empty stays, to be noted: it cannot be imported without a URL.
                out[key] = .object(streamers.mapValues { if case .object(let fields) = $0 { .object(withoutNulls(fields)) } else { $0 } })
            case .object(let inner): out[key] = .object(withoutNulls(inner))
            default: out[key] = value
            }
        }
        return out
    }

    static func integer(_ v: JSONValue) -> Int64? {
        switch v {
        case .int(let n): return n
        case .number(let d) where d == d.rounded() && abs(d) < 9e15: return Int64(d)
        case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: ""))
        default: return nil
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let n): return Double(n)
        case .number(let d): return d
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    static func flag(_ v: JSONValue) -> Bool? {
        switch v {
        case .bool(let b): return b
        case .int(let n) where n == 0 || n == 1: return n == 1
        default: return nil
        }
    }

    /// Seconds of biliup's "HH:MM:SS" (or a number of seconds).
    static func seconds(_ v: JSONValue) -> Double? {
        switch v {
        case .string(let s): return Units.duration(s).map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        default: return number(v).flatMap { $0 > 0 ? $0 : nil }
        }
    }

    /// A list of strings; biliup also accepts one string for a list.
    static func strings(_ v: JSONValue) -> [String]? {
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { return nil }
                out.append(s)
            }
            return out
        default: return nil
        }
    }

    /// A value biliup keeps as JSON text (`extra_fields`, `time_range`, the database's JSON columns).
    static func json(_ v: JSONValue) -> JSONValue? {
        guard case .string(let s) = v else { return v }
        guard let data = s.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// biliup's `time_range` (two ISO-8601 instants as JSON, as its web page stores it, or
    /// "HH:MM:SS-HH:MM:SS") as a schedule window "HH:MM-HH:MM" in local time, as ours are.
    static func window(_ v: JSONValue) -> String? {
        var ends: [String] = []
        if case .string(let s) = v, !s.hasPrefix("[") {
            ends = s.split(separator: "-", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard ends.count == 2 else { return nil }
            let clock = ends.compactMap(clockTime)
            return clock.count == 2 ? "\(clock[0])-\(clock[1])" : nil
        }
        guard let parsed = json(v), let instants = strings(parsed), instants.count == 2 else { return nil }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        for text in instants {
            guard let date = iso.date(from: text) ?? plain.date(from: text) else { return nil }
            let c = calendar.dateComponents([.hour, .minute], from: date)
            ends.append(String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0))
        }
        return "\(ends[0])-\(ends[1])"
    }

    /// "HH:MM" of "H:MM" or "HH:MM:SS".
    private static func clockTime(_ text: String) -> String? {
        let parts = text.split(separator: ":").map { Int($0) }
        guard (2...3).contains(parts.count), let h = parts[0], let m = parts[1], (0...24).contains(h), (0..<60).contains(m) else { return nil }
        return String(format: "%02d:%02d", h, m)
    }

    /// A value as a message shows it.
    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: return "nothing"
        case .bool(let b): return "\(b)"
        case .int(let i): return "\(i)"
        case .number(let d): return "\(d)"
        case .string(let s): return "\"\(s)\""
        case .array: return "a list"
        case .object: return "a table"
        }
    }
}

