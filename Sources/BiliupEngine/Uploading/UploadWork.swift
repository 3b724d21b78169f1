import Foundation

/// The engine's in-memory side of the upload queue (the queue itself is in the store): what is
/// running, progress for the API, and each account's rate-limit wait. Owned by the Engine actor.
final class UploadWork {
    /// One upload or submission in flight.
    enum Job: Hashable {
        case part(Int64)
        case archive(Int64)
    }

    /// A rate-limited account: nothing of it starts before `until`; after that one job (the waiter)
    /// tries, and the others start only once it got through.
    struct RateLimit {
        var until: Date
        var attempt: Int
        var waiter: Job?
    }

    var running: [Job: Task<Void, Never>] = [:]
    /// The account each running job works for.
    var accounts: [Job: String] = [:]
    /// Bytes sent and total of each uploading part.
    var progress: [Int64: (sent: Int64, total: Int64)] = [:]
    var progressPublishedAt: [Int64: Date] = [:]
    var rateLimits: [String: RateLimit] = [:]
    /// Wakes the queue at the next retry or the end of a rate-limit wait.
    var timer: Task<Void, Never>?
    var timerDeadline: Date?

    var uploadingFiles: Int { running.keys.filter { if case .part = $0 { true } else { false } }.count }

    /// Whether `job` of `account` may start at `now`; marks it the waiter when it is the one allowed
    /// through a rate limit that has run out. The second value is when to look again, if not.
    func mayStart(_ job: Job, account: String, now: Date) -> (Bool, Date?) {
        guard var limit = rateLimits[account] else { return (true, nil) }
        if limit.until > now { return (false, limit.until) }
        if limit.waiter != nil { return (false, nil) }
        limit.waiter = job
        rateLimits[account] = limit
        return (true, nil)
    }
}
