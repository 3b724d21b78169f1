import Foundation

/// What a chat connection reports, in order, from its own thread.
public enum ChatEvent: Sendable {
    /// The connection opened and its registration frames went out.
    case connected(at: Date)
    case messages([DanmakuMessage])
    /// The connection ended (or could not be made): a reconnect follows after the backoff, until `stop`.
    case disconnected(at: Date, reason: String)
}
