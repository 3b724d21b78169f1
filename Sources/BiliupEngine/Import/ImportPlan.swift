import BiliupScript
import BiliupValues

/// What one biliup config (a config.toml/config.yaml, or the `config` row of biliup's database) turns
/// into here, before it is written as main.lua or saved in the store: the same parts main.lua declares,
/// plus the accounts to bring over and every key that is not carried over, with the reason.
public struct ImportPlan: Sendable {
    public var global = ImportedGlobal()
    public var templates: [ImportedTemplate] = []
    public var streamers: [ImportedStreamer] = []
    public var accounts: [ImportedAccount] = []
    public var notes: [ImportNote] = []

    public init() {}
}

/// Global options of main.lua's `biliup.config`; nil: not set in the source, our default applies.
public struct ImportedGlobal: Sendable, Equatable {
    public var recording = RecordingSettings()
    public var maxRecordings: Int?
    public var uploadFiles: Int?
    public var uploadChunks: Int?

    public init() {}
}

/// An upload template: main.lua's `biliup.template` keys (UploadTemplateFields).
public struct ImportedTemplate: Sendable, Equatable {
    public var name: String
    public var fields: [String: JSONValue]
}

/// A streamer, in main.lua's terms.
public struct ImportedStreamer: Sendable, Equatable {
    public var name: String
    public var urls: [String]
    public var template: String?
    public var danmaku = false
    public var danmakuDetail = false
    public var options: [String: JSONValue] = [:]
    /// Windows like "20:00-02:00".
    public var schedule: [String] = []
    public var titleExclude: [String] = []
    public var recording = RecordingSettings()
    /// biliup's processors, as hooks of this streamer.
    public var hooks: [ImportedHook] = []

    public init(name: String, urls: [String]) {
        self.name = name
        self.urls = urls
    }
}

/// One of biliup's processor lists, as a main.lua hook.
public struct ImportedHook: Sendable, Equatable {
    /// The biliup key it comes from (`postprocessor` ...).
    public var source: String
    /// Our event: stream_start, segment, stream_end or upload_done.
    public var event: String
    /// Where the event's files are (`path` of a segment, `segments` of stream_end, `parts` of
    /// upload_done); nil when biliup gave the step no files.
    public var files: String?
    public var steps: [HookStep]
}

/// A step of biliup's processors that has a counterpart here.
public enum HookStep: Sendable, Equatable {
    /// A shell command of the user's config, run by `sh -c` as biliup ran it.
    case run(String)
    /// Move the files into this folder.
    case move(String)
    /// Delete the files.
    case delete
}

/// A Bilibili login of biliup (a cookies.json), stored here as an account named `name`.
public struct ImportedAccount: Sendable, Equatable {
    public var name: String
    public var cookieFile: String
}

/// A key of the source that is not carried over, and why.
public struct ImportNote: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var reason: String

    public var description: String { "\(key): \(reason)" }
}
