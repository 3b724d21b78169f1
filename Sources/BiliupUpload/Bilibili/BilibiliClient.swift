import BiliupNet
import Foundation

/// Sends requests to Bilibili through the host remap and reads its answers. Stateless: the caller
/// puts the account's cookies or signed token on each request.
public struct BilibiliClient: Sendable {
    public let remap: HostRemap
    public let proxy: String?

    /// What biliup's web requests present themselves as (a desktop Chrome).
    public static let webUserAgent =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
    /// What the app endpoints expect.
    public static let appUserAgent = "Mozilla/5.0 BiliDroid/7.80.0 (bbcallen@gmail.com) os/android model/MI 6 mobi_app/android build/7800300 channel/bili innerVer/7800310 osVer/13 network/2"

    public init(remap: HostRemap = HostRemap(), proxy: String? = nil) {
        self.remap = remap
        self.proxy = proxy
    }

    /// `request` sent to where the remap points its URL. Any HTTP status is returned; only a failed
    /// transfer throws.
    public func send(_ request: HTTPRequest, _ context: String) async throws(UploadError) -> HTTPResponse {
        var request = request
        request.url = remap.apply(request.url)
        if request.proxy == nil { request.proxy = proxy }
        switch await HTTPClient.fetch(request) {
        case .success(let response): return response
        case .failure(let error): throw UploadError(error, context)
        }
    }

    /// The `data` of a `{code, message, data}` answer, decoded as `T`; a non-zero code throws, as a rate
    /// limit or a lost login where the code says so.
    public func call<T: Decodable & Sendable>(_ request: HTTPRequest, _ context: String, as type: T.Type) async throws(UploadError) -> T {
        let response = try await send(request, context)
        let envelope: Envelope<T>
        do {
            envelope = try JSONDecoder().decode(Envelope<T>.self, from: Data(response.body))
        } catch {
            throw Self.failure(of: response, context)
        }
        guard envelope.code == 0 else {
            throw Self.apiError(code: envelope.code, message: envelope.message ?? "", status: response.status, context)
        }
        guard let data = envelope.data else {
            throw UploadError(.badResponse, context, "the answer has code 0 but no data")
        }
        return data
    }

    /// A `{code, message}` answer whose data does not matter (an edit, a confirmation).
    public func callIgnoringData(_ request: HTTPRequest, _ context: String) async throws(UploadError) {
        let response = try await send(request, context)
        guard let envelope = try? JSONDecoder().decode(Envelope<IgnoredData>.self, from: Data(response.body)) else {
            throw Self.failure(of: response, context)
        }
        guard envelope.code == 0 else {
            throw Self.apiError(code: envelope.code, message: envelope.message ?? "", status: response.status, context)
        }
    }

    /// The error for an answer that is not Bilibili's JSON envelope: rate limits by HTTP status, other
    /// statuses as such, and a 2xx with another body as a bad response. The body is never quoted.
    public static func failure(of response: HTTPResponse, _ context: String) -> UploadError {
        if rateLimitStatuses.contains(response.status) {
            return UploadError(.rateLimited, context, "Bilibili says uploads come too fast", status: response.status)
        }
        if !(200..<300).contains(response.status) {
            return UploadError(.http, context, "HTTP \(response.status)", status: response.status)
        }
        return UploadError(.badResponse, context, "the answer is not the JSON Bilibili sends", status: response.status)
    }

    public static func apiError(code: Int, message: String, status: Int, _ context: String) -> UploadError {
        if rateLimitCodes.contains(code) {
            return UploadError(.rateLimited, context, message.isEmpty ? "Bilibili says uploads come too fast" : message, code: code, status: status)
        }
        if loginCodes.contains(code) {
            return UploadError(.needsLogin, context, message.isEmpty ? "the account is not logged in" : message, code: code, status: status)
        }
        return UploadError(.api, context, message.isEmpty ? "refused" : message, code: code, status: status)
    }

    /// 406 and 601 are what the upload endpoints answer when an account uploads too fast
    /// (biliup #1285, #1593); 429 is HTTP's own.
    static let rateLimitStatuses: Set<Int> = [406, 429, 601]
    /// 601 on preupload, 21070 on submission ("投稿过于频繁"), 406 in the body of a 406.
    static let rateLimitCodes: Set<Int> = [406, 601, 21070]
    /// -101: not logged in; -2: access key invalid; 61000/61001: token expired or refused (oauth2).
    static let loginCodes: Set<Int> = [-101, -2, 61000, 61001]
}

struct Envelope<T: Decodable>: Decodable {
    var code: Int
    var message: String?
    var data: T?
}

struct IgnoredData: Decodable {
    init(from decoder: any Decoder) throws {}
}
