/// A room's chat as the transport connects to it: built by `ChatPlatforms` from the parameters a
/// plugin's `danmaku` step returned.
public struct ChatSource: Sendable {
    public enum Kind: Sendable {
        case stream(ChatEndpoint, makeSession: @Sendable () -> any ChatSession)
        case polling(makeSession: @Sendable () -> any ChatPollingSession)
    }

    /// The protocol's name, as plugins write it (`bilibili`, `douyu`…).
    public var platform: String
    /// The room as people know it, for logs and the XML header.
    public var room: String
    public var kind: Kind

    public init(platform: String, room: String, kind: Kind) {
        self.platform = platform
        self.room = room
        self.kind = kind
    }
}
