import BiliupMedia
import BiliupEngine
import BiliupScript
import BiliupValues

/// Turns a room page into a stream endpoint through its plugin, for `download`: once at the start and
/// again before every reconnect (platform stream URLs expire and move between CDNs).
struct StreamResolver: Sendable {
    let host: PluginHost
    let options: [String: JSONValue]
    let headers: [(String, String)]
    let proxy: String?

    struct Room {
        var plugin: String
        var title: String?
        var endpoint: StreamEndpoint
        var templateValues: [String: String]
        /// The room's name for the chat XML's header (the plugin's streamer, else its title).
        var streamer: String?
        /// The plugin's chat parameters (`protocol`, room id...), if the platform has chat.
        var danmaku: [String: JSONValue]?
    }

    /// Direct stream URLs go straight to the recorder, without a plugin call.
    static func isDirect(_ url: String) -> Bool {
        let lower = url.lowercased()
        if lower.hasPrefix("rtmp") { return true }
        let path = lower.split(whereSeparator: { $0 == "?" || $0 == "#" }).first ?? ""
        return path.hasSuffix(".flv") || path.hasSuffix(".m3u8")
    }

    /// Whether a platform plugin (not the generic fallback) claims `url`; others are recorded directly,
    /// so a stream URL without a telling extension still works as before.
    func claims(_ url: String) -> Bool {
        let host = self.host
        guard let plugin = blocking({ await host.plugin(matching: url) }) else { return false }
        return !plugin.fallback
    }

    func resolve(_ url: String) -> Result<Room, ResolveFailure> {
        let options = self.options
        let host = self.host
        let result: Result<CheckResult, ScriptError> = blocking {
            await host.checkResult(url, options: options)
        }
        switch result {
        case .failure(let error):
            return .failure(ResolveFailure(message: error.description))
        case .success(let r):
            guard r.live, let stream = r.streams.first else {
                return .failure(ResolveFailure(message: "the room is offline\(r.title.map { " (\($0))" } ?? "")"))
            }
            var values = ["plugin": r.plugin]
            if let t = r.title { values["title"] = t }
            if let s = r.streamer { values["streamer"] = s }
            return .success(Room(plugin: r.plugin, title: r.title, endpoint: StreamEndpoint(stream, extraHeaders: headers, proxy: proxy),
                                 templateValues: values, streamer: r.streamer, danmaku: r.danmaku))
        }
    }

    /// What a chat connection of `url` asks before each attempt: the plugin's `danmaku` step.
    func danmakuStep(plugin: String, parameters: [String: JSONValue]) -> @Sendable () throws -> [String: JSONValue] {
        pluginDanmakuStep(checker: host, plugin: plugin, parameters: parameters, options: options)
    }

    /// What a recording of `url` asks before each reconnect.
    func refresher(_ url: String) -> @Sendable () throws(MediaError) -> StreamEndpoint? {
        pluginEndpointRefresher(checker: host, url: url, options: options, extraHeaders: headers, proxy: proxy)
    }
}

struct ResolveFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
