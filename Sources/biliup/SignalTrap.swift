import Foundation

/// Ctrl-C / SIGTERM handling for the long-running commands: the first signal calls the handler (which
/// closes files and stops), a second one exits at once.
///
/// A second signal within a second of the first is the same request, not an impatient user:
/// `timeout(1)` and `kill 0` deliver one signal to the process and another to its process group,
/// microseconds apart, and exiting on that copy cut the files' closing short.
///
/// The signals are blocked and taken with `sigwait` on a thread of their own. Blocked in every thread
/// (they inherit the mask, hence `blockSignals()` first thing, before any thread starts), a signal
/// waits for that thread whichever thread the kernel picks. Ignoring them and using a dispatch source
/// instead lost a signal now and then: one sent to a thread that had not blocked it was dropped.
final class SignalTrap: Sendable {
    static let signals: [Int32] = [SIGINT, SIGTERM]
    static let repeatWindow: Duration = .seconds(1)

    /// Blocks the signals in the calling thread and the threads it creates from now on.
    static func blockSignals() {
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        Self.blockSignals()
        let thread = Thread {
            var set = Self.signalSet()
            var firstAt: ContinuousClock.Instant?
            while true {
                var signal: Int32 = 0
                guard sigwait(&set, &signal) == 0 else { continue }
                guard let first = firstAt else {
                    firstAt = .now
                    handler(signal)
                    continue
                }
                if ContinuousClock.now - first >= Self.repeatWindow { exit(128 + signal) }
            }
        }
        thread.name = "biliup.signals"
        thread.start()
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        return set
    }
}
