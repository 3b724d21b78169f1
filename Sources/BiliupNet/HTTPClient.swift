/// Entry points for HTTP over the shared curl loop.
public enum HTTPClient {
    /// Starts a buffered request; `completion` runs on the network thread.
    public static func start(_ request: HTTPRequest, media: Bool = false,
                             completion: @escaping @Sendable (Result<HTTPResponse, NetError>) -> Void) {
        do {
            CurlLoop.shared.add(try BufferedTransfer(request: request, media: media, completion: completion))
        } catch {
            completion(.failure(error))
        }
    }

    public static func fetch(_ request: HTTPRequest) async -> Result<HTTPResponse, NetError> {
        await withCheckedContinuation { cont in start(request) { cont.resume(returning: $0) } }
    }

    /// Opens a streaming body; read it with `StreamTransfer.read` from a thread that may block.
    public static func openStream(_ request: HTTPRequest) throws(NetError) -> StreamTransfer {
        let t = try StreamTransfer(request: request)
        CurlLoop.shared.add(t)
        return t
    }
}
