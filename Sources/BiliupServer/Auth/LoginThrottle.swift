import Foundation
import Synchronization

/// Slows down password guessing: after a few wrong logins from one address, or for one user name,
/// the next attempt must wait, twice as long after each further failure (capped), and is refused
/// with 429 until then. A right password clears the count of its address and its user.
final class LoginThrottle: Sendable {
    /// Wrong logins allowed before any waiting: typos should cost nothing.
    static let freeFailures = 5
    static let firstDelay: TimeInterval = 1
    /// The longest wait. It also bounds how long someone guessing can lock out a user's own logins.
    static let maxDelay: TimeInterval = 300
    /// Addresses and names remembered at once; past it, entries whose wait is over are forgotten first.
    static let capacity = 10_000

    private struct Entry {
        var failures: Int
        var until: Date
        var last: Date
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Seconds until `address` or `user` may try again, or nil when they may now.
    func wait(address: String, user: String, now: Date = Date()) -> TimeInterval? {
        entries.withLock { entries in
            let until = [Self.key(address: address), Self.key(user: user)].compactMap { entries[$0]?.until }.max() ?? .distantPast
            return until > now ? until.timeIntervalSince(now) : nil
        }
    }

    func failed(address: String, user: String, now: Date = Date()) {
        entries.withLock { entries in
            if entries.count >= Self.capacity - 2 {
                entries = entries.filter { $0.value.until > now || now.timeIntervalSince($0.value.last) < Self.maxDelay }
                if entries.count >= Self.capacity - 2 { entries.removeAll() }
            }
            for key in [Self.key(address: address), Self.key(user: user)] {
                var entry = entries[key] ?? Entry(failures: 0, until: .distantPast, last: now)
                // A long quiet spell starts the count again.
                if now.timeIntervalSince(entry.last) > 2 * Self.maxDelay { entry.failures = 0 }
                entry.failures += 1
                entry.last = now
                let over = entry.failures - Self.freeFailures
                if over > 0 { entry.until = now + min(Self.firstDelay * pow(2, Double(min(over - 1, 30))), Self.maxDelay) }
                entries[key] = entry
            }
        }
    }

    func succeeded(address: String, user: String) {
        _ = entries.withLock { entries in
            entries.removeValue(forKey: Self.key(address: address))
            entries.removeValue(forKey: Self.key(user: user))
        }
    }

    private static func key(address: String) -> String { "a:" + address }
    private static func key(user: String) -> String { "u:" + user.lowercased() }
}
