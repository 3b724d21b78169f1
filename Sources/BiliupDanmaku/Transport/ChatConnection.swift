import BiliupNet
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A room's chat, kept connected until `stop()`: one thread per connection resolves the source (the
/// plugin step runs again before every attempt, since tokens and signatures expire), connects (WebSocket,
/// TCP or polling), drives the session (registration, heartbeats, replies) and reports `ChatEvent`s. When
/// a connection fails, goes quiet or is closed, it reports `.disconnected` and tries again after
/// `ChatBackoff`'s delay.
///
/// `onEvent` runs on the connection's thread, in order; it must not block for long (hand the events to a
/// queue). Call `stop()` when done: the thread holds the connection until then.
public final class ChatConnection: Sendable {
    /// The thread only decodes frames and moves small buffers; its deepest calls are libcurl's TLS reads.
    public static let threadStackBytes = 256 << 10

    private enum Lifecycle {
        case idle
        case starting
        case running(pthread_t)
        case finished
    }

    private let resolve: @Sendable () throws -> ChatSource
    private let network: ChatNetworkSettings
    private let backoff: ChatBackoff
    private let onEvent: @Sendable (ChatEvent) -> Void
    private let wakeup = ChatWakeup()
    private let stopping = Atomic<Bool>(false)
    private let lifecycle = Mutex<Lifecycle>(.idle)
    private let ended = DispatchSemaphore(value: 0)

    public init(resolve: @escaping @Sendable () throws -> ChatSource, network: ChatNetworkSettings,
                backoff: ChatBackoff = ChatBackoff(), onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        self.resolve = resolve
        self.network = network
        self.backoff = backoff
        self.onEvent = onEvent
    }

    /// Starts the connection's thread; a second call does nothing, as does a call after `stop()`.
    public func start() {
        let go = lifecycle.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        guard go else { return }
        let thread = Thread { [self] in
            // Named from inside: Foundation on Linux drops a name set before start().
            ThreadName.setCurrent("biliup-chat")
            lifecycle.withLock { $0 = .running(pthread_self()) }
            run()
            lifecycle.withLock { $0 = .finished }
            ended.signal()
        }
        thread.stackSize = ChatConnection.threadStackBytes
        thread.start()
    }

    /// Ends the connection and returns once its thread has finished: promptly, since every wait of the
    /// thread (connect, reads, backoff, a polling request) is woken by it. A `resolve` in progress is
    /// waited for. Called from `onEvent` (the thread itself), it returns at once and the thread ends
    /// after the callback.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wakeup.signal()
        let mustWait = lifecycle.withLock { state -> Bool in
            switch state {
            case .idle:
                state = .finished
                return false
            case .starting:
                return true
            case .running(let thread):
                return pthread_equal(thread, pthread_self()) == 0
            case .finished:
                return false
            }
        }
        guard mustWait else { return }
        ended.wait()
        ended.signal()  // for any other caller of stop()
    }

    private var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    private func run() {
        var backoff = self.backoff
        while !isStopping {
            var connectedAt: ContinuousClock.Instant?
            let end: ChatAttemptEnd
            do throws(ChatAttemptEnd) {
                try attempt { date in
                    connectedAt = .now
                    onEvent(.connected(at: date))
                }
                continue  // attempts end by throwing; never reached
            } catch {
                end = error
            }
            if case .stopped = end { return }
            if isStopping { return }
            onEvent(.disconnected(at: Date(), reason: end.reason))
            let delay = backoff.nextDelay(afterUptime: connectedAt.map { .now - $0 })
            do throws(ChatAttemptEnd) {
                try ChatPollingAttempt.sleep(delay, wakeup: wakeup, isStopping: { [self] in isStopping })
            } catch {
                return
            }
        }
    }

    private func attempt(onConnected: (Date) -> Void) throws(ChatAttemptEnd) {
        let source: ChatSource
        do {
            source = try resolve()
        } catch {
            throw .unresolved(String(describing: error))
        }
        if isStopping { throw .stopped }
        let stopCheck: () -> Bool = { [self] in isStopping }
        switch source.kind {
        case .stream(let endpoint, let makeSession):
            let attempt = ChatStreamAttempt(endpoint: endpoint, session: makeSession(), settings: network,
                                            wakeup: wakeup, isStopping: stopCheck, emit: onEvent)
            try attempt.run(onConnected: onConnected)
        case .polling(let makeSession):
            let attempt = ChatPollingAttempt(session: makeSession(), settings: network, wakeup: wakeup,
                                             isStopping: stopCheck, emit: onEvent)
            try attempt.run(onConnected: onConnected)
        }
    }
}
