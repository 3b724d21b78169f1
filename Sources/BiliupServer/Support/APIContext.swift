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

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    var maxUploadSize: Int { Self.maxBody }
}
