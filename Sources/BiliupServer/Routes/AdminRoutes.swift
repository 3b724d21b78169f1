import BiliupStore
import Foundation
import Hummingbird

/// `/api/users` and `/api/tokens`: admins only.
enum AdminRoutes {
    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/users", "List users", access: .admin, response: .json(.ref("UserList"))) { _, _ in
            JSON.response(Items(items: try await s.engine.users().map(UserDTO.init)))
        }
        table.add(.post, "/api/users", "Add a user", access: .admin, body: UserInput.self,
                  response: .json(.ref("User")), status: 201) { request, context in
            let input = try await JSON.decode(UserInput.self, from: request, context: context)
            guard let password = input.password else { throw APIError(.badRequest, "invalid_field", "password: required") }
            if let why = Secrets.weakness(of: password) { throw APIError(.badRequest, "invalid_field", "password: \(why)") }
            let hash = try await hashed(password, s)
            let user = try await s.engine.addUser(name: input.name ?? "", passwordHash: hash, admin: input.admin ?? false)
            s.authenticator.usersChanged()
            return JSON.response(UserDTO(user), status: .created)
        }
        table.add(.put, "/api/users/{id}", "Change a user's password or admin flag", access: .admin, body: UserChange.self,
                  response: .json(.ref("User"))) { request, context in
            let id = try context.id()
            let input = try await JSON.decode(UserChange.self, from: request, context: context)
            if let password = input.password, let why = Secrets.weakness(of: password) {
                throw APIError(.badRequest, "invalid_field", "password: \(why)")
            }
            var hash: String?
            if let password = input.password { hash = try await hashed(password, s) }
            let user = try await s.engine.updateUser(id: id, passwordHash: hash, admin: input.admin)
            s.authenticator.usersChanged()
            return JSON.response(UserDTO(user))
        }
        table.add(.delete, "/api/users/{id}", "Delete a user and their tokens", access: .admin, response: nil, status: 204) { _, context in
            try await s.engine.removeUser(id: try context.id())
            s.authenticator.usersChanged()
            return Response(status: .noContent)
        }
        table.add(.get, "/api/tokens", "List API tokens (never their secrets)", access: .admin,
                  response: .json(.ref("TokenList"))) { _, _ in
            JSON.response(Items(items: try await s.engine.apiTokens().map { TokenDTO($0) }))
        }
        table.add(.post, "/api/tokens", "Make an API token for the logged-in admin; its secret is in this answer only", access: .admin,
                  body: TokenInput.self, response: .json(.ref("Token")), status: 201) { request, context in
            let input = try await JSON.decode(TokenInput.self, from: request, context: context)
            if let e = input.expiresIn, !(e > 0 && e <= 10 * 365 * 86400) {
                throw APIError(.badRequest, "invalid_field", "expires_in: seconds, more than 0 and at most ten years")
            }
            let (token, secret) = try await s.engine.issueToken(userId: context.identity?.userId, kind: .api, name: input.name ?? "",
                                                                 expiresAt: input.expiresIn.map { Date() + $0 })
            return JSON.response(TokenDTO(token, secret: secret), status: .created)
        }
        table.add(.delete, "/api/tokens/{id}", "Revoke an API token", access: .admin, response: nil, status: 204) { _, context in
            try await s.engine.revokeToken(id: try context.id(), kind: .api)
            s.authenticator.forgetAll()
            return Response(status: .noContent)
        }
    }

    private static func hashed(_ password: String, _ s: ServerServices) async throws -> String {
        do {
            return try await s.hasher.hash(password)
        } catch is PasswordHasher.Busy {
            throw APIError.busy
        }
    }

    struct UserInput: RequestBody {
        let name: String?
        let password: String?
        let admin: Bool?
    }

    /// A user's name is fixed once made; only these change.
    struct UserChange: RequestBody {
        let password: String?
        let admin: Bool?
    }

    struct TokenInput: RequestBody {
        let name: String?
        let expiresIn: Double?
    }
}
