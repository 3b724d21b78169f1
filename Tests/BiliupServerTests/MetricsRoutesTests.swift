import BiliupEngine
import BiliupNet
import BiliupScript
import BiliupServer
import BiliupStore
import BiliupTestSupport
import Foundation
import Testing

/// `GET /metrics` and `GET /api/health`: who may read them, what they say, and that promtool accepts the text.
@Suite struct MetricsRoutesTests {
    @Test func metricsNeedTheAPILoginAndABearerTokenWorks() async throws {
        try await withServer(users: rootAndViewer) { server in
            let anonymous = try await server.request("GET", "/metrics")
            #expect(anonymous.status == 401 && anonymous.errorCode == "login_required", "\(anonymous.status)")
            let token = try await server.login("viewer", "viewerpass")
            let reply = try await server.request("GET", "/metrics", token: token)
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            #expect(metricValue(reply.text, #"biliup_streamers{state="idle"}"#) == 0, "\(reply.text.prefix(600))")
            #expect(metricValue(reply.text, "process_resident_memory_bytes").map { $0 > 1_048_576 } == true)
            #expect(metricValue(reply.text, "process_cpu_seconds_total").map { $0 > 0 } == true)
        }
    }

    @Test func publicMetricsNeedNoLoginButTheRestOfTheAPIStillDoes() async throws {
        try await withServer(users: rootAndViewer, configure: { $0.publicMetrics = true }) { server in
            let metrics = try await server.request("GET", "/metrics")
            #expect(metrics.status == 200, "\(metrics.status)")
            let status = try await server.request("GET", "/api/status")
            #expect(status.status == 401)
        }
    }

    @Test func hostAndOriginRulesApplyToMetricsAndHealth() async throws {
        try await withServer(users: rootAndViewer, configure: { $0.publicMetrics = true }) { server in
            let raw = RawHTTP(port: server.port)
            for path in ["/metrics", "/api/health"] {
                let rebound = try await raw.send("GET", path, headers: [("Host", "rebind.evil.example:\(server.port)")])
                #expect(rebound.status == 403 && rebound.errorCode == "unknown_host", "\(path): \(rebound.status)")
                let odd = try await raw.send("GET", "/" + path)
                #expect(odd.status == 400 || odd.status == 404, "/\(path): \(odd.status)")
                let post = try await raw.send("POST", path, headers: [("Origin", "http://evil.example")])
                #expect(post.status == 403 || post.status == 405, "POST \(path): \(post.status)")
            }
        }
    }

    /// The exposition of watched streamers (names that need escaping too) and of checks that fail passes promtool.
    @Test(.enabled(if: Promtool.path != nil, "promtool is missing: install Debian's prometheus package (scripts/setup.sh)"))
    func promtoolAcceptsTheExposition() async throws {
        try await withServer(users: rootAndViewer) { server in
            let token = try await server.login("root", "rootpass1")
            for name in ["alice", #"say "hi""#, "直播间"] {
                let added = try await server.request("POST", "/api/streamers", json: ["name": name, "url": deadURL("x\(name.count)")], token: token)
                #expect(added.status == 201, "\(name): \(added.status) \(added.text)")
            }
            // The dead URLs are checked (and fail): the check counters and histogram get samples.
            var text = ""
            for _ in 0..<600 {
                text = try await server.request("GET", "/metrics", token: token).text
                if text.contains("biliup_check_duration_seconds_count{") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(text.contains("biliup_check_errors_total{platform="), "\(text)")
            #expect(metricValue(text, #"biliup_streamers{state="idle"}"#) == 3)
            #expect(text.contains(#"biliup_segments_total{streamer="say \"hi\""} 0"#), "\(text)")
            let problems = try Promtool.problems(in: text)
            #expect(problems == nil, "\(problems ?? "")\n\(text)")
        }
    }

    @Test func healthIs200WhileTheEngineRunsAnd503WhenItStops() async throws {
        try await withServer(users: rootAndViewer) { server in
            let running = try await server.request("GET", "/api/health")
            #expect(running.status == 200, "health is public: \(running.status)")
            #expect(running.json["status"] as? String == "running" && running.json["version"] as? String == "test")
            #expect(integer(running.json["uptime_s"]).map { $0 >= 0 } == true, "\(running.text)")
            server.engine.lifecycle.beginStopping()
            let stopping = try await server.request("GET", "/api/health")
            #expect(stopping.status == 503 && stopping.json["status"] as? String == "stopping", "\(stopping.status) \(stopping.text)")
        }
    }

    @Test func healthIs503BeforeTheEngineStarted() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-health-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(path: dir.appendingPathComponent("biliup.sqlite3").path)
        let bus = EventBus()
        let config = OrchestrationConfig.withoutScript(dataDir: dir.path)
        let engine = Engine(config: config, store: store, checker: PluginHost(configuration: ScriptConfiguration(pluginDirectories: [], hostRemap: HostRemap())), bus: bus,
                            rates: PlatformRates(defaultPerSecond: 1, perPlatform: [:]))
        let server = try APIServer(settings: ServerSettings(port: 0, version: "test"), engine: engine, store: store, bus: bus)
        let port = try await server.start()
        let reply = try await RawHTTP(port: port).send("GET", "/api/health")
        #expect(reply.status == 503 && reply.json["status"] as? String == "starting", "\(reply.status) \(reply.body)")
        await server.stop()
    }
}
