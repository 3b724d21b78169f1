import BiliupNet
import BiliupValues
import Foundation

/// `biliup.webhook { url = "https://…", events = { "segment", … }, secret = "…", name = "…" }` in main.lua:
/// where the engine POSTs the events named.
public struct WebhookDeclaration: Sendable, Equatable {
    /// The user's name for it; the URL (its first 100 characters) when main.lua gives none.
    public var name: String
    public var url: String
    public var events: [String]
    /// The HMAC-SHA256 key of the signature header; empty: unsigned.
    public var secret: String
    public var line: Int

    public init(name: String, url: String, events: [String], secret: String = "", line: Int = 0) {
        self.name = name
        self.url = url
        self.events = events
        self.secret = secret
        self.line = line
    }
}

/// What a webhook may be, for main.lua's declarations and the API's alike (one set of rules, one set of
/// messages). Each check answers the problem in words, or nil.
public enum WebhookRules {
    /// The engine's event kinds a webhook can be sent (EngineEvent's hook kinds); also the default.
    public static let eventNames = ["stream_start", "segment", "stream_end", "error", "upload_start", "upload_done", "upload_error"]
    /// Longer URLs are not endpoints anybody runs; they would only be echoed into events and logs.
    public static let maxURLBytes = 2048
    /// HMAC takes any key length; a key longer than this is a pasted file, not a secret.
    public static let maxSecretBytes = 512
    public static let maxNameLength = 100

    /// A webhook's name when none is given: its URL, cut to the longest name.
    public static func defaultName(for url: String) -> String {
        String(url.prefix(maxNameLength))
    }

    public static func problem(url: String) -> String? {
        guard url.utf8.count <= maxURLBytes else { return "longer than \(maxURLBytes) bytes" }
        guard HTTPRequest.hasAllowedScheme(url), let parts = URLParts(url), !parts.host.isEmpty,
              !url.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) else {
            return "expected an http:// or https:// URL with a host, got \"\(url.prefix(200))\""
        }
        return nil
    }

    public static func problem(events: [String]) -> String? {
        guard !events.isEmpty else { return "name at least one of \(eventNames.joined(separator: ", "))" }
        for event in events where !eventNames.contains(event) {
            return "unknown event \"\(event.prefix(100))\"\(EditDistance.hint(for: event, among: eventNames)) (known: \(eventNames.joined(separator: ", ")))"
        }
        return nil
    }

    public static func problem(secret: String) -> String? {
        secret.utf8.count <= maxSecretBytes ? nil : "longer than \(maxSecretBytes) bytes"
    }

    public static func problem(name: String) -> String? {
        guard !name.isEmpty, name.count <= maxNameLength else { return "1 to \(maxNameLength) characters" }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "must not contain control characters"
        }
        return nil
    }
}

/// Reads main.lua's `biliup.webhook` declarations; each problem is one "file:line: …" error.
struct WebhookDeclarationReader {
    static let keys = ["url", "events", "secret", "name"]

    let file: String
    private(set) var errors: [String] = []

    init(file: String) { self.file = file }

    mutating func read(_ declarations: [OrchestrationReader.Declaration]) -> [WebhookDeclaration] {
        var list: [WebhookDeclaration] = []
        for d in declarations {
            guard let webhook = read(d) else { continue }
            if list.contains(where: { $0.name == webhook.name }) {
                fail(d.line, "biliup.webhook \"\(webhook.name)\" is declared twice (give one a different name = \"…\")")
                continue
            }
            list.append(webhook)
        }
        return list
    }

    private mutating func read(_ d: OrchestrationReader.Declaration) -> WebhookDeclaration? {
        let errorsBefore = errors.count
        for key in d.value.keys.sorted() where !Self.keys.contains(key) {
            fail(d.line, "biliup.webhook: unknown option \"\(key)\"\(EditDistance.hint(for: key, among: Self.keys))")
        }
        guard case .string(let url)? = d.value["url"] else {
            fail(d.line, "biliup.webhook: url: expected an http(s) URL, got \(d.value["url"].map(OrchestrationReader.describe) ?? "nil")")
            return nil
        }
        if let problem = WebhookRules.problem(url: url) { fail(d.line, "biliup.webhook: url: \(problem)") }
        var events = WebhookRules.eventNames
        switch d.value["events"] {
        case nil: break
        case .array(let items)?:
            events = []
            for item in items {
                if case .string(let s) = item { events.append(s) } else {
                    fail(d.line, "biliup.webhook: events: expected event names, got \(OrchestrationReader.describe(item))")
                }
            }
            if let problem = WebhookRules.problem(events: events) { fail(d.line, "biliup.webhook: events: \(problem)") }
        case .object(let o)? where o.isEmpty:
            fail(d.line, "biliup.webhook: events: \(WebhookRules.problem(events: []) ?? "")")
        case let other?:
            fail(d.line, "biliup.webhook: events: expected a list { \"segment\", … }, got \(OrchestrationReader.describe(other))")
        }
        var secret = ""
        if let v = d.value["secret"] {
            if case .string(let s) = v { secret = s } else { fail(d.line, "biliup.webhook: secret: expected a string, got a \(kind(v))") }
            if let problem = WebhookRules.problem(secret: secret) { fail(d.line, "biliup.webhook: secret: \(problem)") }
        }
        var name = WebhookRules.defaultName(for: url)
        if let v = d.value["name"] {
            if case .string(let s) = v { name = s } else { fail(d.line, "biliup.webhook: name: expected a string, got \(OrchestrationReader.describe(v))") }
        }
        if let problem = WebhookRules.problem(name: name) { fail(d.line, "biliup.webhook: name: \(problem)") }
        guard errors.count == errorsBefore else { return nil }
        return WebhookDeclaration(name: name, url: url, events: events, secret: secret, line: d.line)
    }

    /// The secret's type only: its value must not reach an error message or a log.
    private func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: "nil"
        case .bool: "boolean"
        case .int, .number: "number"
        case .string: "string"
        case .array: "list"
        case .object: "table"
        }
    }

    private mutating func fail(_ line: Int, _ message: String) {
        errors.append("\(file):\(line): \(message)")
    }
}
