import BiliupValues
import Foundation
import Logging

/// How log lines look: `text` for people (one line per event, as before), `json` for collectors (one
/// JSON object per line with `time`, `level`, `message` and `fields`).
enum LogFormat: String, CaseIterable, Sendable {
    case text, json
}

/// Where log lines go: standard error, or a rotating file.
enum LogDestination: Sendable {
    case standardError
    case file(RotatingLogFile)

    func write(_ line: String) {
        switch self {
        case .standardError: FileHandle.standardError.write(Data(line.utf8))
        case .file(let file): file.write(line)
        }
    }
}

/// The swift-log handler of `biliup run` and `biliup server`: formats each message as `format` says
/// and writes it whole to `destination`.
struct LineLogHandler: LogHandler {
    let format: LogFormat
    let destination: LogDestination
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let time = Date()
        switch format {
        case .text: destination.write(Self.text(time: time, level: event.level, message: event.message.description, fields: fields))
        case .json: destination.write(Self.json(time: time, level: event.level, message: event.message.description, fields: fields))
        }
    }

    /// Our level names (the event log's): warning is `warn`.
    static func name(of level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    /// `TIME LEVEL [KIND: ][[STREAMER] ]MESSAGE[ key=value…]`: an event reads as it always has.
    static func text(time: Date, level: Logger.Level, message: String, fields: Logger.Metadata) -> String {
        var out = ISO8601DateFormatter.string(from: time, timeZone: .current, formatOptions: [.withInternetDateTime]) + " " + name(of: level) + " "
        if let kind = fields["kind"] { out += "\(kind): " }
        if let streamer = fields["streamer"] { out += "[\(streamer)] " }
        out += message
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where key != "kind" && key != "streamer" && key != "data" {
            out += " \(key)=\(value)"
        }
        return out + "\n"
    }

    static func json(time: Date, level: Logger.Level, message: String, fields: Logger.Metadata) -> String {
        let line: JSONValue = .object([
            "time": .string(ISO8601DateFormatter.string(from: time, timeZone: TimeZone(identifier: "UTC")!,
                                                        formatOptions: [.withInternetDateTime, .withFractionalSeconds])),
            "level": .string(name(of: level)),
            "message": .string(message),
            "fields": .object(fields.mapValues(json)),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(line)) ?? Data(#"{"message":"unencodable log line"}"#.utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Numbers and booleans stay numbers and booleans (they come as `stringConvertible`).
    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let v):
            switch v {
            case let n as Int64: return .int(n)
            case let n as Int: return .int(Int64(n))
            case let n as Double: return n.isFinite ? .number(n) : .string("\(n)")
            case let b as Bool: return .bool(b)
            default: return .string(v.description)
            }
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(d.mapValues(json))
        }
    }
}
