import BiliupNet  // Digest.sha1, for Sec-WebSocket-Accept
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback server for chat stand-ins: on one port it answers plain HTTP requests (`route`) and
/// WebSocket upgrades (`webSocket`), or, made with `rawTCP`, hands every accepted connection to a
/// handler as a byte stream (Douyu's chat is not HTTP at all). One thread per connection.
///
/// The upgrade is checked as RFC 6455 says a server must (GET, `Upgrade: websocket`, `Connection:
/// Upgrade`, version 13, a 16-byte base64 key); a failed check is answered 400 and recorded.
public final class LoopbackChatServer: @unchecked Sendable {
    public typealias WebSocketHandler = @Sendable (LoopbackRequest, StandInWebSocket) -> Void
    public typealias TCPHandler = @Sendable (StandInTCPConnection) -> Void

    private static let webSocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    public let port: Int
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let listener: LoopbackSocket
    private let lock = NSLock()
    private var routes: [String: LoopbackHTTPServer.Handler] = [:]
    private var webSocketRoutes: [String: WebSocketHandler] = [:]
    private var tcpHandler: TCPHandler?
    private var open: [ObjectIdentifier: LoopbackSocket] = [:]
    private var stopped = false
    private var rejectedUpgrades: [String] = []

    /// An HTTP and WebSocket server; add handlers with `route` and `webSocket`.
    public convenience init() throws {
        try self.init(tcpHandler: nil)
    }

    /// A raw TCP server: `handler` gets every connection.
    public static func rawTCP(_ handler: @escaping TCPHandler) throws -> LoopbackChatServer {
        try LoopbackChatServer(tcpHandler: handler)
    }

    private init(tcpHandler: TCPHandler?) throws {
        let fd = try listeningLoopbackSocket(port: 0, backlog: 64)
        port = boundPort(fd)
        listener = LoopbackSocket(fd: fd)
        self.tcpHandler = tcpHandler
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit {
        stop()
    }

    /// Serves plain HTTP requests for `path` (exact, without the query).
    public func route(_ path: String, _ handler: @escaping LoopbackHTTPServer.Handler) {
        lock.withLock { routes[path] = handler }
    }

    /// Accepts WebSocket upgrades for `path` (exact, without the query); the handler owns the
    /// connection until it returns, and the socket is closed then.
    public func webSocket(_ path: String, _ handler: @escaping WebSocketHandler) {
        lock.withLock { webSocketRoutes[path] = handler }
    }

    /// Why upgrades were refused, in order: a client that gets the handshake wrong shows up here.
    public var refusedUpgrades: [String] { lock.withLock { rejectedUpgrades } }

    /// Closes the listener and every open connection.
    public func stop() {
        listener.close()
        let sockets = lock.withLock {
            stopped = true
            return Array(open.values)
        }
        sockets.forEach { $0.close() }
    }

    private func acceptLoop() {
        while let (fd, error) = listener.use({ (accept($0, nil, nil), errno) }) {
            if fd < 0 {
                if error == EINTR || error == ECONNABORTED { continue }
                return
            }
            var noDelay: Int32 = 1  // chat frames go out as written, as a server flushing each frame does
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            let socket = LoopbackSocket(fd: fd) { [weak self] closed in
                _ = self?.lock.withLock { self?.open.removeValue(forKey: ObjectIdentifier(closed)) }
            }
            let accepted = lock.withLock {
                if !stopped { open[ObjectIdentifier(socket)] = socket }
                return !stopped
            }
            guard accepted else { socket.close(); return }
            Thread.detachNewThread { [self] in
                serve(socket)
                socket.close()
            }
        }
    }

    private func serve(_ socket: LoopbackSocket) {
        if let tcpHandler = lock.withLock({ tcpHandler }) {
            tcpHandler(StandInTCPConnection(socket: socket))
            return
        }
        var reader = RequestReader(socket: socket)
        while let (head, bodyLength) = reader.nextHead() {
            if head.headers["upgrade"]?.lowercased() == "websocket" {
                upgrade(head, socket: socket, buffered: Array(reader.takeBuffered(upTo: Int.max)))
                return
            }
            guard let request = reader.readBody(of: head, length: bodyLength) else { return }
            let response = ResponseWriter(socket: socket, keepAlive: request.keepAlive)
            let handler = lock.withLock { routes[request.path] }
            if let handler {
                handler(request, response)
            } else {
                response.send(status: 404, body: Data("no stand-in route for \(request.path)\n".utf8))
            }
            if response.finishHandler() != .readNextRequest { return }
        }
    }

    private func upgrade(_ request: LoopbackRequest, socket: LoopbackSocket, buffered: [UInt8]) {
        let handler = lock.withLock { webSocketRoutes[request.path] }
        let key = request.headers["sec-websocket-key"] ?? ""
        let connectionTokens = (request.headers["connection"] ?? "").lowercased()
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let problem: String? =
            if handler == nil { "no WebSocket route for \(request.path)" }
            else if request.method != "GET" { "upgrade with \(request.method)" }
            else if !connectionTokens.contains("upgrade") { "Connection header without Upgrade" }
            else if request.headers["sec-websocket-version"] != "13" { "Sec-WebSocket-Version is not 13" }
            else if Data(base64Encoded: key)?.count != 16 { "Sec-WebSocket-Key is not 16 bytes in base64" }
            else { nil }
        if let problem {
            lock.withLock { rejectedUpgrades.append(problem) }
            let response = ResponseWriter(socket: socket, keepAlive: false)
            response.send(status: 400, body: Data("\(problem)\n".utf8))
            return
        }
        let accept = Data(Digest.sha1(Array((key + Self.webSocketGUID).utf8))).base64EncodedString()
        let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(accept)\r\n\r\n"
        guard Array(head.utf8).withUnsafeBytes({ socket.send($0, blocking: true) }) != nil else { return }
        handler!(request, StandInWebSocket(socket: socket, buffered: buffered))
    }
}

/// A raw TCP connection of a `LoopbackChatServer.rawTCP` server.
public final class StandInTCPConnection: @unchecked Sendable {
    private let socket: LoopbackSocket
    private let sendLock = NSLock()

    init(socket: LoopbackSocket) {
        self.socket = socket
    }

    /// What arrived (blocking until something does); empty at the end of the stream.
    public func receive(maxCount: Int = 64 << 10) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maxCount)
        let count = buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
        return Array(buffer[0..<count])
    }

    /// Sends all of `bytes` in one write; false once the peer is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        sendLock.withLock { bytes.withUnsafeBytes { socket.send($0, blocking: true) } != nil }
    }

    public func close() { socket.close() }
    public func closeAbruptly() { socket.close(abortive: true) }
}
