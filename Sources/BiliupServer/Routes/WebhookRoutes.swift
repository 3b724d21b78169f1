import BiliupEngine
import BiliupStore
import Foundation
import Hummingbird

/// `/api/webhooks`: where events are POSTed. Admins only: a webhook sends what happens to an address
/// outside, and its URL may carry a receiver's token. main.lua's webhooks are listed and read-only.
/// Secrets are written, never read back (`has_secret` says whether one is set).
enum WebhookRoutes {
    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/webhooks", "List webhooks with their delivery counts (never their secrets)", access: .admin,
                  response: .json(.ref("WebhookList"))) { _, _ in
            let webhooks = try await s.engine.webhooks()
            return JSON.response(Items(items: webhooks.map { WebhookDTO($0, stats: s.engine.webhookStats(id: $0.id ?? 0)) }))
        }
        table.add(.post, "/api/webhooks", "Add a webhook (url, events, secret, name)", access: .admin, body: WebhookInput.self,
                  response: .json(.ref("Webhook")), status: 201) { request, context in
            let input = try await JSON.decode(WebhookInput.self, from: request, context: context)
            guard let url = input.url else { throw APIError(.badRequest, "invalid_field", "url: required (an http:// or https:// URL)") }
            let saved = try await s.engine.addWebhook(name: input.name, url: url, events: input.events, secret: input.secret)
            return JSON.response(WebhookDTO(saved, stats: WebhookStats()), status: .created)
        }
        table.add(.put, "/api/webhooks/{id}", "Change an API webhook (main.lua's: 409); an empty secret turns signing off",
                  access: .admin, body: WebhookInput.self, response: .json(.ref("Webhook"))) { request, context in
            let id = try context.id()
            let input = try await JSON.decode(WebhookInput.self, from: request, context: context)
            let saved = try await s.engine.updateWebhook(id: id, name: input.name, url: input.url, events: input.events, secret: input.secret)
            return JSON.response(WebhookDTO(saved, stats: s.engine.webhookStats(id: id)))
        }
        table.add(.delete, "/api/webhooks/{id}", "Delete an API webhook", access: .admin, response: nil, status: 204) { _, context in
            try await s.engine.removeWebhook(id: try context.id())
            return Response(status: .noContent)
        }
        table.add(.post, "/api/webhooks/{id}/test", "Send one test event now (one try) and say how it went", access: .admin,
                  response: .json(.ref("WebhookTest"))) { _, context in
            JSON.response(WebhookTestDTO(try await s.engine.testWebhook(id: try context.id())))
        }
    }
}

struct WebhookDTO: Encodable {
    let id: Int64?
    let name: String
    let origin: String
    let url: String
    let events: [String]
    let hasSecret: Bool
    let delivered: Int
    let failed: Int
    let dropped: Int
    let queued: Int
    let lastError: Nullable<String>
    let createdAt: Double
    let updatedAt: Double

    init(_ w: WebhookRecord, stats: WebhookStats) {
        id = w.id
        name = w.name
        origin = w.origin.rawValue
        url = w.url
        events = w.events
        hasSecret = !w.secret.isEmpty
        delivered = stats.delivered
        failed = stats.failed
        dropped = stats.dropped
        queued = stats.queued
        lastError = Nullable(stats.lastError)
        createdAt = w.createdAt.timeIntervalSince1970
        updatedAt = w.updatedAt.timeIntervalSince1970
    }
}

struct WebhookInput: RequestBody {
    var name: String?
    var url: String?
    var events: [String]?
    var secret: String?

    static var narrowed: [String: Schema] {
        ["url": .string(pattern: "^https?://[^/?#\\s]+([/?#]\\S*)?$"), "events": .array(.string(oneOf: Engine.webhookEvents))]
    }
}

struct WebhookTestDTO: Encodable {
    let delivered: Bool
    let status: Nullable<Int>
    let error: Nullable<String>
    let delivery: String

    init(_ r: WebhookTestResult) {
        delivered = r.delivered
        status = Nullable(r.status)
        error = Nullable(r.error)
        delivery = r.delivery
    }
}
