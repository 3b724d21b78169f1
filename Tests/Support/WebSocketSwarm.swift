import BiliupNet  // Digest.sha1, for Sec-WebSocket-Accept
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Many WebSocket client connections held by one or two threads: non-blocking sockets and epoll,
/// no thread or task per connection, so a test can open 1,000 subscribers and push millions of messages
/// through them while the process's CPU goes to the server under test.
///
/// Every connection keeps counters (`ConnectionStats`): data messages, the top-level `"seq"` integer of
/// each text message checked to be exactly one more than the previous one (a `"type":"skipped"` marker
/// lets the next one jump ahead), pings answered, the server's close code. Frames are parsed in place in
/// one read buffer per thread; no message is copied or turned into a String.
///
/// A *stalled* connection completes its handshake and then reads nothing until `resume`d, standing in for
/// a subscriber that has stopped reading. While stalled it still notices the server ending the connection
/// (`peerShutdown`), without reading the data queued before that.
///
/// Waiting is async (`connect`, `waitUntil`, `waitForAll`) so tests don't block Swift's cooperative
/// threads, which the server under test runs on. Call `closeAll()` when done (deinit does too).
public final class WebSocketSwarm: @unchecked Sendable {
    public struct Options: Sendable {
        /// Connections (by index) that stop reading right after their handshake.
        public var stalled: Set<Int>
        /// Threads serving the connections; connection `i` belongs to thread `i % threads`.
        public var threads: Int
        /// Handshakes in flight at once; the rest wait their turn, so the server's listen backlog
        /// isn't overrun (an overrun costs a one-second SYN retransmission, not a failure).
        public var maxConcurrentHandshakes: Int
        /// SO_RCVBUF set before connecting, for every connection / for the stalled ones. A small buffer on
        /// a stalled connection makes the server see backpressure after a few kilobytes, not megabytes.
        public var receiveBufferSize: Int?
        public var stalledReceiveBufferSize: Int?
        /// A frame or reassembled message larger than this is a protocol error.
        public var maxMessageSize: Int
        /// How long `connect` waits for every handshake.
        public var connectTimeout: Duration

        public init(stalled: Set<Int> = [], threads: Int = 1, maxConcurrentHandshakes: Int = 128,
                    receiveBufferSize: Int? = nil, stalledReceiveBufferSize: Int? = nil,
                    maxMessageSize: Int = 64 << 20, connectTimeout: Duration = .seconds(60)) {
            self.stalled = stalled
            self.threads = threads
            self.maxConcurrentHandshakes = maxConcurrentHandshakes
            self.receiveBufferSize = receiveBufferSize
            self.stalledReceiveBufferSize = stalledReceiveBufferSize
            self.maxMessageSize = maxMessageSize
            self.connectTimeout = connectTimeout
        }
    }

    /// The first out-of-order `"seq"` a connection received.
    public struct SequenceViolation: Sendable, Equatable, CustomStringConvertible {
        /// Which data message it was (1-based, counting binary messages too).
        public var message: Int
        public var previous: Int
        public var got: Int
        public init(message: Int, previous: Int, got: Int) {
            self.message = message
            self.previous = previous
            self.got = got
        }
        public var description: String { "message \(message): seq \(got) after \(previous)" }
    }

    public struct ConnectionStats: Sendable, Equatable {
        public enum State: Sendable, Equatable { case connecting, open, closed }
        public var index: Int
        public var state: State = .connecting
        public var stalled: Bool
        /// Messages received: every line of a text message (biliup's feed sends the messages that are
        /// ready together, one JSON object per line; fragments are reassembled first) and every binary one.
        public var messages = 0
        public var binaryMessages = 0
        /// Payload bytes of data messages.
        public var payloadBytes = 0
        /// `recv` calls that returned data after the handshake.
        public var reads = 0
        /// The top-level `"seq"` of the first and latest text message that had one.
        public var firstSeq: Int?
        public var lastSeq: Int?
        /// Text messages with no top-level integer `"seq"` (skipped markers not included).
        public var unsequenced = 0
        /// Messages whose top-level `"type"` is `"skipped"`.
        public var skipped = 0
        /// Sequence numbers passed over by the jump right after a skipped marker.
        public var missed = 0
        /// Out-of-order seqs (backwards, repeated, or a gap with no skipped marker before it).
        public var violations = 0
        public var firstViolation: SequenceViolation?
        public var pings = 0
        /// The code of the server's close frame (1005 when it carried none); nil if none came.
        public var closeCode: UInt16?
        /// The server ended the connection (close frame, end of stream or reset). For a stalled
        /// connection this is seen without reading, so data before it may still be unread.
        public var peerShutdown = false
        /// A protocol or socket error (the connection is closed).
        public var error: String?

        public init(index: Int, stalled: Bool) {
            self.index = index
            self.stalled = stalled
        }
    }

    public enum SwarmError: Error, CustomStringConvertible {
        case resolve(host: String, String)
        case connect(connection: Int, String)
        case handshake(connection: Int, String)
        case timeout(String)

        public var description: String {
            switch self {
            case .resolve(let host, let why): "WebSocket swarm: cannot resolve \(host): \(why)"
            case .connect(let i, let why): "WebSocket connection \(i): \(why)"
            case .handshake(let i, let why): "WebSocket connection \(i): handshake failed: \(why)"
            case .timeout(let what): "WebSocket swarm: \(what)"
            }
        }
    }

    /// The RFC 6455 GUID appended to the key before hashing.
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The `Sec-WebSocket-Accept` a server must answer `key` with: base64(SHA-1(key + GUID)).
    public static func acceptValue(forKey key: String) -> String {
        Data(Digest.sha1(Array((key + acceptGUID).utf8))).base64EncodedString()
    }

    /// What the swarm reads from a text message: its top-level integer `"seq"` and whether its top-level
    /// `"type"` is `"skipped"`. The common layouts `{"type":"...","seq":N,...}` and `{"seq":N,"type":...}`
    /// take a fast path; anything else is walked at the top level, stepping over strings and nested values.
    public static func inspect(_ message: String) -> (seq: Int?, skipped: Bool) {
        let bytes = Array(message.utf8)
        guard !bytes.isEmpty else { return (nil, false) }
        return bytes.withUnsafeBufferPointer { JSONPeek().seqAndSkipped($0.baseAddress!, $0.count) }
    }

