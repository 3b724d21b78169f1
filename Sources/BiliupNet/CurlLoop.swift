import CCurl
import Foundation

/// The one network thread: a libcurl multi handle that drives every transfer of the process.
/// Other threads hand it commands through a locked queue and wake it with `curl_multi_wakeup`.
public final class CurlLoop: @unchecked Sendable {
    public static let shared = CurlLoop()

    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
        case resume(CurlTransfer)
    }

    private let multi: UnsafeMutableRawPointer
    /// Guards `commands`; signalled when one is posted, so a new request need not wait out a round.
    private let queue = NSCondition()
    private var commands: [Command] = []
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]  // loop thread only
    /// Active transfers someone waits on (`CurlTransfer.awaitsCompletion`). Loop thread only.
    private var requestsInFlight = 0

    /// How long the loop sleeps with nothing to do; wakeups cut it short.
    private static let idlePollMilliseconds: Int32 = 1000
    /// While only settled streams run, sockets are serviced at most this often. Hundreds of live streams
    /// each deliver a little data every few milliseconds; letting it gather in the kernel turns many
    /// small reads and poll rounds into few large ones (a recorder needs no lower latency). 250 ms of a
    /// 6 Mbit/s stream is 190 KB, inside curl's 256 KiB read buffer; faster streams fill it and get
    /// short rounds (`backlogBytes`).
    private static let streamRoundMicroseconds: Int64 = 250_000
    /// A stream just added gets short rounds until its first body bytes arrive, for at most this long:
    /// connecting (DNS, TCP, TLS, the request) takes several socket events, each of which would otherwise
    /// wait out a long round, and the reconnect logic wants the first frames quickly. A CDN's GOP-cache
    /// burst after that gets short rounds through `backlogBytes`. Ending at the first bytes rather than
    /// after a fixed time saves about 280 rounds (a perform and a poll each) per stream start.
    private static let settleTime: Duration = .seconds(3)
    /// While a request (API call, playlist, HLS segment) is in flight: someone waits for its answer, and
    /// HLS reloads are paced to within tens of milliseconds. Also after a round in which a stream got
    /// `backlogBytes`: libcurl reads an HTTP/1 socket once per round, at most its 256 KiB buffer, so
    /// long rounds alone would cap a stream at about 20 Mbit/s (and slow the catch-up after a CDN sends
    /// its GOP cache).
    private static let requestRoundMicroseconds: Int64 = 10_000
    /// Three quarters of curl's read buffer in one round: the socket probably holds more.
    static let backlogBytes = CurlTransfer.mediaBufferBytes * 3 / 4
    /// Rounds so far; transfers count their bytes per round by it. Loop thread only.
    private(set) var round = 0
    /// Some transfer got `backlogBytes` in this round. Loop thread only.
    private var backlogged = false
    /// Streams added that have not received body bytes yet, and the end of the latest one's
    /// `settleTime`. Loop thread only.
    private var settlingStreams = 0
    private var settlingUntil = ContinuousClock.now

    private init() {
        _ = CurlLoop.globalInit
        multi = curl_multi_init()!
        // Many transfers to one CDN host share connections where HTTP allows it.
        _ = shim_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0)
        // Named from inside: Foundation on Linux drops a name set before start(), and top -H, perf and
        // /proc should tell the network thread from the recording threads.
        let thread = Thread { [self] in
            ThreadName.setCurrent("biliup-net")
            run()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    func add(_ t: CurlTransfer) { post(.add(t)) }
    func cancel(_ t: CurlTransfer) { post(.cancel(t)) }
    func resume(_ t: CurlTransfer) { post(.resume(t)) }

    private func post(_ c: Command) {
        queue.lock()
        commands.append(c)
        queue.signal()
        queue.unlock()
        curl_multi_wakeup(multi)
    }

    /// Each round sleeps first and then services the sockets: after a round's sleep they almost always have
    /// data, so the poll returns at once and a round costs one sleep, not two (perform, poll until the next
    /// bytes, sleep out the round): a 30 s recording switched context 390 times instead of 500.
    private func run() {
        var running: Int32 = 0
        var roundEnd = ContinuousClock.now
        while true {
            waitForCommands(until: roundEnd)
            queue.lock()
            let batch = commands
            commands.removeAll(keepingCapacity: true)
            queue.unlock()
            for c in batch { apply(c) }
            if batch.isEmpty {
                // Blocks only when no socket is ready: idle, or streams that went quiet.
                var fds: Int32 = 0
                curl_multi_poll(multi, nil, 0, CurlLoop.idlePollMilliseconds, &fds)
            }

            let roundStart = ContinuousClock.now
            curl_multi_perform(multi, &running)
            drainMessages()
            let short = requestsInFlight > 0 || backlogged || (settlingStreams > 0 && roundStart < settlingUntil)
            let length = short ? CurlLoop.requestRoundMicroseconds : CurlLoop.streamRoundMicroseconds
            backlogged = false
            round += 1
            roundEnd = roundStart + .microseconds(length)
        }
    }

    /// Counts bytes a transfer took in this round. Loop thread (write callback).
    fileprivate func received(_ n: Int, by t: CurlTransfer) {
        if t.settling { settled(t) }
        if t.round != round {
            t.round = round
            t.roundBytes = 0
        }
        t.roundBytes += n
        if t.roundBytes >= CurlLoop.backlogBytes { backlogged = true }
    }

    /// Sleeps until `deadline`, or until a command is posted.
    private func waitForCommands(until deadline: ContinuousClock.Instant) {
        queue.lock()
        defer { queue.unlock() }
        while commands.isEmpty {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return }
            _ = queue.wait(until: Date(timeIntervalSinceNow: left.seconds))
        }
    }

    private func apply(_ c: Command) {
        switch c {
        case .add(let t):
            active[t.easy] = t
            if t.awaitsCompletion {
                requestsInFlight += 1
            } else {
                t.settling = true
                settlingStreams += 1
                settlingUntil = ContinuousClock.now + CurlLoop.settleTime
            }
            curl_multi_add_handle(multi, t.easy)
        case .cancel(let t):
            guard active.removeValue(forKey: t.easy) != nil else { return }
            if t.awaitsCompletion { requestsInFlight -= 1 }
            if t.settling { settled(t) }
            curl_multi_remove_handle(multi, t.easy)
            t.complete(CURLE_ABORTED_BY_CALLBACK)
        case .resume(let t):
            guard active[t.easy] != nil else { return }
            curl_easy_pause(t.easy, CURLPAUSE_CONT)
        }
    }

    private func drainMessages() {
        var left: Int32 = 0
        while let msg = curl_multi_info_read(multi, &left) {
            guard msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle else { continue }
            let code = msg.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            guard let t = active.removeValue(forKey: easy) else { continue }
            if t.awaitsCompletion { requestsInFlight -= 1 }
            if t.settling { settled(t) }
            t.complete(code)
        }
    }

    private func settled(_ t: CurlTransfer) {
        t.settling = false
        settlingStreams -= 1
    }
}

/// The write callback of every transfer: the easy handle's WRITEDATA is its transfer object.
let curlWriteCallback: shim_curl_data_cb = { ptr, size, nmemb, userdata in
    let t = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    let n = size * nmemb
    guard t.receive(UnsafeRawPointer(ptr!), n) else { return shim_CURL_WRITEFUNC_PAUSE() }
    CurlLoop.shared.received(n, by: t)
    return n
}
