import Foundation

/// What a preupload handed out for one file: the UPOS key it will live under and the auth for it.
struct Preupload {
    let key: String  // "n….mp4", the upos_uri minus "upos://ugc/"
    let auth: String
    let bizId: Int
    let size: Int
    let mid: Int64
}

/// One multipart upload (an init call's upload id) and the parts received for it.
struct UploadSession {
    let key: String
    var parts: [Int: Int] = [:]  // partNumber → bytes
}

extension BilibiliStandIn {
    /// The chunk size preupload hands out (10 MiB, as Bilibili does, unless a test wants more chunks).
    public var chunkSize: Int {
        get { lock.withLock { state.chunkSize } }
        set { lock.withLock { state.chunkSize = newValue } }
    }

    /// Every upload id in progress stops working (chunk PUTs and completes answer 404), as when an
    /// upload session expires on Bilibili's side; the client has to start a new one (init again).
    public func expireUploadSessions() {
        lock.withLock { state.uploads.removeAll() }
    }

    /// The lines `preupload?r=probe` lists; all on bilivideo.com, so the host remap sends them here.
    static let lines = ["bda2", "bldsa", "tx", "txa", "alia"]

    func installUposRoutes() {
        route("/preupload") { [unowned self] request, writer in
            if request.query["r"] == "probe" { return sendProbeLines(writer) }
            preupload(request, writer)
        }
        server.routeStreaming(prefix: "/OK") { [unowned self] request, body, writer in
            record(request)
            body.discardRest()
            writer.send(status: 200, headers: ["Content-Type": "text/plain"], body: Data("OK".utf8))
        }
        server.routeStreaming(prefix: "/ugc/") { [unowned self] request, body, writer in
            record(request)
            let key = String(request.path.dropFirst("/ugc/".count))
            switch request.method {
            case "POST" where request.query["uploads"] != nil: initUpload(key: key, request, writer)
            case "PUT": putChunk(key: key, request, body, writer)
            case "POST": completeUpload(key: key, request, body, writer)
            default: writer.send(status: 405)
            }
        }
        server.routeStreaming(prefix: "/sink/") { [unowned self] request, body, writer in
            record(request)
            let bytes = countDiscarded(discard(body))
            guard bytes == body.length else { return writer.closeAbruptly() }
            sendJSON(writer, ["OK": 1, "bytes": bytes])
        }
    }

    private func sendProbeLines(_ writer: ResponseWriter) {
        let lines = Self.lines.map { line -> [String: Any] in
            ["os": "upos", "probe_url": "//upos-cs-upcdn\(line).bilivideo.com/OK",
             "query": "probe_version=20221109&upcdn=\(line)\(line == "bldsa" ? "&zone=cs" : "")"]
        }
        sendJSON(writer, ["OK": 1, "lines": lines, "probe": ["get": ["timeout": 30000]]])
    }

    private func preupload(_ request: LoopbackRequest, _ writer: ResponseWriter) {
        guard let account = webAccount(request) else { return refuse(writer, .notLoggedIn) }
        switch takePreuploadRateLimit() {
        case .code601?: return sendEnvelope(writer, code: 601, message: "上传视频过快，请稍后再试", status: 429)
        case .status406?: return sendEnvelope(writer, code: 406, message: "上传视频过快，请稍后再试", status: 406)
        case .okZero?: return sendJSON(writer, ["OK": 0, "info": "您上传视频过快，请稍后再试"])
        case nil: break
        }
        guard request.query["r"] == "upos", request.query["profile"] == "ugcupos/bup", let name = request.query["name"], !name.isEmpty,
              let size = Int(request.query["size"] ?? ""), size > 0
        else { return sendJSON(writer, ["OK": 0, "info": "参数错误"], status: 400) }
        let upcdn = request.query["upcdn"] ?? "bda2"
        let ext = name.contains(".") ? String(name.split(separator: ".").last!).lowercased() : "mp4"
        let (number, chunkSize) = lock.withLock { (state.nextNumber(), state.chunkSize) }
        let key = String(format: "n%06dstandin%08x.%@", number, UInt32.random(in: 0...UInt32.max), ext)
        let endpoint = "//upos-cs-upcdn\(upcdn).bilivideo.com"
        let auth = "ak=1494471752&cdn=%2F%2Fupos-cs-upcdn\(upcdn).bilivideo.com&os=upos&sign="
            + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            + "&timestamp=\(Int(Date().timeIntervalSince1970))&uid=\(account.mid)&uip=127.0.0.1&uport=3000&use_dqp=0"
        let bizId = 1_400_000_000 + number
        lock.withLock { state.preuploads[key] = Preupload(key: key, auth: auth, bizId: bizId, size: size, mid: account.mid) }
        sendJSON(writer, [
            "OK": 1, "auth": auth, "biz_id": bizId, "chunk_retry": 10, "chunk_retry_delay": 3, "chunk_size": chunkSize,
            "endpoint": endpoint, "endpoints": [endpoint, "//upos-cs-upcdntx.bilivideo.com"], "expose_params": NSNull(),
            "put_query": "os=upos&profile=ugcupos%2Fbup", "threads": 3, "timeout": 1200, "uip": "127.0.0.1",
            "upos_uri": "upos://ugc/\(key)",
        ])
    }