    /// Raises the soft limit on open files to the hard limit (a client and server in one process need two
    /// descriptors per connection); returns the soft limit now in force.
    @discardableResult
    public static func raiseFileLimit() -> Int {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    public let count: Int
    private let loops: [SwarmLoop]
    private let closeLock = NSLock()
    private var closedAll = false

    private init(loops: [SwarmLoop], count: Int) {
        self.loops = loops
        self.count = count
    }

    deinit {
        closeAll()
    }

    /// Opens `count` connections to `ws://host:port/path`, each sending `headers` (e.g. Cookie,
    /// Authorization) with its upgrade request, and returns once every handshake succeeded. If any fails
    /// (refused, a status other than 101, a wrong Sec-WebSocket-Accept, ...), every connection is closed
    /// and the error of the lowest-numbered failed connection is thrown.
    public static func connect(count: Int, host: String = "127.0.0.1", port: Int, path: String = "/",
                               headers: [String: String] = [:], stalled: Set<Int> = [],
                               options: Options = Options()) async throws -> WebSocketSwarm {
        raiseFileLimit()
        let address = try SwarmAddress(host: host, port: port)
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let extra = headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)\r\n" }.joined()
        let stalledSet = options.stalled.union(stalled)
        let threads = max(1, min(options.threads, max(count, 1)))
        var perLoop = [[SwarmConnection]](repeating: [], count: threads)
        var generator = SystemRandomNumberGenerator()
        for index in 0..<count {
            let key = Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
            let request = "GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\(extra)\r\n"
            let isStalled = stalledSet.contains(index)
            let buffer = isStalled ? (options.stalledReceiveBufferSize ?? options.receiveBufferSize) : options.receiveBufferSize
            perLoop[index % threads].append(SwarmConnection(
                index: index, stalled: isStalled, request: Array(request.utf8),
                expectedAccept: acceptValue(forKey: key), receiveBuffer: buffer))
        }
        let handshakesPerLoop = max(1, options.maxConcurrentHandshakes / threads)
        let loops = try perLoop.map {
            try SwarmLoop(connections: $0, address: address, maxHandshakes: handshakesPerLoop,
                          maxMessage: options.maxMessageSize)
        }
        let swarm = WebSocketSwarm(loops: loops, count: count)
        for loop in loops {
            let thread = Thread { loop.run() }
            thread.stackSize = 1 << 20
            thread.start()
        }

        let deadline = ContinuousClock.now + options.connectTimeout
        while true {
            let progress = loops.map { $0.handshakeProgress() }
            let done = progress.reduce(0) { $0 + $1.opened + $1.failed }
            let failures = progress.compactMap(\.firstFailure)
            if let failure = failures.min(by: { $0.index < $1.index }), done == count {
                swarm.closeAll()
                throw failure.error
            }
            if done == count { return swarm }
            if ContinuousClock.now >= deadline {
                let opened = progress.reduce(0) { $0 + $1.opened }
                swarm.closeAll()
                if let failure = failures.min(by: { $0.index < $1.index }) { throw failure.error }
                throw SwarmError.timeout("\(opened) of \(count) connections to \(hostHeader)\(path) opened within \(options.connectTimeout)")
            }
            try? await Task.sleep(for: .milliseconds(count > 100 ? 10 : 2))
        }
    }

    // MARK: - Observing

    /// Every connection's counters, by index.
    public func stats() -> [ConnectionStats] {
        var out = [ConnectionStats]()
        out.reserveCapacity(count)
        for loop in loops { out.append(contentsOf: loop.snapshot()) }
        out.sort { $0.index < $1.index }
        return out
    }

    public func stats(_ index: Int) -> ConnectionStats {
        let (loop, slot) = locate(index)
        return loop.snapshot(slot: slot)
    }

    /// Data messages received by all connections so far.
    public var totalMessages: Int { loops.reduce(0) { $0 + $1.totalMessages() } }

