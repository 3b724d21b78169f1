import BiliupValues
/// Turns main.lua's declarations (plain values with their lines) into an `OrchestrationConfig`, with
/// one error per problem, each with file and line: unknown options (with the likely intended name),
/// wrong types, bad durations, sizes and schedule windows, unknown templates, duplicate names.
struct OrchestrationReader {
    struct Declaration {
        var name: String?
        var value: [String: JSONValue]
        var line: Int
    }

    let file: String
    let parseDuration: (String) -> Double?
    let parseSize: (String) -> Int64?
    /// Why an output template cannot be used, or nil (the recorder's own rules: below the recordings
    /// root, no `..`, no control characters, strftime must succeed).
    let checkOutput: (String) -> String?
    /// The recorder's output formats (its `OutputFormat` list).
    let formats: [String]
    private(set) var errors: [String] = []

    init(file: String, parseDuration: @escaping (String) -> Double?, parseSize: @escaping (String) -> Int64?,
         checkOutput: @escaping (String) -> String?, formats: [String]) {
        self.file = file
        self.parseDuration = parseDuration
        self.parseSize = parseSize
        self.checkOutput = checkOutput
        self.formats = formats
    }

    static let recordingKeys = ["output", "format", "split", "check_interval", "delay", "min_segment_size"]
    static let globalKeys = ["data_dir", "recordings_root", "max_recordings", "min_free_disk", "server", "check_rates",
                             "block_private_addresses", "upload"] + recordingKeys
    static let streamerKeys = ["url", "template", "danmaku", "danmaku_detail", "danmaku_ass", "options", "schedule", "title_include", "title_exclude"] + recordingKeys

    private mutating func fail(_ line: Int, _ message: String) {
        errors.append("\(file):\(line): \(message)")
    }

    mutating func read(config: [Declaration], templates: [Declaration], streamers: [Declaration],
                       hooks: [String: Int]) -> OrchestrationConfig {
        var global = GlobalOptions()
        for d in config {
            read(global: d, into: &global)
        }
        var templateList: [TemplateDeclaration] = []
        for d in templates {
            guard let name = d.name else { continue }
            if templateList.contains(where: { $0.name == name }) { fail(d.line, "template \"\(name)\" is declared twice"); continue }
            for problem in UploadTemplateFields.problems(in: d.value) { fail(d.line, "template \"\(name)\": \(problem)") }
            templateList.append(TemplateDeclaration(name: name, fields: d.value, line: d.line))
        }
        var streamerList: [StreamerDeclaration] = []
        for d in streamers {
            guard let name = d.name else { continue }
            if streamerList.contains(where: { $0.name == name }) { fail(d.line, "streamer \"\(name)\" is declared twice"); continue }
            if let s = read(streamer: name, d, templates: templateList) { streamerList.append(s) }
        }
        return OrchestrationConfig(file: file, global: global, templates: templateList, streamers: streamerList, hooks: hooks)
    }

