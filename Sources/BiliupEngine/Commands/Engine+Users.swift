import BiliupStore
import Foundation

// The engine's commands for users and their tokens. Passwords arrive hashed: how they are hashed is
// the server's business (bcrypt, off the cooperative pool).
extension Engine {
    public func users() throws(EngineError) -> [UserRecord] {
        do { return try store.users() } catch { throw EngineError(error) }
    }

    public func addUser(name: String, passwordHash: String, admin: Bool) throws(EngineError) -> UserRecord {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64 else { throw EngineError.invalid("name", "1 to 64 characters") }
        let user: UserRecord
        do { user = try store.addUser(UserRecord(name: name, passwordHash: passwordHash, admin: admin)) } catch { throw EngineError(error) }
        publish(EngineEvent(.config, message: "user '\(user.name)' added\(admin ? " as an admin" : "")"))
        return user
    }

    /// Changes a user's password (which ends their logins) or admin flag; nil leaves it.
    public func updateUser(id: Int64, passwordHash: String?, admin: Bool?) throws(EngineError) -> UserRecord {
        let user: UserRecord
        do { user = try store.updateUser(id: id, passwordHash: passwordHash, admin: admin) } catch { throw EngineError(error) }
        let changes = [passwordHash.map { _ in "password" }, admin.map { "admin \($0)" }].compactMap { $0 }
        publish(EngineEvent(.config, message: "user '\(user.name)' changed: \(changes.isEmpty ? "nothing" : changes.joined(separator: ", "))"))
        return user
    }

    /// Deletes a user and their tokens (the last admin stays).
    public func removeUser(id: Int64) throws(EngineError) {
        let name: String?
        do {
            name = try store.user(id: id)?.name
            try store.deleteUser(id: id)
        } catch { throw EngineError(error) }
        publish(EngineEvent(.config, message: "user '\(name ?? String(id))' deleted"))
    }

    /// API tokens (never login tokens), newest first.
    public func apiTokens() throws(EngineError) -> [TokenRecord] {
        do { return try store.apiTokens() } catch { throw EngineError(error) }
    }

    /// Makes a token for `userId` (nil: the first admin, for a machine without logins) and returns its
    /// secret, which exists only in this answer.
    public func issueToken(userId: Int64?, kind: TokenKind, name: String, expiresAt: Date?) throws(EngineError) -> (TokenRecord, secret: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw EngineError.invalid("name", "1 to 100 characters") }
        let owner: UserRecord?
        do { owner = try userId.map { try store.user(id: $0) } ?? store.users().first(where: \.admin) } catch { throw EngineError(error) }
        guard let owner, let ownerId = owner.id else {
            throw EngineError(.conflict, "no user to own the token: add one with `biliup user add NAME`")
        }
        let secret = TokenSecret.make()
        let token: TokenRecord
        do {
            token = try store.addToken(TokenRecord(userId: ownerId, kind: kind, name: name, secretHash: TokenSecret.hash(secret), expiresAt: expiresAt))
        } catch { throw EngineError(error) }
        switch kind {
        case .session: publish(EngineEvent(.config, message: "user '\(owner.name)' logged in"))
        case .api: publish(EngineEvent(.config, message: "API token '\(name)' made for user '\(owner.name)'"))
        }
        return (token, secret)
    }

    /// Revokes an API token; `kind` guards against ending something else by its id (a login ends with its logout).
    public func revokeToken(id: Int64, kind: TokenKind) throws(EngineError) {
        let token: TokenRecord?
        let owner: String?
        do {
            token = try store.token(id: id)
            owner = try token.flatMap { try store.user(id: $0.userId)?.name }
        } catch { throw EngineError(error) }
        guard let token, token.kind == kind else { throw EngineError(.notFound, "token \(id) not found") }
        do { try store.deleteToken(id: id) } catch { throw EngineError(error) }
        switch kind {
        case .session: publish(EngineEvent(.config, message: "user '\(owner ?? String(token.userId))' logged out"))
        case .api: publish(EngineEvent(.config, message: "API token '\(token.name)' revoked"))
        }
    }
}
