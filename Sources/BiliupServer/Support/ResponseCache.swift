import Hummingbird

/// Encoded answers of read routes, kept until the engine's revision moves (any event or command).
/// The streamer list is what a dashboard polls; encoding 1,000 streamers for every poll would cost
/// far more than the request itself.
///
/// When the revision has moved, one request rebuilds the answer while the others keep getting the
/// previous one (milliseconds old) instead of all rebuilding it at once.
final class ResponseCache: Sendable {
    /// Distinct queries kept; more are rare (paging) and simply rebuilt.
    static let capacity = 64

    private struct Entry {
        var revision: Int
        var body: ByteBuffer
        var rebuilding: Bool
    }

    private let entries = Locked<[String: Entry]>([:])

    func body(for key: String, revision: Int, build: () async throws -> ByteBuffer) async rethrows -> ByteBuffer {
        enum Plan { case hit(ByteBuffer), rebuild }
        let plan = entries.withLock { entries -> Plan in
            guard var entry = entries[key] else { return .rebuild }
            if entry.revision == revision || entry.rebuilding { return .hit(entry.body) }
            entry.rebuilding = true
            entries[key] = entry
            return .rebuild
        }
        if case .hit(let body) = plan { return body }
        do {
            let body = try await build()
            entries.withLock { entries in
                if entries.count >= Self.capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
                entries[key] = Entry(revision: revision, body: body, rebuilding: false)
            }
            return body
        } catch {
            entries.withLock { $0[key]?.rebuilding = false }
            throw error
        }
    }
}
