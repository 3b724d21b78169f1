import BiliupNet
import BiliupScript
import Foundation

/// A local stand-in for a live platform's servers: one loopback HTTP server serving every remote host
/// of the platform under its own path prefix (`/<host>/...`), with the host remap that sends a
/// plugin's requests there, and a record of every request for tests to assert on.
public final class FakePlatform: @unchecked Sendable {
    public struct Request: Sendable {
        public var host: String
        public var method: String
        /// Path on the real host (the `/<host>` prefix removed).
        public var path: String
        public var query: [String: String]
        public var headers: [String: String]
        public var body: Data
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        /// Form fields of a URL-encoded body.
        public var form: [String: String] {
            var out: [String: String] = [:]
            for part in bodyText.split(separator: "&") {
                let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (s: Substring) in (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)) }
                out[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
            }
            return out
        }
    }

    public let server: LoopbackHTTPServer
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var hosts: Set<String> = []

    public init() throws {
        server = try LoopbackHTTPServer()
        server.setFallback { [unowned self] request, writer in
            _ = self.record(request)
            writer.send(status: 404, headers: ["Content-Type": "text/plain"], body: Data("no fake for \(request.path)".utf8))
        }
    }

    /// Serves `path` of `host`; the handler sees the request with the host prefix removed.
    public func route(_ host: String, _ path: String, _ handler: @escaping @Sendable (Request, ResponseWriter) -> Void) {
        lock.withLock { _ = hosts.insert(host) }
        server.route("/\(host)\(path)") { [unowned self] request, writer in
            handler(self.record(request), writer)
        }
    }

    /// Serves a fixed JSON body.
    public func json(_ host: String, _ path: String, status: Int = 200, _ body: String) {
        route(host, path) { _, w in w.send(status: status, headers: ["Content-Type": "application/json"], body: Data(body.utf8)) }
    }

    /// The remap that sends `hosts` (default: every host with a route) to this server.
    public func remap(_ extraHosts: [String] = []) -> HostRemap {
        let all = lock.withLock { hosts }.union(extraHosts).sorted()
        return try! HostRemap(parsing: all.map { "\($0)=http://127.0.0.1:\(server.port)/\($0)" })
    }

    /// Base URL for `host` on this server (for URLs a fake hands back, e.g. stream URLs).
    public func base(_ host: String) -> String { "http://127.0.0.1:\(server.port)/\(host)" }

    public var requests: [Request] { lock.withLock { recorded } }

    public func requests(to host: String, _ path: String? = nil) -> [Request] {
        requests.filter { $0.host == host && (path == nil || $0.path == path) }
    }

    public func reset() { lock.withLock { recorded.removeAll() } }

    private func record(_ r: LoopbackRequest) -> Request {
        let trimmed = r.path.dropFirst()
        let slash = trimmed.firstIndex(of: "/") ?? trimmed.endIndex
        let request = Request(host: String(trimmed[..<slash]), method: r.method, path: String(trimmed[slash...]),
                              query: r.query, headers: r.headers, body: r.body)
        lock.withLock { recorded.append(request) }
        return request
    }
}

/// Where the shipped plugins live in this checkout.
public enum PluginPaths {
    public static var shipped: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("lua/plugins").path
    }

    /// A fresh temporary directory for plugins a test writes.
    public static func temporary() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-plugins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }
}
