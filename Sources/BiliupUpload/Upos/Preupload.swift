import BiliupNet

/// Asks member's preupload for a place to put a file, waiting out "too fast" answers with a growing
/// pause (never a burst of retries).
struct Preupload {
    let client: BilibiliClient
    let login: LoginInfo
    let timing: UposTiming

    func ticket(line: UploadLine, fileName: String, size: Int64,
                events: @Sendable (UploadEvent) -> Void) async throws(UploadError) -> UposTicket {
        var attempt = 1
        while true {
            do throws(UploadError) {
                return try await once(line: line, fileName: fileName, size: size)
            } catch where error.kind == .rateLimited && attempt < timing.rateLimitAttempts {
                let wait = timing.rateLimitWait(attempt: attempt)
                events(.rateLimited(retryIn: wait, attempt: attempt))
                try await UposPause.sleep(wait)
                attempt += 1
            }
        }
    }

    private func once(line: UploadLine, fileName: String, size: Int64) async throws(UploadError) -> UposTicket {
        let context = "preupload of \(fileName)"
        let query = line.query + "&name=" + PercentEncoding.encode(fileName)
            + "&r=upos&profile=ugcupos/bup&ssl=0&version=2.14.0&build=2140000&size=\(size)"
        let response = try await client.send(memberRequest("/preupload?" + query), context)
        guard let answer = UposAnswer(response.body) else { throw BilibiliClient.failure(of: response, context) }
        if let code = answer.int("code"), code != 0 {
            throw BilibiliClient.apiError(code: Int(code), message: answer.string("message") ?? "", status: response.status, context)
        }
        if answer.int("OK") == 0 {
            // 上传视频过快: the shape biliup #1565 reports for a rate limit.
            throw UploadError(.rateLimited, context, answer.string("info") ?? "Bilibili says uploads come too fast",
                              status: response.status)
        }
        guard (200..<300).contains(response.status) else { throw BilibiliClient.failure(of: response, context) }
        guard answer.isOK, let endpoint = answer.string("endpoint"), let uposURI = answer.string("upos_uri"),
              let auth = answer.string("auth"), let bizId = answer.int("biz_id"),
              let chunkSize = answer.int("chunk_size"), chunkSize > 0 else {
            throw UploadError(.badResponse, context, "the answer lacks OK, endpoint, upos_uri, auth, biz_id or chunk_size",
                              status: response.status)
        }
        return UposTicket(endpoint: endpoint, uposURI: uposURI, auth: auth, bizId: bizId, chunkSize: chunkSize)
    }

    /// A GET to member.bilibili.com as the logged-in web client.
    func memberRequest(_ pathAndQuery: String) -> HTTPRequest {
        var request = HTTPRequest(url: BilibiliHosts.member + pathAndQuery,
                                  headers: [("User-Agent", BilibiliClient.webUserAgent)], maxBodyBytes: 1 << 20)
        request.cookie = login.cookieHeader
        return request
    }
}

/// Sleeping that ends the upload when its task is cancelled.
enum UposPause {
    static func sleep(_ duration: Duration) async throws(UploadError) {
        do {
            try await Task.sleep(for: duration)
        } catch {
            throw UploadError(.cancelled, "upload", "cancelled")
        }
    }
}
