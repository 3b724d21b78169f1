import Foundation
import Hummingbird
import HTTPTypes

/// The first thing every request meets, before routing: one spelling of every path, a known Host,
/// no other site's page, JSON bodies only for changes, bounded targets; and the headers every answer
/// carries. Errors are answered here, so they carry those headers too.
struct RequestGuard: RouterMiddleware {
    typealias Context = APIContext
    /// Longest request target (path and query): a URL longer than this is no client's, and it would
    /// be echoed into logs and events.
    static let maxTargetBytes = 4096
    static let stateChanging: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    let hosts: HostPolicy

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            try check(request)
            response = try await next(request, context)
        } catch {
            response = try APIError.from(error).response(from: request, context: context)
        }
        Self.addSafetyHeaders(&response.headers)
        return response
    }

    private func check(_ request: Request) throws {
        let target = request.head.path ?? ""
        if target.utf8.count > Self.maxTargetBytes {
            throw APIError(.uriTooLong, "uri_too_long", "the request target is longer than \(Self.maxTargetBytes) bytes")
        }
        if let why = hosts.refusal(host: request.head.authority) { throw APIError(.forbidden, "unknown_host", why) }
        let path = request.uri.path
        if let why = Self.oddity(of: path) { throw APIError(.badRequest, "bad_path", "\(why): refused (write the path plainly)") }
        guard Self.isAPI(path) else { return }
        if let why = hosts.crossSiteRefusal(request.headers, authority: request.head.authority) {
            throw APIError(.forbidden, "cross_site", why)
        }
        if Self.stateChanging.contains(request.method), let why = Self.bodyTypeRefusal(request.headers) {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", why)
        }
    }

    /// The API's paths: /api and below, and /metrics (API answers and rules, not the web page's).
    static func isAPI(_ path: String) -> Bool {
        path == "/api" || path.hasPrefix("/api/") || path == MetricsRoutes.path || path.hasPrefix(MetricsRoutes.path + "/")
    }

    /// Why a path is not in its one plain spelling, or nil: empty segments (`//api/x`, a trailing
    /// `/` under /api), `.` and `..` segments, and percent-encoded separators, dots or control
    /// characters — spellings a router and a prefix check might read differently.
    static func oddity(of path: String) -> String? {
        guard path.hasPrefix("/") else { return "the path must start with /" }
        if path == "/" { return nil }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (i, segment) in segments.enumerated() {
            let last = i == segments.count - 1
            if segment.isEmpty, !(last && !isAPI(path)) { return "the path has an empty segment" }
            if segment == "." || segment == ".." { return "the path has a \"\(segment)\" segment" }
        }
        let lower = path.lowercased()
        for encoded in ["%2f", "%5c", "%2e", "%00"] where lower.contains(encoded) { return "the path has an encoded \"\(encoded)\"" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }) {
            return "the path has a control character or a backslash"
        }
        return nil
    }

    /// A change must come as JSON (or with no body at all): a page of another site can send a form or
    /// `text/plain` without asking, but JSON needs a CORS preflight, which this server never grants.
    static func bodyTypeRefusal(_ headers: HTTPFields) -> String? {
        let type = headers[.contentType]
        let length = headers[.contentLength].flatMap { Int($0) }
        let hasBody = (length ?? 0) > 0 || headers[.transferEncoding] != nil
        guard type != nil || hasBody else { return nil }
        let media = type?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return media == "application/json" ? nil : "a request body must be JSON: send Content-Type: application/json (got \(type.map { "\"\($0.prefix(80))\"" } ?? "none"))"
    }

    static func addSafetyHeaders(_ headers: inout HTTPFields) {
        // Files are served with the type we say, never sniffed into HTML; no framing (clickjacking);
        // no other site embeds the API's answers or recordings.
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
    }
}
