@testable import BiliupEngine
import BiliupScript
import BiliupValues
import Foundation

/// A `RoomChecker` for `test://fake/<room>` URLs whose answers the test sets: live (with a title) or
/// offline. Counts the checks of each room, so a test can wait for "checked again since".
final class FakeRooms: RoomChecker, @unchecked Sendable {
    private let lock = NSLock()
    private var live: [String: String] = [:]
    private var checks: [String: Int] = [:]

    static func url(_ room: String) -> String { "test://fake/\(room)" }

    /// Live with `title` from the next check on; nil: offline.
    func set(_ room: String, liveWithTitle title: String?) {
        lock.withLock { live[Self.url(room)] = title }
    }

    func checkCount(_ room: String) -> Int { lock.withLock { checks[Self.url(room), default: 0] } }

    func platform(of url: String) async -> (name: String, batch: Bool)? { ("fake", false) }

    func check(_ url: String, options: [String: JSONValue]) async -> Result<CheckResult, ScriptError> {
        let title = lock.withLock {
            checks[url, default: 0] += 1
            return live[url]
        }
        return .success(Self.result(url, title: title))
    }

    func batchCheck(_ urls: [String], options: [String: JSONValue]) async -> [String: Result<CheckResult, ScriptError>] {
        var results: [String: Result<CheckResult, ScriptError>] = [:]
        for url in urls { results[url] = await check(url, options: options) }
        return results
    }

    func catalog() async -> PluginCatalog { PluginCatalog(plugins: [], failures: [], directories: []) }

    /// CheckResult has no public initializer; its JSON form is the public way to make one.
    private static func result(_ url: String, title: String?) -> CheckResult {
        var object: [String: Any] = ["plugin": "fake", "url": url, "live": title != nil, "streams": [] as [Any]]
        if let title {
            object["title"] = title
            object["streams"] = [["format": "flv", "url": "http://cdn.test/live/\(url.split(separator: "/").last!).flv", "headers": [:] as [String: String]]]
        }
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try! JSONDecoder().decode(CheckResult.self, from: data)
    }
}
