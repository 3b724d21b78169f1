import Dispatch

/// Runs async work from a thread that may block (a command's `run`, a recording thread) and returns
/// its result. Never call it from Swift's cooperative pool: it would hold one of its few threads.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let box = BlockingResult<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await work()
        done.signal()
    }
    done.wait()
    return box.value!
}

private final class BlockingResult<T>: @unchecked Sendable {
    var value: T?
}
