import Foundation

/// The time the engine's session decisions read ("now" for delays, schedules and the store's dates) and
/// the timers behind them (the end of `delay`, the disk and progress rounds). The system's in
/// production; tests move a clock of their own instead of sleeping.
protocol EngineClock: Sendable {
    var now: Date { get }
    /// Returns once `now` has reached `deadline` (at once if it has); throws when the task is cancelled.
    /// A deadline rather than a duration: a timer set before the clock moves fires at the same instant
    /// whenever its task first runs.
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time and the task's own sleep.
struct SystemClock: EngineClock {
    var now: Date { Date() }

    func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}
