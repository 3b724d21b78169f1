import BiliupEngine
import BiliupStore
import Foundation

/// What the routes work with: the engine (every command and every change goes through it), the store
/// (reads of history and logins), and the event feed.
struct ServerServices: Sendable {
    let engine: Engine
    let store: Store
    let authenticator: Authenticator
    let feed: EventFeed
    let version: String
    /// bcrypt for logins and password changes, off the cooperative pool.
    let hasher: PasswordHasher
    let throttle = LoginThrottle()
    let responses = ResponseCache()
}
