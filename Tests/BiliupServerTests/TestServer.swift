import BiliupNet
import BiliupEngine
import BiliupScript
import BiliupServer
import BiliupStore
import BiliupTestSupport
import BiliupUpload
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real server on a loopback port over a real store in a temporary directory, with the shipped
/// plugins; requests go over HTTP as a client's would.
final class TestServer: @unchecked Sendable {
    let dir: URL
    let store: Store
    let bus: EventBus
    let engine: Engine
    let server: APIServer
    let port: Int
    private let session: URLSession

    /// Low bcrypt cost: tests log in often, and the cost factor is not what they check.
    static let passwordCost: UInt8 = 4

    static func start(users: [(name: String, password: String, admin: Bool)] = [], bind: String = "127.0.0.1",
                      webDirectory: String? = nil, bilibili: BilibiliClient? = nil, configure: (inout ServerSettings) -> Void = { _ in }) async throws -> TestServer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try Store(path: dir.appendingPathComponent("data/biliup.sqlite3").path)
        for u in users {
            try store.addUser(UserRecord(name: u.name, passwordHash: Secrets.hashPassword(u.password, cost: passwordCost), admin: u.admin))
        }
        var config = OrchestrationConfig.withoutScript(dataDir: dir.appendingPathComponent("data").path)
        config.global.recordingsRoot = dir.appendingPathComponent("recordings").path
        config.global.recording.output = "{streamer}/{streamer}_%H%M%S"
        config.global.minFreeDiskBytes = 0
        let plugins = PluginHost(configuration: ScriptConfiguration(pluginDirectories: [PluginPaths.shipped], hostRemap: HostRemap()))
        let bus = EventBus()
        bus.attach(EventSinks.store(store))
        let engine = Engine(config: config, store: store, checker: plugins, bus: bus, rates: PlatformRates(defaultPerSecond: 50, perPlatform: [:]),
                            addressPolicy: plugins.configuration.addressPolicy,
                            accounts: bilibili.map { AccountBook(store: store, client: $0) })
        try await engine.start()
        var settings = ServerSettings(bind: bind, port: 0, version: "test", passwordCost: passwordCost, webDirectory: webDirectory)
        configure(&settings)
        let server = try APIServer(settings: settings, engine: engine, store: store, bus: bus)
        let port = try await server.start()
        return TestServer(dir: dir, store: store, bus: bus, engine: engine, server: server, port: port)
    }

    private init(dir: URL, store: Store, bus: EventBus, engine: Engine, server: APIServer, port: Int) {
        self.dir = dir
        self.store = store
        self.bus = bus
        self.engine = engine
        self.server = server
        self.port = port
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration)
    }

    func stop() async {
        await server.stop()
        await engine.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data

        /// The body as a JSON object ([:] when it is not one).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    /// One request; `json` is encoded as the body (a String or Data is sent as is).
    func request(_ method: String, _ path: String, json: Any? = nil, token: String? = nil, cookie: String? = nil,
                 headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        switch json {
        case let data as Data: request.httpBody = data
        case let text as String: request.httpBody = Data(text.utf8)
        case let object?: request.httpBody = try JSONSerialization.data(withJSONObject: object)
        case nil: break
        }
        if request.httpBody != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields["\(k)"] = "\(v)" }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }

    /// Logs in and returns the bearer token.
    func login(_ name: String, _ password: String) async throws -> String {
        let reply = try await request("POST", "/api/login", json: ["username": name, "password": password])
        guard reply.status == 200, let token = reply.json["token"] as? String else {
            throw TestServerError("login of \(name) failed: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return token
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
