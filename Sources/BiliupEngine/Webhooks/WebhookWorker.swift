import BiliupValues
import Foundation
import Synchronization

/// One webhook's deliveries: its bounded queue and the task that sends what is in it, one event at a
/// time, in order, each tried up to `retryDelays.count + 1` times. A delivery that fails its last try
/// is reported as an `error` event naming the webhook and the reason.
final class WebhookWorker: Sendable {
    /// The key in a failure report's data that marks it as one (such events are not delivered anywhere).
    static let failureMarker = "webhook_id"

    let target: WebhookTarget
    let queue: WebhookQueue
    private let progress = Progress()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// What the sending task and readers of `stats` share.
    private final class Progress: Sendable {
        let counters = Mutex(WebhookStats())
        /// A delivery (with its retries) is under way.
        let sending = Atomic<Bool>(false)
    }

    init(target: WebhookTarget, sender: WebhookSender, report: @escaping @Sendable (EngineEvent) -> Void) {
        self.target = target
        queue = WebhookQueue(limit: sender.settings.queueLimit)
        let (queue, progress) = (queue, progress)
        task.withLock { $0 = Task.detached {
            while let payload = await queue.next() {
                progress.sending.store(true, ordering: .relaxed)
                defer { progress.sending.store(false, ordering: .relaxed) }
                let outcome = await Self.deliver(payload, to: target, with: sender)
                progress.counters.withLock { stats in
                    switch outcome {
                    case .delivered: stats.delivered += 1
                    case .failed(let reason):
                        stats.failed += 1
                        stats.lastError = reason
                    }
                }
                if case .failed(let reason) = outcome, !Task.isCancelled {
                    report(Self.failureEvent(payload, target: target, reason: reason, tries: sender.settings.retryDelays.count + 1))
                }
            }
        } }
    }

    /// Queues `event`; never waits.
    func accept(_ event: EngineEvent) {
        queue.add(WebhookPayload(event))
    }

    /// Stops sending: what is waiting is dropped, a try in flight ends with its timeout.
    func stop() {
        queue.close()
        task.withLock { $0 }?.cancel()
    }

    var isIdle: Bool { queue.waiting == 0 && !progress.sending.load(ordering: .relaxed) }

    var stats: WebhookStats {
        var s = progress.counters.withLock { $0 }
        s.queued = queue.waiting
        s.dropped = queue.dropped
        return s
    }

    private static func deliver(_ payload: WebhookPayload, to target: WebhookTarget, with sender: WebhookSender) async -> WebhookSender.Outcome {
        var outcome = WebhookSender.Outcome.failed(reason: "not sent")
        for attempt in 1...(sender.settings.retryDelays.count + 1) {
            if attempt > 1 {
                do { try await sender.settings.sleep(sender.settings.retryDelays[attempt - 2]) } catch { return outcome }
            }
            outcome = await sender.send(payload, to: target, attempt: attempt)
            if case .delivered = outcome { return outcome }
            if Task.isCancelled { return outcome }
        }
        return outcome
    }

    static func failureEvent(_ payload: WebhookPayload, target: WebhookTarget, reason: String, tries: Int) -> EngineEvent {
        EngineEvent(.error, level: .error,
                    message: "webhook '\(target.name)': \(payload.type) event \(payload.id) not delivered after \(tries) tries: \(reason)",
                    data: [failureMarker: .int(target.id), "webhook": .string(target.name), "event": .string(payload.type),
                           "delivery": .string(payload.id), "reason": .string(reason)])
    }
}

/// What a webhook's deliveries came to since the engine started (the API lists it beside each webhook).
public struct WebhookStats: Sendable, Equatable {
    public var delivered = 0
    /// Events given up on after the last try.
    public var failed = 0
    /// Events dropped unsent because the queue was full.
    public var dropped = 0
    /// Events waiting now.
    public var queued = 0
    /// The reason of the last failure, in our words.
    public var lastError: String?

    public init() {}
}
