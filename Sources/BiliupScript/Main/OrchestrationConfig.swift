import BiliupValues
/// What main.lua declares, checked and typed: global options, upload templates, streamers and the
/// events it has hooks for. Durations are seconds, sizes bytes.
public struct OrchestrationConfig: Sendable, Equatable {
    public var file: String
    public var global: GlobalOptions
    public var templates: [TemplateDeclaration]
    public var streamers: [StreamerDeclaration]
    /// Event name → number of handlers.
    public var hooks: [String: Int]
    /// `biliup.webhook { ... }`: where events are POSTed.
    public var webhooks: [WebhookDeclaration] = []

    public init(file: String, global: GlobalOptions = GlobalOptions(), templates: [TemplateDeclaration] = [],
                streamers: [StreamerDeclaration] = [], hooks: [String: Int] = [:]) {
        self.file = file
        self.global = global
        self.templates = templates
        self.streamers = streamers
        self.hooks = hooks
    }

    /// No main.lua (`biliup server`): only the API's streamers are watched, and the ones a main.lua
    /// declared earlier are left in the store untouched, for the next `biliup run`.
    public static func withoutScript(dataDir: String) -> OrchestrationConfig {
        var global = GlobalOptions()
        global.dataDir = dataDir
        return OrchestrationConfig(file: "", global: global)
    }

    public var hasScript: Bool { !file.isEmpty }
}

/// Options a streamer may override; nil means "use the global value".
public struct RecordingSettings: Sendable, Equatable {
    public var output: String?
    /// flv, ts, mkv or mp4; nil: the input's natural container.
    public var format: String?
    public var splitSeconds: Double?
    public var splitBytes: Int64?
    public var checkInterval: Double?
    public var delay: Double?
    public var minSegmentBytes: Int64?

    public init(output: String? = nil, format: String? = nil, splitSeconds: Double? = nil, splitBytes: Int64? = nil,
                checkInterval: Double? = nil, delay: Double? = nil, minSegmentBytes: Int64? = nil) {
        self.output = output
        self.format = format
        self.splitSeconds = splitSeconds
        self.splitBytes = splitBytes
        self.checkInterval = checkInterval
        self.delay = delay
        self.minSegmentBytes = minSegmentBytes
    }

    /// `self` with `other`'s values where it has them.
    public func overridden(by other: RecordingSettings) -> RecordingSettings {
        RecordingSettings(output: other.output ?? output, format: other.format ?? format,
                          splitSeconds: other.splitSeconds ?? splitSeconds, splitBytes: other.splitBytes ?? splitBytes,
                          checkInterval: other.checkInterval ?? checkInterval, delay: other.delay ?? delay,
                          minSegmentBytes: other.minSegmentBytes ?? minSegmentBytes)
    }
}

public struct GlobalOptions: Sendable, Equatable {
    public var dataDir = "data"
    /// The folder every recording is written below; `output` templates are relative to it. Set only in
    /// main.lua (`recordings_root`), never through the API, which can thus not write anywhere else.
    public var recordingsRoot = "recordings"
    public var recording = RecordingSettings(output: "{streamer}/{streamer}_%Y-%m-%d_%H-%M-%S_{title}",
                                             checkInterval: 30, delay: 120, minSegmentBytes: 1 << 20)
    public var maxRecordings = 50
    /// Below this much free space no new segment starts.
    public var minFreeDiskBytes: Int64 = 2 << 30
    /// Checks per second a platform gets (a batch request counts once); `check_rates = { default = 5, twitch = 1 }`.
    /// Five a second is 150 rooms at a 30 s interval per platform, gentle enough not to be throttled.
    public var defaultCheckRate: Double = 5
    public var platformCheckRates: [String: Double] = [:]
    /// Streams and plugin requests refuse loopback, link-local and private addresses (after DNS), for
    /// installs where other people add streamers; off by default, a single user's own URLs may be local.
    public var blockPrivateAddresses = false
    public var serverBind = "127.0.0.1"
    public var serverPort = 19159
    /// Host names the API answers to besides loopback names and IP addresses (`server.hosts`).
    public var serverHosts: [String] = []
    /// Open connections and WebSocket subscribers at once; nil keeps the server's defaults.
    public var serverMaxConnections: Int?
    public var serverMaxWebSockets: Int?
    /// `GET /metrics` without a login (`server.public_metrics`, `--public-metrics`).
    public var serverPublicMetrics = false
    /// Files uploading at once, over all accounts (`upload = { files = 2 }`): each holds chunk buffers
    /// and a share of the uplink, and two keep a typical uplink busy between one file's chunks.
    public var uploadFiles = 2
    /// Chunks of one file in flight at once (`upload = { chunks = 3 }`), biliup's default `--limit`.
    public var uploadChunks = 3

    public init() {}
}

public struct TemplateDeclaration: Sendable, Equatable {
    public var name: String
    public var fields: [String: JSONValue]
    public var line: Int

    public init(name: String, fields: [String: JSONValue], line: Int = 0) {
        self.name = name
        self.fields = fields
        self.line = line
    }
}

public struct StreamerDeclaration: Sendable, Equatable {
    public var name: String
    public var urls: [String]
    public var template: String?
    /// Chat is captured while recording: an XML beside each segment.
    public var danmaku: Bool
    /// Gifts, super chats and guard purchases are written too (`<s>` elements), not chat alone.
    public var danmakuDetail: Bool
    /// Each segment's XML is also converted to an `.ass` subtitle beside it.
    public var danmakuASS: Bool
    /// Plugin options, overriding the plugin's defaults.
    public var options: [String: JSONValue]
    public var schedule: [ScheduleWindow]
    public var titleInclude: [String]
    public var titleExclude: [String]
    public var overrides: RecordingSettings
    /// Where main.lua declares it (0 for a streamer added through the API).
    public var line: Int

    public init(name: String, urls: [String], template: String? = nil, danmaku: Bool = false, danmakuDetail: Bool = false,
                danmakuASS: Bool = false, options: [String: JSONValue] = [:],
                schedule: [ScheduleWindow] = [], titleInclude: [String] = [], titleExclude: [String] = [],
                overrides: RecordingSettings = RecordingSettings(), line: Int = 0) {
        self.name = name
        self.urls = urls
        self.template = template
        self.danmaku = danmaku
        self.danmakuDetail = danmakuDetail
        self.danmakuASS = danmakuASS
        self.options = options
        self.schedule = schedule
        self.titleInclude = titleInclude
        self.titleExclude = titleExclude
        self.overrides = overrides
        self.line = line
    }
}
