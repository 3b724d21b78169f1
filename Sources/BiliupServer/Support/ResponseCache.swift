import Hummingbird
import Synchronization

/// Encoded answers of read routes, kept until the engine's revision moves (any event or command).
/// The streamer list is what a dashboard polls; encoding 1,000 streamers for every poll would cost
/// far more than the request itself.
final class ResponseCache: Sendable {
    /// Distinct queries kept; more are rare (paging) and simply rebuilt.
    static let capacity = 64
    private let entries = Mutex<[String: (revision: Int, body: ByteBuffer)]>([:])

    func body(for key: String, revision: Int, build: () async throws -> ByteBuffer) async rethrows -> ByteBuffer {
        if let hit = entries.withLock({ $0[key] }), hit.revision == revision { return hit.body }
        let body = try await build()
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (revision, body)
        }
        return body
    }
}
