/// How one connection attempt ended: `stop()` was called, or it failed (and the connection reconnects).
enum ChatAttemptEnd: Error {
    case stopped
    case failed(ChatTransportError)
    /// `resolve` threw: the plugin step or the parameters failed; the text is their own message.
    case unresolved(String)

    var reason: String {
        switch self {
        case .stopped: return "stopped"
        case .failed(let e): return e.description
        case .unresolved(let m): return "cannot resolve the chat endpoint: \(m)"
        }
    }
}
