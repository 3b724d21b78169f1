import BiliupEngine
import BiliupStore
import Foundation
import Hummingbird
import NIOCore

/// An error as every API route answers it: `{"error": {"code", "message"}}` with its HTTP status.
struct APIError: Error, HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    /// Headers the answer needs besides the JSON type: `Allow` on a 405, `Retry-After` on a 429.
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    static func badRequest(_ message: String, code: String = "bad_request") -> APIError { APIError(.badRequest, code, message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }
    static let loginRequired = APIError(.unauthorized, "login_required", "log in first (POST /api/login), or send Authorization: Bearer TOKEN")
    static let forbidden = APIError(.forbidden, "forbidden", "only an admin may do this")
    static let noRoute = APIError.notFound("no such route")
    static let busy = APIError(.serviceUnavailable, "busy", "too many password checks are waiting; try again in a moment",
                               headers: [.retryAfter: "1"])

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: JSON.encode(Body(error: .init(code: code, message: message))))))
    }

    private struct Body: Encodable {
        struct Inner: Encodable { let code: String; let message: String }
        let error: Inner
    }

    /// Any error a route threw, as the client should see it. Bad input is never a 500: only a failure
    /// of the store or something unforeseen is, and its message says what failed.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as EngineError:
            switch e.kind {
            case .invalid: return APIError(.badRequest, "invalid_field", e.message)
            case .notFound: return .notFound(e.message)
            case .conflict: return APIError(.conflict, "conflict", e.message)
            case .declaredInScript: return APIError(.conflict, "declared_in_script", e.message)
            case .storage: return APIError(.internalServerError, "storage", e.message)
            case .upstream: return APIError(.badGateway, "bilibili_unreachable", e.message)
            }
        case let e as StoreError:
            switch e.kind {
            case .notFound: return .notFound(e.message)
            case .conflict: return APIError(.conflict, "conflict", e.message)
            case .open, .database: return APIError(.internalServerError, "storage", e.message)
            }
        case let e as DecodingError:
            return APIError(.badRequest, "invalid_json", JSON.describe(e))
        case let e as HTTPError:
            switch e.status {
            case .contentTooLarge: return APIError(.contentTooLarge, "too_large", "the request body is larger than \(APIContext.maxBody >> 10) KiB")
            case .notFound: return .noRoute
            case .methodNotAllowed: return APIError(.methodNotAllowed, "method_not_allowed", "method not allowed on this route")
            default: return APIError(e.status, e.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"), e.body ?? e.status.reasonPhrase)
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "too_large", "the request body is larger than \(APIContext.maxBody >> 10) KiB")
        default:
            return APIError(.internalServerError, "internal", "\(error)")
        }
    }
}

/// Turns every error into the API's JSON form; a request for a route that exists with other methods
/// is a 405 naming them, for no route at all a 404.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteCatalog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var apiError = APIError.from(error)
            if (apiError.status == .notFound && apiError.message == APIError.noRoute.message) || apiError.status == .methodNotAllowed {
                let allowed = routes.methods(matching: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method) {
                    let list = allowed.map(\.rawValue).joined(separator: ", ")
                    apiError = APIError(.methodNotAllowed, "method_not_allowed", "\(request.method.rawValue) is not allowed here; use \(list)",
                                        headers: [.allow: list])
                }
            }
            throw apiError
        }
    }
}
