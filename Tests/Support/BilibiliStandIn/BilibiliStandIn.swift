import BiliupNet
import BiliupValues
import Foundation

/// A local Bilibili for the uploader's tests and benchmarks: passport (TV QR login, OAuth2 token info
/// and refresh), api (nav), member (preupload, covers, submission, archive view and edit) and the UPOS
/// hosts, all on one loopback server reached through `remapRules`. It answers with the real shapes and
/// codes and checks what the real servers check (cookies, csrf, app signatures, access keys, upload
/// auth and ids), keeps uploaded files on disk, and can be told to fail the ways Bilibili fails.
public final class BilibiliStandIn: @unchecked Sendable {
    public let server: LoopbackHTTPServer
    /// Where uploaded parts, assembled files and covers are kept.
    public let directory: URL
    /// Stores nothing of chunk bodies, only counts them: for benchmarks of the client's throughput.
    public let discardUploads: Bool

    let lock = NSLock()
    var state = StandInState()

    public var baseURL: URL { server.baseURL }

    /// The host remap rules (`HOST=BASE`) that send every Bilibili host the uploader talks to here.
    public var remapRules: [String] {
        let base = baseURL.absoluteString
        return ["member.bilibili.com=\(base)", "passport.bilibili.com=\(base)", "api.bilibili.com=\(base)", "*.bilivideo.com=\(base)"]
    }

    public var remap: HostRemap { try! HostRemap(parsing: remapRules) }  // the rules above always parse

    public init(directory: URL, port: Int = 0, discardUploads: Bool = false) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.discardUploads = discardUploads
        server = try LoopbackHTTPServer(port: port)
        installAccountRoutes()
        installQRLoginRoutes()
        installUposRoutes()
        installSubmissionRoutes()
        server.setFallback { [unowned self] request, writer in
            record(request)
            writer.send(status: 404, headers: ["Content-Type": "text/plain"], body: Data("no such endpoint: \(request.path)\n".utf8))
        }
    }

    public func stop() { server.stop() }

    /// Serves `path` (any method), recording each request.
    func route(_ path: String, _ handler: @escaping @Sendable (LoopbackRequest, ResponseWriter) -> Void) {
        server.route(path) { [unowned self] request, writer in
            record(request)
            handler(request, writer)
        }
    }

    func record(_ request: LoopbackRequest) {
        lock.withLock { state.requests.append(StandInRequest(method: request.method, path: request.path, query: request.query)) }
    }

    // MARK: - Records

    /// Every request received, in order.
    public var requests: [StandInRequest] { lock.withLock { state.requests } }
    /// Every chunk PUT, in the order they finished.
    public var chunkPuts: [ChunkPut] { lock.withLock { state.chunkPuts } }
    /// Every add and edit call, refused ones included.
    public var submissions: [Submission] { lock.withLock { state.submissions } }
    public var covers: [UploadedCover] { lock.withLock { state.covers } }
    /// Archives created by add calls, by aid, as the last add or edit left them.
    public var archives: [Int64: StandInArchive] { lock.withLock { state.archives } }
    /// Body bytes received by chunk PUTs in discard mode and by `PUT /sink/...`.
    public var discardedBytes: Int64 { lock.withLock { state.discardedBytes } }

    /// The assembled file of a completed upload, by the stem of its upos_uri (the submission's
    /// `filename`); nil until the complete call succeeded, and always in discard mode.
    public func uploadedFile(named remoteStem: String) -> URL? {
        lock.withLock { state.completedFiles[remoteStem] }
    }

    // MARK: - Answers

    /// Bilibili's API envelope: `{code, message, ttl, data}`.
    func sendEnvelope(_ writer: ResponseWriter, code: Int = 0, message: String = "0", data: Any? = nil, status: Int = 200) {
        var body: [String: Any] = ["code": code, "message": message, "ttl": 1]
        if let data { body["data"] = data }
        sendJSON(writer, body, status: status)
    }

    func sendJSON(_ writer: ResponseWriter, _ object: Any, status: Int = 200) {
        let body = try! JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])  // built from plain values here
        writer.send(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: body)
    }
}

/// Everything the stand-in remembers, under its lock.
struct StandInState {
    var accounts: [Int64: AccountState] = [:]
    var accountOrder: [Int64] = []
    var qrScript = QRScript.waiting
    var qrCodes: [String: Int] = [:]  // auth_code → polls so far
    var preuploads: [String: Preupload] = [:]  // by upos key ("n….mp4")
    var uploads: [String: UploadSession] = [:]  // by upload id
    var completedFiles: [String: URL] = [:]
    var completedStems: Set<String> = []
    var chunkSize = 10_485_760
    var faults = FaultState()
    var requests: [StandInRequest] = []
    var chunkPuts: [ChunkPut] = []
    var submissions: [Submission] = []
    var covers: [UploadedCover] = []
    var archives: [Int64: StandInArchive] = [:]
    var discardedBytes: Int64 = 0
    var sequence: Int = 0

    mutating func nextNumber() -> Int {
        sequence += 1
        return sequence
    }
}
