import BiliupStore
import Foundation
import Hummingbird
import HTTPTypes

/// `/api/me`, `/api/login`, `/api/logout`.
enum AuthRoutes {
    /// How long a login lasts.
    static let sessionLifetime: TimeInterval = 30 * 24 * 3600

    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/me", "Whether a login is needed, and who is logged in", access: .open,
                  response: .json(.ref("Me"))) { _, context in
            JSON.response(Me(loginRequired: s.authenticator.loginRequired, user: Nullable(context.identity.map(UserDTO.init))))
        }
        table.add(.post, "/api/login", "Log in: a session cookie and a bearer token", access: .open, body: LoginInput.self,
                  response: .json(.ref("LoginAnswer"))) { request, context in
            let input = try await JSON.decode(LoginInput.self, from: request, context: context)
            let address = context.peerAddress
            if let wait = s.throttle.wait(address: address, user: input.username) {
                let seconds = Int(wait.rounded(.up))
                throw APIError(.tooManyRequests, "too_many_attempts", "too many wrong logins: try again in \(seconds) s",
                               headers: [.retryAfter: String(seconds)])
            }
            let username = input.username
            let user = try await s.store.off { try $0.user(named: username) }
            let matches: Bool
            do {
                matches = try await s.hasher.verify(input.password, hash: user?.passwordHash)
            } catch is PasswordHasher.Busy {
                throw APIError.busy
            }
            guard matches, let user, let userId = user.id else {
                s.throttle.failed(address: address, user: input.username)
                throw APIError(.unauthorized, "bad_credentials", "wrong user name or password")
            }
            s.throttle.succeeded(address: address, user: input.username)
            let expires = Date() + sessionLifetime
            let (_, secret) = try await s.engine.issueToken(userId: userId, kind: .session, name: "login", expiresAt: expires)
            var response = JSON.response(LoginAnswer(token: secret, user: UserDTO(user), expiresAt: expires.timeIntervalSince1970))
            response.headers[.setCookie] = sessionCookie(secret, maxAge: Int(sessionLifetime), request: request)
            return response
        }
        table.add(.post, "/api/logout", "End this login (token revoked, cookie cleared)", response: nil, status: 204) { request, context in
            if let token = Authenticator.token(in: request.headers), let identity = context.identity {
                try? await s.engine.revokeToken(id: identity.tokenId, kind: .session)
                s.authenticator.forget(token: token)
            }
            var response = Response(status: .noContent)
            response.headers[.setCookie] = sessionCookie("", maxAge: 0, request: request)
            return response
        }
    }

    /// The login cookie; `Secure` when the page was reached over TLS (a reverse proxy that terminates
    /// it says so in `X-Forwarded-Proto` or `Forwarded`), so the browser never sends it in clear.
    static func sessionCookie(_ value: String, maxAge: Int, request: Request) -> String {
        let secure = isTLS(request) ? "; Secure" : ""
        return "\(Authenticator.cookieName)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)\(secure)"
    }

    static func isTLS(_ request: Request) -> Bool {
        if request.head.scheme?.lowercased() == "https" { return true }
        if request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased().split(separator: ",").first?
            .trimmingCharacters(in: .whitespaces) == "https" { return true }
        return request.headers[HTTPField.Name("Forwarded")!]?.lowercased().contains("proto=https") ?? false
    }

    struct Me: Encodable {
        let loginRequired: Bool
        let user: Nullable<UserDTO>
    }

    struct LoginInput: RequestBody {
        let username: String
        let password: String
    }

    struct LoginAnswer: Encodable {
        let token: String
        let user: UserDTO
        let expiresAt: Double
    }
}
