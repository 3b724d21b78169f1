import BiliupMedia
import BiliupScript
import BiliupValues
import Foundation

/// Turns biliup's config (reference §2: global keys, `streamers`, `user`) into an `ImportPlan`. Every
/// key is either carried over or noted with the reason it is not.
struct BiliupConfigConversion {
    var plan = ImportPlan()
    private var defaultCookieFile = "cookies.json"
    /// Global keys that apply to each streamer (platform options, chat, upload line and API).
    private var platformOptions: [String: [String: JSONValue]] = [:]
    /// The biliup keys each platform's options and chat come from, to note those no streamer uses.
    private var platformSources: [String: [String]] = [:]
    private var danmakuPlatforms: Set<String> = []
    private var danmakuDetail = false
    private var line: String?
    private var submit: String?
    private var noUpload = false

    /// Keys biliup reads but that have no effect here, with why.
    static let unused: [String: String] = [
        "downloader": "there is one built-in recorder (HTTP-FLV, HLS and RTMP), no choice of external downloaders",
        "segment_processor_parallel": "unused by biliup itself",
        "checker_sleep": "unused by biliup itself",
        "check_sourcecode": "a setting of biliup's Python version; nothing to restart here",
        "use_live_cover": "the live cover is not downloaded; give a template `cover`",
        "loggers_level": "logging is set on the command line (biliup run --verbose, --log-format, --log-file)",
        "LOGGING": "logging is set on the command line (biliup run --verbose, --log-format, --log-file)",
        "chromedriver_path": "no browser is used",
        "min_free_space": "set min_free_disk in biliup.config (a size such as \"5GB\")",
        "max_upload_limit": "no counterpart; uploads are limited by upload = { files, chunks }",
        "sync_save_dir": "no counterpart (recordings go below recordings_root)",
        "mesio_engine": "there is one built-in recorder",
        "preview_max_minutes": "no live preview",
        "preview_transport": "no live preview",
        "bilibili_danmaku_raw": "the chat is written as Bilibili's XML, not the raw messages",
        "twitch_disable_ads": "no counterpart in the twitch plugin",
        "bili_force_source": "no counterpart in the bilibili plugin",
        "bili_liveapi": "no counterpart in the bilibili plugin (use --host-remap to send its API elsewhere)",
        "bili_fallback_api": "no counterpart in the bilibili plugin",
        "bili_cdn_fallback": "no counterpart in the bilibili plugin",
        "bili_replace_cn01": "no counterpart in the bilibili plugin",
        "bili_ov2cn": "no counterpart in the bilibili plugin",
        "bili_normalize_cn204": "no counterpart in the bilibili plugin",
        "huya_cdn_fallback": "no counterpart in the huya plugin",
        "douyu_codec": "no counterpart in the douyu plugin",
        "uploading_record": "segments are always uploaded while recording",
    ]

    static let youtubeKeys = ["youtube_prefer_vcodec", "youtube_prefer_acodec", "youtube_max_resolution", "youtube_max_videosize",
                              "youtube_after_date", "youtube_before_date", "youtube_enable_download_live",
                              "youtube_enable_download_playback"]

    static func plan(from config: [String: JSONValue]) -> ImportPlan {
        let config = ImportValues.withoutNulls(config)
        var conversion = BiliupConfigConversion()
        conversion.readGlobal(config)
        if case .object(let user)? = config["user"] { conversion.readUser(user) } else if let v = config["user"], v != .null {
            conversion.note("user", "expected a table of cookies")
        }
        if case .object(let streamers)? = config["streamers"] {
            for name in streamers.keys.sorted() {
                guard case .object(let fields) = streamers[name]! else { conversion.note("streamers.\(name)", "expected a table"); continue }
                conversion.readStreamer(name: name, fields, key: "streamers.\(quoted(name))")
            }
        }
        conversion.noteUnusedPlatformKeys()
        return conversion.plan
    }

