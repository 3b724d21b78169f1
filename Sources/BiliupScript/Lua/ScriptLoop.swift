import BiliupNet
import Foundation

/// The one thread a Lua VM lives on. Everything that touches the VM is a job queued here: calls from
/// Swift, network completions, timers. Like a single-threaded event loop (OpenResty's worker), it never
/// blocks in a job; Lua code that waits yields its coroutine instead.
final class ScriptLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    /// Every call arms a timeout, so thousands of timers are pending at once: a heap, not a sorted array.
    private var timers = TimerHeap()

    init(name: String) {
        let thread = Thread { [self] in
            ThreadName.setCurrent(name)
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
        timers.insert(due: ContinuousClock.now + delay, job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            var ready: [() -> Void] = []
            while true {
                let now = ContinuousClock.now
                while let job = timers.popDue(now) {
                    ready.append(job)
                }
                if !jobs.isEmpty || !ready.isEmpty { break }
                if let due = timers.nextDue {
                    let wait = now.duration(to: due)
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

/// A binary min-heap of jobs by due time; jobs due at the same time run in the order they were added.
struct TimerHeap {
    private var items: [(due: ContinuousClock.Instant, seq: Int, job: () -> Void)] = []
    private var seq = 0

    var nextDue: ContinuousClock.Instant? { items.first?.due }

    private func earlier(_ a: Int, _ b: Int) -> Bool {
        (items[a].due, items[a].seq) < (items[b].due, items[b].seq)
    }

    mutating func insert(due: ContinuousClock.Instant, _ job: @escaping () -> Void) {
        seq += 1
        items.append((due, seq, job))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard earlier(i, parent) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    /// The earliest job if it is due at `now`.
    mutating func popDue(_ now: ContinuousClock.Instant) -> (() -> Void)? {
        guard let first = items.first, first.due <= now else { return nil }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count, earlier(l, smallest) { smallest = l }
            if r < items.count, earlier(r, smallest) { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
        return first.job
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}
