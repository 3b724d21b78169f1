import BiliupEngine
import Foundation
import HTTPTypes
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Synchronization

/// `/api/ws`: the upgrade decision (login, origin, filter) and the loop that sends a subscriber its
/// messages.
struct EventSocket: Sendable {
    static let path = "/api/ws"
    /// Client messages are filter changes: small.
    static let maxClientMessage = 4096
    /// Messages ready together go out in one frame, one JSON object per line, up to this many bytes:
    /// a frame costs the server far more than its bytes do, so a subscriber catching up on a burst
    /// gets a few large frames instead of thousands of small ones.
    static let maxFrameBytes = 60 * 1024

    /// "Try again later": the close code a subscriber over the cap gets, with the reason.
    static let overCapacityCode = WebSocketErrorCode.unknown(1013)

    let feed: EventFeed
    let authenticator: Authenticator
    let hosts: HostPolicy
    let maxSubscribers: Int
    private let subscribers = ConnectionCount()

    /// Subscribers connected now (for the metrics).
    var subscriberCount: Int { subscribers.current }

    init(feed: EventFeed, authenticator: Authenticator, hosts: HostPolicy, maxSubscribers: Int) {
        self.feed = feed
        self.authenticator = authenticator
        self.hosts = hosts
        self.maxSubscribers = maxSubscribers
    }

    /// Whether to upgrade. The upgrade is decided before routing, so the checks every API request
    /// meets are made here too; a refused upgrade falls through to the HTTP route, which answers
    /// with the reason as JSON (401, 403, 400).
    func shouldUpgrade(_ request: HTTPRequest) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let subscription = subscription(for: request) else { return .dontUpgrade }
        let feed = self.feed
        let subscribers = self.subscribers
        let cap = maxSubscribers
        return .upgrade([:]) { inbound, outbound, _ in
            defer { subscribers.value.subtract(1, ordering: .relaxed) }
            guard subscribers.value.add(1, ordering: .relaxed).newValue <= cap else {
                try await outbound.close(Self.overCapacityCode, reason: "too many subscribers: this server takes \(cap) (server.max_websockets)")
                return
            }
            try await Self.serve(feed: feed, subscription: subscription, inbound: inbound, outbound: outbound)
        }
    }

    /// Whether an upgrade request may become a subscriber: the WebSocket path, logged in (or no login
    /// needed), and no `refusal`.
    func accepts(_ request: HTTPRequest) -> Bool { subscription(for: request) != nil }

    /// The filter of an upgrade request that `accepts`, or nil.
    private func subscription(for request: HTTPRequest) -> Subscription? {
        guard let target = request.path, let url = URLComponents(string: target), url.path == Self.path else { return nil }
        if authenticator.identity(headers: request.headerFields) == nil, authenticator.loginRequired { return nil }
        guard hosts.refusal(host: request.authority) == nil,
              hosts.crossSiteRefusal(request.headerFields, authority: request.authority) == nil else { return nil }
        return try? Subscription(query: Self.query(url))
    }

    /// Why an upgrade request that is logged in (or needs no login) is refused, or nil: another
    /// site's page, an unknown Host, or a bad filter.
    func refusal(of request: HTTPRequest) -> String? {
        if let why = hosts.refusal(host: request.authority) { return why }
        if let why = hosts.crossSiteRefusal(request.headerFields, authority: request.authority) { return why }
        guard let target = request.path, let url = URLComponents(string: target) else { return "malformed request target" }
        do {
            _ = try Subscription(query: Self.query(url))
        } catch {
            return error.message
        }
        return nil
    }

    private static func query(_ url: URLComponents) -> [String: String] {
        Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
    }

    private static func serve(feed: EventFeed, subscription: Subscription, inbound: WebSocketInboundStream,
                              outbound: WebSocketOutboundWriter) async throws {
        let filter = Locked(subscription)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await message in inbound.messages(maxSize: maxClientMessage) {
                    guard case .text(let text) = message else { continue }
                    do {
                        var updated = filter.withLock { $0 }
                        try updated.update(json: Data(text.utf8))
                        filter.withLock { $0 = updated }
                    } catch let error as SubscriptionError {
                        try await outbound.write(.text(#"{"type":"error","message":"# + Self.quoted(error.message) + "}"))
                    }
                }
            }
            group.addTask {
                var cursor = feed.lastSeq
                var chat = DanmakuRateLimit()
                while true {
                    let batch = await feed.read(after: cursor)
                    if batch.closed { return }
                    if batch.skipped > 0 {
                        try await outbound.write(.text(#"{"type":"skipped","count":\#(batch.skipped)}"#))
                    }
                    let current = filter.withLock { $0 }
                    let wanted = batch.entries.filter { current.wants($0) && ($0.type != .danmaku || chat.admit()) }
                    // The frames after a drop tell the page how many chat events it missed.
                    if chat.dropped > 0, wanted.contains(where: { $0.type == .danmaku }) {
                        try await outbound.write(.text(#"{"type":"danmaku_skipped","count":\#(chat.takeDropped())}"#))
                    }
                    for frame in Self.frames(wanted) {
                        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
                    }
                    cursor = batch.entries.last?.seq ?? cursor
                }
            }
            // Either side ending (the client closed, the feed closed) ends the connection.
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// The messages as frames of up to `maxFrameBytes`, one message per line. A message alone is sent
    /// as the feed's buffer itself (no copy); several are copied once into a buffer sized for them.
    static func frames(_ entries: [EventFeed.Entry]) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        var start = 0
        while start < entries.count {
            var end = start + 1
            var size = entries[start].message.readableBytes
            while end < entries.count, size + 1 + entries[end].message.readableBytes <= maxFrameBytes {
                size += 1 + entries[end].message.readableBytes
                end += 1
            }
            if end - start == 1 {
                frames.append(entries[start].message)
            } else {
                var frame = ByteBufferAllocator().buffer(capacity: size)
                for i in start..<end {
                    if i > start { frame.writeInteger(UInt8(ascii: "\n")) }
                    frame.writeImmutableBuffer(entries[i].message)
                }
                frames.append(frame)
            }
            start = end
        }
        return frames
    }

    private static func quoted(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