    static func quoted(_ name: String) -> String {
        name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } ? name : "\"\(name)\""
    }

    mutating func note(_ key: String, _ reason: String) {
        plan.notes.append(ImportNote(key: key, reason: reason))
    }

    /// Platform keys of platforms no streamer is on: kept nowhere, so said so.
    mutating func noteUnusedPlatformKeys() {
        let used = Set(plan.streamers.flatMap { $0.urls.compactMap(PlatformKeys.platform) })
        for platform in platformSources.keys.sorted() where !used.contains(platform) {
            for key in platformSources[platform]! { note(key, "no \(platform) streamer to apply it to (it is an option of our \(platform) plugin)") }
        }
    }

    // MARK: Global

    mutating func readGlobal(_ config: [String: JSONValue]) {
        plan.global.recording = recording(config, key: "", from: plan.global.recording)
        for key in config.keys.sorted() {
            let value = config[key]!
            switch key {
            case "streamers", "user", "file_size", "segment_time", "filtering_threshold", "filename_prefix", "delay", "event_loop_interval":
                continue
            case "pool1_size":
                if let n = ImportValues.integer(value), n > 0 { plan.global.maxRecordings = Int(n) } else { note(key, "expected a positive number") }
            case "pool2_size", "threads":
                // Our limits are 1...16 (UploadQueue), a bigger value of biliup's is brought down to 16.
                guard let n = ImportValues.integer(value), n > 0 else { note(key, "expected a positive number"); continue }
                if key == "threads" { plan.global.uploadChunks = Int(min(n, 16)) } else { plan.global.uploadFiles = Int(min(n, 16)) }
                if n > 16 { note(key, "\(n) is above our limit; 16 is used") }
            case "lines":
                guard case .string(let s) = value else { note(key, "expected a line name"); continue }
                let name = s.lowercased()
                if UploadTemplateFields.lines.contains(name) { line = name } else {
                    note(key, "\"\(s)\" is not one of our upload lines (\(UploadTemplateFields.lines.joined(separator: ", "))); \"auto\" probes them")
                }
            case "submit_api":
                guard case .string(let s) = value else { note(key, "expected app or web"); continue }
                switch s.lowercased() {
                case "app", "client": submit = "app"
                case "web": submit = "web"
                default: note(key, "\"\(s)\": only app and web submission exist here")
                }
            case "uploader":
                if case .string(let s) = value, s.lowercased() == "noop" { noUpload = true }
                // Every other uploader of biliup is the same Bilibili upload, which is ours.
            default:
                readPlatformKey(key, value)
            }
        }
    }

    private mutating func readPlatformKey(_ key: String, _ value: JSONValue) {
        if let (platform, option, convert) = PlatformKeys.options[key] {
            if let v = convert(value) {
                platformOptions[platform, default: [:]][option] = v
                platformSources[platform, default: []].append(key)
            } else {
                note(key, "\(ImportValues.describe(value)) has no counterpart in our \(platform) plugin's \(option) option")
            }
        } else if let platform = PlatformKeys.danmaku[key] {
            if ImportValues.flag(value) == true {
                danmakuPlatforms.insert(platform)
                platformSources[platform, default: []].append(key)
            }
        } else if key == PlatformKeys.danmakuDetail {
            danmakuDetail = ImportValues.flag(value) == true
        } else if let reason = Self.unused[key] {
            note(key, reason)
        } else if Self.youtubeKeys.contains(key) {
            note(key, "only live streams are recorded here (no video downloads, yt-dlp filters or codecs)")
        } else {
            note(key, "not an option biliup documents (reference §2); nothing here reads it")
        }
    }

    /// The recording options of biliup (global or one streamer's `override`) into `settings`.
    private mutating func recording(_ config: [String: JSONValue], key prefix: String,
                                    from settings: RecordingSettings) -> RecordingSettings {
        var r = settings
        if let v = config["file_size"] {
            if let n = ImportValues.integer(v), n > 0 { r.splitBytes = n } else {
                note(prefix + "file_size", "expected bytes, got \(ImportValues.describe(v))")
            }
        }
        if let v = config["segment_time"], v != .string("") {
            if let s = ImportValues.seconds(v) { r.splitSeconds = s } else { note(prefix + "segment_time", "expected \"HH:MM:SS\", got \(ImportValues.describe(v))") }
        }
        if let v = config["filtering_threshold"] {
            // biliup counts megabytes of 10^6 bytes.
            if let mb = ImportValues.number(v), mb >= 0 { r.minSegmentBytes = Int64(mb * 1_000_000) } else {
                note(prefix + "filtering_threshold", "expected megabytes, got \(ImportValues.describe(v))")
            }
        }
        if let v = config["filename_prefix"] {
            if let output = output(v, key: prefix + "filename_prefix") { r.output = output }
        }
        if let v = config["delay"] {
            if let n = ImportValues.number(v), n >= 0 { r.delay = n } else { note(prefix + "delay", "expected seconds, got \(ImportValues.describe(v))") }
        }
        if let v = config["event_loop_interval"] {
            if let n = ImportValues.number(v), n > 0 { r.checkInterval = n } else { note(prefix + "event_loop_interval", "expected seconds, got \(ImportValues.describe(v))") }
        }
        return r
    }

    /// biliup's file name template as our `output`: the same strftime and {streamer}/{title}; {url}
    /// is not a placeholder of file names here (it would put a URL's slashes into a name).
    private mutating func output(_ v: JSONValue, key: String) -> String? {
        guard case .string(var s) = v, !s.isEmpty else { note(key, "expected a file name template"); return nil }
        if s.contains("{url}") {
            s = s.replacingOccurrences(of: "{url}", with: "")
            note(key, "{url} is not a file name placeholder here and was left out ({streamer}, {title}, {name}, {plugin} are)")
        }
        if let problem = OutputTemplate.problem(in: s) { note(key, "\"\(s)\" cannot be used: \(problem)"); return nil }
        return s
    }

    // MARK: User

    mutating func readUser(_ user: [String: JSONValue]) {
        for key in user.keys.sorted() {
            let value = user[key]!
            if key == "bili_cookie_file" {
                if case .string(let s) = value, !s.isEmpty { defaultCookieFile = s } else { note("user.\(key)", "expected a cookies.json path") }
            } else if let (platform, option) = PlatformKeys.userCookies[key] {
                if case .string(let s) = value, !s.isEmpty {
                    platformOptions[platform, default: [:]][option] = .string(s)
                    platformSources[platform, default: []].append("user." + key)
                }
            } else if key == "youtube_cookie" {
                note("user.\(key)", "a Netscape cookies.txt file is not read here; give the youtube plugin's cookie option a Cookie header")
            } else if key.hasPrefix("niconico-") || key.hasPrefix("afreecatv") {
                note("user.\(key)", "our \(key.hasPrefix("nico") ? "niconico" : "afreecatv") plugin does not log in with it")
            } else {
                note("user.\(key)", "not an option biliup documents (reference §2.3)")
            }
        }
    }

    // MARK: Streamers

    /// `template`: the upload template the streamer already has (a database row's upload_streamers_id).
    mutating func readStreamer(name rawName: String, _ fields: [String: JSONValue], key: String, template existing: String? = nil) {
        var name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.contains(where: { $0 == "/" || $0 == "\\" || $0.isNewline }) {
            name = String(name.map { $0 == "/" || $0 == "\\" || $0.isNewline ? "_" : $0 })
            note(key, "renamed \"\(name)\": a name here names folders, so slashes and line breaks become \"_\"")
        }
        guard !name.isEmpty else { return note(key, "a streamer needs a name") }
        var urls: [String] = []
        for url in fields["url"].flatMap(ImportValues.strings) ?? [] {
            if let scheme = URLComponents(string: url)?.scheme?.lowercased(), ["http", "https", "rtmp", "rtmps"].contains(scheme) {
                urls.append(url)
            } else {
                note(key + ".url", "\"\(url)\" is not an http(s) or rtmp URL")
            }
        }
        guard !urls.isEmpty else { return note(key, "no room URL (url = [\"https://...\"]); the streamer is not carried over") }
        var streamer = ImportedStreamer(name: name, urls: urls)
        streamer.recording = recording(fields, key: key + ".", from: streamer.recording)
        let platforms = Set(urls.compactMap(PlatformKeys.platform))
        for platform in platforms {
            streamer.options.merge(platformOptions[platform] ?? [:]) { $1 }
        }
        streamer.danmaku = !platforms.isDisjoint(with: danmakuPlatforms)
        streamer.danmakuDetail = streamer.danmaku && danmakuDetail && platforms.contains("bilibili")
        var streamerNoUpload = noUpload
        if case .object(let override)? = fields["override"] {
            streamer.recording = recording(override, key: key + ".override.", from: streamer.recording)
            for k in override.keys.sorted() {
                let v = override[k]!
                switch k {
                case "file_size", "segment_time", "filtering_threshold", "filename_prefix", "delay", "event_loop_interval": continue
                case "uploader": streamerNoUpload = v == .string("Noop") || v == .string("noop")
                default:
                    if let (platform, option, convert) = PlatformKeys.options[k], platforms.contains(platform), let value = convert(v) {
                        streamer.options[option] = value
                    } else {
                        note(key + ".override.\(k)", PlatformKeys.options[k] != nil ? "does not apply to this streamer's platform"
                             : Self.unused[k] ?? "no per-streamer counterpart here")
                    }
                }
            }
        }
        if let v = fields["uploader"] { streamerNoUpload = v == .string("Noop") || v == .string("noop") }
        for k in fields.keys.sorted() { readStreamerKey(k, fields[k]!, key: key + ".\(k)", into: &streamer) }
        var template = TemplateConversion(key: key, defaultCookieFile: defaultCookieFile, line: line, submit: submit, urls: urls)
        if !streamerNoUpload, let fields = template.fields(from: fields) {
            plan.templates.append(ImportedTemplate(name: name, fields: fields))
            streamer.template = name
            if let account = template.account, !plan.accounts.contains(account) { plan.accounts.append(account) }
        } else if streamerNoUpload {
            note(key + ".uploader", "Noop: nothing is uploaded (no template)")
        }
        plan.notes += template.notes
        if let existing { streamer.template = existing }
        streamer.hooks = HookConversion.hooks(fields, key: key, uploads: streamer.template != nil, notes: &plan.notes)
        plan.streamers.append(streamer)
    }

    private mutating func readStreamerKey(_ k: String, _ v: JSONValue, key: String, into streamer: inout ImportedStreamer) {
        switch k {
        case "time_range":
            guard v != .null, v != .string("") else { return }
            if let window = ImportValues.window(v) { streamer.schedule = [window] } else {
                note(key, "\(ImportValues.describe(v)) is not two times or two ISO-8601 instants")
            }
        case "excluded_keywords":
            guard v != .null else { return }
            if let words = ImportValues.strings(ImportValues.json(v) ?? v) { streamer.titleExclude = words } else { note(key, "expected a list of words") }
        case "format":
            guard case .string(let s) = v, !s.isEmpty else { return }
            if OutputFormat(rawValue: s.lowercased()) != nil { streamer.recording.format = s.lowercased() } else {
                note(key, "\"\(s)\" is not one of our formats (\(OutputFormat.names))")
            }
        case "opt_args": note(key, "ffmpeg arguments: the built-in recorder does not run ffmpeg")
        case "use_live_cover": note(key, Self.unused["use_live_cover"]!)
        case "id", "upload_streamers_id", "url", "override", "uploader", "remark", "name", "file_size", "segment_time", "filtering_threshold", "filename_prefix", "delay",
             "event_loop_interval", "preprocessor", "segment_processor", "downloaded_processor", "postprocessor":
            return
        default:
            if !TemplateConversion.keys.contains(k) { note(key, "not a streamer option biliup documents (reference §2.2)") }
        }
    }
}
