import ArgumentParser
import BiliupMedia
import Foundation

struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Record one or more streams until they end.",
        discussion: """
            Each URL is a direct stream: HTTP(S)-FLV, an HLS playlist (master or media; MPEG-TS or fMP4 \
            segments), or rtmp://. Several URLs are recorded concurrently by this one process.
            Recording ends when the stream ends, after --duration, or on Ctrl-C / SIGTERM; every file is then \
            finished, renamed from NAME.part to NAME, and described in NAME.json (see `biliup probe`).
            Files start on a keyframe at timestamp 0. Drops, stalls and server EOFs while live are reconnected \
            with backoff and continue the same file when the codecs match.

            DUR: 30s, 10m, 1h, 1h30m or HH:MM:SS.   SIZE: 500MB, 2GB (1 GB = 1024 MB).
            Template placeholders: {title} (last path component of the URL without extension), {index} \
            (position of the URL on the command line, from 1) and strftime's %Y %m %d %H %M %S; the extension \
            comes from the format.
            Exit status: 0 when every recording ended normally, 1 otherwise.
            """)

    @Argument(help: "Stream URLs.") var urls: [String]
    @Option(name: .shortAndLong, help: "Output path template, without extension.")
    var output = "{title}_%Y-%m-%d_%H-%M-%S"
    @Option(help: "flv, ts, mkv or mp4. Default: flv for FLV and RTMP input, ts for HLS-ts, mp4 for HLS-fMP4.")
    var format: OutputFormat?
    @Option(name: .customLong("split-time"), help: "Start a new file after DUR (at the next keyframe).")
    var splitTime: String?
    @Option(name: .customLong("split-size"), help: "Start a new file after SIZE (at the next keyframe).")
    var splitSize: String?
    @Option(help: "Stop after DUR of media.") var duration: String?
    @Option(name: .customLong("header"), help: "Extra request header 'Name: value' (repeatable).")
    var headers: [String] = []
    @Option(help: "Proxy for HTTP(S) inputs, e.g. http://127.0.0.1:8080 or socks5://host:1080.")
    var proxy: String?
    @Option(name: .customLong("stall-timeout"), help: "Reconnect when no data arrives or no frame is written for DUR.")
    var stallTimeout = "20s"

    func validate() throws {
        if let s = splitTime, Units.duration(s) == nil { throw ValidationError("--split-time: \"\(s)\" is not a duration (e.g. 30s, 10m, 1h, 01:30:00)") }
        if let s = splitSize, Units.size(s) == nil { throw ValidationError("--split-size: \"\(s)\" is not a size (e.g. 500MB, 2GB)") }
        if let s = duration, Units.duration(s) == nil { throw ValidationError("--duration: \"\(s)\" is not a duration") }
        if Units.duration(stallTimeout) == nil { throw ValidationError("--stall-timeout: \"\(stallTimeout)\" is not a duration") }
        for h in headers where !h.contains(":") { throw ValidationError("--header: \"\(h)\" is not 'Name: value'") }
    }

    func run() throws {
        let parsedHeaders = headers.map { h -> (String, String) in
            let i = h.firstIndex(of: ":")!
            return (String(h[..<i]).trimmingCharacters(in: .whitespaces),
                    String(h[h.index(after: i)...]).trimmingCharacters(in: .whitespaces))
        }
        let log = ConsoleLog(interactive: isatty(STDERR_FILENO) != 0)
        let recordings = urls.enumerated().map { i, url -> Recording in
            let tag = urls.count > 1 ? "[\(i + 1)] " : ""
            let options = RecordingOptions(
                endpoint: StreamEndpoint(url: url, headers: parsedHeaders, proxy: proxy),
                output: OutputTemplate(output),
                templateValues: ["title": DownloadCommand.title(of: url), "index": String(i + 1)],
                format: format,
                split: SplitPolicy(maxDuration: splitTime.flatMap(Units.duration), maxBytes: splitSize.flatMap(Units.size)),
                maxDuration: duration.flatMap(Units.duration),
                stallTimeout: Units.duration(stallTimeout)!)
            return Recording(options: options) { event in log.event(event, tag: tag) }
        }
        let trap = SignalTrap { _ in
            log.line("stopping: closing files…")
            for r in recordings { r.stop() }
        }
        for r in recordings { r.start() }
        let outcomes = log.watch(recordings, tags: urls.indices.map { urls.count > 1 ? "[\($0 + 1)] " : "" })
        withExtendedLifetime(trap) {}
        var ok = true
        for (i, outcome) in outcomes.enumerated() {
            let tag = urls.count > 1 ? "[\(i + 1)] " : ""
            switch outcome {
            case .completed(let reason):
                log.line("\(tag)done: \(reason); \(recordings[i].status.files.count) file(s)")
            case .failed(let error):
                ok = false
                log.error("\(tag)\(urls[i]): \(error)")
            }
        }
        if !ok { throw ExitCode(1) }
    }

    /// `{title}` for a direct URL: the last path component without its extension.
    static func title(of url: String) -> String {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let last = path.split(separator: "/").last.map(String.init) ?? "stream"
        let stem = last.split(separator: ".").first.map(String.init) ?? last
        return stem.isEmpty || stem.contains(":") ? "stream" : stem
    }
}

extension OutputFormat: ExpressibleByArgument {}
