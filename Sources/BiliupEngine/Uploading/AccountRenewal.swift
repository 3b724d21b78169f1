import BiliupUpload
import BiliupValues
import Foundation

/// Keeps the accounts' tokens fresh while `run` or `server` runs: at start and then every `interval`,
/// each account whose token expires within `window` (or that passport advises refreshing) is renewed.
/// A renewal is an event; a refusal is a warning that says how to log in again. Events name the account
/// and the new expiry, never a token or a cookie.
public struct AccountRenewal: Sendable {
    /// Tokens last 180 days; a few checks a day notice a refusal early without bothering passport.
    public static let standardInterval: Duration = .seconds(6 * 3600)
    /// biliup renews a token in its last 30 days.
    public static let standardWindow: TimeInterval = 30 * 86_400

    public let book: AccountBook
    public let interval: Duration
    public let window: TimeInterval
    private let publish: @Sendable (EngineEvent) -> Void

    public init(book: AccountBook, interval: Duration = standardInterval, window: TimeInterval = standardWindow,
                publish: @escaping @Sendable (EngineEvent) -> Void) {
        self.book = book
        self.interval = interval
        self.window = window
        self.publish = publish
    }

    /// Runs rounds until the task is cancelled.
    public func start() -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One look at every account.
    public func round() async {
        let names: [String]
        do {
            names = try book.list().map(\.name)
        } catch {
            return publish(EngineEvent(.error, level: .warn, message: "token renewal: cannot read the accounts: \(error)"))
        }
        for name in names where !Task.isCancelled {
            do {
                guard case .renewed(let entry) = try await book.renewIfDue(name, within: window) else { continue }
                var data: [String: JSONValue] = ["account": .string(name)]
                var until = ""
                if let expires = entry.expiresAt {
                    data["expires_at"] = .number(expires.timeIntervalSince1970)
                    until = ", valid until \(expires.formatted(.iso8601))"
                }
                publish(EngineEvent(.state, message: "account \(name): token renewed\(until)", data: data))
            } catch let error as UploadError where error.kind == .cancelled {
                return
            } catch let error as UploadError where [.needsLogin, .api, .invalidInput].contains(error.kind) {
                publish(EngineEvent(.error, level: .warn, message: "\(BilibiliArchiveUploader.needsLogin(name)) (\(error))",
                                    data: ["account": .string(name), "needs_login": .bool(true)]))
            } catch {
                // Bilibili did not answer (or the store failed): nothing is wrong with the login yet.
                publish(EngineEvent(.error, level: .warn, message: "account \(name): token not checked (\(error)); trying again in \(Self.words(interval))",
                                    data: ["account": .string(name)]))
            }
        }
    }

    private static func words(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        return seconds >= 3600 ? "\(seconds / 3600) h" : seconds >= 60 ? "\(seconds / 60) min" : "\(seconds) s"
    }
}
