import ArgumentParser
import BiliupDanmaku
import BiliupEngine
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
            finished, renamed from NAME.part to NAME, and described in NAME.json (see `biliup probe`); a second \
            signal, a second or more after the first, exits at once.
            --danmaku (room pages of platforms with chat: bilibili, douyu, huya, douyin, twitch, twitcasting, \
            youtube): the room's chat is captured while recording, and each file NAME.ext gets NAME.xml beside it \
            (Bilibili's XML) with the messages that arrived during it, in seconds from its first frame. \
            --danmaku-detail adds gifts, super chats and guard purchases; --danmaku-ass writes NAME.ass too. \
            A chat that fails never stops the recording: it is retried, and the gap noted in the XML. \
            Chat servers go through --host-remap like the plugins' requests, and through --proxy.
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
    @Flag(help: "Capture the room's chat: NAME.xml beside each file (room pages of platforms with chat).")
    var danmaku = false
    @Flag(name: .customLong("danmaku-detail"), help: "With --danmaku: gifts, super chats and guard purchases too.")
    var danmakuDetail = false
    @Flag(name: .customLong("danmaku-ass"), help: "With --danmaku: also NAME.ass subtitles beside each file.")
    var danmakuASS = false
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
        if danmakuDetail && !danmaku { throw ValidationError("--danmaku-detail: only with --danmaku") }
        if danmakuASS && !danmaku { throw ValidationError("--danmaku-ass: only with --danmaku") }
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
        var chats: [DanmakuRecorder] = []
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
                    if danmaku {
                        if let chat = chat(for: url, room: room, resolver: resolver, tag: tag, log: log) {
                            options.segmentObserver = chat
                            chats.append(chat)
                        }
                    }
                }
            } else if danmaku {
                log.line("\(tag)warning: --danmaku: \(url) is a stream, not a room page: no chat to capture")
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
        for chat in chats { chat.start() }
        for r in recordings { r.start() }
        let outcomes = log.watch(recordings, tags: tags)
        withExtendedLifetime(trap) {}
        // Each recorder finished its chat at its end; this covers one that never ran.
        for chat in chats { chat.stop() }
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

    /// The chat of a room found live, written beside its files; nil (said) when the plugin gives none.
    private func chat(for url: String, room: StreamResolver.Room, resolver: StreamResolver, tag: String,
                      log: ConsoleLog) -> DanmakuRecorder? {
        guard let parameters = room.danmaku, case .string(let platform)? = parameters["protocol"], !platform.isEmpty else {
            log.line("\(tag)warning: --danmaku: the \(room.plugin) plugin gives no chat parameters for this room; recording the video only")
            return nil
        }
        let request = DanmakuRequest(room: room.streamer ?? room.title ?? url, parameters: parameters,
                                     pluginOptions: resolver.options, detail: danmakuDetail, ass: danmakuASS)
        let network = ChatNetworkSettings(hostRemap: (try? script.remap()) ?? HostRemap(), proxy: proxy)
        log.line("\(tag)danmaku: capturing \(platform) chat")
        return DanmakuRecorder(request: request, network: network, connect: resolver.danmakuStep(plugin: room.plugin, parameters: parameters),
                               onMessages: { _ in }, onWarning: { log.line("\(tag)warning: \($0)") })
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
