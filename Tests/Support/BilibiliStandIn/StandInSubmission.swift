import BiliupNet
import BiliupValues
import Foundation

extension BilibiliStandIn {
    /// Category (分区) ids the stand-in accepts: a selection of real ones (171 is 电子竞技, biliup's default).
    public static let knownTids: Set<Int> = [17, 19, 21, 27, 65, 76, 95, 121, 122, 124, 136, 138, 171, 172, 173, 174, 201, 207, 208, 209, 228, 229, 230, 231, 232, 233, 235, 236]

    func installSubmissionRoutes() {
        route("/x/vu/web/cover/up") { [unowned self] request, writer in
            let form = Self.formFields(String(decoding: request.body, as: UTF8.self))
            do throws(Refusal) {
                _ = try webAccount(request, csrf: form["csrf"])
                sendEnvelope(writer, data: ["url": try storeCover(form["cover"] ?? "")])
            } catch {
                refuse(writer, error)
            }
        }
        for path in ["/x/vu/web/add/v3", "/x/vu/web/edit"] {
            route(path) { [unowned self] request, writer in
                submit(request, writer, edit: path.hasSuffix("edit")) { () throws(Refusal) in
                    try webAccount(request, csrf: request.query["csrf"])
                }
            }
        }
        for path in ["/x/vu/app/add", "/x/vu/mvp/add", "/x/vu/app/edit/full"] {
            route(path) { [unowned self] request, writer in
                submit(request, writer, edit: path.hasSuffix("full")) { () throws(Refusal) in
                    try appAccount(signed: request.rawQuery, accessKey: request.query["access_key"])
                }
            }
        }
        route("/x/client/archive/view") { [unowned self] request, writer in
            do throws(Refusal) {
                let account = try appAccount(signed: request.rawQuery, accessKey: request.query["access_key"])
                let archive = try ownArchive(aid: request.query["aid"].flatMap { Int64($0) }, bvid: request.query["bvid"], of: account)
                sendEnvelope(writer, data: view(of: archive))
            } catch {
                refuse(writer, error)
            }
        }
    }

    /// Runs one add or edit call: who is asking, rate limits (adds only), the body's validity, then the archive.
    private func submit(_ request: LoopbackRequest, _ writer: ResponseWriter, edit: Bool,
                        authorize: () throws(Refusal) -> AccountState) {
        let body = (try? JSONDecoder().decode(JSONValue.self, from: request.body)) ?? .null
        let recordCall = { (authorized: Bool, code: Int) in
            self.lock.withLock {
                self.state.submissions.append(Submission(endpoint: request.path, body: body, authorized: authorized, code: code))
            }
        }
        let account: AccountState
        do {
            account = try authorize()
        } catch {
            recordCall(false, error.code)
            return refuse(writer, error)
        }
        if !edit, takeSubmitRateLimit() {
            recordCall(true, 21070)
            return sendEnvelope(writer, code: 21070, message: "投稿过于频繁，请稍后再试")
        }
        do throws(Refusal) {
            try validate(body)
            let archive = edit ? try editArchive(body, of: account) : addArchive(body, of: account)
            recordCall(true, 0)
            sendEnvelope(writer, data: ["aid": archive.aid, "bvid": archive.bvid])
        } catch {
            recordCall(true, error.code)
            refuse(writer, error)
        }
    }

