/// One unit a chat transport carries: a WebSocket message (text or binary), or for a raw TCP connection
/// a chunk of the byte stream as it was read (the session reassembles frames).
public enum ChatFrame: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
}
