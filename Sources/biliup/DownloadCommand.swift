import ArgumentParser
import BiliupMedia
import BiliupNet
import BiliupScript
import Foundation

struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Record one or more streams until they end.",
        discussion: """
            Each URL is a direct stream (HTTP(S)-FLV, an HLS playlist (master or media; MPEG-TS or fMP4 \
            segments), rtmp://) or a room page of a platform with a plugin (see `biliup plugins`): the plugin \
            finds the stream, and is asked again for a fresh one after every drop. Plugin options: \
            --opt key=value (e.g. --opt quality=hd --opt cdn=ali). Several URLs are recorded concurrently by \
            this one process.
            Recording ends when the stream ends, after --duration, or on Ctrl-C / SIGTERM; every file is then \
            finished, renamed from NAME.part to NAME, and described in NAME.json (see `biliup probe`).
            Files start on a keyframe at timestamp 0. Drops, stalls and server EOFs while live are reconnected \
            with backoff and continue the same file when the codecs match.

            DUR: 30s, 10m, 1h, 1h30m or HH:MM:SS.   SIZE: 500MB, 2GB (1 GB = 1024 MB).
            Template placeholders: {title} (the room's title, or for a direct URL the last path component \
            without extension), {streamer} and {plugin} (room pages), {index} \
            (position of the URL on the command line, from 1) and strftime's %Y %m %d %H %M %S; the extension \
            comes from the format. strftime runs first; placeholder values then never add folders ("/", "\\", "%", \
            control characters and leading dots become "_"), each name is cut to 200 bytes, and an existing file is \
            never overwritten: the new one gets _1, _2, ...
            Exit status: 0 when every recording ended normally, 1 otherwise.
            """)

    @Argument(help: "Stream URLs.") var urls: [String]
    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Output path template, without extension. Its leading fixed folders are where files go; placeholders "
            + "and strftime conversions below them cannot leave that folder (no \"..\", no control characters).",
        valueName: "TEMPLATE"))
    var output = "{title}_%Y-%m-%d_%H-%M-%S"
    @Option(help: "\(OutputFormat.names). Default: flv for FLV and RTMP input, ts for HLS-ts, mp4 for HLS-fMP4.")
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
    @Option(name: .customLong("opt"), help: ArgumentHelp("A plugin option for room pages (repeatable).", valueName: "KEY=VALUE"))
    var pluginOptions: [String] = []
    @OptionGroup var script: ScriptOptions

    /// The --header lines as (name, value); `validate` has made sure each has a colon.
    var parsedHeaders: [(String, String)] {
        headers.compactMap { h -> (String, String)? in
            guard let i = h.firstIndex(of: ":") else { return nil }
            return (String(h[..<i]).trimmingCharacters(in: .whitespaces),
                    String(h[h.index(after: i)...]).trimmingCharacters(in: .whitespaces))
        }
    }

    func validate() throws {
        if let s = splitTime, Units.duration(s) == nil { throw ValidationError("--split-time: \"\(s)\" is not a duration (e.g. 30s, 10m, 1h, 01:30:00)") }
        if let s = splitSize, Units.size(s) == nil { throw ValidationError("--split-size: \"\(s)\" is not a size (e.g. 500MB, 2GB)") }
        if let s = duration, Units.duration(s) == nil { throw ValidationError("--duration: \"\(s)\" is not a duration") }
        if Units.duration(stallTimeout) == nil { throw ValidationError("--stall-timeout: \"\(stallTimeout)\" is not a duration") }
        do throws(TemplateProblem) { _ = try OutputTemplate(commandLine: output) } catch { throw ValidationError("--output: \(error)") }
        for h in headers where !h.contains(":") { throw ValidationError("--header: \"\(h)\" is not 'Name: value'") }
        if let problem = RequestHeaderRules.problem(in: parsedHeaders) { throw ValidationError("--header: \(problem)") }
        _ = try parsePluginOptions(pluginOptions)
    }

    func run() throws {
        SignalTrap.blockSignals()  // before the network and recording threads start
        let log = ConsoleLog(interactive: isatty(STDERR_FILENO) != 0)
        let resolver = urls.contains(where: { !StreamResolver.isDirect($0) })
            ? StreamResolver(host: script.makeHost(proxy: proxy), options: try parsePluginOptions(pluginOptions),
                             headers: parsedHeaders, proxy: proxy)
            : nil
        var ok = true
        var recordings: [Recording] = []
        var tags: [String] = []
        for (i, url) in urls.enumerated() {
            let tag = urls.count > 1 ? "[\(i + 1)] " : ""
            var options = RecordingOptions(
                endpoint: StreamEndpoint(url: url, headers: parsedHeaders, proxy: proxy),
                output: try OutputTemplate(commandLine: output),
                templateValues: ["title": DownloadCommand.title(of: url), "index": String(i + 1)],
                format: format,
                split: SplitPolicy(maxDuration: splitTime.flatMap(Units.duration), maxBytes: splitSize.flatMap(Units.size)),
                maxDuration: duration.flatMap(Units.duration),
                stallTimeout: Units.duration(stallTimeout)!)
            if let resolver, !StreamResolver.isDirect(url), resolver.claims(url) {
                switch resolver.resolve(url) {
                case .failure(let failure):
                    ok = false
                    log.error("\(tag)\(url): \(failure)")
                    continue
                case .success(let room):
                    log.line("\(tag)\(url): \(room.plugin) room live: \(room.title ?? "(no title)"); stream \(room.endpoint.url)")
                    options.endpoint = room.endpoint
                    options.templateValues.merge(room.templateValues) { $1 }
                    options.refreshEndpoint = resolver.refresher(url)
                }
            }
            if proxy != nil, options.endpoint.url.lowercased().hasPrefix("rtmp") {
                // libavformat's RTMP has no proxy support: say so rather than connect around the proxy unseen.
                log.line("\(tag)warning: --proxy applies to HTTP(S) only; \(options.endpoint.url) connects directly")
            }
            recordings.append(Recording(options: options) { event in log.event(event, tag: tag) })
            tags.append(tag)
        }
        let started = recordings
        let trap = SignalTrap { _ in
            log.line("stopping: closing files…")
            for r in started { r.stop() }
        }
        for r in recordings { r.start() }
        let outcomes = log.watch(recordings, tags: tags)
        withExtendedLifetime(trap) {}
        for (i, outcome) in outcomes.enumerated() {
            switch outcome {
            case .completed(let reason):
                log.line("\(tags[i])done: \(reason); \(recordings[i].status.files.count) file(s)")
            case .failed(let error):
                ok = false
                log.error("\(tags[i])\(recordings[i].options.endpoint.url): \(error)")
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
