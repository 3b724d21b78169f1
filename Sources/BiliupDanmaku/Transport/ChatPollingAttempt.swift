import BiliupNet
import Foundation
import Synchronization

/// One run of a polling chat (YouTube's live_chat): request, answer to the session, wait the delay it
/// asks for, again, until a request fails, the session cannot read an answer, or `stop()` is called.
/// Each request goes through the host remap and the shared curl loop; the thread waits on its wakeup.
struct ChatPollingAttempt {
    /// Even a session that asks for no wait at all does not make requests back to back.
    static let minimumDelay: Duration = .milliseconds(100)
    /// An answer is a page of chat actions, tens of KiB; a bigger one is not a chat answer.
    static let maxBodyBytes = 8 << 20
    static let requestTimeout: Duration = .seconds(30)

    let session: any ChatPollingSession
    let settings: ChatNetworkSettings
    let wakeup: ChatWakeup
    let isStopping: () -> Bool
    let emit: (ChatEvent) -> Void

    func run(onConnected: (Date) -> Void) throws(ChatAttemptEnd) {
        var connected = false
        while true {
            let response = try fetch(session.nextRequest())
            let receipt: ChatPollReceipt
            do throws(DanmakuDecodeError) {
                receipt = try session.receive(status: response.status, body: response.body, at: Date())
            } catch {
                throw .failed(.decode(error))
            }
            if !connected {
                connected = true
                onConnected(Date())
            }
            if !receipt.messages.isEmpty { emit(.messages(receipt.messages)) }
            try sleep(max(receipt.delay, ChatPollingAttempt.minimumDelay))
        }
    }

    private func fetch(_ poll: ChatPollRequest) throws(ChatAttemptEnd) -> HTTPResponse {
        let url = settings.hostRemap.apply(poll.url)
        guard HTTPRequest.hasAllowedScheme(url) else { throw .failed(.invalidURL("\(poll.url): expected http:// or https://")) }
        var headers = poll.headers.map { ($0.name, $0.value) }
        if let agent = settings.userAgent, !headers.contains(where: { $0.0.lowercased() == "user-agent" }) {
            headers.append(("User-Agent", agent))
        }
        var request = HTTPRequest(url: url, method: poll.method, headers: headers, body: poll.body,
                                  timeout: ChatPollingAttempt.requestTimeout, connectTimeout: settings.connectTimeout,
                                  proxy: settings.proxy, followRedirects: false, maxBodyBytes: ChatPollingAttempt.maxBodyBytes)
        request.blockPrivateAddresses = settings.blocksPrivateAddresses
        let slot = ResponseSlot()
        let wakeup = self.wakeup
        HTTPClient.start(request) { result in
            slot.value.withLock { $0 = result }
            wakeup.signal()
        }
        while true {
            if isStopping() { throw .stopped }  // the request finishes on its own within its timeout
            if let result = slot.value.withLock({ $0 }) {
                switch result {
                case .success(let response): return response
                case .failure(let error): throw .failed(.network(error))
                }
            }
            _ = wakeup.wait(for: nil, events: 0, timeout: ChatPollingAttempt.requestTimeout)
            wakeup.drain()
        }
    }

    private func sleep(_ delay: Duration) throws(ChatAttemptEnd) {
        try ChatPollingAttempt.sleep(delay, wakeup: wakeup, isStopping: isStopping)
    }

    /// Waits `delay`, or throws `.stopped` as soon as `stop()` is called.
    static func sleep(_ delay: Duration, wakeup: ChatWakeup, isStopping: () -> Bool) throws(ChatAttemptEnd) {
        let end = ContinuousClock.now + delay
        while true {
            if isStopping() { throw .stopped }
            let left = end - ContinuousClock.now
            if left <= .zero { return }
            if wakeup.wait(for: nil, events: 0, timeout: left) == .woken { wakeup.drain() }
        }
    }
}

/// Where a polling request's completion (on the network thread) leaves its result for the chat thread.
private final class ResponseSlot: Sendable {
    let value = Mutex<Result<HTTPResponse, NetError>?>(nil)
}
