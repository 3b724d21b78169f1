import Hummingbird

/// Encoded answers of read routes, kept until the engine's revision moves (any event or command).
/// The streamer list is what a dashboard polls; encoding 1,000 streamers for every poll would cost
/// far more than the request itself.
///
/// One request builds an answer; requests arriving meanwhile get the previous answer (milliseconds
/// old) or, when there is none yet, wait for that build instead of all building it at once.
final class ResponseCache: Sendable {
    /// Distinct queries kept; more are rare (paging) and simply rebuilt.
    static let capacity = 64

    private struct Entry {
        var revision: Int
        var body: ByteBuffer?
        var build: Task<ByteBuffer, Error>?
    }

    private let entries = Locked<[String: Entry]>([:])

    func body(for key: String, revision: Int, build: @escaping @Sendable () async throws -> ByteBuffer) async throws -> ByteBuffer {
        enum Plan { case hit(ByteBuffer), wait(Task<ByteBuffer, Error>) }
        let plan = entries.withLock { entries -> Plan in
            var entry = entries[key] ?? Entry(revision: revision, body: nil, build: nil)
            if entry.revision == revision, let body = entry.body { return .hit(body) }
            if let running = entry.build { return entry.body.map(Plan.hit) ?? .wait(running) }
            let task = Task { try await build() }
            entry.build = task
            entry.revision = revision
            if entries.count >= Self.capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
            return .wait(task)
        }
        switch plan {
        case .hit(let body): return body
        case .wait(let task):
            do {
                let body = try await task.value
                entries.withLock { entries in
                    guard entries[key]?.build == task else { return }
                    entries[key]?.body = body
                    entries[key]?.build = nil
                }
                return body
            } catch {
                entries.withLock { entries in if entries[key]?.build == task { entries[key]?.build = nil } }
                throw error
            }
        }
    }
}
