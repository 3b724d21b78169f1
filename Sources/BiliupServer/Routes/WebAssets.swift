import Foundation
import HTTPTypes
import Hummingbird

/// The web page: every file of the web folder, read once at start and served from memory.
struct WebAssets: Sendable {
    static let contentTypes = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
                               "json": "application/json", "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon",
                               "webmanifest": "application/manifest+json"]
    /// The page's own scripts and styles only; the API and its WebSocket on this origin.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]

    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
    }

    let directory: String?
    let files: [String: File]

    /// The web folder: BILIUP_WEB_DIR, else the resources beside the executable (where SwiftPM puts them).
    static func locate() -> String? {
        var candidates: [String] = []
        if let dir = ProcessInfo.processInfo.environment["BILIUP_WEB_DIR"], !dir.isEmpty { candidates.append(dir) }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        candidates.append(executable + "/biliup_BiliupServer.resources/web")
        if let bundled = Bundle.main.resourceURL?.appendingPathComponent("biliup_BiliupServer.resources/web").path { candidates.append(bundled) }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/index.html") }
    }

    init(directory: String?) {
        self.directory = directory
        var files: [String: File] = [:]
        if let directory, let walker = FileManager.default.enumerator(atPath: directory) {
            while let relative = walker.nextObject() as? String {
                let full = directory + "/" + relative
                guard let data = FileManager.default.contents(atPath: full), !relative.hasPrefix(".") else { continue }
                let ext = (relative as NSString).pathExtension.lowercased()
                files["/" + relative] = File(body: ByteBuffer(data: data), contentType: Self.contentTypes[ext] ?? "application/octet-stream")
            }
        }
        self.files = files
    }

    func response(path: String) throws -> Response {
        if path == "/api" || path.hasPrefix("/api/") { throw APIError.noRoute }
        let key = path == "/" ? "/index.html" : path
        guard let file = files[key] else {
            if files.isEmpty {
                let note = "biliup: the web page's files were not found (set BILIUP_WEB_DIR to the web folder). The API is at /api.\n"
                return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: note)))
            }
            throw APIError.notFound("no such file: \(path)")
        }
        var headers = Self.securityHeaders
        headers[.contentType] = file.contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
    }
}
