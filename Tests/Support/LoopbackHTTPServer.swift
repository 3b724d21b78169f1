import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 at an ephemeral port, standing in for remote services in tests.
/// One thread accepts; each connection gets a thread that reads requests (keep-alive included) and runs
/// the handler for the request's exact path, or the fallback (404 unless set).
///
/// Call `stop()` when done; it also runs when the server is released.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (LoopbackRequest, ResponseWriter) -> Void
    /// Gets the request without its body, which it reads from the stream (the rest is dropped after it returns).
    public typealias StreamingHandler = @Sendable (LoopbackRequest, RequestBodyStream, ResponseWriter) -> Void

    /// Room for a benchmark's few hundred clients connecting at once.
    private static let listenBacklog: Int32 = 1024

    public let port: Int
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let listener: LoopbackSocket
    private let hub = ConnectionHub()

    /// Listens on `port`; the default 0 takes a free ephemeral port, which tests should always use.
    public init(port: Int = 0) throws {
        let fd = try listeningLoopbackSocket(port: port, backlog: Self.listenBacklog)
        self.port = boundPort(fd)
        listener = LoopbackSocket(fd: fd)
        let (listener, hub) = (listener, hub)
        Thread.detachNewThread { Self.acceptLoop(listener: listener, hub: hub) }
    }

    deinit {
        stop()
    }

    /// Serves `path` (exact match, without the query) with `handler`, replacing any earlier handler.
    public func route(_ path: String, _ handler: @escaping Handler) {
        hub.setRoute(path, handler)
    }

    /// Serves every path that starts with `prefix` with `handler`, which reads the body as it arrives:
    /// for uploads too large to hold in memory. Takes precedence over exact routes and the fallback.
    public func routeStreaming(prefix: String, _ handler: @escaping StreamingHandler) {
        hub.setStreamingRoute(prefix, handler)
    }

    /// Serves every path without a route.
    public func setFallback(_ handler: @escaping Handler) {
        hub.setFallback(handler)
    }

    /// Answers every request with `status` and counts them: for tests that check nothing was sent.
    public func countRequests(answering status: Int) -> RequestCount {
        let counter = RequestCount()
        setFallback { _, w in
            counter.value.add(1, ordering: .relaxed)
            w.send(status: status)
        }
        return counter
    }

    /// A loopback port with no listener (the kernel just handed it out and it was released), so
    /// connecting to it is refused.
    public static func unusedPort() -> Int {
        let fd = try! boundLoopbackSocket()  // only fails when the machine is out of sockets
        defer { close(fd) }
        return boundPort(fd)
    }

    /// Closes the listener and every open connection; streams in progress see their writes fail.
    public func stop() {
        listener.close()
        hub.closeAll()
    }

    private static func acceptLoop(listener: LoopbackSocket, hub: ConnectionHub) {
        // errno is read inside `use`, before its unlocking can touch it.
        while let (fd, error) = listener.use({ (accept($0, nil, nil), errno) }) {
            if fd < 0 {
                if error == EINTR || error == ECONNABORTED { continue }
                return  // the listener was shut down
            }
            var noDelay: Int32 = 1  // live data goes out as it is written, not held back by Nagle
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            guard let socket = hub.register(fd: fd) else { return }
            Thread.detachNewThread { hub.serve(socket) }
        }
    }
}

/// Routes and open connections of one server, shared by its accept and connection threads.
private final class ConnectionHub: @unchecked Sendable {
    private let lock = NSLock()
    private var routes: [String: LoopbackHTTPServer.Handler] = [:]
    private var streamingRoutes: [(prefix: String, handler: LoopbackHTTPServer.StreamingHandler)] = []
    private var fallback: LoopbackHTTPServer.Handler = { _, response in response.send(status: 404) }
    private var open: [ObjectIdentifier: LoopbackSocket] = [:]
    private var stopped = false

    func setRoute(_ path: String, _ handler: @escaping LoopbackHTTPServer.Handler) {
        lock.withLock { routes[path] = handler }
    }

    func setStreamingRoute(_ prefix: String, _ handler: @escaping LoopbackHTTPServer.StreamingHandler) {
        lock.withLock {
            streamingRoutes.removeAll { $0.prefix == prefix }
            streamingRoutes.append((prefix, handler))
        }
    }

    func setFallback(_ handler: @escaping LoopbackHTTPServer.Handler) {
        lock.withLock { fallback = handler }
    }

    /// Tracks a new connection until it closes; nil (and the descriptor closed) once the server stopped.
    func register(fd: Int32) -> LoopbackSocket? {
        let socket = LoopbackSocket(fd: fd) { [weak self] closed in self?.forget(closed) }
        let accepted = lock.withLock {
            if !stopped { open[ObjectIdentifier(socket)] = socket }
            return !stopped
        }
        guard accepted else { socket.close(); return nil }
        return socket
    }

    /// Runs handlers for the requests of one connection until it closes or a streaming response takes it.
    func serve(_ socket: LoopbackSocket) {
        var reader = RequestReader(socket: socket)
        while let (head, bodyLength) = reader.nextHead() {
            let response = ResponseWriter(socket: socket, keepAlive: head.keepAlive)
            if let streaming = lock.withLock({ streamingRoutes.first { head.path.hasPrefix($0.prefix) }?.handler }) {
                let body = RequestBodyStream(socket: socket, buffered: reader.takeBuffered(upTo: bodyLength), length: bodyLength)
                streaming(head, body, response)
                body.discardRest()
            } else {
                guard let request = reader.readBody(of: head, length: bodyLength) else { break }
                let handler = lock.withLock { routes[request.path] ?? fallback }
                handler(request, response)
            }
            let outcome = response.finishHandler()
            if outcome == .handedOff { return }
            if outcome == .done { break }
        }
        socket.close()
    }

    func closeAll() {
        let sockets = lock.withLock {
            stopped = true
            return Array(open.values)
        }
        sockets.forEach { $0.close() }
    }

    private func forget(_ socket: LoopbackSocket) {
        _ = lock.withLock { open.removeValue(forKey: ObjectIdentifier(socket)) }
    }
}

/// How many requests a `LoopbackHTTPServer` received.
public final class RequestCount: Sendable {
    let value = Atomic<Int>(0)
    public var count: Int { value.load(ordering: .relaxed) }
}
