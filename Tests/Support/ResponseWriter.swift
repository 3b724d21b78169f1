import Foundation

/// How a handler answers one request: either a whole response at once, or a head without a length
/// (`Connection: close`) followed by body bytes until someone closes, as live HTTP-FLV is served.
///
/// A streaming response may outlive the handler: a handler that keeps the writer (for the stream
/// pacer, say) owns the connection until it closes it; dropping the last reference closes it too.
public final class ResponseWriter: @unchecked Sendable {
    private enum State { case unanswered, answered, streaming, closed }

    /// What the connection does after the handler returns.
    enum Outcome { case readNextRequest, handedOff, done }

    private static let reasons = [
        200: "OK", 204: "No Content", 206: "Partial Content", 301: "Moved Permanently", 302: "Found",
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
        500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
    ]

    private let socket: LoopbackSocket
    private let keepAlive: Bool
    private let lock = NSLock()
    private var state = State.unanswered

    init(socket: LoopbackSocket, keepAlive: Bool) {
        self.socket = socket
        self.keepAlive = keepAlive
    }

    deinit {
        if state == .streaming { socket.close() }
    }

    /// Sends a complete response with `Content-Length`.
    public func send(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        guard transition(to: .answered) else { return }
        var head = headers
        head["Content-Length"] = "\(body.count)"
        head["Connection"] = keepAlive ? "keep-alive" : "close"
        _ = sendBlocking(Self.head(status: status, headers: head) + body)
    }

    /// Starts a streamed body: no length, the end of the body is the end of the connection.
    /// Returns false if the client is already gone.
    @discardableResult
    public func sendHead(status: Int = 200, headers: [String: String] = [:]) -> Bool {
        guard transition(to: .streaming) else { return false }
        var head = headers
        head["Connection"] = "close"
        return sendBlocking(Self.head(status: status, headers: head))
    }

    /// Writes body bytes, blocking until all are sent; false when the client went away.
    public func write(_ bytes: Data) -> Bool {
        sendBlocking(bytes)
    }

    /// Writes as many body bytes as the socket takes without blocking (maybe 0); nil when the client
    /// went away. Lets one thread feed many slow or paused clients without waiting on any of them.
    public func writeAvailable(_ bytes: Data) -> Int? {
        bytes.withUnsafeBytes { socket.send($0, blocking: false) }
    }

    /// Ends the response (and the connection) cleanly.
    public func close() {
        lock.withLock { state = .closed }
        socket.close()
    }

    /// Cuts the connection with a reset, as a failing CDN node or network does.
    public func closeAbruptly() {
        lock.withLock { state = .closed }
        socket.close(abortive: true)
    }

    /// Called by the connection once the handler returned; a handler that never answered is a bug in
    /// the test fixture, reported to the client as a 500.
    func finishHandler() -> Outcome {
        switch lock.withLock({ state }) {
        case .unanswered:
            send(status: 500, body: Data("handler sent no response\n".utf8))
            return keepAlive ? .readNextRequest : .done
        case .answered:
            return keepAlive ? .readNextRequest : .done
        case .streaming:
            return .handedOff
        case .closed:
            return .done
        }
    }

    private func transition(to next: State) -> Bool {
        lock.withLock {
            guard state == .unanswered else { return false }
            state = next
            return true
        }
    }

    private func sendBlocking(_ bytes: Data) -> Bool {
        bytes.withUnsafeBytes { socket.send($0, blocking: true) } != nil
    }

    private static func head(status: Int, headers: [String: String]) -> Data {
        var text = "HTTP/1.1 \(status) \(reasons[status] ?? "Status \(status)")\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            text += "\(name): \(value)\r\n"
        }
        return Data((text + "\r\n").utf8)
    }
}
