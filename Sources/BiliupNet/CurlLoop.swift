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
    private let lock = NSLock()
    private var commands: [Command] = []
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]  // loop thread only

    /// How long the loop sleeps with nothing to do; wakeups cut it short.
    private static let idlePollMilliseconds: Int32 = 1000
    /// Sockets are serviced at most this often. Hundreds of live streams each deliver a little data every
    /// few milliseconds; letting it gather in the kernel for a moment turns many small reads and poll
    /// rounds into few large ones. Nothing here needs lower latency than this.
    private static let minimumRoundMicroseconds: UInt32 = 10_000

    private init() {
        _ = CurlLoop.globalInit
        multi = curl_multi_init()!
        // Many transfers to one CDN host share connections where HTTP allows it.
        _ = shim_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0)
        // Named from inside: Foundation on Linux drops a name set before start(), and top -H, perf and
        // /proc should tell the network thread from the recording threads.
        let thread = Thread { [self] in
            Thread.current.name = "biliup-net"
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
        lock.lock()
        commands.append(c)
        lock.unlock()
        curl_multi_wakeup(multi)
    }

    private func run() {
        var running: Int32 = 0
        while true {
            lock.lock()
            let batch = commands
            commands.removeAll(keepingCapacity: true)
            lock.unlock()
            for c in batch { apply(c) }

            let roundStart = ContinuousClock.now
            curl_multi_perform(multi, &running)
            drainMessages()
            var fds: Int32 = 0
            curl_multi_poll(multi, nil, 0, CurlLoop.idlePollMilliseconds, &fds)
            let elapsed = ContinuousClock.now - roundStart
            let minimum = Duration.microseconds(Int64(CurlLoop.minimumRoundMicroseconds))
            if elapsed < minimum { usleep(UInt32((minimum - elapsed).milliseconds * 1000)) }
        }
    }

    private func apply(_ c: Command) {
        switch c {
        case .add(let t):
            active[t.easy] = t
            curl_multi_add_handle(multi, t.easy)
        case .cancel(let t):
            guard active.removeValue(forKey: t.easy) != nil else { return }
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
            if let t = active.removeValue(forKey: easy) { t.complete(code) }
        }
    }
}

/// The write callback of every transfer: the easy handle's WRITEDATA is its transfer object.
let curlWriteCallback: shim_curl_data_cb = { ptr, size, nmemb, userdata in
    let t = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    let n = size * nmemb
    return t.receive(UnsafeRawPointer(ptr!), n) ? n : shim_CURL_WRITEFUNC_PAUSE()
}
