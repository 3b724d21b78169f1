import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Limits on connections, set by `ServerSettings`.
public struct ConnectionLimits: Sendable {
    /// Open connections at once (WebSockets included); more are closed as they come.
    public var maxConnections: Int
    /// Time a connection has to send a whole request head, counted from its start and from the end of
    /// each answer: it closes idle keep-alive connections and clients that send a header a byte at a time.
    public var headerTimeout: TimeAmount

    public static let defaultMaxConnections = 2048
    public static let defaultHeaderTimeout = TimeAmount.seconds(15)

    public init(maxConnections: Int = defaultMaxConnections, headerTimeout: TimeAmount = defaultHeaderTimeout) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
    }
}

/// Puts a `ConnectionGuardHandler` first in every connection's pipeline, before the HTTP decoder:
/// Hummingbird's own idle timer starts only once a first request head has been decoded, so a
/// connection that never finishes one would otherwise stay open for ever. And a
/// `RefusedUpgradeHandler` right after the decoder, so refused WebSocket upgrades get a JSON answer.
struct GuardedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let limits: ConnectionLimits
    let open: ConnectionCount
    let acceptsUpgrade: @Sendable (HTTPRequest) -> Bool

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let guardHandler = ConnectionGuardHandler(limits: limits, open: open)
        let refusedUpgrades = RefusedUpgradeHandler(accepts: acceptsUpgrade)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(guardHandler, position: .first)
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(refusedUpgrades, position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// The open connections, counted by every connection's handler.
final class ConnectionCount: Sendable {
    let value = Atomic<Int>(0)
    var current: Int { value.load(ordering: .relaxed) }
}

/// Counts the connection against the cap and closes it when no complete request head arrives in
/// time. It reads raw bytes: a head is complete at its blank line. Once the connection is upgraded
/// to a WebSocket (a 101 answer), the WebSocket's own pings take over.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum State { case awaitingHead, inRequest, upgraded }

    private let limits: ConnectionLimits
    private let open: ConnectionCount
    private var counted = false
    private var state = State.awaitingHead
    /// The last bytes read while awaiting a head, so a blank line split across reads is found.
    private var tail: [UInt8] = []
    private var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits, open: ConnectionCount) {
        self.limits = limits
        self.open = open
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        if open.value.add(1, ordering: .relaxed).newValue > limits.maxConnections {
            context.close(promise: nil)
            return
        }
        arm(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    /// Stops the clock and gives the connection's place back, once.
    private func release() {
        deadline?.cancel()
        if counted {
            counted = false
            open.value.subtract(1, ordering: .relaxed)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if state == .awaitingHead {
            let buffer = unwrapInboundIn(data)
            if headEnds(in: buffer) {
                state = .inRequest
                deadline?.cancel()
                deadline = nil
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .upgraded:
            break
        case .inRequest:
            if case .byteBuffer(let buffer) = unwrapOutboundIn(data), buffer.readableBytesView.starts(with: Self.switching) {
                state = .upgraded
            } else {
                state = .awaitingHead
                tail.removeAll()
                arm(context)
            }
        case .awaitingHead:
            // An answer still being written (a file) keeps the connection: the clock restarts at
            // each write and runs from the last one.
            arm(context)
        }
        context.write(data, promise: promise)
    }

    private static let switching = Array("HTTP/1.1 101".utf8)
    private static let blankLine: [UInt8] = [13, 10, 13, 10]

    private func headEnds(in buffer: ByteBuffer) -> Bool {
        var window = tail
        window.append(contentsOf: buffer.readableBytesView)
        let found = window.count >= 4 && (0...(window.count - 4)).contains { i in
            window[i] == 13 && window[i + 1] == 10 && window[i + 2] == 13 && window[i + 3] == 10
        }
        tail = Array(window.suffix(3))
        return found
    }

    private func arm(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: limits.headerTimeout) { channel.close(promise: nil) }
    }
}