    private mutating func read(global d: Declaration, into global: inout GlobalOptions) {
        unknownKeys(d.value, allowed: Self.globalKeys, what: "biliup.config", line: d.line)
        if let v = d.value["data_dir"], check(v, "data_dir", .string, line: d.line), case .string(let s) = v { global.dataDir = s }
        if let v = d.value["recordings_root"], check(v, "recordings_root", .string, line: d.line), case .string(let s) = v {
            if s.isEmpty || s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                fail(d.line, "recordings_root: expected a folder (e.g. \"/mnt/recordings\"), without control characters")
            } else {
                global.recordingsRoot = s
            }
        }
        if let v = d.value["max_recordings"] {
            if case .int(let n) = v, n > 0 { global.maxRecordings = Int(n) } else { fail(d.line, "max_recordings: expected a positive integer, got \(Self.describe(v))") }
        }
        if let v = d.value["min_free_disk"], let bytes = size(v, "min_free_disk", line: d.line) { global.minFreeDiskBytes = bytes }
        if let v = d.value["block_private_addresses"] {
            if case .bool(let b) = v { global.blockPrivateAddresses = b } else {
                fail(d.line, "block_private_addresses: expected true or false, got \(Self.describe(v))")
            }
        }
        if let v = d.value["server"] {
            guard case .object(let server) = v else { fail(d.line, "server: expected a table { bind = ..., port = ... }, got \(Self.describe(v))"); return }
            unknownKeys(server, allowed: ["bind", "port", "hosts", "max_connections", "max_websockets", "public_metrics"],
                        what: "server", line: d.line)
            if let h = server["hosts"], let hosts = strings(h, "server.hosts", line: d.line) { global.serverHosts = hosts }
            for (key, limit) in [("max_connections", 1...1_000_000), ("max_websockets", 0...1_000_000)] {
                guard let v = server[key] else { continue }
                guard case .int(let n) = v, limit.contains(Int(n)) else {
                    fail(d.line, "server.\(key): expected an integer from \(limit.lowerBound) to \(limit.upperBound), got \(Self.describe(v))")
                    continue
                }
                if key == "max_connections" { global.serverMaxConnections = Int(n) } else { global.serverMaxWebSockets = Int(n) }
            }
            if let b = server["bind"], check(b, "server.bind", .string, line: d.line), case .string(let s) = b { global.serverBind = s }
            if let v = server["public_metrics"] {
                if case .bool(let b) = v { global.serverPublicMetrics = b } else {
                    fail(d.line, "server.public_metrics: expected true or false, got \(Self.describe(v))")
                }
            }
            if let p = server["port"] {
                if case .int(let n) = p, (1...65535).contains(n) { global.serverPort = Int(n) } else { fail(d.line, "server.port: expected a port 1-65535, got \(Self.describe(p))") }
            }
        }
        if let v = d.value["check_rates"] {
            guard case .object(let rates) = v else { fail(d.line, "check_rates: expected a table { default = 5, bilibili = 2 }, got \(Self.describe(v))"); return }
            for (platform, rate) in rates {
                let perSecond: Double?
                switch rate {
                case .int(let n) where n > 0: perSecond = Double(n)
                case .number(let x) where x > 0: perSecond = x
                default: perSecond = nil
                }
                guard let perSecond else { fail(d.line, "check_rates.\(platform): expected checks per second (> 0), got \(Self.describe(rate))"); continue }
                if platform == "default" { global.defaultCheckRate = perSecond } else { global.platformCheckRates[platform] = perSecond }
            }
        }
        if let v = d.value["upload"] { read(upload: v, into: &global, line: d.line) }
        global.recording = global.recording.overridden(by: recording(d.value, what: "", line: d.line))
    }

    private mutating func read(upload v: JSONValue, into global: inout GlobalOptions, line: Int) {
        guard case .object(let upload) = v else { return fail(line, "upload: expected a table { files = 2, chunks = 3 }, got \(Self.describe(v))") }
        unknownKeys(upload, allowed: ["files", "chunks"], what: "upload", line: line)
        for (key, limit) in [("files", 1...16), ("chunks", 1...16)] {
            guard let v = upload[key] else { continue }
            guard case .int(let n) = v, limit.contains(Int(n)) else {
                fail(line, "upload.\(key): expected an integer from \(limit.lowerBound) to \(limit.upperBound), got \(Self.describe(v))")
                continue
            }
            if key == "files" { global.uploadFiles = Int(n) } else { global.uploadChunks = Int(n) }
        }
    }

    private mutating func read(streamer name: String, _ d: Declaration, templates: [TemplateDeclaration]) -> StreamerDeclaration? {
        let what = "streamer \"\(name)\": "
        unknownKeys(d.value, allowed: Self.streamerKeys, what: "streamer \"\(name)\"", line: d.line)
        var urls: [String] = []
        switch d.value["url"] {
        case .string(let u)?: urls = [u]
        case .array?: urls = strings(d.value["url"], what + "url", line: d.line) ?? []
        case nil: fail(d.line, what + "url is missing (url = \"https://...\" or a list of URLs)")
        case let other?: fail(d.line, what + "url: expected a URL or a list of URLs, got \(Self.describe(other))")
        }
        for u in urls where !u.contains("://") { fail(d.line, what + "url \"\(u)\" is not an absolute URL") }
        var template: String?
        if let t = d.value["template"], check(t, what + "template", .string, line: d.line), case .string(let s) = t {
            if templates.contains(where: { $0.name == s }) { template = s } else {
                fail(d.line, what + "template \"\(s)\" is not declared (biliup.template \"\(s)\" { ... })")
            }
        }
        let danmaku = flag(d.value, "danmaku", what: what, line: d.line)
        let danmakuDetail = flag(d.value, "danmaku_detail", what: what, line: d.line)
        let danmakuASS = flag(d.value, "danmaku_ass", what: what, line: d.line)
        var options: [String: JSONValue] = [:]
        if let v = d.value["options"] {
            if case .object(let o) = v { options = o } else if case .array(let a) = v, a.isEmpty {} else {
                fail(d.line, what + "options: expected a table of plugin options, got \(Self.describe(v))")
            }
        }
        var windows: [ScheduleWindow] = []
        for text in strings(d.value["schedule"], what + "schedule", line: d.line) ?? [] {
            if let w = ScheduleWindow(text) { windows.append(w) } else {
                fail(d.line, what + "schedule: \"\(text)\" is not a window like \"20:00-02:00\" or \"sat,sun 10:00-12:00\"")
            }
        }
        return StreamerDeclaration(name: name, urls: urls, template: template, danmaku: danmaku, danmakuDetail: danmakuDetail,
                                   danmakuASS: danmakuASS, options: options, schedule: windows,
                                   titleInclude: strings(d.value["title_include"], what + "title_include", line: d.line) ?? [],
                                   titleExclude: strings(d.value["title_exclude"], what + "title_exclude", line: d.line) ?? [],
                                   overrides: recording(d.value, what: what, line: d.line), line: d.line)
    }

    /// A true/false key of a streamer (`danmaku`, `danmaku_detail`, `danmaku_ass`); absent is false.
    private mutating func flag(_ v: [String: JSONValue], _ key: String, what: String, line: Int) -> Bool {
        guard let value = v[key] else { return false }
        if case .bool(let b) = value { return b }
        fail(line, what + "\(key): expected true or false, got \(Self.describe(value))")
        return false
    }

    private mutating func recording(_ v: [String: JSONValue], what: String, line: Int) -> RecordingSettings {
        var r = RecordingSettings()
        if let o = v["output"], check(o, what + "output", .string, line: line), case .string(let s) = o {
            if let problem = checkOutput(s) { fail(line, what + "output: " + problem) } else { r.output = s }
        }
        if let f = v["format"], check(f, what + "format", .string, line: line), case .string(let s) = f {
            if formats.contains(s) { r.format = s } else { fail(line, what + "format: expected \(formats.dropLast().joined(separator: ", ")) or \(formats.last ?? ""), got \"\(s)\"") }
        }
        if let split = v["split"] {
            if case .object(let o) = split {
                unknownKeys(o, allowed: ["time", "size"], what: what + "split", line: line)
                if let t = o["time"] { r.splitSeconds = duration(t, what + "split.time", line: line) }
                if let s = o["size"] { r.splitBytes = size(s, what + "split.size", line: line) }
            } else {
                fail(line, what + "split: expected a table { time = \"1h\", size = \"2GB\" }, got \(Self.describe(split))")
            }
        }
        if let c = v["check_interval"] { r.checkInterval = duration(c, what + "check_interval", line: line) }
        if let d = v["delay"] { r.delay = duration(d, what + "delay", line: line, allowZero: true) }
        if let m = v["min_segment_size"] { r.minSegmentBytes = size(m, what + "min_segment_size", line: line, allowZero: true) }
        return r
    }

    // MARK: Value checks

    enum Kind: String { case string }

    @discardableResult
    private mutating func check(_ v: JSONValue?, _ what: String, _ kind: Kind, line: Int) -> Bool {
        guard let v else { return true }
        if case .string = v { return true }
        fail(line, "\(what): expected a string, got \(Self.describe(v))")
        return false
    }

    private mutating func strings(_ v: JSONValue?, _ what: String, line: Int) -> [String]? {
        guard let v else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { fail(line, "\(what): expected strings, got \(Self.describe(item))"); return nil }
                out.append(s)
            }
            return out
        case .object(let o) where o.isEmpty: return []
        default:
            fail(line, "\(what): expected a list of strings, got \(Self.describe(v))")
            return nil
        }
    }

    /// Seconds from a number or a duration string ("30s", "10m", "1h", "HH:MM:SS").
    private mutating func duration(_ v: JSONValue, _ what: String, line: Int, allowZero: Bool = false) -> Double? {
        switch v {
        case .int(let n) where n > 0 || (allowZero && n == 0): return Double(n)
        case .number(let d) where d > 0 || (allowZero && d == 0): return d
        case .string(let s):
            if let d = parseDuration(s) { return d }
            fail(line, "\(what): \"\(s)\" is not a duration (e.g. 30, \"30s\", \"10m\", \"1h\")")
        default: fail(line, "\(what): expected a duration (seconds or \"30s\", \"10m\", \"1h\"), got \(Self.describe(v))")
        }
        return nil
    }

    /// Bytes from a number or a size string ("500MB", "2GB").
    private mutating func size(_ v: JSONValue, _ what: String, line: Int, allowZero: Bool = false) -> Int64? {
        switch v {
        case .int(let n) where n > 0 || (allowZero && n == 0): return Int64(n)
        case .string(let s):
            if let b = parseSize(s) { return b }
            fail(line, "\(what): \"\(s)\" is not a size (e.g. \"500MB\", \"2GB\")")
        default: fail(line, "\(what): expected a size (bytes or \"500MB\", \"2GB\"), got \(Self.describe(v))")
        }
        return nil
    }

    private mutating func unknownKeys(_ table: [String: JSONValue], allowed: [String], what: String, line: Int) {
        for key in table.keys.sorted() where !allowed.contains(key) {
            fail(line, "\(what): unknown option \"\(key)\"\(EditDistance.hint(for: key, among: allowed))")
        }
    }

    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: return "nil"
        case .bool(let b): return "boolean \(b)"
        case .int(let i): return "number \(i)"
        case .number(let d): return "number \(d)"
        case .string(let s): return "string \"\(s)\""
        case .array: return "a list"
        case .object: return "a table"
        }
    }
}
