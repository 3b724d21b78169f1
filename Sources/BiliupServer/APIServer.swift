import BiliupEngine
import BiliupStore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Synchronization

/// Where and how the API listens.
public struct ServerSettings: Sendable {
    public var bind: String
    /// 0 picks a free port (tests).
    public var port: Int
    public var version: String
    /// bcrypt work factor for passwords set through the API.
    public var passwordCost: UInt8
    /// The web page's folder; nil finds the one shipped beside the binary.
    public var webDirectory: String?
    /// Host names the API answers to besides loopback names and IP addresses (`server.hosts`): the
    /// names a reverse proxy or the LAN reaches it by.
    public var hosts: [String]
    public var limits: ConnectionLimits
    /// WebSocket subscribers at once; one more is closed with "try again later" and the reason.
    public var maxWebSockets: Int
    /// `GET /metrics` without a login (`--public-metrics`): for a Prometheus that cannot send a token.
    public var publicMetrics: Bool

    public static let defaultMaxWebSockets = 1024

    public init(bind: String = "127.0.0.1", port: Int = 19159, version: String, passwordCost: UInt8 = Secrets.defaultCost,
                webDirectory: String? = nil, hosts: [String] = [], limits: ConnectionLimits = ConnectionLimits(),
                maxWebSockets: Int = defaultMaxWebSockets, publicMetrics: Bool = false) {
        self.bind = bind
        self.port = port
        self.version = version
        self.passwordCost = passwordCost
        self.webDirectory = webDirectory
        self.hosts = hosts
        self.limits = limits
        self.maxWebSockets = maxWebSockets
        self.publicMetrics = publicMetrics
    }

    /// Whether `bind` is reachable only from this machine.
    public var isLoopback: Bool {
        ["127.0.0.1", "::1", "localhost"].contains(bind) || bind.hasPrefix("127.")
    }
}

public struct ServerError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The HTTP API, the event WebSocket and the web page, on one port, over the engine and the store.
public final class APIServer: Sendable {
    public let settings: ServerSettings
    private let services: ServerServices
    private let application: Application<RouterResponder<APIContext>>
    private let running = Mutex<(task: Task<Void, Error>?, feed: Task<Void, Never>?)>((nil, nil))
    private let boundPort = Locked<Int?>(nil)
    private let connections = ConnectionCount()

    /// Connections open now (for tests and status).
    public var openConnections: Int { connections.current }

    /// Refuses to serve beyond loopback without a user to log in as.
    public init(settings: ServerSettings, engine: Engine, store: Store, bus: EventBus) throws {
        if !settings.isLoopback, (try? store.userCount()) ?? 0 == 0 {
            throw ServerError(description: "refusing to listen on \(settings.bind) without a login: add a user first (biliup user add NAME)")
        }
        self.settings = settings
        let authenticator = Authenticator(store: store, exposed: !settings.isLoopback)
        let feed = EventFeed()
        let hosts = HostPolicy(hosts: settings.hosts + [settings.bind])
        services = ServerServices(engine: engine, store: store, authenticator: authenticator, feed: feed,
                                  version: settings.version, hasher: PasswordHasher(cost: settings.passwordCost))

        let router = Router(context: APIContext.self)
        let catalog = RouteCatalog()
        router.middlewares.add(RequestGuard(hosts: hosts))
        router.middlewares.add(JSONErrorMiddleware(routes: catalog))
        let table = RouteTable(router: router, authenticator: authenticator)
        let s = services
        let socket = EventSocket(feed: feed, authenticator: authenticator, hosts: hosts, maxSubscribers: settings.maxWebSockets)
        let connections = self.connections
        AuthRoutes.add(to: table, s)
        StreamerRoutes.add(to: table, s)
        TemplateRoutes.add(to: table, s)
        HistoryRoutes.add(to: table, s)
        EngineRoutes.add(to: table, s)
        AdminRoutes.add(to: table, s)
        AccountRoutes.add(to: table, s)
        UploadRoutes.add(to: table, s)
        WebhookRoutes.add(to: table, s)
        HealthRoutes.add(to: table, s)
        MetricsRoutes.add(to: table, s, isPublic: settings.publicMetrics) {
            ServerGauges(version: settings.version, webSocketSubscribers: socket.subscriberCount, httpConnections: connections.current)
        }
        let openAPI = Locked(ByteBuffer())
        table.add(.get, "/api/openapi.json", "This description", access: .open, response: .json(.ref("OpenAPI"))) { _, _ in JSON.response(openAPI.value) }
        openAPI.withLock { $0 = ByteBuffer(data: OpenAPIDocument.build(table.specs, version: settings.version)) }
        catalog.set(table.specs)
        // A GET of the WebSocket path that was not upgraded says why (RequestGuard has checked Host and Origin).
        router.get(RouterPath(EventSocket.path)) { request, context -> Response in
            if authenticator.identity(headers: request.headers) == nil, authenticator.loginRequired { throw APIError.loginRequired }
            throw APIError.badRequest(socket.refusal(of: request.head) ?? "a WebSocket upgrade is needed here (check the query: types, level, streamer_id)")
        }
        let assets = WebAssets(directory: settings.webDirectory ?? WebAssets.locate())
        router.get("/") { _, _ in try assets.response(path: "/") }
        router.get("/**") { request, _ in try assets.response(path: request.uri.path) }

        var logger = Logger(label: "biliup.server")
        // Its errors reach us as thrown errors; what it logs itself is noise such as a cancelled accept at shutdown.
        logger.logLevel = .critical
        let port = boundPort
        let limits = settings.limits
        let upgrade = HTTP1WebSocketUpgradeChannel.Configuration(
            ws: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(30))))
        application = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                GuardedChildChannel(inner: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: upgrade) { request, _, _ in
                    socket.shouldUpgrade(request)
                }, limits: limits, open: connections, acceptsUpgrade: { socket.accepts($0) })
            },
            configuration: .init(address: .hostname(settings.bind, port: settings.port), serverName: nil),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: logger)
        running.withLock { $0.feed = feed.follow(bus) }
    }

    /// Starts listening; returns the port (useful with port 0). Throws when the address cannot be bound.
    public func start() async throws -> Int {
        let app = application
        // run() returns (or throws) before the server is up only when it could not start.
        let ended = Locked<Result<Void, Error>?>(nil)
        let task = Task {
            do {
                try await app.run()
                ended.withLock { $0 = .success(()) }
            } catch {
                ended.withLock { $0 = .failure(error) }
                throw error
            }
        }
        running.withLock { $0.task = task }
        while true {
            if let port = boundPort.value { return port }
            switch ended.value {
            case .failure(let error)?: throw ServerError(description: "cannot listen on \(settings.bind):\(settings.port): \(error)")
            case .success?: throw ServerError(description: "the server stopped at start")
            case nil: try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        let (task, feed) = running.withLock { ($0.task, $0.feed) }
        task?.cancel()
        _ = await task?.result
        services.feed.close()
        feed?.cancel()
    }
}
