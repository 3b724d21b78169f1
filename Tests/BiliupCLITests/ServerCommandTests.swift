import BiliupTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `biliup user`, `biliup server` and the API of `biliup run`, through the real binary.
@Suite(.serialized) struct ServerCommandTests {
    /// Runs biliup with `input` on standard input.
    static func run(_ args: [String], input: String) async throws -> (status: Int32, output: String) {
        try await onThread {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: BiliupProcess.binary)
            p.arguments = args
            let stdin = Pipe(), out = Pipe()
            p.standardInput = stdin
            p.standardOutput = out
            p.standardError = out
            try p.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    /// A port nobody listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw APIUnreachable(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func get(_ url: String, method: String = "GET", body: String? = nil, token: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession(configuration: .ephemeral).data(for: request)
        return ((response as! HTTPURLResponse).statusCode, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    /// Polls until the API answers (the process is starting).
    static func waitForAPI(_ base: String) async throws {
        for _ in 0..<300 {
            if (try? await get(base + "/api/me")) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw APIUnreachable(description: "the API at \(base) never answered")
    }

    @Test func usersAreAddedFromStandardInputAndTheServerNeedsThemOffLoopback() async throws {
        let dir = try scratchDirectory("server")
        let data = dir.appendingPathComponent("data").path
        let weak = try await Self.run(["user", "add", "root", "--data-dir", data], input: "short\n")
        #expect(weak.status != 0 && weak.output.contains("at least 8 characters"), "\(weak.output)")

        let exposed = try await BiliupProcess.run(["server", "--data-dir", data, "--bind", "0.0.0.0", "--port", "0"])
        #expect(exposed.status == 1)
        #expect(exposed.stderr.contains("refusing to listen on 0.0.0.0 without a login"), "\(exposed.stderr)")

        let added = try await Self.run(["user", "add", "root", "--data-dir", data], input: "correct horse\n")
        #expect(added.status == 0 && added.output.contains("user 'root' added (admin)"), "\(added.output)")
        let again = try await Self.run(["user", "add", "root", "--data-dir", data], input: "correct horse\n")
        #expect(again.status != 0 && again.output.contains("user 'root' exists"), "\(again.output)")

        let port = try Self.freePort()
        let server = try BiliupProcess.start(["server", "--data-dir", data, "--port", String(port)])
        defer { if server.isRunning { server.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        try await Self.waitForAPI(base)
        let (meStatus, me) = try await Self.get(base + "/api/me")
        #expect(meStatus == 200 && me["login_required"] as? Bool == true)
        #expect(try await Self.get(base + "/api/streamers").0 == 401)
        let (loginStatus, login) = try await Self.get(base + "/api/login", method: "POST", body: #"{"username":"root","password":"correct horse"}"#)
        #expect(loginStatus == 200)
        let token = login["token"] as? String
        let (addStatus, added2) = try await Self.get(base + "/api/streamers", method: "POST",
                                                    body: #"{"name":"cli","url":"http://127.0.0.1:9/cli.m3u8"}"#, token: token)
        #expect(addStatus == 201 && added2["origin"] as? String == "api")

        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let listed = try await BiliupProcess.run(["user", "list", "--data-dir", data])
        #expect(listed.stdout == "root (admin)\n")
    }

    @Test func runServesTheAPIWithMainLuaStreamersReadOnly() async throws {
        let dir = try scratchDirectory("run-api")
        let port = try Self.freePort()
        let main = """
            biliup.config { data_dir = "\(dir.path)/data", server = { port = \(port) } }
            biliup.streamer "scripted" { url = "http://127.0.0.1:9/scripted.m3u8" }
            """
        try main.write(to: dir.appendingPathComponent("main.lua"), atomically: true, encoding: .utf8)
        let run = try BiliupProcess.start(["run", dir.appendingPathComponent("main.lua").path])
        defer { if run.isRunning { run.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        try await Self.waitForAPI(base)
        let (status, list) = try await Self.get(base + "/api/streamers")
        #expect(status == 200)
        let items = list["items"] as? [[String: Any]] ?? []
        #expect(items.map { $0["name"] as? String } == ["scripted"])
        #expect(items.first?["origin"] as? String == "script")
        let id = items.first?["id"] as? Int ?? 0
        let (putStatus, put) = try await Self.get(base + "/api/streamers/\(id)", method: "PUT", body: #"{"name":"renamed"}"#)
        #expect(putStatus == 409)
        #expect(((put["error"] as? [String: Any])?["message"] as? String)?.contains("main.lua:2") == true, "\(put)")
        let (pauseStatus, paused) = try await Self.get(base + "/api/streamers/\(id)/pause", method: "POST")
        #expect(pauseStatus == 200 && paused["state"] as? String == "paused")
        run.terminate()
        run.waitUntilExit()
        #expect(run.terminationStatus == 0)
    }
}

struct APIUnreachable: Error, CustomStringConvertible {
    let description: String
}
