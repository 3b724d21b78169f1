import BiliupValues
/// What `biliup plugins` and the API show about a loaded plugin.
public struct PluginInfo: Sendable, Codable, Equatable {
    public var name: String
    /// The file it was loaded from.
    public var file: String
    /// Lua patterns tried against a URL.
    public var patterns: [String]
    /// Options and their defaults; a streamer's options override them.
    public var defaults: [String: JSONValue]
    /// Optional one-line descriptions of options (the plugin's `options` table).
    public var options: [String: String]
    /// The plugin checks many rooms in one request (`batch_check`).
    public var batch: Bool
    /// Tried only after every other plugin (the generic plugin for direct stream URLs).
    public var fallback: Bool
}

/// What a URL names: the plugin that checks it and, for a plugin with `rooms`, the room.
public struct RoomMatch: Sendable, Equatable {
    public var plugin: String
    /// The room as the plugin's room forms read it (nil: the plugin has no `rooms`).
    public var room: String?
    /// The URL as the plugin sees it (normalised: scheme added, host lower-cased, fragment dropped).
    public var url: String
}

/// A plugin file that could not be loaded. When an earlier version of it loaded, that version keeps running.
public struct PluginLoadFailure: Sendable, Codable, Equatable {
    public var file: String
    public var message: String
    /// The version that stays in use, if any.
    public var keptPrevious: Bool
}

public struct PluginCatalog: Sendable, Codable, Equatable {
    public var plugins: [PluginInfo]
    public var failures: [PluginLoadFailure]
    public var directories: [String]

    public init(plugins: [PluginInfo], failures: [PluginLoadFailure], directories: [String]) {
        self.plugins = plugins
        self.failures = failures
        self.directories = directories
    }
}

/// One way to watch a live room: a URL and what the recorder needs to open it.
public struct StreamCandidate: Sendable, Codable, Equatable {
    /// `flv`, `hls` or `rtmp`.
    public var format: String
    public var url: String
    public var quality: String?
    public var cdn: String?
    /// Sent with every request for this stream (Referer, User-Agent, Cookie...).
    public var headers: [String: String]
    public var bitrate: Int?

    public init(format: String, url: String, quality: String? = nil, cdn: String? = nil, headers: [String: String] = [:], bitrate: Int? = nil) {
        self.format = format
        self.url = url
        self.quality = quality
        self.cdn = cdn
        self.headers = headers
        self.bitrate = bitrate
    }
}

/// A plugin's answer for one room.
public struct CheckResult: Sendable, Codable, Equatable {
    public var plugin: String
    public var url: String
    public var live: Bool
    public var title: String?
    public var streamer: String?
    public var cover: String?
    /// Best first, as the plugin ordered them after applying its options.
    public var streams: [StreamCandidate]
    /// Parameters for the danmaku client (`protocol` and what that protocol needs).
    public var danmaku: [String: JSONValue]?
    /// Anything else the plugin returned under `extra`.
    public var extra: [String: JSONValue]?
}
