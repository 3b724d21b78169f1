import Dispatch

/// Where the engine actor runs: a serial queue of its own. The engine writes SQLite synchronously (a
/// session opened, a segment finished, an event kept); on Swift's cooperative pool, which has as many
/// threads as cores (two on this machine), each write would hold a thread the API's handlers and the
/// event feed need.
final class EngineExecutor: SerialExecutor {
    private let queue = DispatchQueue(label: "biliup.engine")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
