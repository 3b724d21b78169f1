import BiliupMedia
import BiliupScript
import BiliupStore
import BiliupValues
import Foundation

/// Checks a streamer as the API stores it and turns it into what the engine watches, with the same
/// rules main.lua's declarations follow (OrchestrationReader), so both kinds of streamer behave alike.
enum StreamerValidation {
    /// Keys of `overrides`: the store's names of the options a streamer may override.
    static let overrideKeys = ["output", "format", "split_time", "split_size", "check_interval", "delay", "min_segment_size"]
    static let schemes = ["http", "https", "rtmp", "rtmps"]
    /// Generous bounds that still keep one row (and the list the API sends) small.
    static let maxNameLength = 100
    static let maxURLs = 10
    /// No room or stream URL is longer; a longer one would only be echoed into events and logs.
    static let maxURLBytes = 4096
    /// Plugin options: a few short values each (qualities, cookies, a CDN name).
    static let maxOptions = 64
    static let maxOptionBytes = 8192
    /// The longest duration an option takes (split_time, check_interval, delay): far beyond any
    /// broadcast, and far from where `Duration` arithmetic overflows (1e300 seconds crashed the server).
    static let maxSeconds: Double = 30 * 86400

    /// The record with its overrides normalised (durations in seconds, sizes in bytes), or why not.
    static func normalised(_ record: StreamerRecord) throws(EngineError) -> StreamerRecord {
        var r = record
        r.name = r.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !r.name.isEmpty else { throw .invalid("name", "must not be empty") }
        guard r.name.count <= maxNameLength else { throw .invalid("name", "longer than \(maxNameLength) characters") }
        guard !r.name.contains(where: { $0.isNewline || $0 == "/" || $0 == "\\" }) else {
            throw .invalid("name", "must not contain a slash or a line break (it names folders)")
        }
        guard !r.urls.isEmpty else { throw .invalid("url", "a streamer needs a room or stream URL") }
        guard r.urls.count <= maxURLs else { throw .invalid("urls", "at most \(maxURLs)") }
        for url in r.urls {
            guard url.utf8.count <= maxURLBytes else { throw .invalid("url", "longer than \(maxURLBytes) bytes") }
            guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), schemes.contains(scheme),
                  let host = c.host, !host.isEmpty else {
                throw .invalid("url", "\"\(url)\" is not an http(s) or rtmp URL")
            }
        }
        guard r.options.count <= maxOptions else { throw .invalid("options", "at most \(maxOptions)") }
        for (key, value) in r.options {
            let bytes = (try? JSONEncoder().encode(value).count) ?? Int.max
            guard key.utf8.count <= 64, bytes <= maxOptionBytes else {
                throw .invalid("options.\(key.prefix(64))", "longer than \(maxOptionBytes) bytes")
            }
        }
        for window in r.schedule where ScheduleWindow(window) == nil {
            throw .invalid("schedule", "\"\(window)\" is not a window (e.g. \"20:00-02:00\", \"sat,sun 10:00-12:00\")")
        }
        var overrides: [String: JSONValue] = [:]
        for (key, value) in r.overrides {
            guard overrideKeys.contains(key) else {
                throw .invalid("overrides.\(key)", "unknown option (one of \(overrideKeys.joined(separator: ", ")))")
            }
            if value == .null { continue }
            overrides[key] = try normalisedOverride(key, value)
        }
        r.overrides = overrides
        return r
    }

    static func normalisedOverride(_ key: String, _ value: JSONValue) throws(EngineError) -> JSONValue {
        let field = "overrides.\(key)"
        switch key {
        case "output":
            guard case .string(let s) = value else { throw .invalid(field, "expected a path template below the recordings folder") }
            if let problem = OutputTemplate.problem(in: s) { throw .invalid(field, problem.description) }
            return value
        case "format":
            guard case .string(let s) = value, OutputFormat(rawValue: s) != nil else { throw .invalid(field, "expected \(OutputFormat.names)") }
            return value
        case "split_time", "check_interval", "delay":
            return .number(try seconds(value, field, allowZero: key == "delay"))
        default:  // split_size, min_segment_size
            return .int(try bytes(value, field, allowZero: key == "min_segment_size"))
        }
    }

    static func seconds(_ value: JSONValue, _ field: String, allowZero: Bool) throws(EngineError) -> Double {
        let seconds = try anySeconds(value, field, allowZero: allowZero)
        guard seconds <= maxSeconds else { throw .invalid(field, "at most \(Int(maxSeconds / 86400)) days") }
        return seconds
    }

    private static func anySeconds(_ value: JSONValue, _ field: String, allowZero: Bool) throws(EngineError) -> Double {
        switch value {
        case .int(let n) where n > 0 || (allowZero && n == 0): return Double(n)
        case .number(let d) where d.isFinite && (d > 0 || (allowZero && d == 0)): return d
        case .string(let s):
            if let d = Units.duration(s) { return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
            throw .invalid(field, "\"\(s)\" is not a duration (e.g. 30, \"30s\", \"10m\", \"1h\")")
        default: throw .invalid(field, "expected a duration (seconds or \"30s\", \"10m\", \"1h\")")
        }
    }

    static func bytes(_ value: JSONValue, _ field: String, allowZero: Bool) throws(EngineError) -> Int64 {
        switch value {
        case .int(let n) where n > 0 || (allowZero && n == 0): return n
        case .number(let d) where d.isFinite && d.rounded() == d && (d > 0 || (allowZero && d == 0)) && d < 9e18: return Int64(d)
        case .string(let s):
            if let b = Units.size(s) { return b }
            throw .invalid(field, "\"\(s)\" is not a size (e.g. \"500MB\", \"2GB\")")
        default: throw .invalid(field, "expected a size (bytes or \"500MB\", \"2GB\")")
        }
    }

    /// What the engine watches for a stored streamer (already normalised).
    static func declaration(_ r: StreamerRecord) -> StreamerDeclaration {
        StreamerDeclaration(name: r.name, urls: r.urls, template: r.template, danmaku: r.danmaku,
                            danmakuDetail: r.danmakuDetail, danmakuASS: r.danmakuASS,
                            options: r.options, schedule: r.schedule.compactMap(ScheduleWindow.init),
                            titleInclude: r.titleInclude, titleExclude: r.titleExclude, overrides: settings(r.overrides))
    }

    static func settings(_ o: [String: JSONValue]) -> RecordingSettings {
        RecordingSettings(output: o["output"]?.string, format: o["format"]?.string, splitSeconds: o["split_time"]?.double,
                          splitBytes: o["split_size"]?.int64, checkInterval: o["check_interval"]?.double,
                          delay: o["delay"]?.double, minSegmentBytes: o["min_segment_size"]?.int64)
    }
}

extension JSONValue {
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var double: Double? {
        switch self {
        case .int(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }
    var int64: Int64? {
        switch self {
        case .int(let i): i
        case .number(let d) where d.rounded() == d && abs(d) < 9e18: Int64(d)
        default: nil
        }
    }
}

