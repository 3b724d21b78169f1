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

    /// Sends `body` as the request's body (PUT or POST) and buffers the answer like `fetch`; any status is a
    /// response. `body` is read in place, not copied: the caller keeps it alive until this returns.
    /// `progress` gets the body bytes sent so far, rising, on the network thread (keep it cheap).
    /// Cancelling the task aborts the transfer and returns `.cancelled`.
    public static func upload(_ request: HTTPRequest, body: UnsafeRawBufferPointer,
                              progress: (@Sendable (Int) -> Void)? = nil) async -> Result<HTTPResponse, NetError> {
        let cancellation = TransferCancellation()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { cont in
                let completion: @Sendable (Result<HTTPResponse, NetError>) -> Void = { cont.resume(returning: $0) }
                do throws(NetError) {
                    let t = try UploadTransfer(request: request, body: body, progress: progress, completion: completion)
                    if !cancellation.start(t) { completion(.failure(.cancelled)) }
                } catch {
                    completion(.failure(error))
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Opens a streaming body; read it with `StreamTransfer.read` from a thread that may block.
    public static func openStream(_ request: HTTPRequest) throws(NetError) -> StreamTransfer {
        let t = try StreamTransfer(request: request)
        CurlLoop.shared.add(t)
        return t
    }
}
