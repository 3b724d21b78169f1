import Foundation

/// A live stream the pacer advances.
protocol PacedStream: AnyObject, Sendable {
    /// Writes whatever is due without blocking; returns false once the stream is finished.
    func pump(now: ContinuousClock.Instant) -> Bool
}

/// Drives every live stream of the process from one thread: each tick it pumps all streams, and each
/// writes what is due without blocking. Hundreds of real-time streams (the benchmark serves 200) then
/// cost one mostly sleeping thread, not hundreds of threads each waking for every frame, and a client
/// that stops reading holds up only its own stream.
final class StreamPacer: @unchecked Sendable {
    static let shared = StreamPacer()

    /// Half a frame at 25 fps: pacing jitter stays under a frame while wakeups stay at 50 a second.
    private static let tickSeconds = 0.02

    private let condition = NSCondition()
    private var streams: [any PacedStream] = []  // guarded by `condition`

    private init() {
        Thread.detachNewThread { [self] in run() }
    }

    func add(_ stream: any PacedStream) {
        condition.withLock {
            streams.append(stream)
            condition.signal()
        }
    }

    private func run() {
        while true {
            let current = condition.withLock {
                while streams.isEmpty { condition.wait() }
                return streams
            }
            let now = ContinuousClock.now
            let finished = Set(current.filter { !$0.pump(now: now) }.map(ObjectIdentifier.init))
            if !finished.isEmpty {
                condition.withLock { streams.removeAll { finished.contains(ObjectIdentifier($0)) } }
            }
            Thread.sleep(forTimeInterval: Self.tickSeconds)
        }
    }
}
