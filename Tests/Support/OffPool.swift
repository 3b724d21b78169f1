import Foundation

/// Runs blocking work (a child process, a blocking read, a sleep) on a thread of its own. Swift's
/// cooperative pool has two threads on this machine: a test that blocks one of them stalls every
/// other test's awaits, and timing-sensitive tests then fail for no reason of their own.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

public func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
