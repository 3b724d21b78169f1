@testable import BiliupEngine
import BiliupScript
import BiliupValues
import Foundation
import Synchronization

/// A platform of one room that is live with a local FLV source while `live` says so, as a plugin's
/// check would report it; with `danmaku`, the check's chat parameters and the answer of the plugin's
/// danmaku step (which the engine asks before every chat connection).
final class LiveRoomChecker: RoomChecker {
    let plugin: String
    let title: String
    let flv: String
    let live: @Sendable () -> Bool
    let danmaku: (parameters: [String: JSONValue], connection: [String: JSONValue])?
    /// Times the danmaku step was asked.
    let danmakuSteps = Atomic<Int>(0)

    init(plugin: String, title: String, flv: String, live: @escaping @Sendable () -> Bool,
         danmaku: (parameters: [String: JSONValue], connection: [String: JSONValue])? = nil) {
        self.plugin = plugin
        self.title = title
        self.flv = flv
        self.live = live
        self.danmaku = danmaku
    }

    func platform(of url: String) async -> (name: String, batch: Bool)? { (plugin, false) }

    func check(_ url: String, options: [String: JSONValue]) async -> Result<CheckResult, ScriptError> {
        let live = live()
        var json: [String: Any] = [
            "plugin": plugin, "url": url, "live": live, "title": title, "streamer": "Ann",
            "streams": live ? [["format": "flv", "url": flv, "headers": [String: String]()]] : [],
        ]
        do {
            if let danmaku { json["danmaku"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(JSONValue.object(danmaku.parameters))) }
            return .success(try JSONDecoder().decode(CheckResult.self, from: JSONSerialization.data(withJSONObject: json)))
        } catch {
            return .failure(ScriptError(kind: .result, source: plugin, message: "\(error)"))
        }
    }

    func batchCheck(_ urls: [String], options: [String: JSONValue]) async -> [String: Result<CheckResult, ScriptError>] { [:] }

    func catalog() async -> PluginCatalog { PluginCatalog(plugins: [], failures: [], directories: []) }

    func danmakuConnection(plugin: String, parameters: [String: JSONValue], options: [String: JSONValue]) async
        -> Result<[String: JSONValue], ScriptError> {
        guard let danmaku else { return .failure(ScriptError(kind: .noPlugin, source: plugin, message: "no danmaku step")) }
        danmakuSteps.add(1, ordering: .relaxed)
        return .success(danmaku.connection)
    }
}
