import BiliupTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `biliup server` and `biliup run` as a service: systemd's readiness notification, the metrics of a
/// real recording, and the log options.
@Suite(.serialized) struct ServiceCLITests {
    /// The receiving end of $NOTIFY_SOCKET, as systemd holds it: a unix datagram socket at a path or,
    /// for a name starting with '@', in the abstract namespace.
    final class NotifySocket: @unchecked Sendable {
        let name: String
        private let fd: Int32

        init(name: String) throws {
            self.name = name
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var path = Array(name.utf8)
            if path[0] == UInt8(ascii: "@") { path[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
            let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard fd >= 0, bound == 0 else { throw TestServerFailure("cannot bind \(name): \(String(cString: strerror(errno)))") }
        }

        deinit {
            close(fd)
            if name.hasPrefix("/") { unlink(name) }
        }

        /// The next datagram, or nil when none came within `seconds`.
        func receive(seconds: Double) -> String? {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(seconds * 1000)) == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
        }

        /// Datagrams until one holds `line` (returned), or nil after `seconds`.
        func wait(for line: String, seconds: Double) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let message = receive(seconds: deadline.timeIntervalSinceNow), message.split(separator: "\n").contains(Substring(line)) {
                    return message
                }
            }
            return nil
        }
    }

    struct TestServerFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// Starts biliup with extra environment variables; its standard error goes to `stderr`.
    static func start(_ args: [String], environment: [String: String] = [:], stderr: URL? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: BiliupProcess.binary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
            p.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            p.standardError = FileHandle.nullDevice
        }
        try p.run()
        return p
    }

    static func text(_ url: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession(configuration: .ephemeral).data(from: URL(string: url)!)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// scripts/biliup.service passes `systemd-analyze verify`, checked on a copy whose ExecStart is the
    /// binary under test (verify wants the program to exist; /usr/local/bin/biliup is not installed here).
    @Test(.enabled(if: systemdAnalyze != nil, "systemd-analyze is missing: install Debian's systemd package (scripts/setup.sh)"))
    func theUnitFilePassesSystemdAnalyzeVerify() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let unit = try String(contentsOf: repo.appendingPathComponent("scripts/biliup.service"), encoding: .utf8)
        #expect(unit.contains("Type=notify") && unit.contains("Restart=on-failure") && unit.contains("KillSignal=SIGTERM"))
        let dir = try scratchDirectory("unit")
        let copy = dir.appendingPathComponent("biliup.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/biliup", with: BiliupProcess.binary).write(to: copy, atomically: true, encoding: .utf8)
        let result = try runTool(Self.systemdAnalyze!, ["verify", "--man=no", copy.path])
        #expect(result.status == 0 && result.stderr.isEmpty && result.stdout.isEmpty, "\(result.status): \(result.stderr)\(result.stdout)")
    }

    /// READY=1 arrives once the API answers (health is 200 at that moment), STOPPING=1 at SIGTERM.
    func readiness(command: [String], socketName: String) async throws {
        let notify = try NotifySocket(name: socketName)
        let port = try ServerCommandTests.freePort()
        let process = try Self.start(command + ["--port", String(port)], environment: ["NOTIFY_SOCKET": socketName])
        defer { if process.isRunning { process.terminate() } }
        let ready = await onThread { notify.wait(for: "READY=1", seconds: 120) }
        try #require(ready != nil, "no READY=1 on \(socketName)")
        #expect(ready?.contains("STATUS=API and web page on http://127.0.0.1:\(port)/") == true, "\(ready ?? "")")
        // Sent after the API listens: it answers now, without waiting.
        let (status, body) = try await Self.text("http://127.0.0.1:\(port)/api/health")
        #expect(status == 200 && body.contains(#""status":"running""#), "\(status) \(body)")
        process.terminate()
        let stopping = await onThread { notify.wait(for: "STOPPING=1", seconds: 60) }
        #expect(stopping != nil, "no STOPPING=1 after SIGTERM")
        await onThread { process.waitUntilExit() }
        #expect(process.terminationStatus == 0)
    }

    @Test func serverTellsSystemdItIsReadyOnceTheAPIListens() async throws {
        let dir = try scratchDirectory("notify")
        try await readiness(command: ["server", "--data-dir", dir.appendingPathComponent("data").path],
                            socketName: "/tmp/biliup-notify-\(UUID().uuidString.prefix(8)).sock")
    }

    @Test func runTellsAnAbstractNotifySocket() async throws {
        let dir = try scratchDirectory("notify-run")
        let main = dir.appendingPathComponent("main.lua")
        try #"biliup.config { data_dir = "\#(dir.path)/data", recordings_root = "\#(dir.path)/rec" }"#.write(to: main, atomically: true, encoding: .utf8)
        try await readiness(command: ["run", main.path], socketName: "@biliup-notify-\(UUID().uuidString.prefix(8))")
    }

    /// A real recording through `biliup run`: bytes and the recording gauge move while it records;
    /// segments and frames are counted when it ends; promtool accepts what a recording service prints.
    @Test func metricsFollowARecording() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "alice", file: try TestMedia.flv(seconds: 6), options: .init(speed: 2))
        let flv = source.url.absoluteString
        let room = RunCommandTests.Room()
        let (fake, plugins, dir) = try RunCommandTests.setUp(room, flv: { flv })
        try RunCommandTests.mainLua(dir).write(to: dir.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        let port = try ServerCommandTests.freePort()
        let process = try BiliupProcess.start(["run", dir.appendingPathComponent("main.lua").path, "--port", String(port), "--plugin-dir", plugins,
                                               "--host-remap", "api.fakelive.test=\(fake.base("api.fakelive.test"))"])
        defer { if process.isRunning { process.terminate() } }
        let metrics = "http://127.0.0.1:\(port)/metrics"
        func scrape(until what: String, _ condition: @escaping (String) -> Bool) async throws -> String {
            var last = ""
            for _ in 0..<1200 {
                if let (status, text) = try? await Self.text(metrics), status == 200 {
                    last = text
                    if condition(text) { return text }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("timed out waiting for \(what); last scrape:\n\(last)")
            return last
        }
        let idle = try await scrape(until: "alice idle") { metricValue($0, #"biliup_streamers{state="idle"}"#) == 1 }
        #expect(metricValue(idle, #"biliup_recorded_bytes_total{streamer="alice"}"#) == 0)
        #expect(metricValue(idle, #"biliup_recordings{state="recording"}"#) == 0)
        room.live.withLock { $0 = true }
        let recording = try await scrape(until: "bytes while recording") {
            metricValue($0, #"biliup_recordings{state="recording"}"#) == 1 && (metricValue($0, #"biliup_recorded_bytes_total{streamer="alice"}"#) ?? 0) > 0
        }
        #expect(metricValue(recording, #"biliup_streamers{state="recording"}"#) == 1)
        #expect(metricValue(recording, #"biliup_recordings_started_total{streamer="alice"}"#) == 1)
        #expect((metricValue(recording, #"biliup_checks_total{platform="fakelive"}"#) ?? 0) >= 1, "\(recording)")
        if Promtool.path != nil {
            let problems = try Promtool.problems(in: recording)
            #expect(problems == nil, "\(problems ?? "")")
        }
        let bytesWhileRecording = metricValue(recording, #"biliup_recorded_bytes_total{streamer="alice"}"#) ?? 0
        // The media ends; the room goes offline; the recording ends and its segments are counted.
        try await onThread { try RunCommandTests.waitFor("the media to end", seconds: 60) { source.sentUntilMediaTime >= 5.9 } }
        room.live.withLock { $0 = false }
        // The recording's end and the streamer's state are two updates: wait for both.
        let ended = try await scrape(until: "the segment counted and the streamer no longer recording") {
            (metricValue($0, #"biliup_segments_total{streamer="alice"}"#) ?? 0) >= 1 && metricValue($0, #"biliup_recordings{state="recording"}"#) == 0
                && metricValue($0, #"biliup_streamers{state="recording"}"#) == 0
        }
        #expect((metricValue(ended, #"biliup_recorded_bytes_total{streamer="alice"}"#) ?? 0) >= bytesWhileRecording)
        #expect((metricValue(ended, #"biliup_recorded_frames_total{streamer="alice",track="video"}"#) ?? 0) > 100, "\(ended)")
        #expect((metricValue(ended, #"biliup_recorded_frames_total{streamer="alice",track="audio"}"#) ?? 0) > 100)
        process.terminate()
        await onThread { process.waitUntilExit() }
    }

    /// main.lua's `server.public_metrics` opens GET /metrics to a Prometheus without a token while the
    /// rest of the API still wants the login; without it, /metrics wants the login too.
    @Test func mainLuaCanMakeTheMetricsPublic() async throws {
        for isPublic in [true, false] {
            let dir = try scratchDirectory("public-metrics")
            let data = dir.appendingPathComponent("data").path
            let added = try await ServerCommandTests.run(["user", "add", "admin", "--data-dir", data], input: "correct horse\n")
            try #require(added.status == 0, "\(added.output)")
            let port = try ServerCommandTests.freePort()
            let main = dir.appendingPathComponent("main.lua")
            try #"biliup.config { data_dir = "\#(data)", server = { port = \#(port), public_metrics = \#(isPublic) } }"#
                .write(to: main, atomically: true, encoding: .utf8)
            let process = try Self.start(["run", main.path])
            defer { if process.isRunning { process.terminate() } }
            let base = "http://127.0.0.1:\(port)"
            try await ServerCommandTests.waitForAPI(base)
            let (metricsStatus, text) = try await Self.text(base + "/metrics")
            #expect(metricsStatus == (isPublic ? 200 : 401), "public_metrics = \(isPublic): \(metricsStatus)")
            if isPublic { #expect(text.contains("biliup_streamers{")) }
            #expect(try await Self.text(base + "/api/streamers").0 == 401)
            process.terminate()
            await onThread { process.waitUntilExit() }
        }
    }

    /// `--log-format json --log-file`: every line a JSON object with time, level, message and fields;
    /// the file is rotated by size and FILE.1 … FILE.N kept.
    @Test func jsonLogLinesGoToARotatedFile() async throws {
        let dir = try scratchDirectory("log")
        let log = dir.appendingPathComponent("biliup.log")
        let port = try ServerCommandTests.freePort()
        let process = try Self.start(["server", "--data-dir", dir.appendingPathComponent("data").path, "--port", String(port),
                                      "--log-format", "json", "--log-file", log.path, "--log-max-size", "4KiB", "--log-keep", "2"])
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        try await ServerCommandTests.waitForAPI(base)
        // Each streamer added is an event on the log: enough lines to rotate more than twice.
        for n in 0..<60 {
            let (status, _) = try await ServerCommandTests.get(base + "/api/streamers", method: "POST",
                                                                body: #"{"name":"s\#(n)","url":"http://127.0.0.1:9/s\#(n).flv","paused":true}"#)
            #expect(status == 201)
        }
        process.terminate()
        await onThread { process.waitUntilExit() }
        let files = [log.path, log.path + ".1", log.path + ".2"]
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.utf8.count <= 4096, "\(file): \(text.utf8.count) bytes")
            for line in text.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["time"] is String && object?["level"] is String && object?["message"] is String && object?["fields"] is [String: Any],
                        "\(file): \(line)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: log.path + ".3"), "--log-keep 2 keeps two rotated files")
        let all = try files.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(all.contains(#""message":"stopped""#), "the last line is in the current file")
        #expect(all.contains(#""kind":"config""#) || all.contains(#""kind":"state""#), "events carry their kind as a field")
    }
}
