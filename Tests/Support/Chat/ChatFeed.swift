import Foundation

/// A stand-in's progress through its script, shared by its connections: which message is next, when
/// each is due, which faults have fired, and what went out. A reconnecting client gets the rest of the
/// script, not a fresh copy, so a test can count every message exactly once across reconnects.
final class ChatFeed: @unchecked Sendable {
    enum Step {
        case messages([StandInChatMessage])
        case fault(ChatFault.Kind)
        /// Everything was sent; the connection stays open (heartbeats still answered).
        case finished
        /// The connection or the stand-in closed while waiting.
        case stopped
    }

    /// How often a waiting sender checks whether its connection is still open.
    private static let pollInterval = 0.01

    let script: ChatScript
    private let supported: Set<StandInChatMessage.Kind>
    private let lock = NSLock()
    private var next = 0
    private var start: ContinuousClock.Instant?
    private var pendingFaults: [ChatFault]
    private var sentMessages: [StandInChatMessage] = []

    init(script: ChatScript, supported: Set<StandInChatMessage.Kind>) {
        self.script = script
        self.supported = supported
        pendingFaults = script.faults.sorted { $0.beforeMessage < $1.beforeMessage }
    }

    /// Every message handed to a connection, in order.
    var sent: [StandInChatMessage] { lock.withLock { sentMessages } }

    var faultsLeft: Int { lock.withLock { pendingFaults.count } }

    /// Blocks until the next message is due (the rate's clock starts at the first call of any
    /// connection), then returns every message due now, up to `maxBatch`, stopping short of a fault.
    func nextStep(maxBatch: Int, isOpen: () -> Bool) -> Step {
        while true {
            guard isOpen() else { return .stopped }
            if let step = poll(maxBatch: maxBatch) { return step }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
    }

    /// What is due now without waiting: nil when the next message is not due yet (polling chats
    /// answer such a request with no messages).
    func poll(maxBatch: Int) -> Step? {
        let now = ContinuousClock.now
        return lock.withLock {
            if let fault = pendingFaults.first, fault.beforeMessage <= next {
                pendingFaults.removeFirst()
                return .fault(fault.kind)
            }
            guard next < script.messages else { return .finished }
            let clockStart = start ?? now
            start = clockStart
            var due = script.messages
            if let rate = script.perSecond {
                let elapsed = (now - clockStart) / .seconds(1)
                due = min(script.messages, Int((elapsed * rate).rounded(.down)) + 1)
            }
            if let fault = pendingFaults.first { due = min(due, fault.beforeMessage) }
            due = min(due, next + maxBatch)
            guard due > next else { return nil }
            let batch = (next..<due).map { script.message(index: $0, supported: supported) }
            next = due
            return .messages(batch)
        }
    }

    /// Records messages as sent once the connection took them.
    func markSent(_ messages: [StandInChatMessage]) {
        lock.withLock { sentMessages.append(contentsOf: messages) }
    }

    /// Puts messages back at the head of the script when the connection could not take them.
    func giveBack(_ messages: [StandInChatMessage]) {
        guard let first = messages.first else { return }
        lock.withLock {
            sentMessages.removeAll { $0.index >= first.index }
            next = min(next, first.index)
        }
    }

    /// Runs one connection's sending side until the script ends, a fault fires or `isOpen` turns false.
    /// `send` returns false when the connection is gone; `fault` sends the broken frame (or closes).
    func run(maxBatch: Int, isOpen: () -> Bool, send: ([StandInChatMessage]) -> Bool,
             fault: (ChatFault.Kind) -> Void) {
        while true {
            switch nextStep(maxBatch: maxBatch, isOpen: isOpen) {
            case .messages(let batch):
                // Recorded before they go, so a client that has them finds them in `sent`.
                markSent(batch)
                guard send(batch) else { giveBack(batch); return }
            case .fault(let kind):
                fault(kind)
                return
            case .finished, .stopped:
                return
            }
        }
    }
}
