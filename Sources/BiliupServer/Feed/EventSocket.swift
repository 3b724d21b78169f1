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

    let feed: EventFeed
    let authenticator: Authenticator

    /// Whether to upgrade; a refused upgrade falls through to the HTTP route, which answers with the
    /// reason as JSON (401, 400).
    func shouldUpgrade(_ request: HTTPRequest) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let target = request.path, let url = URLComponents(string: target), url.path == Self.path else { return .dontUpgrade }
        if authenticator.identity(headers: request.headerFields) == nil, authenticator.loginRequired { return .dontUpgrade }
        guard Self.sameOrigin(request) else { return .dontUpgrade }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        guard let subscription = try? Subscription(query: query) else { return .dontUpgrade }
        let feed = self.feed
        return .upgrade([:]) { inbound, outbound, _ in
            try await Self.serve(feed: feed, subscription: subscription, inbound: inbound, outbound: outbound)
        }
    }

    /// A page of another site must not read the log with the user's cookie: when the browser says
    /// where the page comes from, it must be this server.
    static func sameOrigin(_ request: HTTPRequest) -> Bool {
        guard let origin = request.headerFields[.origin] else { return true }
        guard let host = request.authority ?? request.headerFields[HTTPField.Name("Host")!] else { return false }
        return URLComponents(string: origin).map { c in (c.host ?? "") + (c.port.map { ":\($0)" } ?? "") } == host
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
                while true {
                    let batch = await feed.read(after: cursor)
                    if batch.closed { return }
                    if batch.skipped > 0 {
                        try await outbound.write(.text(#"{"type":"skipped","count":\#(batch.skipped)}"#))
                    }
                    let current = filter.withLock { $0 }
                    let wanted = batch.entries.filter { current.wants($0) }
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
