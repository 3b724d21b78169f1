import BiliupEngine
import BiliupScript
import BiliupStore
import Foundation

/// What the routes work with: the engine (every command goes through it), the store (history, users),
/// the plugins, and the event feed.
struct ServerServices: Sendable {
    let engine: Engine
    let store: Store
    let plugins: PluginHost
    let authenticator: Authenticator
    let feed: EventFeed
    let version: String
    /// bcrypt for logins and password changes, off the cooperative pool.
    let hasher: PasswordHasher
    let throttle = LoginThrottle()
    let responses = ResponseCache()
}
