/// Why a chat frame could not be decoded. A connection that sees one is reset; the recording goes on.
public enum DanmakuDecodeError: Error, Equatable, Sendable {
    /// The frame ends before its own length fields say it does.
    case truncated
    /// A length, header or body that no server sends.
    case malformed(String)
    /// A compressed body that expands past the limit: a bomb, or a server gone wrong.
    case tooLarge(limit: Int)
}
