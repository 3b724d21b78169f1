import BiliupScript
import BiliupValues

/// One URL of one streamer that the scheduler checks.
public struct WatchedRoom: Sendable, Hashable {
    public var streamer: String
    public var url: String
    /// Plugin options (the streamer's `options`), passed to every check.
    public var options: [String: JSONValue]
    /// Seconds from the end of one check to the start of the next (before jitter and budget).
    public var interval: Double

    public init(streamer: String, url: String, options: [String: JSONValue] = [:], interval: Double) {
        self.streamer = streamer
        self.url = url
        self.options = options
        self.interval = interval
    }

    /// A room's identity: the same streamer and URL with other options or interval is the same room, updated.
    var key: RoomKey { RoomKey(streamer: streamer, url: url) }

    /// Options are left out of the hash (`JSONValue` is only Equatable); equal rooms still hash equal.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(streamer)
        hasher.combine(url)
        hasher.combine(interval)
    }
}

struct RoomKey: Hashable, Sendable {
    var streamer: String
    var url: String
}