    /// The preupload this request's key and `X-Upos-Auth` belong to.
    private func authorizedPreupload(key: String, _ request: LoopbackRequest) -> Preupload? {
        lock.withLock { state.preuploads[key] }.flatMap { $0.auth == request.headers["x-upos-auth"] ? $0 : nil }
    }

    private func uposError(_ writer: ResponseWriter, _ status: Int, _ message: String) {
        sendJSON(writer, ["OK": 0, "error": message], status: status)
    }

    private func initUpload(key: String, _ request: LoopbackRequest, _ writer: ResponseWriter) {
        guard authorizedPreupload(key: key, request) != nil else { return uposError(writer, 403, "auth failed") }
        let uploadId = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        lock.withLock { state.uploads[uploadId] = UploadSession(key: key) }
        sendJSON(writer, ["OK": 1, "upload_id": uploadId, "bucket": "ugc", "key": "/\(key)"])
    }

    private func putChunk(key: String, _ request: LoopbackRequest, _ body: RequestBodyStream, _ writer: ResponseWriter) {
        guard let preupload = authorizedPreupload(key: key, request) else { return uposError(writer, 403, "auth failed") }
        let uploadId = request.query["uploadId"] ?? ""
        guard lock.withLock({ state.uploads[uploadId]?.key }) == key else { return uposError(writer, 404, "no such upload") }
        let number = { (name: String) in Int(request.query[name] ?? "") ?? -1 }
        let partNumber = number("partNumber")
        guard partNumber >= 1, number("chunk") == partNumber - 1, number("size") == body.length,
              number("end") - number("start") == body.length, number("start") >= 0, number("end") <= preupload.size,
              number("total") == preupload.size, number("chunks") >= partNumber
        else { return uposError(writer, 400, "bad part parameters") }

        let recordPut = { (bytes: Int, status: Int?) in
            self.lock.withLock { self.state.chunkPuts.append(ChunkPut(uploadId: uploadId, partNumber: partNumber, bytes: bytes, status: status)) }
        }
        switch nextChunkFault() {
        case .cut:
            let half = discard(body, limit: body.length / 2)
            recordPut(half, nil)
            return writer.closeAbruptly()
        case .fail:
            recordPut(discard(body), 500)
            return uposError(writer, 500, "internal error")
        case .hold:
            let received = discard(body)
            lock.withLock { state.faults.heldChunks += 1 }
            while holdChunks { usleep(20_000) }
            recordPut(received, 500)
            return uposError(writer, 500, "internal error")
        case .none:
            break
        }
        let received = discardUploads ? countDiscarded(discard(body)) : store(body, as: partFile(uploadId: uploadId, partNumber: partNumber))
        guard received == body.length else { return recordPut(received, nil) }
        lock.withLock { state.uploads[uploadId]?.parts[partNumber] = received }
        recordPut(received, 200)
        writer.send(status: 200, headers: ["ETag": "\"etag-\(partNumber)\"", "Content-Type": "text/plain"],
                    body: Data("MULTIPART_PUT_SUCCESS".utf8))
    }

