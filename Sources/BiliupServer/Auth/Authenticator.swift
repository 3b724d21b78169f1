import BiliupEngine
import BiliupStore
import Foundation
import Hummingbird
import HTTPTypes
import Synchronization

/// Decides who a request comes from (session cookie or bearer token) and whether a login is needed.
///
/// A login is needed when the server listens beyond loopback, or as soon as a user exists. Tokens are
/// looked up in the store and remembered for a few seconds, so a busy client costs a hash, not a query,
/// per request; logging out or deleting a token forgets it at once.
final class Authenticator: Sendable {
    static let cookieName = "biliup_session"
    /// How long a looked-up token (or the user count) is trusted before the store is asked again.
    static let cacheLifetime: TimeInterval = 10
    /// Tokens remembered at once; beyond it (a flood of logins) requests are simply looked up.
    static let cacheCapacity = 10_000

    let store: Store
    /// Listening beyond loopback: every route needs a login, whatever the user count.
    let exposed: Bool
    /// Identities by the secret itself (held in memory only), so a cached request costs a dictionary
    /// lookup and not a SHA-256.
    private let cache = Mutex<[String: (identity: Identity, until: Date)]>([:])
    private let users = Mutex<(count: Int, until: Date)>((0, .distantPast))

    init(store: Store, exposed: Bool) {
        self.store = store
        self.exposed = exposed
    }

    /// Whether requests need a login. A count of users above zero is remembered for a while; zero
    /// never is, so a user added by another process (`biliup user add`) closes the API at once.
    var loginRequired: Bool {
        if exposed { return true }
        let now = Date()
        if users.withLock({ $0.until > now && $0.count > 0 }) { return true }
        let count = (try? store.userCount()) ?? 1  // a store that cannot be read locks the API rather than opening it
        if count > 0 { users.withLock { $0 = (count, now + Self.cacheLifetime) } }
        return count > 0
    }

    /// Users were added or removed.
    func usersChanged() {
        users.withLock { $0.until = .distantPast }
        cache.withLock { $0.removeAll() }
    }

    func forget(token: String) {
        _ = cache.withLock { $0.removeValue(forKey: token) }
    }

    func forgetAll() {
        cache.withLock { $0.removeAll() }
    }

    /// The identity behind the request's cookie or bearer token, if valid.
    func identity(headers: HTTPFields) -> Identity? {
        guard let token = Self.token(in: headers) else { return nil }
        let now = Date()
        if let hit = cache.withLock({ $0[token] }), hit.until > now { return hit.identity }
        let hash = TokenSecret.hash(token)
        guard let (record, user) = try? store.token(secretHash: hash, at: now), let tokenId = record.id, let userId = user.id else {
            forget(token: token)
            return nil
        }
        try? store.touchTokens([tokenId], at: now)
        let identity = Identity(userId: userId, name: user.name, admin: user.admin, tokenId: tokenId)
        let until = min(now + Self.cacheLifetime, record.expiresAt ?? .distantFuture)
        cache.withLock { cache in
            // Bounded: wrong tokens are never cached, and expired entries go when the cache is full.
            if cache.count >= Self.cacheCapacity { cache = cache.filter { $0.value.until > now } }
            if cache.count < Self.cacheCapacity { cache[token] = (identity, until) }
        }
        return identity
    }

    static func token(in headers: HTTPFields) -> String? {
        if let auth = headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        for cookieHeader in headers[values: .cookie] {
            for pair in cookieHeader.split(separator: ";") {
                let kv = pair.trimmingCharacters(in: .whitespaces)
                if kv.hasPrefix(cookieName + "=") { return String(kv.dropFirst(cookieName.count + 1)) }
            }
        }
        return nil
    }
}

extension APIContext {
    /// Sets who is asking and refuses the request unless `access` lets them in. Called for every
    /// route by the route table, after routing, so that what is checked is the route that runs.
    mutating func authorize(_ access: Access, request: Request, _ authenticator: Authenticator) throws {
        identity = authenticator.identity(headers: request.headers)
        switch access {
        case .open: return
        case .user: if identity == nil, authenticator.loginRequired { throw APIError.loginRequired }
        case .admin: try requireAdmin(authenticator)
        }
    }

    /// Options that decide where files are written or what the machine connects to: only admins set
    /// them, globally or per streamer.
    static let adminOnlyOptions: Set<String> = ["output", "block_private_addresses"]

    /// Refuses a non-admin who tries to set one of `adminOnlyOptions`.
    func requireAdmin<Keys: Sequence<String>>(toChange keys: Keys, _ authenticator: Authenticator) throws {
        guard let key = keys.first(where: Self.adminOnlyOptions.contains) else { return }
        do {
            try requireAdmin(authenticator)
        } catch let error as APIError where error.status == .forbidden {
            throw APIError(.forbidden, "forbidden", "only an admin may change \(key)")
        }
    }

    /// Admin routes: an admin, or anyone while no login is needed (a single-user machine on loopback).
    func requireAdmin(_ authenticator: Authenticator) throws {
        if let identity {
            guard identity.admin else { throw APIError.forbidden }
        } else if authenticator.loginRequired {
            throw APIError.loginRequired
        }
    }
}
