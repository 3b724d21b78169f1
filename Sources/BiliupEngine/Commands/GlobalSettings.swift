import BiliupMedia
import BiliupScript
import BiliupStore
import BiliupValues

/// The global options the API may set. They are kept in the store and apply over main.lua's (or the
/// defaults, without main.lua), so a change made on the web page survives restarts and reloads; a
/// `null` takes the API's value away and main.lua's applies again.
public enum GlobalSettings {
    public static let keys = ["output", "format", "split_time", "split_size", "check_interval", "delay", "min_segment_size",
                              "max_recordings", "min_free_disk", "block_private_addresses"]

    /// Checks and normalises a change (durations in seconds, sizes in bytes); null values stay null.
    static func normalised(_ changes: [String: JSONValue]) throws(EngineError) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, value) in changes {
            guard keys.contains(key) else {
                throw .invalid(key, "not an option the API can set (one of \(keys.joined(separator: ", ")))")
            }
            if value == .null { out[key] = .null; continue }
            switch key {
            case "max_recordings":
                guard let n = value.int64, n >= 1, n <= 10_000 else { throw .invalid(key, "expected a whole number from 1 to 10000") }
                out[key] = .int(n)
            case "min_free_disk":
                out[key] = .int(try StreamerValidation.bytes(value, key, allowZero: true))
            case "block_private_addresses":
                guard case .bool = value else { throw .invalid(key, "expected true or false") }
                out[key] = value
            default:
                do { out[key] = try StreamerValidation.normalisedOverride(key, value) } catch {
                    throw .invalid(key, String(error.message.dropFirst("overrides.\(key): ".count)))
                }
            }
        }
        return out
    }

    /// `base` with the API's values over it.
    public static func applying(_ settings: [String: JSONValue], to base: GlobalOptions) -> GlobalOptions {
        var g = base
        g.recording = g.recording.overridden(by: StreamerValidation.settings(settings))
        if let n = settings["max_recordings"]?.int64 { g.maxRecordings = Int(n) }
        if let n = settings["min_free_disk"]?.int64 { g.minFreeDiskBytes = n }
        if case .bool(let b)? = settings["block_private_addresses"] { g.blockPrivateAddresses = b }
        return g
    }

    /// The value of each key in `g`, as the API shows it.
    public static func values(_ g: GlobalOptions) -> [String: JSONValue] {
        var v: [String: JSONValue] = [:]
        let r = g.recording
        v["output"] = r.output.map(JSONValue.string) ?? .null
        v["format"] = r.format.map(JSONValue.string) ?? .null
        v["split_time"] = r.splitSeconds.map(JSONValue.number) ?? .null
        v["split_size"] = r.splitBytes.map(JSONValue.int) ?? .null
        v["check_interval"] = r.checkInterval.map(JSONValue.number) ?? .null
        v["delay"] = r.delay.map(JSONValue.number) ?? .null
        v["min_segment_size"] = r.minSegmentBytes.map(JSONValue.int) ?? .null
        v["max_recordings"] = .int(Int64(g.maxRecordings))
        v["min_free_disk"] = .int(g.minFreeDiskBytes)
        v["block_private_addresses"] = .bool(g.blockPrivateAddresses)
        return v
    }
}

/// The global options in effect and where each comes from.
public struct GlobalSettingsView: Sendable {
    public enum Source: String, Sendable { case `default`, script, api }
    public var values: [String: JSONValue]
    public var sources: [String: Source]
    /// Options shown but not settable here (they need a restart or main.lua).
    public var readOnly: [String: JSONValue]
    /// The values an option may take, where they are a list (`format`): forms offer these.
    public var choices: [String: [String]] = ["format": OutputFormat.allCases.map(\.rawValue)]
}
