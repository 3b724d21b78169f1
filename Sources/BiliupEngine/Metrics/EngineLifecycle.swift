import Synchronization

/// Where the engine is in its life, for `GET /api/health`: only `running` is healthy.
public final class EngineLifecycle: Sendable {
    public enum Phase: Int, Sendable {
        case starting, running, stopping, stopped

        public var name: String { String(describing: self) }
    }

    private let value = Atomic<Int>(Phase.starting.rawValue)

    public init() {}

    public var phase: Phase { Phase(rawValue: value.load(ordering: .acquiring)) ?? .stopped }

    /// Moves on to `phase`; never back (a stop that began stays begun).
    func advance(to phase: Phase) {
        var current = value.load(ordering: .relaxed)
        while current < phase.rawValue {
            let (exchanged, original) = value.compareExchange(expected: current, desired: phase.rawValue, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
    }

    /// The service is shutting down (a signal came): health turns 503 before the API closes.
    public func beginStopping() { advance(to: .stopping) }
}
