import Foundation
import Hummingbird

/// Who may call a route.
/// Routes are `.user` unless declared otherwise: public only by declaration.
enum Access: String, Sendable {
    /// Anyone (the login page's routes, the API's description).
    case open
    /// A logged-in user, or anyone while no login is needed.
    case user
    /// An admin, or anyone while no login is needed.
    case admin
}

/// One route as `openapi.json` describes it.
struct RouteSpec: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let summary: String
    let access: Access
    let query: [QueryParameter]
    /// The JSON body's fields, when the route takes one.
    let body: ObjectSchema?
    /// What the success answer carries; nil for none (204).
    let response: ResponseBody?
    /// The success status.
    let status: Int
}

/// The routes that exist, shared with the error middleware (405s) once they are all registered.
final class RouteCatalog: Sendable {
    private let specs = Locked<[RouteSpec]>([])

    func set(_ all: [RouteSpec]) { specs.withLock { $0 = all } }

    /// The methods of the routes whose path pattern matches `path` (`{id}` matches one segment).
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return specs.value.filter { spec in
            let pattern = spec.path.split(separator: "/", omittingEmptySubsequences: false)
            return pattern.count == parts.count && zip(pattern, parts).allSatisfy { p, s in p.hasPrefix("{") || p == s }
        }.map(\.method)
    }
}

/// Registers routes on the router and remembers them, so that the OpenAPI document lists exactly
/// the routes that exist.
final class RouteTable {
    let router: Router<APIContext>
    let authenticator: Authenticator
    private(set) var specs: [RouteSpec] = []

    init(router: Router<APIContext>, authenticator: Authenticator) {
        self.router = router
        self.authenticator = authenticator
    }

    func add(_ method: HTTPRequest.Method, _ path: String, _ summary: String, access: Access = .user,
             query: [QueryParameter] = [], body: (any RequestBody.Type)? = nil, response: ResponseBody?, status: Int = 200,
             _ handler: @escaping @Sendable (Request, APIContext) async throws -> Response) {
        specs.append(RouteSpec(method: method, path: path, summary: summary, access: access, query: query, body: body?.schema,
                               response: response, status: status))
        let authenticator = self.authenticator
        // Every route checks its own access: nothing is reachable by a spelling of its path that a
        // middleware in front of the router would read differently.
        router.on(RouterPath(path), method: method) { request, context in
            var context = context
            try context.authorize(access, request: request, authenticator)
            return try await handler(request, context)
        }
    }
}

extension APIContext {
    /// The `{id}` of the path, which must be a positive integer.
    func id(_ name: String = "id") throws -> Int64 {
        guard let text = parameters.get(name), let id = Int64(text), id > 0 else {
            throw APIError.badRequest("\(name): expected a positive integer, got \"\(parameters.get(name) ?? "")\"")
        }
        return id
    }
}

extension Request {
    /// An integer query parameter within `range`, or its default.
    func int(_ name: String, default value: Int? = nil, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = uri.queryParameters.get(name), !text.isEmpty else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw APIError.badRequest("\(name): expected an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return n
    }

    /// A time query parameter: unix seconds, or an ISO 8601 date.
    func time(_ name: String) throws -> Date? {
        guard let text = uri.queryParameters.get(name), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        throw APIError.badRequest("\(name): expected unix seconds or an ISO 8601 time, got \"\(text)\"")
    }
}
