import ArgumentParser
import BiliupDanmaku
import BiliupEngine
import BiliupScript
import BiliupServer
import BiliupStore
import BiliupUpload
import Foundation
import Logging
import Synchronization

/// What `run` and `server` share: the engine and the API started together, and stopped together on
/// Ctrl-C / SIGTERM (the API first, so nobody commands an engine that is closing its files).
struct ServiceRunner {
    let config: OrchestrationConfig
    let store: Store
    let plugins: PluginHost
    let bus: EventBus
    let serverSettings: ServerSettings?
    /// Where the service's own lines go (the events go there through the bus).
    let logger: Logger
    /// Tells systemd (`Type=notify`) when the API listens and when the service stops.
    var notifier = SystemdNotifier()
    /// How often the accounts' tokens are looked at (and renewed when they expire within 30 days).
    var renewalInterval: Duration = AccountRenewal.standardInterval

    /// Starts both, calls `started` with the engine, and blocks until a signal has stopped both.
    func run(started: @escaping @Sendable (Engine) -> Task<Void, Never>? = { _ in nil }) throws {
        // The trap goes first: a signal that arrives while the engine and server start (a slow bind on
        // a busy machine) must stop them once they are up, not be lost.
        let stopRequested = DispatchSemaphore(value: 0)
        let trap = SignalTrap { _ in stopRequested.signal() }
        let rates = PlatformRates(defaultPerSecond: config.global.defaultCheckRate, perPlatform: config.global.platformCheckRates)
        // Bilibili is reached through the plugins' host remap and proxy, so one setting points both elsewhere.
        let bilibili = BilibiliClient(remap: plugins.configuration.hostRemap, proxy: plugins.configuration.proxy)
        let accounts = AccountBook(store: store, client: bilibili)
        let engine = Engine(config: config, store: store, checker: plugins, bus: bus, rates: rates,
                            addressPolicy: plugins.configuration.addressPolicy,
                            uploader: BilibiliArchiveUploader(accounts: accounts), accounts: accounts,
                            // Chat servers like every platform host: the same remap, proxy and address policy.
                            chatNetwork: ChatNetworkSettings(hostRemap: plugins.configuration.hostRemap, proxy: plugins.configuration.proxy,
                                                             addressPolicy: plugins.configuration.addressPolicy))
        let server: APIServer?
        do {
            server = try serverSettings.map { try APIServer(settings: $0, engine: engine, store: store, bus: bus) }
        } catch {
            FileHandle.standardError.write(Data("biliup: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let start = blocking { () async -> Result<Int?, Error> in
            do {
                try await engine.start()
                return .success(try await server?.start())
            } catch {
                await server?.stop()
                await engine.stop()
                return .failure(error)
            }
        }
        switch start {
        case .failure(let error):
            FileHandle.standardError.write(Data("biliup: cannot start: \(error)\n".utf8))
            throw ExitCode(1)
        case .success(let port):
            if let port, let s = serverSettings {
                let host = s.bind.contains(":") ? "[\(s.bind)]" : s.bind
                logger.info("API and web page on http://\(host):\(port)/", metadata: ["url": .string("http://\(host):\(port)/")])
                tellSystemd("READY=1\nSTATUS=API and web page on http://\(host):\(port)/")
            } else {
                tellSystemd("READY=1\nSTATUS=recording; no API")
            }
        }
        // A renewal changes what the API lists for the account: the revision tells its clients to read again.
        let renewal = AccountRenewal(book: accounts, interval: renewalInterval) { [bus] event in
            engine.revision.add(1, ordering: .relaxed)
            bus.publish(event)
        }.start()
        let extra = started(engine)
        stopRequested.wait()
        // Health answers 503 from here on, while the API still listens and the files close.
        engine.lifecycle.beginStopping()
        tellSystemd("STOPPING=1\nSTATUS=stopping: closing files")
        logger.info("stopping: closing files…")
        extra?.cancel()
        renewal.cancel()
        blocking {
            await server?.stop()
            await engine.stop()
        }
        withExtendedLifetime(trap) {}
        logger.info("stopped")
    }

    /// A notification systemd could not take is worth a line, not a stop: the service itself works.
    private func tellSystemd(_ state: String) {
        do { try notifier.notify(state) } catch { logger.warning("\(error)") }
    }
}

/// `--bind` / `--port`, for `run` (over main.lua's `server` options) and `server`.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Address the API and web page listen on (default 127.0.0.1; anything else needs a user: `biliup user add`).", valueName: "ADDR"))
    var bind: String?

    @Option(help: ArgumentHelp("Port of the API and web page (default 19159; 0 picks a free one).", valueName: "N"))
    var port: Int?

    @Option(name: .customLong("allow-host"), help: ArgumentHelp(
        "A host name the API answers to besides localhost and IP addresses (main.lua: server.hosts); repeat for more. Requests naming any other Host are refused (DNS rebinding).",
        valueName: "NAME"))
    var allowedHosts: [String] = []

    @Flag(name: .customLong("no-server"), help: "Do not serve the API and web page.")
    var noServer = false

    @Flag(name: .customLong("public-metrics"), help: "Serve GET /metrics without a login (for a Prometheus that sends no token; mind who can reach the port). main.lua: server.public_metrics.")
    var publicMetrics = false

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port: expected 0 to 65535") }
    }

    func settings(_ global: GlobalOptions) -> ServerSettings? {
        guard !noServer else { return nil }
        var limits = ConnectionLimits()
        if let n = global.serverMaxConnections { limits.maxConnections = n }
        return ServerSettings(bind: bind ?? global.serverBind, port: port ?? global.serverPort, version: BiliupVersion.current,
                              hosts: global.serverHosts + allowedHosts, limits: limits,
                              maxWebSockets: global.serverMaxWebSockets ?? ServerSettings.defaultMaxWebSockets,
                              publicMetrics: publicMetrics || global.serverPublicMetrics)
    }
}
