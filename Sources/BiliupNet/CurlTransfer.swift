import CCurl
import Foundation

/// One easy handle configured from an `HTTPRequest`. Subclasses decide where the body goes;
/// `receive` and `complete` run on the loop thread.
public class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    let request: HTTPRequest
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl keeps this pointer and writes into it until the handle is cleaned up, so it is memory of
    /// our own for the handle's life (an array's buffer pointer is only valid inside its closure).
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Media transfers get larger reads: half the CPU per GB of the 16 KiB default (reference/swift-c-interop.md §4).
    static let mediaBufferBytes = 256 << 10

    /// The schemes libcurl may use, for the first request and for every redirect: libcurl speaks many
    /// more (file, gopher, dict, ftp, smtp, ...), and a playlist or a redirect from any server could name them.
    static let allowedProtocols = "http,https"

    private let addressGuard = PrivateAddressGuard()

    init(request: HTTPRequest, media: Bool) throws(NetError) {
        guard request.url.contains("://") else { throw .invalidURL(request.url) }
        guard HTTPRequest.hasAllowedScheme(request.url) else { throw .schemeNotAllowed(request.url) }
        if let problem = RequestHeaderRules.problem(in: request.headers) ?? RequestHeaderRules.problem(method: request.method)
            ?? request.cookie.flatMap({ RequestHeaderRules.problem(name: "Cookie", value: $0) }) {
            throw .invalidRequest(problem)
        }
        guard let e = curl_easy_init() else { throw .transfer("curl_easy_init failed") }
        guard shim_easy_setopt_str(e, CURLOPT_PROTOCOLS_STR, CurlTransfer.allowedProtocols) == CURLE_OK,
              shim_easy_setopt_str(e, CURLOPT_REDIR_PROTOCOLS_STR, CurlTransfer.allowedProtocols) == CURLE_OK
        else {
            curl_easy_cleanup(e)
            throw .transfer("this libcurl cannot be limited to http and https")
        }
        easy = e
        self.request = request
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = shim_easy_setopt_str(e, CURLOPT_URL, request.url)
        _ = shim_easy_setopt_long(e, CURLOPT_NOSIGNAL, 1)
        _ = shim_easy_setopt_long(e, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        _ = shim_easy_setopt_long(e, CURLOPT_MAXREDIRS, 10)
        _ = shim_easy_setopt_long(e, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.milliseconds)
        _ = shim_easy_setopt_long(e, CURLOPT_TCP_KEEPALIVE, 1)
        if media {
            _ = shim_easy_setopt_long(e, CURLOPT_BUFFERSIZE, CurlTransfer.mediaBufferBytes)
        } else {
            _ = shim_easy_setopt_long(e, CURLOPT_TIMEOUT_MS, request.timeout.milliseconds)
            _ = shim_easy_setopt_str(e, CURLOPT_ACCEPT_ENCODING, "")  // every encoding this libcurl decodes
        }
        var hasUA = false
        for (k, v) in request.headers {
            if k.lowercased() == "user-agent" { hasUA = true }
            headerList = curl_slist_append(headerList, "\(k): \(v)")
        }
        if !hasUA { _ = shim_easy_setopt_str(e, CURLOPT_USERAGENT, HTTPRequest.defaultUserAgent) }
        if let headerList { _ = shim_easy_setopt_slist(e, CURLOPT_HTTPHEADER, headerList) }
        if let proxy = request.proxy { _ = shim_easy_setopt_str(e, CURLOPT_PROXY, proxy) }
        if let cookie = request.cookie { _ = shim_easy_setopt_str(e, CURLOPT_COOKIE, cookie) }
        if let jar = request.cookieJar {
            _ = shim_easy_setopt_ptr(e, CURLOPT_SHARE, jar.share)
            _ = shim_easy_setopt_str(e, CURLOPT_COOKIEFILE, "")  // "" turns the cookie engine on without a file
        }
        if request.method == "HEAD" {
            _ = shim_easy_setopt_long(e, CURLOPT_NOBODY, 1)
        } else if request.method != "GET" || request.body != nil {
            _ = shim_easy_setopt_str(e, CURLOPT_CUSTOMREQUEST, request.method)
            if let body = request.body {
                _ = shim_easy_setopt_off(e, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                _ = body.withUnsafeBufferPointer { shim_easy_setopt_str(e, CURLOPT_COPYPOSTFIELDS, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) }
            }
        }
        _ = shim_easy_setopt_ptr(e, CURLOPT_ERRORBUFFER, errorBuffer)
        let me = Unmanaged.passUnretained(self).toOpaque()
        if request.blockPrivateAddresses { addressGuard.install(on: e) }
        _ = shim_easy_setopt_write_cb(e, curlWriteCallback)
        _ = shim_easy_setopt_ptr(e, CURLOPT_WRITEDATA, me)
        _ = shim_easy_setopt_header_cb(e, curlHeaderCallback)
        _ = shim_easy_setopt_ptr(e, CURLOPT_HEADERDATA, me)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Response headers of the last response (after redirects), names lower-cased. Loop thread.
    private(set) var responseHeaders: [String: String] = [:]
    private(set) var responseSetCookies: [String] = []

    func receiveHeader(_ line: String) {
        if line.hasPrefix("HTTP/") {
            responseHeaders.removeAll()
            responseSetCookies.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        responseHeaders[name] = value
        if name == "set-cookie" { responseSetCookies.append(value) }
    }

    /// Whether someone waits for the whole transfer (a request), rather than reading a long body as it
    /// comes (a stream); the loop services sockets more often while requests are in flight.
    var awaitsCompletion: Bool { true }
    /// Bytes taken in the loop's round number `round` (see `CurlLoop.backlogBytes`). Loop thread only.
    var roundBytes = 0
    var round = 0
    /// A stream that has not received its first body bytes yet (see `CurlLoop.settleTime`). Loop thread only.
    var settling = false

    func receive(_ data: UnsafeRawPointer, _ count: Int) -> Bool { fatalError("subclass") }
    func complete(_ code: CURLcode) { fatalError("subclass") }

    var responseStatus: Int {
        var code = 0
        _ = shim_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    var effectiveURL: String {
        var p: UnsafeMutablePointer<CChar>?
        _ = shim_easy_getinfo_str(easy, CURLINFO_EFFECTIVE_URL, &p)
        return p.map { String(cString: $0) } ?? request.url
    }

    /// Where the last response redirected to: a redirect to another scheme is absolute, so its Location
    /// header is the whole target (libcurl's CURLINFO_REDIRECT_URL is empty while it follows redirects).
    private var redirectTarget: String? { responseHeaders["location"] }

    /// Turns a finished transfer's curl code into the error a user can act on.
    func failure(for code: CURLcode) -> NetError? {
        if code == CURLE_OK { return nil }
        if let refused = addressGuard.refused { return .privateAddress(refused) }
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_ABORTED_BY_CALLBACK: return .cancelled
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connect(message)
        case CURLE_OPERATION_TIMEDOUT: return .timeout(message)
        case CURLE_URL_MALFORMAT: return .invalidURL(request.url)
        case CURLE_UNSUPPORTED_PROTOCOL: return .schemeNotAllowed(redirectTarget ?? request.url)
        default: return .transfer(message)
        }
    }
}

let curlHeaderCallback: shim_curl_data_cb = { ptr, size, nmemb, userdata in
    let t = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    let n = size * nmemb
    t.receiveHeader(String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self))
    return n
}
