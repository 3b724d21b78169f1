import Hummingbird

/// Who is asking: set by the authenticator for the request.
struct Identity: Sendable, Equatable {
    let userId: Int64
    let name: String
    let admin: Bool
    /// The session or API token that authenticated the request.
    let tokenId: Int64
}

/// The request context of every API route.
struct APIContext: RequestContext {
    /// Request bodies are small JSON documents; anything bigger is refused (413) before it is read.
    static let maxBody = 1 << 20

    var coreContext: CoreRequestContextStorage
    var identity: Identity?
    /// The peer's IP address (a reverse proxy's, behind one): what login attempts are counted by.
    let peerAddress: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    var maxUploadSize: Int { Self.maxBody }
}
