import BiliupStore

/// A webhook as delivery needs it: where, which events, and the signing key.
struct WebhookTarget: Sendable, Equatable {
    let id: Int64
    let name: String
    let url: String
    let events: Set<String>
    let secret: String

    init(id: Int64, name: String, url: String, events: Set<String>, secret: String) {
        self.id = id
        self.name = name
        self.url = url
        self.events = events
        self.secret = secret
    }

    init?(_ record: WebhookRecord) {
        guard let id = record.id else { return nil }
        self.init(id: id, name: record.name, url: record.url, events: Set(record.events), secret: record.secret)
    }

    /// Whether `event` goes to this webhook. Reports of failed deliveries go to none: a receiver that is
    /// down would otherwise be sent the news of its own failure, fail again, and so on for ever.
    func wants(_ event: EngineEvent) -> Bool {
        events.contains(event.kind.rawValue) && event.data[WebhookWorker.failureMarker] == nil
    }
}
