import BiliupEngine
import BiliupScript
import BiliupStore
import Foundation
import Hummingbird
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

    public init(bind: String = "127.0.0.1", port: Int = 19159, version: String, passwordCost: UInt8 = Secrets.defaultCost,
                webDirectory: String? = nil) {
        self.bind = bind
        self.port = port
        self.version = version
        self.passwordCost = passwordCost
        self.webDirectory = webDirectory
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

    /// Refuses to serve beyond loopback without a user to log in as.
    public init(settings: ServerSettings, engine: Engine, store: Store, plugins: PluginHost, bus: EventBus) throws {
        if !settings.isLoopback, (try? store.userCount()) ?? 0 == 0 {
            throw ServerError(description: "refusing to listen on \(settings.bind) without a login: add a user first (biliup user add NAME)")
        }
        self.settings = settings
        let authenticator = Authenticator(store: store, exposed: !settings.isLoopback)
        let feed = EventFeed()
        services = ServerServices(engine: engine, store: store, plugins: plugins, authenticator: authenticator, feed: feed,
                                  version: settings.version, passwordCost: settings.passwordCost)

        let router = Router(context: APIContext.self)
        let catalog = RouteCatalog()
        router.middlewares.add(JSONErrorMiddleware(routes: catalog))
        router.middlewares.add(AuthMiddleware(authenticator: authenticator))
        let table = RouteTable(router: router, authenticator: authenticator)
        let s = services
        AuthRoutes.add(to: table, s)
        StreamerRoutes.add(to: table, s)
        TemplateRoutes.add(to: table, s)
        HistoryRoutes.add(to: table, s)
        EngineRoutes.add(to: table, s)
        AdminRoutes.add(to: table, s)
        let openAPI = Locked(ByteBuffer())
        table.add(.get, "/api/openapi.json", "This description", access: .open, response: .json(.ref("OpenAPI"))) { _, _ in JSON.response(openAPI.value) }
        openAPI.withLock { $0 = ByteBuffer(data: OpenAPIDocument.build(table.specs, version: settings.version)) }
        catalog.set(table.specs)
        // A plain GET of the WebSocket path (no upgrade, or a refused one) says why.
        router.get(RouterPath(EventSocket.path)) { request, _ -> Response in
            if let origin = request.headers[.origin], !origin.isEmpty { throw APIError(.forbidden, "forbidden", "WebSocket from another origin: \(origin)") }
            throw APIError.badRequest("a WebSocket upgrade is needed here (check the query: types, level, streamer_id)")
        }
        let assets = WebAssets(directory: settings.webDirectory ?? WebAssets.locate())
        router.get("/") { _, _ in try assets.response(path: "/") }
        router.get("/**") { request, _ in try assets.response(path: request.uri.path) }

        let socket = EventSocket(feed: feed, authenticator: authenticator)
        var logger = Logger(label: "biliup.server")
        // Its errors reach us as thrown errors; what it logs itself is noise such as a cancelled accept at shutdown.
        logger.logLevel = .critical
        let port = boundPort
        application = Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(30))))) { request, _, _ in
                socket.shouldUpgrade(request)
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
