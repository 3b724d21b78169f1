import BiliupStore
import Synchronization

/// The bus's sink for webhooks: hands each event to the workers of the webhooks that want it and returns
/// at once (each worker has its own bounded queue), so neither the bus nor recording waits on a receiver.
/// The set of webhooks follows the store (main.lua's and the API's) whenever the engine says it changed.
final class WebhookDispatcher: Sendable {
    let sender: WebhookSender
    private let report: @Sendable (EngineEvent) -> Void
    private let workers = Mutex<[Int64: WebhookWorker]>([:])

    init(network: WebhookNetwork, settings: WebhookDeliverySettings, report: @escaping @Sendable (EngineEvent) -> Void) {
        sender = WebhookSender(network: network, settings: settings)
        self.report = report
    }

    func accept(_ event: EngineEvent) {
        for worker in workers.withLock({ Array($0.values) }) where worker.target.wants(event) { worker.accept(event) }
    }

    /// Makes the workers exactly `records`: a new or changed webhook gets a fresh worker (what waited
    /// for the old URL or secret is dropped with the old one), an unchanged one keeps its queue.
    func update(_ records: [WebhookRecord]) {
        let targets = records.compactMap(WebhookTarget.init)
        let stopped: [WebhookWorker] = workers.withLock { all in
            var stopped: [WebhookWorker] = []
            var next: [Int64: WebhookWorker] = [:]
            for target in targets {
                if let worker = all[target.id], worker.target == target {
                    next[target.id] = worker
                } else {
                    if let old = all[target.id] { stopped.append(old) }
                    next[target.id] = WebhookWorker(target: target, sender: sender, report: report)
                }
            }
            stopped += all.filter { next[$0.key] == nil }.map(\.value)
            all = next
            return stopped
        }
        for worker in stopped { worker.stop() }
    }

    func stats(id: Int64) -> WebhookStats? {
        workers.withLock { $0[id] }?.stats
    }

    /// Whether nothing waits and nothing is being sent.
    var isIdle: Bool {
        workers.withLock { Array($0.values) }.allSatisfy(\.isIdle)
    }

    /// Gives what is queued (a `stream_end` at shutdown) until `grace` to go out, then stops every worker.
    func stop(grace: Duration) async {
        let end = ContinuousClock.now + grace
        while !isIdle, ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
        update([])
    }
}
