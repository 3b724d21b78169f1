import BiliupStore
import Foundation
import Hummingbird

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
            guard let user = try s.store.user(named: input.username), let userId = user.id,
                  Secrets.verify(input.password, hash: user.passwordHash) else {
                throw APIError(.unauthorized, "bad_credentials", "wrong user name or password")
            }
            let secret = Secrets.newToken()
            let expires = Date() + sessionLifetime
            try s.store.addToken(TokenRecord(userId: userId, kind: .session, name: "login", secretHash: Secrets.tokenHash(secret), expiresAt: expires))
            var response = JSON.response(LoginAnswer(token: secret, user: UserDTO(user), expiresAt: expires.timeIntervalSince1970))
            response.headers[.setCookie] = "\(Authenticator.cookieName)=\(secret); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(sessionLifetime))"
            return response
        }
        table.add(.post, "/api/logout", "End this login (token revoked, cookie cleared)", response: nil, status: 204) { request, context in
            if let token = Authenticator.token(in: request.headers), let identity = context.identity {
                try? s.store.deleteToken(id: identity.tokenId)
                s.authenticator.forget(token: token)
            }
            var response = Response(status: .noContent)
            response.headers[.setCookie] = "\(Authenticator.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            return response
        }
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
