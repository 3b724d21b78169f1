import CCurl

/// A request whose body is memory the caller owns (an UPOS chunk), sent in place; the answer is buffered.
///
/// The body goes to libcurl as CURLOPT_POSTFIELDS with an explicit size rather than through a read callback:
/// libcurl then reads the caller's buffer directly (a piece at a time into its upload buffer, as it would
/// from a read callback), and it can rewind the body by itself when it has to send it again (a 307/308
/// redirect, a kept-alive connection found dead on reuse), which a read callback would need a seek
/// callback for. The buffer must outlive the transfer; `HTTPClient.upload` holds its caller until completion,
/// which runs after the handle has left the multi handle, when libcurl no longer reads it.
final class UploadTransfer: BufferedTransfer, @unchecked Sendable {
    /// libcurl sends at most one upload buffer per socket event, and the loop services sockets once per
    /// round (10 ms while requests are in flight), so this buffer caps one upload's rate: the 64 KiB default
    /// would allow about 6 MB/s, 512 KiB about 50 MB/s per chunk in flight, for 512 KiB per transfer.
    static let uploadBufferBytes = 512 << 10
    /// Progress is reported at most once per this many bytes (and at the end): a 10 MB chunk reports about
    /// 40 times, smooth enough for a progress bar and little work on the network thread.
    static let progressStepBytes = 256 << 10

    private let bodyBytes: Int
    private let progress: (@Sendable (Int) -> Void)?
    /// Body bytes last reported to `progress`. Loop thread only.
    private var reportedBytes = 0

    init(request: HTTPRequest, body: UnsafeRawBufferPointer, progress: (@Sendable (Int) -> Void)?,
         completion: @escaping @Sendable (Result<HTTPResponse, NetError>) -> Void) throws(NetError) {
        guard request.body == nil else { throw .invalidRequest("an upload's body is passed separately, not in the request") }
        guard request.method != "GET", request.method != "HEAD" else {
            throw .invalidRequest("method \(request.method) sends no body; an upload is a PUT or a POST")
        }
        bodyBytes = body.count
        self.progress = progress
        var sent = request
        // An empty Expect header keeps libcurl from waiting for `100 Continue` before bodies over 1 MB: a
        // round trip per chunk, and a full second when a server does not answer it. An empty Content-Type
        // drops the form type libcurl gives POSTFIELDS bodies: a chunk is raw bytes.
        sent.headers.append(("Expect", ""))
        if !request.headers.contains(where: { $0.0.lowercased() == "content-type" }) { sent.headers.append(("Content-Type", "")) }
        try super.init(request: sent, media: false, completion: completion)

        _ = shim_easy_setopt_long(easy, CURLOPT_UPLOAD_BUFFERSIZE, UploadTransfer.uploadBufferBytes)
        _ = shim_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        // An empty buffer may have no address; a null POSTFIELDS would make libcurl read the body from stdin.
        let start = body.baseAddress ?? UnsafeRawPointer(UploadTransfer.emptyBody.utf8Start)
        _ = shim_easy_setopt_ptr(easy, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: start))
        if progress != nil {
            _ = shim_easy_setopt_xferinfo_cb(easy, curlUploadProgressCallback)
            _ = shim_easy_setopt_ptr(easy, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(self).toOpaque())
            _ = shim_easy_setopt_long(easy, CURLOPT_NOPROGRESS, 0)
        }
    }

    private static let emptyBody: StaticString = ""

    /// Reports `sent` if it is a step past the last report or the whole body. A body sent again (after a
    /// redirect) restarts libcurl's count; reports resume once it passes the last one, so they only rise.
    fileprivate func uploaded(_ sent: Int) {
        guard let progress, sent > reportedBytes,
              sent - reportedBytes >= UploadTransfer.progressStepBytes || sent >= bodyBytes else { return }
        reportedBytes = sent
        progress(sent)
    }

    override func complete(_ code: CURLcode) {
        var sent: curl_off_t = 0
        if progress != nil, shim_easy_getinfo_off(easy, CURLINFO_SIZE_UPLOAD_T, &sent) == CURLE_OK {
            uploaded(Int(sent))
        }
        super.complete(code)
    }
}

/// libcurl's progress callback of uploads with a progress handler; XFERINFODATA is the transfer.
let curlUploadProgressCallback: curl_xferinfo_callback = { clientp, _, _, _, ulnow in
    Unmanaged<UploadTransfer>.fromOpaque(clientp!).takeUnretainedValue().uploaded(Int(ulnow))
    return 0
}
