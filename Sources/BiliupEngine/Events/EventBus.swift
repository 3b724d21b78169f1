import Foundation
import Synchronization

/// The one place events go through. Publishing never blocks the publisher: each sink receives the
/// events in order on its own task, and a sink or subscriber that does not keep up loses its oldest
/// events (bounded memory) rather than slowing the engine.
public final class EventBus: Sendable {
    public typealias Sink = @Sendable (EngineEvent) async -> Void

    /// Events a slow sink may fall behind by before it loses the oldest ones.
    public static let backlog = 10_000

    private let streams = Mutex<(next: Int, all: [Int: AsyncStream<EngineEvent>.Continuation])>((0, [:]))
    private let tasks = Mutex<[Task<Void, Never>]>([])

    public init() {}

    /// Adds a sink that runs for every event, one at a time, in publishing order.
    public func attach(_ deliver: @escaping Sink) {
        let stream = subscribe()
        let task = Task.detached {
            for await event in stream { await deliver(event) }
        }
        tasks.withLock { $0.append(task) }
    }

    /// Every event from now on, until the stream is dropped; bounded like a sink.
    public func subscribe(backlog: Int = EventBus.backlog) -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: EngineEvent.self, bufferingPolicy: .bufferingNewest(backlog))
        let id = streams.withLock { state in
            state.next += 1
            state.all[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.streams.withLock { $0.all.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ event: EngineEvent) {
        for continuation in streams.withLock({ Array($0.all.values) }) { continuation.yield(event) }
    }

    /// Lets every sink finish what was published so far, then stops them.
    public func close() async {
        for continuation in streams.withLock({ Array($0.all.values) }) { continuation.finish() }
        for task in tasks.withLock({ $0 }) { await task.value }
    }
}
