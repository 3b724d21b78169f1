import BiliupNet
import Foundation

/// A UPOS call's failure: either the session itself is gone (its upload id or auth no longer
/// accepted, so only a new session helps) or anything else.
enum SessionFailure: Error {
    case gone(UploadError)
    case failed(UploadError)

    /// What UPOS answers for an upload id or auth it no longer knows.
    static let goneStatuses: Set<Int> = [403, 404, 410]
}

/// The calls of one UPOS session (reference/biliup.md §4.2 steps 2-4), each to the remapped URL.
struct UposCalls: Sendable {
    let client: BilibiliClient
    let timing: UposTiming

    /// Opens the multipart upload and returns its upload id. Network and server errors are retried.
    func start(_ ticket: UposTicket, fileName: String) async throws(UploadError) -> String {
        let context = "starting the upload of \(fileName)"
        let request = ticket.request("POST", query: "uploads&output=json", timeout: .seconds(60))
        let response = try await retryingTransient { () async throws(UploadError) in
            let response = try await client.send(request, context)
            guard (200..<300).contains(response.status) else { throw BilibiliClient.failure(of: response, context) }
            return response
        }
        guard let answer = UposAnswer(response.body), let uploadId = answer.string("upload_id"), !uploadId.isEmpty else {
            throw UploadError(.badResponse, context, "the answer has no upload_id", status: response.status)
        }
        return uploadId
    }

    /// Sends chunk `chunk` and returns the ETag to list for it in the complete call.
    func put(_ ticket: UposTicket, uploadId: String, chunk: ChunkPlan, body: UnsafeRawBufferPointer,
             fileName: String) async -> Result<String, SessionFailure> {
        let context = "chunk \(chunk.index + 1) of \(chunk.count) of \(fileName)"
        let query = "partNumber=\(chunk.index + 1)&uploadId=\(PercentEncoding.encode(uploadId))&chunk=\(chunk.index)"
            + "&chunks=\(chunk.count)&size=\(chunk.length)&start=\(chunk.offset)&end=\(chunk.offset + Int64(chunk.length))"
            + "&total=\(chunk.total)"
        let request = ticket.request("PUT", query: query, timeout: .seconds(240))
        switch await sendBody(request, body: UnsafeRawBufferPointer(rebasing: body[0..<chunk.length])) {
        case .failure(let error):
            return .failure(.failed(UploadError(error, context)))
        case .success(let response) where (200..<300).contains(response.status):
            // UPOS names the part in an Etag header; biliup lists the literal "etag", which UPOS accepts.
            let eTag = response.headers["etag"].flatMap { $0.isEmpty ? nil : $0 } ?? "etag"
            return .success(eTag)
        case .success(let response) where SessionFailure.goneStatuses.contains(response.status):
            return .failure(.gone(BilibiliClient.failure(of: response, context)))
        case .success(let response):
            return .failure(.failed(BilibiliClient.failure(of: response, context)))
        }
    }

    /// Tells UPOS the file is whole: the parts, by part number. Network and server errors are retried.
    func complete(_ ticket: UposTicket, uploadId: String, fileName: String,
                  parts: [UploadPart]) async throws(SessionFailure) {
        let context = "completing the upload of \(fileName)"
        let query = "output=json&name=\(PercentEncoding.encode(fileName))&profile=ugcupos/bup"
            + "&uploadId=\(PercentEncoding.encode(uploadId))&biz_id=\(ticket.bizId)"
        var request = ticket.request("POST", query: query, timeout: .seconds(60))
        request.headers.append(("Content-Type", "application/json; charset=UTF-8"))
        request.body = Array(try! JSONEncoder().encode(CompleteBody(parts: parts)))
        let response: HTTPResponse
        do throws(UploadError) {
            response = try await retryingTransient { () async throws(UploadError) in
                let response = try await client.send(request, context)
                guard !(500..<600).contains(response.status) else { throw BilibiliClient.failure(of: response, context) }
                return response
            }
        } catch {
            throw .failed(error)
        }
        if SessionFailure.goneStatuses.contains(response.status) {
            throw .gone(BilibiliClient.failure(of: response, context))
        }
        guard (200..<300).contains(response.status), let answer = UposAnswer(response.body) else {
            throw .failed(BilibiliClient.failure(of: response, context))
        }
        guard answer.isOK else {
            throw .failed(UploadError(.api, context, answer.string("message") ?? answer.string("info") ?? "UPOS did not answer OK",
                                      status: response.status))
        }
    }

    /// Sends `request` with `body` in place (no copy); `body` stays valid until this returns.
    private func sendBody(_ request: HTTPRequest, body: UnsafeRawBufferPointer) async -> Result<HTTPResponse, NetError> {
        var request = request
        request.url = client.remap.apply(request.url)
        if request.proxy == nil { request.proxy = client.proxy }
        return await HTTPClient.upload(request, body: body)
    }

    private func retryingTransient<T>(_ call: () async throws(UploadError) -> T) async throws(UploadError) -> T {
        var retry = 0
        while true {
            do throws(UploadError) {
                return try await call()
            } catch where error.isTransient && error.kind != .rateLimited && retry < timing.chunkRetries {
                retry += 1
                try await UposPause.sleep(timing.chunkRetryWait(retry: retry))
            }
        }
    }

    private struct CompleteBody: Encodable {
        var parts: [UploadPart]
    }
}

/// One chunk: 0-based index of `count`, its place in the file of `total` bytes.
struct ChunkPlan: Sendable {
    var index: Int
    var count: Int
    var offset: Int64
    var length: Int
    var total: Int64
}

/// A part as the complete call lists it.
struct UploadPart: Encodable, Sendable {
    var partNumber: Int
    var eTag: String
    var bytes: Int64

    enum CodingKeys: String, CodingKey { case partNumber, eTag }
}
