import HTTPTypes
import NIOCore
import NIOHTTP1

/// Turns a WebSocket upgrade that would be refused into a plain GET before the upgrader sees it.
/// A refused upgrade is otherwise answered by the WebSocket library with a bare 400; as a plain GET
/// it reaches the router, whose `/api/ws` route answers with the reason as JSON (401, 403, 400) like
/// every other route. Whether to upgrade is still decided by `EventSocket.shouldUpgrade`.
final class RefusedUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let accepts: @Sendable (HTTPRequest) -> Bool

    init(accepts: @escaping @Sendable (HTTPRequest) -> Bool) {
        self.accepts = accepts
    }

    /// Only a connection's first request can be an upgrade (the upgrader leaves after it), so the
    /// handler leaves after the first head too, before any WebSocket frame could reach it.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        if head.headers.contains(name: "upgrade"), !accepts(Self.request(head)) {
            head.headers.remove(name: "upgrade")
            head.headers.replaceOrAdd(name: "connection", value: "close")
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    static func request(_ head: HTTPRequestHead) -> HTTPRequest {
        var fields = HTTPFields()
        for (name, value) in head.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return HTTPRequest(method: HTTPRequest.Method(head.method.rawValue) ?? .get, scheme: nil,
                           authority: head.headers.first(name: "host"), path: head.uri, headerFields: fields)
    }
}
