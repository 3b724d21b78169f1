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
    let passwordCost: UInt8
    let responses = ResponseCache()
}
