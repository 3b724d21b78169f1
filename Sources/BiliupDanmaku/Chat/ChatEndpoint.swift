/// How a chat connection is carried.
public enum ChatTransport: String, Sendable, Equatable {
    /// `ws://` or `wss://`.
    case webSocket
    /// `tcp://host:port`: a raw byte stream (Douyu).
    case tcp
    /// `http://` or `https://` requests repeated on a timer (YouTube's live_chat).
    case polling
}

/// A request header of a chat connection (the WebSocket upgrade, or each polling request).
public struct ChatHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Where a stream-type chat connects: the URL as the platform names it, before the host remap.
public struct ChatEndpoint: Sendable, Equatable {
    public var url: String
    public var headers: [ChatHeader]
    public var transport: ChatTransport

    public init(url: String, headers: [ChatHeader] = [], transport: ChatTransport) {
        self.url = url
        self.headers = headers
        self.transport = transport
    }
}