    /// Polls the stats until `predicate` holds; false if `timeout` passed first.
    public func waitUntil(timeout: Duration, pollInterval: Duration = .milliseconds(20),
                          _ predicate: ([ConnectionStats]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if predicate(stats()) { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Waits until every connection not stalled right now has received `"seq"` `lastSeq` (or a later
    /// one). False on timeout, or at once when such a connection has closed short of it.
    public func waitForAll(lastSeq: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            var done = true
            for loop in loops {
                switch loop.progress(towards: lastSeq) {
                case .done: continue
                case .pending: done = false
                case .impossible: return false
                }
            }
            if done { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// CPU seconds the swarm's own threads have used (parsing, checking, answering pings, handshakes).
    public func cpuSeconds() -> Double {
        loops.reduce(0) { $0 + $1.cpuSeconds() }
    }

    // MARK: - Acting

    /// Stops reading on these connections (the kernel's receive buffer then fills and the server's
    /// writes back up); the socket stays open.
    public func stall(_ indices: some Sequence<Int>) {
        for index in indices { let (loop, slot) = locate(index); loop.setStalled(slot: slot, true) }
    }

    /// Reads again: data queued while stalled is processed first, in order.
    public func resume(_ indices: some Sequence<Int>) {
        for index in indices { let (loop, slot) = locate(index); loop.setStalled(slot: slot, false) }
    }

    public func resumeAll() { resume(0..<count) }

    /// Sends a text message (a masked frame, as clients must) on connection `index`; false if it isn't open.
    @discardableResult
    public func send(text: String, to index: Int) -> Bool {
        let (loop, slot) = locate(index)
        return loop.send(slot: slot, opcode: 1, payload: Array(text.utf8))
    }

    /// Sends a close frame (1000) and closes these connections' sockets.
    public func disconnect(_ indices: some Sequence<Int>) {
        for index in indices { let (loop, slot) = locate(index); loop.disconnect(slot: slot) }
    }

    /// Closes every connection (sending close frames where it can) and stops the threads. Idempotent.
    public func closeAll() {
        closeLock.lock()
        let already = closedAll
        closedAll = true
        closeLock.unlock()
        guard !already else { return }
        for loop in loops { loop.stop() }
        for loop in loops { loop.waitStopped() }
    }

    private func locate(_ index: Int) -> (SwarmLoop, Int) {
        precondition(index >= 0 && index < count, "connection \(index) of \(count)")
        return (loops[index % loops.count], index / loops.count)
    }
}

// MARK: - Internals

/// A resolved server address.
struct SwarmAddress: Sendable {
    let family: Int32
    let bytes: [UInt8]

    init(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result, let address = first.pointee.ai_addr else {
            throw WebSocketSwarm.SwarmError.resolve(host: host, String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        family = first.pointee.ai_family
        bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen)))
    }
}

/// One connection's state; only touched with its loop's lock held, which is also why the per-access
/// exclusivity checks (a good part of the per-message cost in the unoptimized builds tests use) are off.
final class SwarmConnection {
    enum Phase { case queued, connecting, upgrading, open, closing, closed }

    @exclusivity(unchecked) var phase = Phase.queued
    @exclusivity(unchecked) var fd: Int32 = -1
    @exclusivity(unchecked) var stalled: Bool
    @exclusivity(unchecked) var resumed = false  // set by `resume`: process what was queued while stalled
    let receiveBuffer: Int?
    @exclusivity(unchecked) var request: [UInt8]
    @exclusivity(unchecked) var requestSent = 0
    let expectedAccept: String
    /// Bytes received and not parsed yet: a partial frame, or everything while stalled.
    @exclusivity(unchecked) var pending: [UInt8] = []
    /// Bytes of a frame too big for the read buffer, which is grown to fit it.
    @exclusivity(unchecked) var needed = 0
    /// Masked frames waiting for the socket to take them.
    @exclusivity(unchecked) var outbox: [UInt8] = []
    @exclusivity(unchecked) var fragments: [UInt8] = []
    @exclusivity(unchecked) var fragmentOpcode: UInt8 = 0  // 0: no fragmented message in progress
    @exclusivity(unchecked) var jumpAllowed = false
    @exclusivity(unchecked) var stats: WebSocketSwarm.ConnectionStats

    init(index: Int, stalled: Bool, request: [UInt8], expectedAccept: String, receiveBuffer: Int?) {
        self.stalled = stalled
        self.request = request
        self.expectedAccept = expectedAccept
        self.receiveBuffer = receiveBuffer
        stats = WebSocketSwarm.ConnectionStats(index: index, stalled: stalled)
    }
}

/// A thread serving its share of the connections with a level-triggered epoll set. The lock guards the
/// connections and is held while ready sockets are serviced, never while waiting; the interest table
/// belongs to the thread alone, so other threads change interest by marking the loop dirty and waking it
/// through a pipe. (epoll, not poll: poll costs time for every socket at every call, which with 1,000
/// subscribers fed a message at a time was most of the swarm's CPU.)
final class SwarmLoop: @unchecked Sendable {
    private static let pollRDHUP = Int16(0x2000)  // EPOLLRDHUP/POLLRDHUP: peer shut down writing
    private static let maxEvents = 256
    private static let minimumReadRoom = 16 << 10
    private static let readsPerWakeup = 4

    private let lock = NSLock()
    private let connections: [SwarmConnection]
    /// The interest registered with epoll per slot (0: the wake pipe, n: connection n - 1); fd -1: none.
    private var pollfds: [pollfd]
    private let epollFD: Int32
    private let events: UnsafeMutableRawPointer
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let address: SwarmAddress
    private let maxHandshakes: Int
    private let maxMessage: Int
    private var buffer: UnsafeMutableRawPointer
    private var capacity = 256 << 10
    private var random: UInt64
    private let peek = JSONPeek()

    private var stopping = false
    private var dirty = false
    private var nextQueued = 0
    private var handshaking = 0
    private var opened = 0
    private var failed = 0
    private var firstFailure: (index: Int, error: WebSocketSwarm.SwarmError)?
    private var thread: pthread_t?
    private var finalCPU: Double?
    private let stopped = DispatchSemaphore(value: 0)

    init(connections: [SwarmConnection], address: SwarmAddress, maxHandshakes: Int, maxMessage: Int) throws {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw WebSocketSwarm.SwarmError.timeout("pipe: \(String(cString: strerror(errno)))") }
        for fd in pipeFDs {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        self.connections = connections
        self.address = address
        self.maxHandshakes = maxHandshakes
        self.maxMessage = maxMessage
        pollfds = [pollfd(fd: pipeFDs[0], events: Int16(POLLIN), revents: 0)]
            + connections.map { _ in pollfd(fd: -1, events: 0, revents: 0) }
        epollFD = Epoll.api.create(Int32(O_CLOEXEC))
        guard epollFD >= 0 else { throw WebSocketSwarm.SwarmError.timeout("epoll_create1: \(String(cString: strerror(errno)))") }
        events = .allocate(byteCount: Self.maxEvents * Epoll.eventSize, alignment: 8)
        Epoll.control(epollFD, Epoll.add, pipeFDs[0], events: UInt32(POLLIN), slot: 0)
        buffer = .allocate(byteCount: capacity, alignment: 16)
        random = UInt64.random(in: 1...UInt64.max)
    }

    deinit {
        // Closed only now: until the last reference goes, `wake()` may still write to the pipe.
        close(wakeRead)
        close(wakeWrite)
        close(epollFD)
        events.deallocate()
    }

    // MARK: Called from other threads

    func handshakeProgress() -> (opened: Int, failed: Int, firstFailure: (index: Int, error: WebSocketSwarm.SwarmError)?) {
        lock.lock(); defer { lock.unlock() }
        return (opened, failed, firstFailure)
    }

    func snapshot() -> [WebSocketSwarm.ConnectionStats] {
        lock.lock(); defer { lock.unlock() }
        return connections.map(\.stats)
    }

    func snapshot(slot: Int) -> WebSocketSwarm.ConnectionStats {
        lock.lock(); defer { lock.unlock() }
        return connections[slot].stats
    }

    func totalMessages() -> Int {
        lock.lock(); defer { lock.unlock() }
        return connections.reduce(0) { $0 + $1.stats.messages }
    }

    enum Progress { case done, pending, impossible }

    func progress(towards seq: Int) -> Progress {
        lock.lock(); defer { lock.unlock() }
        var result = Progress.done
        for c in connections where !c.stalled {
            if let last = c.stats.lastSeq, last >= seq { continue }
            if c.phase == .closed || c.phase == .closing { return .impossible }
            result = .pending
        }
        return result
    }

    func setStalled(slot: Int, _ stalled: Bool) {
        lock.lock()
        let c = connections[slot]
        if c.stalled != stalled {
            c.stalled = stalled
            c.stats.stalled = stalled
            if !stalled { c.resumed = true }
            dirty = true
        }
        lock.unlock()
        wake()
    }

    func send(slot: Int, opcode: UInt8, payload: [UInt8]) -> Bool {
        lock.lock()
        let c = connections[slot]
        guard c.phase == .open else { lock.unlock(); return false }
        payload.withUnsafeBytes { appendMaskedFrame(to: c, opcode: opcode, payload: $0) }
        dirty = true  // the loop flushes it, and watches for room if it doesn't fit at once
        lock.unlock()
        wake()
        return true
    }

    func disconnect(slot: Int) {
        lock.lock()
        let c = connections[slot]
        if c.phase == .open { sendCloseAndShut(c) } else if c.fd >= 0 { closeSocket(c) }
        dirty = true
        lock.unlock()
        wake()
    }

    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        wake()
    }

    func waitStopped() {
        stopped.wait()
        stopped.signal()  // for any later waiter
    }

    func cpuSeconds() -> Double {
        lock.lock(); defer { lock.unlock() }
        if let finalCPU { return finalCPU }
        guard let thread else { return 0 }
        var clock = clockid_t()
        guard pthread_getcpuclockid(thread, &clock) == 0 else { return 0 }
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already means "wake up"
    }

    // MARK: The loop thread

    func run() {
        lock.lock()
        thread = pthread_self()
        lock.unlock()
        while iterate() {}
        lock.lock()
        for c in connections where c.fd >= 0 {
            if c.phase == .open { sendCloseAndShut(c) } else { closeSocket(c) }
        }
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        finalCPU = Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        lock.unlock()
        buffer.deallocate()
        stopped.signal()
    }

    private func iterate() -> Bool {
        lock.lock()
        if stopping { lock.unlock(); return false }
        admitQueued()
        if dirty {
            dirty = false
            refreshAll()
        }
        lock.unlock()

        let ready = Epoll.api.wait(epollFD, events, Int32(Self.maxEvents), 1000)
        guard ready > 0 else { return true }

        lock.lock()
        defer { lock.unlock() }
        for k in 0..<Int(ready) {
            let (slot, revents) = Epoll.event(events, k)
            if slot == 0 {
                var sink = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &sink, sink.count) > 0 {}
            } else if slot < pollfds.count {
                service(connections[slot - 1], slot: slot, revents: revents)
            }
        }
        return true
    }

    private func admitQueued() {
        while handshaking < maxHandshakes && nextQueued < connections.count {
            let slot = nextQueued + 1
            let c = connections[nextQueued]
            nextQueued += 1
            handshaking += 1
            startConnecting(c)
            updateInterest(c, slot: slot)
        }
    }

    private func refreshAll() {
        for (position, c) in connections.enumerated() {
            if !c.outbox.isEmpty { flush(c) }
            if c.resumed {
                c.resumed = false
                if c.phase == .open && !c.stalled && !c.pending.isEmpty { readFrames(c, receive: false) }
            }
            updateInterest(c, slot: position + 1)
        }
    }

    /// What `poll` should wait for on this connection.
    private func updateInterest(_ c: SwarmConnection, slot: Int) {
        var fd = c.fd
        var events: Int16 = 0
        switch c.phase {
        case .queued, .closed:
            fd = -1
        case .connecting:
            events = Int16(POLLOUT)
        case .upgrading:
            events = Int16(POLLIN) | (c.requestSent < c.request.count ? Int16(POLLOUT) : 0)
        case .closing:
            events = Int16(POLLOUT)  // the close reply still going out
        case .open:
            if c.stalled {
                // Only the peer's hang-up; once seen, ignore the socket (a reset would report forever).
                if c.stats.peerShutdown { fd = -1 } else { events = Self.pollRDHUP }
            } else {
                events = Int16(POLLIN)
            }
            if !c.outbox.isEmpty { events |= Int16(POLLOUT) }
        }
        let registered = pollfds[slot]
        if fd < 0 {
            // A closed socket left the epoll set by itself (and its number may be reused already).
            if registered.fd >= 0 && registered.fd == c.fd { Epoll.control(epollFD, Epoll.delete, registered.fd, events: 0, slot: slot) }
            pollfds[slot].fd = -1
        } else if registered.fd != fd {
            Epoll.control(epollFD, Epoll.add, fd, events: UInt32(UInt16(bitPattern: events)), slot: slot)
            pollfds[slot] = pollfd(fd: fd, events: events, revents: 0)
        } else if registered.events != events {
            Epoll.control(epollFD, Epoll.modify, fd, events: UInt32(UInt16(bitPattern: events)), slot: slot)
            pollfds[slot].events = events
        }
    }

    private func service(_ c: SwarmConnection, slot: Int, revents: Int16) {
        let trouble = Int16(POLLHUP) | Int16(POLLERR)
        switch c.phase {
        case .connecting:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 {
                fail(c, .connect(connection: c.stats.index, "connect: \(String(cString: strerror(error)))"))
            } else {
                c.phase = .upgrading
                writeRequest(c)
            }
        case .upgrading:
            if revents & Int16(POLLOUT) != 0 { writeRequest(c) }
            if c.phase == .upgrading && revents & (Int16(POLLIN) | trouble) != 0 { readHandshake(c, slot: slot) }
        case .open, .closing:
            if revents & Int16(POLLOUT) != 0 { flush(c) }
            if c.phase == .closed { break }
            if c.stalled {
                if revents & (Self.pollRDHUP | trouble) != 0 { c.stats.peerShutdown = true }
            } else if revents & (Int16(POLLIN) | trouble) != 0 {
                readFrames(c, receive: true)
            }
        case .queued, .closed:
            break
        }
        updateInterest(c, slot: slot)
    }

    // MARK: Handshake

    private func startConnecting(_ c: SwarmConnection) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            fail(c, .connect(connection: c.stats.index, "socket: \(String(cString: strerror(errno)))"))
            return
        }
        c.fd = fd
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1  // pongs and client messages go out at once
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if let size = c.receiveBuffer {
            var value = Int32(clamping: size)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = address.bytes.withUnsafeBytes {
            Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        if result == 0 {
            c.phase = .upgrading
            writeRequest(c)
        } else if errno == EINPROGRESS || errno == EINTR {
            c.phase = .connecting
        } else {
            fail(c, .connect(connection: c.stats.index, "connect: \(String(cString: strerror(errno)))"))
        }
    }

    private func writeRequest(_ c: SwarmConnection) {
        while c.requestSent < c.request.count {
            let sent = c.request.withUnsafeBytes {
                Glibc.send(c.fd, $0.baseAddress! + c.requestSent, $0.count - c.requestSent, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 { c.requestSent += sent; continue }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            fail(c, .connect(connection: c.stats.index, "sending the upgrade request: \(String(cString: strerror(errno)))"))
            return
        }
    }

    private func readHandshake(_ c: SwarmConnection, slot: Int) {
        while true {
            let count = recv(c.fd, buffer, capacity, 0)
            if count > 0 {
                c.pending.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: count))
                if let end = Self.headerEnd(c.pending) { return finishHandshake(c, headerEnd: end, slot: slot) }
                if c.pending.count > 64 << 10 {
                    return fail(c, .handshake(connection: c.stats.index, "no end of the response headers in 64 KB"))
                }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            let why = count == 0 ? "the server closed the connection" : String(cString: strerror(errno))
            let got = String(decoding: c.pending.prefix(300), as: UTF8.self)
            return fail(c, .handshake(connection: c.stats.index, "\(why) before the response headers ended; got \(got.debugDescription)"))
        }
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }

    private func finishHandshake(_ c: SwarmConnection, headerEnd: Int, slot: Int) {
        let head = String(decoding: c.pending[..<headerEnd], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.first ?? ""
        let statusParts = statusLine.split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), statusParts[1] == "101" else {
            return fail(c, .handshake(connection: c.stats.index, "expected status 101, got \(statusLine.debugDescription)"))
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard fields["upgrade"]?.lowercased() == "websocket" else {
            return fail(c, .handshake(connection: c.stats.index, "Upgrade is \((fields["upgrade"] ?? "missing").debugDescription), expected \"websocket\""))
        }
        guard fields["connection"]?.lowercased().contains("upgrade") == true else {
            return fail(c, .handshake(connection: c.stats.index, "Connection is \((fields["connection"] ?? "missing").debugDescription), expected \"Upgrade\""))
        }
        guard fields["sec-websocket-accept"] == c.expectedAccept else {
            return fail(c, .handshake(connection: c.stats.index,
                                      "Sec-WebSocket-Accept is \((fields["sec-websocket-accept"] ?? "missing").debugDescription), expected \(c.expectedAccept.debugDescription)"))
        }
        c.pending.removeFirst(headerEnd + 4)  // frames that came with the response stay queued
        c.request = []
        c.phase = .open
        c.stats.state = .open
        handshaking -= 1
        opened += 1
        if !c.stalled && !c.pending.isEmpty { readFrames(c, receive: false) }
    }

    private func fail(_ c: SwarmConnection, _ error: WebSocketSwarm.SwarmError) {
        if c.phase == .queued || c.phase == .connecting || c.phase == .upgrading {
            handshaking -= 1
            failed += 1
            if firstFailure == nil || firstFailure!.index > c.stats.index { firstFailure = (c.stats.index, error) }
        }
        c.stats.error = error.description
        closeSocket(c)
    }

    // MARK: Frames

    /// Reads what the socket has (unless `receive` is false: just what is queued) and handles every
    /// complete frame in place; a trailing partial frame is kept in `pending`.
    private func readFrames(_ c: SwarmConnection, receive: Bool) {
        var used = 0
        if !c.pending.isEmpty {
            ensureCapacity(c.pending.count + Self.minimumReadRoom, keeping: 0)
            c.pending.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            used = c.pending.count
            c.pending = []
            used = consume(c, used: used)
        }
        var reads = 0
        while receive && c.phase == .open && !c.stalled && reads < Self.readsPerWakeup {
            ensureCapacity(max(used + Self.minimumReadRoom, c.needed), keeping: used)
            let room = capacity - used
            let count = recv(c.fd, buffer + used, room, 0)
            if count > 0 {
                reads += 1
                c.stats.reads += 1
                used = consume(c, used: used + count)
                if count < room { break }  // drained; poll says when there is more
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            c.stats.peerShutdown = true
            if count < 0 {
                c.stats.error = "recv: \(String(cString: strerror(errno)))"
            } else if used > 0 {
                c.stats.error = "the server ended the connection inside a frame (\(used) bytes of it)"
            }
            closeSocket(c)
            return
        }
        if used > 0 && c.phase == .open {
            c.pending = Array(UnsafeRawBufferPointer(start: buffer, count: used))
        }
    }

    /// Handles the complete frames among `used` bytes at the start of the buffer; moves the rest to the
    /// front and returns its length.
    private func consume(_ c: SwarmConnection, used: Int) -> Int {
        let consumed = parseFrames(c, buffer.assumingMemoryBound(to: UInt8.self), used)
        if consumed == 0 { return used }
        if consumed < used { memmove(buffer, buffer + consumed, used - consumed) }
        return used - consumed
    }

    private func ensureCapacity(_ wanted: Int, keeping used: Int) {
        guard wanted > capacity else { return }
        var size = capacity
        while size < wanted { size *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        if used > 0 { grown.copyMemory(from: buffer, byteCount: used) }
        buffer.deallocate()
        buffer = grown
        capacity = size
    }

    /// Returns the bytes consumed: every complete frame up to a partial one or to the close frame.
    private func parseFrames(_ c: SwarmConnection, _ p: UnsafeMutablePointer<UInt8>, _ used: Int) -> Int {
        var offset = 0
        c.needed = 0
        while c.phase == .open && !c.stalled {
            let available = used - offset
            if available < 2 { break }
            let b0 = p[offset], b1 = p[offset + 1]
            var length = Int(b1 & 0x7f)
            var header = 2
            if length == 126 {
                if available < 4 { break }
                length = Int(p[offset + 2]) << 8 | Int(p[offset + 3])
                header = 4
            } else if length == 127 {
                if available < 10 { break }
                var value: UInt64 = 0
                for k in 2..<10 { value = value << 8 | UInt64(p[offset + k]) }
                guard value <= UInt64(maxMessage) else {
                    protocolError(c, "a frame of \(value) bytes, over the \(maxMessage)-byte limit")
                    return offset
                }
                length = Int(value)
                header = 10
            }
            if b1 & 0x80 != 0 { protocolError(c, "the server sent a masked frame"); return offset }
            if b0 & 0x70 != 0 { protocolError(c, "a frame with reserved bits set (no extension was negotiated)"); return offset }
            if length > maxMessage { protocolError(c, "a frame of \(length) bytes, over the \(maxMessage)-byte limit"); return offset }
            if available < header + length {
                c.needed = header + length
                break
            }
            let payload = UnsafeMutablePointer(p + offset + header)
            offset += header + length
            let fin = b0 & 0x80 != 0
            let opcode = b0 & 0x0f
            switch opcode {
            case 1, 2:
                if c.fragmentOpcode != 0 { protocolError(c, "a new data frame inside a fragmented message"); return offset }
                if fin {
                    deliver(c, opcode: opcode, payload, length)
                } else {
                    c.fragmentOpcode = opcode
                    c.fragments = Array(UnsafeBufferPointer(start: payload, count: length))
                }
            case 0:
                if c.fragmentOpcode == 0 { protocolError(c, "a continuation frame with no message to continue"); return offset }
                c.fragments.append(contentsOf: UnsafeBufferPointer(start: payload, count: length))
                if c.fragments.count > maxMessage { protocolError(c, "a message over the \(maxMessage)-byte limit"); return offset }
                if fin {
                    let opcode = c.fragmentOpcode
                    c.fragmentOpcode = 0
                    let message = c.fragments
                    c.fragments = []
                    message.withUnsafeBufferPointer { deliver(c, opcode: opcode, UnsafeMutablePointer(mutating: $0.baseAddress!), $0.count) }
                }
            case 8, 9, 10:
                if !fin || length > 125 { protocolError(c, "a fragmented or over-125-byte control frame"); return offset }
                if opcode == 9 {
                    c.stats.pings += 1
                    appendMaskedFrame(to: c, opcode: 10, payload: UnsafeRawBufferPointer(start: payload, count: length))
                    flush(c)
                } else if opcode == 8 {
                    c.stats.closeCode = length >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005
                    c.stats.peerShutdown = true
                    // Echo the code, then close once the reply is out.
                    let code = length >= 2 ? [payload[0], payload[1]] : []
                    code.withUnsafeBytes { appendMaskedFrame(to: c, opcode: 8, payload: $0) }
                    c.phase = .closing
                    flush(c)
                }
            default:
                protocolError(c, "a frame with unknown opcode \(opcode)")
                return offset
            }
        }
        return offset
    }

    private func deliver(_ c: SwarmConnection, opcode: UInt8, _ payload: UnsafeMutablePointer<UInt8>, _ length: Int) {
        c.stats.payloadBytes += length
        guard opcode == 1 else { c.stats.messages += 1; c.stats.binaryMessages += 1; return }
        // biliup's feed puts messages that are ready together in one frame, one JSON object per line.
        // memchr, not a byte loop: in the unoptimized builds tests run, a loop costs µs per message.
        var start = 0
        while start < length {
            var end = length
            if let newline = memchr(payload + start, 0x0a, length - start) {
                end = UnsafeRawPointer(payload).distance(to: UnsafeRawPointer(newline))
            }
            if end > start { deliverMessage(c, UnsafePointer(payload + start), end - start) }
            start = end + 1
        }
    }

    private func deliverMessage(_ c: SwarmConnection, _ payload: UnsafePointer<UInt8>, _ length: Int) {
        c.stats.messages += 1
        let (seq, skipped) = peek.seqAndSkipped(payload, length)
        if skipped {
            c.stats.skipped += 1
            c.jumpAllowed = true
            return
        }
        guard let seq else { c.stats.unsequenced += 1; return }
        if let last = c.stats.lastSeq {
            if seq != last + 1 {
                if c.jumpAllowed && seq > last {
                    c.stats.missed += seq - last - 1
                } else {
                    c.stats.violations += 1
                    if c.stats.firstViolation == nil {
                        c.stats.firstViolation = .init(message: c.stats.messages, previous: last, got: seq)
                    }
                }
            }
        } else {
            c.stats.firstSeq = seq
        }
        c.jumpAllowed = false
        c.stats.lastSeq = seq
    }

    private func protocolError(_ c: SwarmConnection, _ what: String) {
        c.stats.error = "protocol error: \(what)"
        if c.phase == .open {
            withUnsafeBytes(of: UInt16(1002).bigEndian) { appendMaskedFrame(to: c, opcode: 8, payload: $0) }
            flush(c)
        }
        closeSocket(c)
    }

    // MARK: Writing

    private func appendMaskedFrame(to c: SwarmConnection, opcode: UInt8, payload: UnsafeRawBufferPointer) {
        let count = payload.count
        c.outbox.append(0x80 | opcode)
        if count < 126 {
            c.outbox.append(0x80 | UInt8(count))
        } else if count <= 0xffff {
            c.outbox.append(0x80 | 126)
            c.outbox.append(UInt8(count >> 8))
            c.outbox.append(UInt8(count & 0xff))
        } else {
            c.outbox.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { c.outbox.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xff)) }
        }
        // xorshift64: masking keys need not be unpredictable here, only present.
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        let mask = [UInt8(truncatingIfNeeded: random), UInt8(truncatingIfNeeded: random >> 8),
                    UInt8(truncatingIfNeeded: random >> 16), UInt8(truncatingIfNeeded: random >> 24)]
        c.outbox.append(contentsOf: mask)
        for i in 0..<count { c.outbox.append(payload[i] ^ mask[i & 3]) }
    }

    /// Sends what the socket takes now; a closing connection is closed once its outbox is empty.
    private func flush(_ c: SwarmConnection) {
        guard c.fd >= 0 else { c.outbox = []; return }
        var sent = 0
        while sent < c.outbox.count {
            let count = c.outbox.withUnsafeBytes {
                Glibc.send(c.fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if count > 0 { sent += count; continue }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            sent = c.outbox.count  // the peer is gone; nothing more will go out
            if c.phase == .open { c.stats.peerShutdown = true; c.phase = .closing }
        }
        if sent == c.outbox.count { c.outbox = [] } else if sent > 0 { c.outbox.removeFirst(sent) }
        if c.phase == .closing && c.outbox.isEmpty { closeSocket(c) }
    }

    /// Client-initiated close: a close frame if it fits now, then the socket goes.
    private func sendCloseAndShut(_ c: SwarmConnection) {
        withUnsafeBytes(of: UInt16(1000).bigEndian) { appendMaskedFrame(to: c, opcode: 8, payload: $0) }
        flush(c)
        closeSocket(c)
    }

    private func closeSocket(_ c: SwarmConnection) {
        if c.fd >= 0 { close(c.fd) }
        c.fd = -1
        c.phase = .closed
        c.stats.state = .closed
        c.outbox = []
        c.pending = []
        c.fragments = []
        c.request = []
        dirty = true
    }
}

/// epoll, which Glibc's Swift module doesn't export: its three calls looked up in libc at run time.
/// The event flags are poll's (EPOLLIN == POLLIN, ...).
enum Epoll {
    struct API: @unchecked Sendable {
        let create: @convention(c) (Int32) -> Int32
        let control: @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
        let wait: @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    }

    static let api: API = {
        func load<F>(_ name: String, as: F.Type) -> F {
            guard let symbol = dlsym(nil, name) else { fatalError("\(name) not found: \(String(cString: dlerror()))") }
            return unsafeBitCast(symbol, to: F.self)
        }
        return API(create: load("epoll_create1", as: (@convention(c) (Int32) -> Int32).self),
                   control: load("epoll_ctl", as: (@convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32).self),
                   wait: load("epoll_wait", as: (@convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32).self))
    }()

    static let add: Int32 = 1, delete: Int32 = 2, modify: Int32 = 3  // EPOLL_CTL_*

    // struct epoll_event { uint32_t events; epoll_data_t data; }, packed on x86-64.
    #if arch(x86_64)
    static let eventSize = 12, dataOffset = 4
    #else
    static let eventSize = 16, dataOffset = 8
    #endif

    static func control(_ epollFD: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, slot: Int) {
        var event = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &event) { raw in
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt64(slot), toByteOffset: dataOffset, as: UInt64.self)
            _ = api.control(epollFD, operation, fd, raw.baseAddress)
        }
    }

    /// The slot and poll-style flags of the `index`th event returned by `wait`.
    static func event(_ events: UnsafeMutableRawPointer, _ index: Int) -> (slot: Int, flags: Int16) {
        let flags = events.loadUnaligned(fromByteOffset: index * eventSize, as: UInt32.self)
        let slot = events.loadUnaligned(fromByteOffset: index * eventSize + dataOffset, as: UInt64.self)
        return (Int(slot), Int16(truncatingIfNeeded: flags))
    }
}

/// Reads two top-level members of a JSON object without decoding it: the integer `"seq"` and whether
/// `"type"` is `"skipped"`. Nested objects and string contents (escapes included) are stepped over, so
/// `{"data":{"seq":1},"seq":2}` gives 2. Stops as soon as both are found.
///
/// Written for unoptimized builds, which tests use: a byte loop there costs several ns a byte and a
/// Swift array or string literal compared with memcmp costs more than the compare, so the patterns
/// live in one allocation and the common layout takes a fast path.
final class JSONPeek {
    /// `"type":"` at 0, `"seq":` at 8, `skipped` at 14.
    private let patterns: UnsafeMutablePointer<UInt8>

    init() {
        let bytes = Array(#""type":""seq":skipped"#.utf8)
        patterns = .allocate(capacity: bytes.count)
        patterns.initialize(from: bytes, count: bytes.count)
    }

    deinit {
        patterns.deallocate()
    }

    func seqAndSkipped(_ p: UnsafePointer<UInt8>, _ n: Int) -> (seq: Int?, skipped: Bool) {
        // The fast paths: `{"type":"...","seq":N` and `{"seq":N,"type":"..."` with no spaces and no escapes
        // in the type, read with a few compares. Anything else goes to `scan`.
        guard n > 8, p[0] == 0x7b else { return scan(p, n) }
        if memcmp(p + 1, patterns, 8) == 0 {
            let afterType = typeValueEnd(p, 9, n)
            if afterType > 0 && n - afterType > 8 && p[afterType] == 0x2c && memcmp(p + afterType + 1, patterns + 8, 6) == 0 {
                let seq = integer(p, afterType + 7, n)
                if seq >= 0 { return (seq, isSkipped(p, 9, afterType - 1)) }
            }
        } else if memcmp(p + 1, patterns + 8, 6) == 0 {
            var i = 7
            let seq = integer(p, 7, n)
            while i < n && p[i] &- 0x30 <= 9 { i += 1 }
            if seq >= 0 && n - i > 9 && p[i] == 0x2c && memcmp(p + i + 1, patterns, 8) == 0 {
                let afterType = typeValueEnd(p, i + 9, n)
                if afterType > 0 { return (seq, isSkipped(p, i + 9, afterType - 1)) }
            }
        }
        if let seq = seqWithoutSkipped(p, n) { return (seq, false) }
        return scan(p, n)
    }

    /// Other layouts (sorted keys put `"seq"` after `"data":{}`, `"kind"`, `"message"`...): the first
    /// `"seq":`, found through its rare `q`, when the message can't be a skipped marker (no `skipped"` in
    /// it) and every bracket before it is half of an empty `{}` or `[]`, so it is a top-level key: an
    /// unescaped quote can't be inside a string. Anything else is left to `scan` (nil).
    private func seqWithoutSkipped(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let base = UnsafeRawPointer(p)
        var from = 0
        while from < n, let hit = memchr(p + from, 0x70, n - from) {  // p, as in skip"p"ed
            let at = base.distance(to: hit)
            if at >= 3 && n - at >= 5 && memcmp(p + at - 3, patterns + 14, 7) == 0 && p[at + 4] == 0x22 { return nil }
            from = at + 1
        }
        from = 0
        while from < n, let hit = memchr(p + from, 0x71, n - from) {  // q, as in se"q"
            let q = base.distance(to: hit)
            from = q + 1
            guard q >= 4 && n - q > 3 && memcmp(p + q - 3, patterns + 8, 6) == 0 else { continue }
            guard p[q - 4] != 0x5c, Self.onlyEmptyBrackets(p, 1, q - 3) else { return nil }
            let value = integer(p, q + 3, n)
            return value >= 0 ? value : nil
        }
        return nil
    }

    /// Whether every `{ [ } ]` in `p[from..<to]` pairs up with its neighbour as `{}` or `[]`: then the
    /// nesting depth at `to` is the depth at `from`, wherever those bytes are (in strings or not).
    private static func onlyEmptyBrackets(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        onlyEmptyPairs(p, from, to, 0x7b, 0x7d) && onlyEmptyPairs(p, from, to, 0x5b, 0x5d)
    }

    private static func onlyEmptyPairs(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ open: UInt8, _ close: UInt8) -> Bool {
        let base = UnsafeRawPointer(p)
        var i = from
        while i < to, let hit = memchr(p + i, Int32(open), to - i) {
            let at = base.distance(to: hit)
            if at + 1 >= to || p[at + 1] != close { return false }
            i = at + 2
        }
        i = from
        while i < to, let hit = memchr(p + i, Int32(close), to - i) {
            let at = base.distance(to: hit)
            if at == from || p[at - 1] != open { return false }
            i = at + 1
        }
        return true
    }

    /// The index just past the closing quote of a string value starting at `start`, or -1 if it has an
    /// escaped quote or doesn't close.
    private func typeValueEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> Int {
        guard start < n, let hit = memchr(p + start, 0x22, n - start) else { return -1 }
        let quote = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit))
        return p[quote - 1] == 0x5c ? -1 : quote + 1
    }

    private func isSkipped(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        end - start == 7 && memcmp(p + start, patterns + 14, 7) == 0
    }

    /// The non-negative integer at `start`, ended by `,` or `}`; -1 if there is none.
    private func integer(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> Int {
        var i = start
        var value = 0
        while i < n {
            let digit = p[i] &- 0x30
            if digit > 9 { break }
            value = value &* 10 &+ Int(digit)
            i += 1
        }
        return i > start && i < n && (p[i] == 0x2c || p[i] == 0x7d) ? value : -1
    }

    /// Walks the top level of the object, stepping over strings and nested values.
    func scan(_ p: UnsafePointer<UInt8>, _ n: Int) -> (seq: Int?, skipped: Bool) {
        var i = 0
        var depth = 0
        var seq: Int?
        var typeSeen = false
        var skipped = false
        while i < n {
            let byte = p[i]
            if byte == 0x22 {  // "
                let start = i + 1
                let end = stringEnd(p, from: start, n)
                if end < 0 { break }
                i = end + 1
                if depth != 1 { continue }
                var j = i
                while j < n && p[j] <= 0x20 { j += 1 }  // JSON whitespace (all of it is <= space)
                if j >= n || p[j] != 0x3a { continue }  // a value, not a key
                j += 1
                while j < n && p[j] <= 0x20 { j += 1 }
                let keyLength = end - start
                if keyLength == 3 && seq == nil && memcmp(p + start, patterns + 9, 3) == 0 {
                    var k = j
                    let negative = k < n && p[k] == 0x2d
                    if negative { k += 1 }
                    var value = 0
                    let digitsStart = k
                    while k < n {
                        let digit = p[k] &- 0x30
                        if digit > 9 { break }
                        value = value &* 10 &+ Int(digit)
                        k += 1
                    }
                    if k > digitsStart {
                        seq = negative ? -value : value
                        i = k
                    }
                    if typeSeen { break }
                } else if keyLength == 4 && !typeSeen && memcmp(p + start, patterns + 1, 4) == 0 {
                    typeSeen = true
                    skipped = n - j >= 9 && p[j] == 0x22 && p[j + 8] == 0x22
                        && memcmp(p + j + 1, patterns + 14, 7) == 0
                    if seq != nil { break }
                }
                continue
            }
            if byte == 0x7b || byte == 0x5b {  // { [
                depth += 1
            } else if byte == 0x7d || byte == 0x5d {  // } ]
                depth -= 1
                if depth <= 0 { break }
            }
            i += 1
        }
        return (seq, skipped)
    }

    /// The index of the quote closing a string whose contents start at `from`; -1 if it doesn't close.
    private func stringEnd(_ p: UnsafePointer<UInt8>, from: Int, _ n: Int) -> Int {
        var i = from
        while i < n {
            guard let hit = memchr(p + i, 0x22, n - i) else { return -1 }
            let quote = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit))
            var backslashes = 0
            while quote - 1 - backslashes >= from && p[quote - 1 - backslashes] == 0x5c { backslashes += 1 }
            if backslashes % 2 == 0 { return quote }
            i = quote + 1
        }
        return -1
    }
}
