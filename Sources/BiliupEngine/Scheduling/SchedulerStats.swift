/// A snapshot of the scheduler, for the status API and the benchmark.
public struct SchedulerStats: Sendable, Equatable {
    /// Check calls started per platform since the start; a batch call counts once (what the budget counts).
    public var callsStarted: [String: Int]
    /// Rooms checked per platform since the start; a batch of 30 counts 30.
    public var roomsStarted: [String: Int]
    /// Rooms whose check is running now.
    public var inFlight: Int
    /// Rooms that are due but wait for their platform's budget.
    public var queued: Int
    /// Rooms being watched (suspended ones included).
    public var rooms: Int
}
