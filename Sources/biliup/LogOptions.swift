import ArgumentParser
import BiliupEngine
import BiliupMedia
import BiliupValues
import Foundation
import Logging

extension LogFormat: ExpressibleByArgument {}

/// `--log-format`, `--log-file`, `--log-max-size`, `--log-keep` and `--verbose`, for `run` and `server`.
struct LogOptions: ParsableArguments {
    /// A file past this is rotated: big enough for days of a busy recorder's info lines, small enough to open.
    static let defaultMaxSize = "10MiB"
    /// Rotated files kept beside the current one.
    static let defaultKeep = 5

    @Option(name: .customLong("log-format"), help: "text (for people) or json (one object per line: time, level, message, fields).")
    var format: LogFormat = .text

    @Option(name: .customLong("log-file"), help: ArgumentHelp("Write the log to FILE instead of standard error, rotated by size.", valueName: "FILE"))
    var file: String?

    @Option(name: .customLong("log-max-size"), help: ArgumentHelp("Rotate the log file when it would pass this size (e.g. 10MiB).", valueName: "SIZE"))
    var maxSize = defaultMaxSize

    @Option(name: .customLong("log-keep"), help: ArgumentHelp("Rotated log files kept (FILE.1 … FILE.N).", valueName: "N"))
    var keep = defaultKeep

    @Flag(help: "Log debug events too.") var verbose = false

    func validate() throws {
        guard (Units.size(maxSize) ?? 0) >= 4096 else { throw ValidationError("--log-max-size: expected a size of 4KiB or more, like 10MiB") }
        if !(0...1000).contains(keep) { throw ValidationError("--log-keep: expected 0 to 1000") }
        if let file, file.isEmpty || file.contains("\0") { throw ValidationError("--log-file: expected a file name") }
    }

    /// The logger these options describe; exits with status 1 when the log file cannot be opened.
    func makeLogger() throws -> Logger {
        var destination = LogDestination.standardError
        if let file {
            do {
                destination = .file(try RotatingLogFile(path: file, maxBytes: Units.size(maxSize)!, keep: keep))
            } catch {
                FileHandle.standardError.write(Data("biliup: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        let handler = LineLogHandler(format: format, destination: destination, logLevel: verbose ? .debug : .info)
        return Logger(label: "biliup") { _ in handler }
    }
}

/// Engine events on the log: one line each, with the event's streamer, ids and data as fields.
enum EventLog {
    static func sink(_ logger: Logger) -> EventBus.Sink {
        { event in
            guard !event.isLiveOnly else { return }
            var fields: Logger.Metadata = ["kind": .string(event.kind.rawValue)]
            if let s = event.streamer { fields["streamer"] = .string(s) }
            if let id = event.streamerId { fields["streamer_id"] = .stringConvertible(id) }
            if let id = event.sessionId { fields["session_id"] = .stringConvertible(id) }
            if !event.data.isEmpty { fields["data"] = .dictionary(event.data.mapValues(metadata)) }
            logger.log(level: level(event.level), "\(event.message)", metadata: fields)
        }
    }

    static func level(_ level: EngineEvent.Level) -> Logger.Level {
        switch level {
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
    }

    private static func metadata(_ value: JSONValue) -> Logger.Metadata.Value {
        switch value {
        case .null: .string("null")
        case .bool(let b): .stringConvertible(b)
        case .int(let n): .stringConvertible(n)
        case .number(let n): .stringConvertible(n)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(metadata))
        case .object(let o): .dictionary(o.mapValues(metadata))
        }
    }
}
