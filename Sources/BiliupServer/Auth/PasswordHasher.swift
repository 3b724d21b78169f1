import BiliupEngine
import Foundation
import Synchronization

/// Runs bcrypt on threads of its own, a few at a time. bcrypt is a quarter second of one core by
/// design; on Swift's cooperative pool (two threads here) a handful of parallel logins would stall
/// every other request of the server.
final class PasswordHasher: Sendable {
    /// Hashes at once: half the cores, so a login storm leaves the others to the rest of the server.
    static let concurrency = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    /// Hashes waiting beyond which a login is answered "busy" at once instead of queueing for seconds.
    static let maxWaiting = 64

    let cost: UInt8
    private let queue: OperationQueue
    private let waiting = Atomic<Int>(0)
    /// A hash of a password no one has, at the server's cost: checking an unknown user's password
    /// against it takes as long as checking a known user's, so timing does not tell which names exist.
    private let decoy = Mutex<String?>(nil)

    init(cost: UInt8) {
        self.cost = cost
        queue = OperationQueue()
        queue.name = "biliup.bcrypt"
        queue.maxConcurrentOperationCount = Self.concurrency
    }

    struct Busy: Error {}

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await run { Secrets.hashPassword(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash (an unknown user) the same work is done
    /// against the decoy and the answer is false.
    func verify(_ password: String, hash: String?) async throws -> Bool {
        try await run { [self] in
            guard let hash else {
                _ = Secrets.verify(password, hash: decoyHash())
                return false
            }
            return Secrets.verify(password, hash: hash)
        }
    }

    private func decoyHash() -> String {
        decoy.withLock { decoy in
            if let decoy { return decoy }
            let made = Secrets.hashPassword(TokenSecret.make(), cost: cost)
            decoy = made
            return made
        }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        guard waiting.add(1, ordering: .relaxed).newValue <= Self.maxWaiting else {
            waiting.subtract(1, ordering: .relaxed)
            throw Busy()
        }
        return await withCheckedContinuation { continuation in
            queue.addOperation { [self] in
                let result = work()
                waiting.subtract(1, ordering: .relaxed)
                continuation.resume(returning: result)
            }
        }
    }
}
