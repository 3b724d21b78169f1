import BiliupNet
import BiliupScript
import BiliupStore
import Foundation

// The engine's commands for webhooks. main.lua's are read-only here, as its streamers and templates are.
extension Engine {
    /// The event kinds a webhook can name.
    public static var webhookEvents: [String] { WebhookRules.eventNames }

    public func webhooks() throws(EngineError) -> [WebhookRecord] {
        do { return try store.webhooks() } catch { throw EngineError(error) }
    }

    public func webhook(id: Int64) throws(EngineError) -> WebhookRecord {
        let found: WebhookRecord?
        do { found = try store.webhook(id: id) } catch { throw EngineError(error) }
        guard let found else { throw EngineError(.notFound, "webhook \(id) not found") }
        return found
    }

    /// What the webhook's deliveries came to since the engine started.
    public nonisolated func webhookStats(id: Int64) -> WebhookStats {
        webhookDispatcher.stats(id: id) ?? WebhookStats()
    }

    /// Adds a webhook of the API's; `name` defaults to the URL, `events` to every kind.
    public func addWebhook(name: String?, url: String, events: [String]?, secret: String?) throws(EngineError) -> WebhookRecord {
        let record = WebhookRecord(name: name ?? WebhookRules.defaultName(for: url), origin: .api, url: url, events: events ?? WebhookRules.eventNames,
                                   secret: secret ?? "")
        let saved = try saveWebhook(try checked(record))
        publish(EngineEvent(.config, message: "webhook '\(saved.name)' added through the API"))
        return saved
    }

    /// Changes an API webhook; nil fields stay as they are (an empty secret turns signing off).
    public func updateWebhook(id: Int64, name: String?, url: String?, events: [String]?, secret: String?) throws(EngineError) -> WebhookRecord {
        var record = try apiWebhook(id)
        if let name { record.name = name }
        if let url { record.url = url }
        if let events { record.events = events }
        if let secret { record.secret = secret }
        let saved = try saveWebhook(try checked(record))
        publish(EngineEvent(.config, message: "webhook '\(saved.name)' changed through the API"))
        return saved
    }

    public func removeWebhook(id: Int64) throws(EngineError) {
        let record = try apiWebhook(id)
        do { try store.deleteWebhook(id: id) } catch { throw EngineError(error) }
        refreshWebhooks()
        publish(EngineEvent(.config, message: "webhook '\(record.name)' deleted through the API"))
    }

    /// Sends one `test` event to the webhook now, once (no retries), and says how it went: for a person
    /// setting a receiver up. Goes out under the same rules as every delivery.
    public func testWebhook(id: Int64) async throws(EngineError) -> WebhookTestResult {
        guard let target = WebhookTarget(try webhook(id: id)) else { throw EngineError(.notFound, "webhook \(id) not found") }
        let event = EngineEvent(.config, message: "test delivery from biliup", data: ["test": .bool(true)])
        let payload = WebhookPayload(event, type: "test")
        switch await webhookDispatcher.sender.send(payload, to: target, attempt: 1) {
        case .delivered(let status): return WebhookTestResult(delivered: true, status: status, error: nil, delivery: payload.id)
        case .failed(let reason): return WebhookTestResult(delivered: false, status: nil, error: reason, delivery: payload.id)
        }
    }

    /// main.lua's webhooks into the store (called where its streamers and templates are synced).
    func syncScriptWebhooks(_ declared: [WebhookDeclaration]) throws {
        try store.syncScriptWebhooks(declared.map {
            WebhookRecord(name: $0.name, origin: .script, url: $0.url, events: $0.events, secret: $0.secret)
        })
    }

    /// Delivery follows the store's webhooks from now on. Without a main.lua (`biliup server`) its
    /// webhooks stay in the store for the next `biliup run` but send nothing, as its streamers are not watched.
    func refreshWebhooks() {
        let hasScript = config.hasScript
        do { webhookDispatcher.update(try store.webhooks().filter { hasScript || $0.origin == .api }) } catch {
            publish(EngineEvent(.error, level: .error, message: "webhooks: cannot read them from the store: \(error)"))
        }
    }

    private func saveWebhook(_ record: WebhookRecord) throws(EngineError) -> WebhookRecord {
        let saved: WebhookRecord
        do { saved = try store.saveWebhook(record) } catch { throw EngineError(error) }
        refreshWebhooks()
        return saved
    }

    private func apiWebhook(_ id: Int64) throws(EngineError) -> WebhookRecord {
        let record = try webhook(id: id)
        guard record.origin == .api else {
            throw EngineError(.declaredInScript, "webhook '\(record.name)' is declared in \(config.file); edit it there")
        }
        return record
    }

    /// main.lua's rules, and the address rule of `block_private_addresses` for URLs from the API.
    private func checked(_ record: WebhookRecord) throws(EngineError) -> WebhookRecord {
        var r = record
        r.name = r.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = WebhookRules.problem(url: r.url) { throw EngineError.invalid("url", problem) }
        if let problem = WebhookRules.problem(name: r.name) { throw EngineError.invalid("name", problem) }
        if addressPolicy.blocksPrivateAddresses, let host = WebhookAddress.privateHost(of: r.url) {
            throw EngineError.invalid("url", "\(host) is a local or private address, and block_private_addresses is on")
        }
        var seen = Set<String>()
        r.events = r.events.filter { seen.insert($0).inserted }
        if let problem = WebhookRules.problem(events: r.events) { throw EngineError.invalid("events", problem) }
        if let problem = WebhookRules.problem(secret: r.secret) { throw EngineError.invalid("secret", problem) }
        return r
    }
}

/// How a test delivery went.
public struct WebhookTestResult: Sendable, Equatable {
    public let delivered: Bool
    /// The receiver's status when it answered 2xx.
    public let status: Int?
    /// Why not, in our words (never the receiver's body).
    public let error: String?
    /// The delivery id sent (`X-Biliup-Delivery`), to find it in the receiver's log.
    public let delivery: String
}
