import Dispatch

extension Store {
    /// Runs `body` (blocking SQLite calls) on the store's own serial queue and waits for it without
    /// holding a thread of Swift's cooperative pool: that pool has as many threads as cores (two on
    /// this machine), and the server's handlers, the event feed and the engine's tasks all need it.
    public func off<T: Sendable>(_ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self) }) }
        }
    }
}
