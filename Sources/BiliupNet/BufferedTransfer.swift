import CCurl

/// A transfer whose whole body is collected in memory (API calls, playlists, HLS segments).
/// Not final: `UploadTransfer` buffers its answer the same way.
class BufferedTransfer: CurlTransfer, @unchecked Sendable {
    private var body: [UInt8] = []
    private var overflow = false
    private let completion: @Sendable (Result<HTTPResponse, NetError>) -> Void

    init(request: HTTPRequest, media: Bool, completion: @escaping @Sendable (Result<HTTPResponse, NetError>) -> Void) throws(NetError) {
        self.completion = completion
        try super.init(request: request, media: media)
    }

    override func receive(_ data: UnsafeRawPointer, _ count: Int) -> Bool {
        if body.count + count > request.maxBodyBytes {
            overflow = true
            return true  // swallow; the transfer is failed at completion
        }
        if body.isEmpty, let length = responseHeaders["content-length"].flatMap(Int.init), length <= request.maxBodyBytes {
            body.reserveCapacity(length)  // one allocation, no copies from growing the array
        }
        body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        return true
    }

    override func complete(_ code: CURLcode) {
        if overflow { return completion(.failure(.tooLarge(limit: request.maxBodyBytes))) }
        if let error = failure(for: code) { return completion(.failure(error)) }
        completion(.success(HTTPResponse(status: responseStatus, headers: responseHeaders, body: body,
                                         effectiveURL: effectiveURL, setCookies: responseSetCookies)))
    }
}
