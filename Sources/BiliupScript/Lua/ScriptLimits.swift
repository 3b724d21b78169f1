/// What one Lua call (a plugin check, a hook) may use before it is stopped. Calls share one VM, so a
/// runaway call must be cut off by these, not by the process running out of CPU or memory.
public struct ScriptLimits: Sendable {
    /// VM instructions per call. A platform check runs well under a million (a_bogus signing included).
    public var instructions: Int
    /// CPU time the call itself runs (the VM thread's CPU clock), not counting waits for the network,
    /// timers, or a busy machine.
    public var runTime: Duration
    /// Bytes the call may hold at once (allocated minus freed while it runs).
    public var memoryBytes: Int
    /// From start to result, waits included: a site that never answers must not hold a check forever.
    public var callTimeout: Duration

    public init(instructions: Int = 100_000_000, runTime: Duration = .seconds(1),
                memoryBytes: Int = 64 << 20, callTimeout: Duration = .seconds(60)) {
        self.instructions = instructions
        self.runTime = runTime
        self.memoryBytes = memoryBytes
        self.callTimeout = callTimeout
    }

    /// Everything the VM holds together; beyond this, allocations fail even outside any call.
    static let vmMemoryBytes = 1 << 30
}