    private func completeUpload(key: String, _ request: LoopbackRequest, _ body: RequestBodyStream, _ writer: ResponseWriter) {
        guard let preupload = authorizedPreupload(key: key, request) else { return uposError(writer, 403, "auth failed") }
        let uploadId = request.query["uploadId"] ?? ""
        guard let session = lock.withLock({ state.uploads[uploadId] }), session.key == key else {
            return uposError(writer, 404, "no such upload")
        }
        guard request.query["biz_id"] == String(preupload.bizId), request.query["name"]?.isEmpty == false else {
            return uposError(writer, 400, "bad complete parameters")
        }
        guard let json = body.readAll(), let parsed = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let list = parsed["parts"] as? [[String: Any]]
        else { return uposError(writer, 400, "the body is not {\"parts\": [...]}") }
        let listed = list.compactMap { $0["partNumber"] as? Int }
        guard listed.count == list.count, Set(listed).count == listed.count, Set(listed) == Set(session.parts.keys),
              Set(listed) == Set(1...max(listed.count, 1))
        else { return uposError(writer, 400, "the parts listed are not the parts received") }
        guard session.parts.values.reduce(0, +) == preupload.size else {
            return uposError(writer, 400, "the parts hold \(session.parts.values.reduce(0, +)) bytes, not \(preupload.size)")
        }
        let stem = String(key.split(separator: ".").first!)
        if !discardUploads {
            guard let file = try? assemble(uploadId: uploadId, parts: session.parts.count, into: key) else {
                return uposError(writer, 500, "could not assemble the file")
            }
            lock.withLock { state.completedFiles[stem] = file }
        }
        lock.withLock {
            state.completedStems.insert(stem)
            state.uploads[uploadId] = nil
        }
        sendJSON(writer, ["OK": 1, "location": "upos://ugc/\(key)", "bucket": "ugc", "key": "/\(key)", "etag": "etag"])
    }

    private func partFile(uploadId: String, partNumber: Int) -> URL {
        directory.appendingPathComponent("parts/\(uploadId)/\(partNumber)")
    }

    /// Writes the body to `file` as it arrives (replacing an earlier attempt only once complete); the bytes received.
    private func store(_ body: RequestBodyStream, as file: URL) -> Int {
        let partial = file.appendingPathExtension("receiving")
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: partial.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: partial) else { return discard(body) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var received = 0
        while received < body.length {
            let count = buffer.withUnsafeMutableBytes { body.read(into: $0) }
            guard count > 0 else { break }
            handle.write(Data(buffer[0..<count]))
            received += count
        }
        try? handle.close()
        if received == body.length {
            _ = try? FileManager.default.removeItem(at: file)
            try? FileManager.default.moveItem(at: partial, to: file)
        } else {
            try? FileManager.default.removeItem(at: partial)
        }
        return received
    }

    /// Reads and counts up to `limit` body bytes without keeping them.
    @discardableResult
    func discard(_ body: RequestBodyStream, limit: Int? = nil) -> Int {
        let wanted = min(limit ?? body.length, body.length)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var received = 0
        while received < wanted {
            let count = buffer.withUnsafeMutableBytes { body.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min($0.count, wanted - received)])) }
            guard count > 0 else { break }
            received += count
        }
        return received
    }

    /// Adds to `discardedBytes` what a sink or a discard-mode chunk received.
    private func countDiscarded(_ bytes: Int) -> Int {
        lock.withLock { state.discardedBytes += Int64(bytes) }
        return bytes
    }

    /// Concatenates the parts in partNumber order into `uploads/<key>` and drops them.
    private func assemble(uploadId: String, parts: Int, into key: String) throws -> URL {
        let uploads = directory.appendingPathComponent("uploads")
        try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        let file = uploads.appendingPathComponent(key)
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let out = try FileHandle(forWritingTo: file)
        defer { try? out.close() }
        for partNumber in 1...parts {
            let input = try FileHandle(forReadingFrom: partFile(uploadId: uploadId, partNumber: partNumber))
            defer { try? input.close() }
            while let data = try input.read(upToCount: 1 << 20), !data.isEmpty { out.write(data) }
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("parts/\(uploadId)"))
        return file
    }
}
