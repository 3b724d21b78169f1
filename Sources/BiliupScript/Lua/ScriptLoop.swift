import BiliupNet
import Foundation

/// The one thread a Lua VM lives on. Everything that touches the VM is a job queued here: calls from
/// Swift, network completions, timers. Like a single-threaded event loop (OpenResty's worker), it never
/// blocks in a job; Lua code that waits yields its coroutine instead.
final class ScriptLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var timers: [(due: ContinuousClock.Instant, seq: Int, job: () -> Void)] = []
    private var timerSeq = 0

    init(name: String) {
        let thread = Thread { [self] in
            Thread.current.name = name
            run()
        }
        // Deeply nested JSON and Lua's C calls run here; the default 512 KiB of secondary threads is tight.
        thread.stackSize = 8 << 20
        thread.start()
    }

    func enqueue(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func after(_ delay: Duration, _ job: @escaping () -> Void) {
        condition.lock()
        timerSeq += 1
        timers.append((ContinuousClock.now + delay, timerSeq, job))
        timers.sort { ($0.due, $0.seq) < ($1.due, $1.seq) }
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            var ready: [() -> Void] = []
            while true {
                let now = ContinuousClock.now
                while let first = timers.first, first.due <= now {
                    ready.append(timers.removeFirst().job)
                }
                if !jobs.isEmpty || !ready.isEmpty { break }
                if let first = timers.first {
                    let wait = now.duration(to: first.due)
                    _ = condition.wait(until: Date(timeIntervalSinceNow: max(wait.seconds, 0.001)))
                } else {
                    condition.wait()
                }
            }
            ready.append(contentsOf: jobs)
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in ready { job() }
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}
