import BiliupNet

/// How chat connections reach the network: the same host remap, proxy and address policy as every other
/// request of the process, so a chat server can be pointed at a local stand-in or relay like any API host.
public struct ChatNetworkSettings: Sendable {
    /// Applied to every chat URL (WebSocket, TCP and each polling request). A `ws://`/`wss://`/`tcp://` URL
    /// is remapped by its host like an HTTP one; the base's scheme then decides TLS: `http://` and `ws://`
    /// (and `tcp://`) connect in the clear, `https://` and `wss://` with TLS.
    public var hostRemap: HostRemap
    /// libcurl's proxy syntax (`http://host:port`, `socks5h://…`); streams go through a CONNECT tunnel.
    public var proxy: String?
    /// Read at every attempt, so a change of `block_private_addresses` applies to the next reconnect.
    public var addressPolicy: AddressPolicy?
    /// For the TCP connect, proxy tunnel and TLS handshake together; the WebSocket upgrade's answer gets as
    /// long again.
    public var connectTimeout: Duration
    /// Sent when the endpoint does not name its own; nil means `HTTPRequest.defaultUserAgent`.
    public var userAgent: String?
    /// A PEM file of certificate authorities trusted instead of the system's (a private relay, tests).
    public var certificateAuthorities: String?
    /// With no byte received for this long the connection is presumed dead and reconnected. nil: three
    /// heartbeat intervals, or `defaultIdleTimeout` for protocols without a heartbeat.
    public var idleTimeout: Duration?

    /// For protocols that never send a heartbeat answer (TwitCasting): long enough for a quiet room.
    public static let defaultIdleTimeout: Duration = .seconds(90)

    public init(hostRemap: HostRemap = HostRemap(), proxy: String? = nil, addressPolicy: AddressPolicy? = nil,
                connectTimeout: Duration = .seconds(10), userAgent: String? = nil,
                certificateAuthorities: String? = nil, idleTimeout: Duration? = nil) {
        self.hostRemap = hostRemap
        self.proxy = proxy
        self.addressPolicy = addressPolicy
        self.connectTimeout = connectTimeout
        self.userAgent = userAgent
        self.certificateAuthorities = certificateAuthorities
        self.idleTimeout = idleTimeout
    }

    var blocksPrivateAddresses: Bool { addressPolicy?.blocksPrivateAddresses ?? false }

    func idleTimeout(heartbeat: Duration?) -> Duration {
        if let idleTimeout { return idleTimeout }
        guard let heartbeat, heartbeat > .zero else { return ChatNetworkSettings.defaultIdleTimeout }
        return heartbeat * 3
    }
}