    /// The checks Bilibili makes of a submission body, with its codes.
    private func validate(_ body: JSONValue) throws(Refusal) {
        guard case .object = body else { throw Refusal(code: -400, message: "请求错误") }
        let title = body.member("title")?.stringValue ?? ""
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw Refusal(code: 21001, message: "标题不能为空") }
        guard case .int(let tid)? = body.member("tid"), Self.knownTids.contains(Int(tid)) else {
            throw Refusal(code: 21003, message: "分区不存在")
        }
        let copyright = body.member("copyright") ?? .int(1)
        guard copyright == .int(1) || copyright == .int(2) else { throw Refusal(code: -400, message: "copyright 只能是 1 或 2") }
        if copyright == .int(2), (body.member("source")?.stringValue ?? "").isEmpty {
            throw Refusal(code: 21012, message: "转载来源不能为空")
        }
        guard !(body.member("tag")?.stringValue ?? "").isEmpty else { throw Refusal(code: -400, message: "标签不能为空") }
        guard case .array(let videos)? = body.member("videos"), !videos.isEmpty else {
            throw Refusal(code: -400, message: "至少需要一个视频")
        }
        let uploaded = lock.withLock { state.completedStems }
        for video in videos {
            let filename = video.member("filename")?.stringValue ?? ""
            guard uploaded.contains(filename) else { throw Refusal(code: -400, message: "视频 \(filename) 不存在或未上传完成") }
        }
    }

    private func addArchive(_ body: JSONValue, of account: AccountState) -> StandInArchive {
        lock.withLock {
            let aid = Int64(113_000_000_000_000 + state.nextNumber())
            let archive = StandInArchive(aid: aid, bvid: Self.bvid(aid), mid: account.mid, studio: body, edits: 0)
            state.archives[aid] = archive
            return archive
        }
    }

    private func editArchive(_ body: JSONValue, of account: AccountState) throws(Refusal) -> StandInArchive {
        let aid: Int64? = if case .int(let aid)? = body.member("aid") { aid } else { nil }
        var archive = try ownArchive(aid: aid, bvid: nil, of: account)
        archive.studio = body
        archive.edits += 1
        lock.withLock { state.archives[archive.aid] = archive }
        return archive
    }

    private func ownArchive(aid: Int64?, bvid: String?, of account: AccountState) throws(Refusal) -> StandInArchive {
        let found = lock.withLock { state.archives.values.first { $0.aid == aid || ($0.bvid == bvid && bvid != nil) } }
        guard let found else { throw Refusal(code: -404, message: "啥都木有") }
        guard found.mid == account.mid else { throw Refusal(code: -403, message: "访问权限不足") }
        return found
    }

    /// `data` of archive/view: the archive's fields (as the app gets them, `limited_free` included) and its parts.
    private func view(of archive: StandInArchive) -> [String: Any] {
        var fields = (archive.studio.foundationValue as? [String: Any]) ?? [:]
        fields["videos"] = nil
        fields["aid"] = archive.aid
        fields["bvid"] = archive.bvid
        fields["mid"] = archive.mid
        fields["state"] = 0
        fields["state_desc"] = ""
        fields["limited_free"] = false
        let videos = archive.videos.enumerated().map { index, video -> [String: Any] in
            ["aid": archive.aid, "cid": archive.aid * 10 + Int64(index), "index": index + 1,
             "title": video.member("title")?.stringValue ?? "", "desc": video.member("desc")?.stringValue ?? "",
             "filename": video.member("filename")?.stringValue ?? "", "duration": 0, "status": 0]
        }
        return ["archive": fields, "videos": videos]
    }

    /// Decodes a `data:image/...;base64,` cover, keeps it, and names the URL Bilibili would serve it at.
    private func storeCover(_ dataURL: String) throws(Refusal) -> String {
        guard dataURL.hasPrefix("data:image/"), let comma = dataURL.firstIndex(of: ","),
              dataURL[..<comma].hasSuffix(";base64"), let image = Data(base64Encoded: String(dataURL[dataURL.index(after: comma)...])),
              !image.isEmpty
        else { throw Refusal(code: -400, message: "请求错误") }
        let mimeType = String(dataURL.dropFirst("data:".count).prefix { $0 != ";" })
        let name = Digest.hex(Digest.sha1(Array(image))) + (mimeType == "image/png" ? ".png" : ".jpg")
        let covers = directory.appendingPathComponent("covers")
        let file = covers.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: covers, withIntermediateDirectories: true)
        let stored = (try? image.write(to: file)) != nil
        let url = "https://archive.biliimg.com/bfs/archive/\(name)"
        lock.withLock {
            state.covers.append(UploadedCover(url: url, file: stored ? file : nil, bytes: image.count, mimeType: mimeType))
        }
        return url
    }

    /// A BV id for the stand-in's aids: "BV1" and nine characters of Bilibili's alphabet (not its real mapping).
    static func bvid(_ aid: Int64) -> String {
        let alphabet = Array("fZodR9XQDSUm21yCkr6zBqiveYah8bt4xsWpHnJE7jL5VG3guMTKNPAwcF")
        var n = UInt64(aid)
        var chars: [Character] = []
        for _ in 0..<9 {
            chars.append(alphabet[Int(n % 58)])
            n /= 58
        }
        return "BV1" + String(chars)
    }
}
