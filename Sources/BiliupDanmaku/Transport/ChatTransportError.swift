import BiliupNet

/// Why a chat connection ended or could not be made. The text names what went wrong on our side of the
/// wire and never quotes what the server sent (a body, a close reason), which may be anything.
public enum ChatTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL cannot be connected to (scheme, port, form); the message says why.
    case invalidURL(String)
    /// A header the endpoint gave that cannot be sent; the message names it.
    case invalidHeader(String)
    case network(NetError)
    /// The server did not complete the WebSocket upgrade.
    case handshake(String)
    /// A frame no conforming server sends.
    case protocolViolation(String)
    /// A frame, message or response head larger than the named limit.
    case tooLarge(what: String, limit: Int)
    /// A WebSocket close frame; its status code when it had one.
    case closedByServer(code: UInt16?)
    /// The stream ended without a close frame.
    case endOfStream
    /// No byte arrived for this long.
    case idle(Duration)
    /// The session could not decode what arrived (a garbage or truncated frame, a bomb).
    case decode(DanmakuDecodeError)

    public var description: String {
        switch self {
        case .invalidURL(let m): return "invalid chat URL: \(m)"
        case .invalidHeader(let m): return "invalid chat header: \(m)"
        case .network(let e): return e.description
        case .handshake(let m): return "WebSocket handshake failed: \(m)"
        case .protocolViolation(let m): return "protocol violation: \(m)"
        case .tooLarge(let what, let limit): return "\(what) larger than \(limit) bytes"
        case .closedByServer(let code): return "server closed the connection" + (code.map { " (code \($0))" } ?? "")
        case .endOfStream: return "server ended the connection"
        case .idle(let d):
            let s = d.seconds
            return "nothing received for " + (s == s.rounded() ? "\(Int(s)) s" : "\((s * 10).rounded() / 10) s")
        case .decode(let e):
            switch e {
            case .truncated: return "undecodable frame: truncated"
            case .malformed(let m): return "undecodable frame: \(m)"
            case .tooLarge(let limit): return "undecodable frame: expands past \(limit) bytes"
            }
        }
    }
}
