import Synchronization

/// Ties a Swift task's cancellation to one transfer on the curl loop. The cancel handler may run before the
/// transfer exists (the task was cancelled already) or while it is being added, so both sides take one lock:
/// a transfer is never added after cancellation, and a cancel that follows the add is queued behind it.
final class TransferCancellation: Sendable {
    private enum State {
        case notStarted
        case running(CurlTransfer)
        case cancelled
    }

    private let state = Mutex<State>(.notStarted)

    /// Adds `transfer` to the loop; false (and nothing added) when the task was cancelled before.
    func start(_ transfer: CurlTransfer) -> Bool {
        state.withLock { s in
            if case .cancelled = s { return false }
            s = .running(transfer)
            CurlLoop.shared.add(transfer)
            return true
        }
    }

    /// Aborts the running transfer (it completes with `.cancelled`), or keeps one from starting.
    func cancel() {
        state.withLock { s in
            if case .running(let t) = s { CurlLoop.shared.cancel(t) }
            s = .cancelled
        }
    }
}
