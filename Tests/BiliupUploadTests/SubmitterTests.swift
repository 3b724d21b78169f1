import BiliupNet
import BiliupTestSupport
import BiliupUpload
import BiliupValues
import Foundation
import Testing

/// Submissions, covers and appends against the Bilibili stand-in, with parts really uploaded through UPOS
/// first (the stand-in accepts only parts whose upload completed).
@Suite struct SubmitterTests {
    let directory: URL
    let standIn: BilibiliStandIn
    let login: LoginInfo
    let submitter: Submitter

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("submitter-\(UUID().uuidString)")
        standIn = try BilibiliStandIn(directory: directory)
        standIn.chunkSize = 64 << 10
        let account = standIn.addAccount(mid: 7001, uname: "投稿测试")
        login = try LoginInfo.reading(Data(standIn.loginInfoJSON(for: account).utf8))
        submitter = Submitter(client: BilibiliClient(remap: standIn.remap), login: login)
    }

    /// Every field the submission body has when no optional one is set, as biliup sends it.
    static let bodyFields: Set<String> = [
        "copyright", "source", "tid", "cover", "title", "desc_format_id", "desc", "dynamic", "subtitle", "tag", "videos",
        "open_subtitle", "interactive", "dolby", "lossless_music", "no_reprint", "is_only_self", "charging_pay",
        "up_selection_reply", "up_close_reply", "up_close_danmu",
    ]

    /// Uploads `count` small files of different sizes and returns their parts, in order.
    func uploadParts(_ count: Int, named prefix: String = "part") async throws -> [Studio.Video] {
        let uploader = UposUploader(client: BilibiliClient(remap: standIn.remap), store: nil, login: login, accountId: nil, line: .bda2)
        var parts: [Studio.Video] = []
        for i in 0..<count {
            let file = directory.appendingPathComponent("\(prefix)\(i + 1).flv")
            try Data((0..<(100_000 + 37_000 * i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }).write(to: file)
            parts.append(try await uploader.upload(path: file.path) { _ in })
        }
        return parts
    }

    func studio(_ parts: [Studio.Video]) -> Studio {
        var studio = Studio(tid: 171, title: "测试直播 2024-05-01", tag: "直播,录播")
        studio.videos = parts
        return studio
    }

    static func fields(_ body: JSONValue) -> Set<String> {
        if case .object(let fields) = body { return Set(fields.keys) }
        return []
    }

    static func filenames(_ body: JSONValue) -> [String] {
        guard case .object(let fields) = body, case .array(let videos)? = fields["videos"] else { return [] }
        return videos.compactMap { video in
            if case .object(let v) = video { return v["filename"]?.stringValue }
            return nil
        }
    }

    @Test func webSubmissionCarriesTheCoverAndThePartsInOrder() async throws {
        let parts = try await uploadParts(3)
        let cover = directory.appendingPathComponent("cover.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 300)).write(to: cover)
        var studio = studio(parts)
        studio.cover = try await submitter.uploadCover(path: cover.path)
        let archive = try await submitter.submit(studio, mode: .web)

        let covers = standIn.covers
        #expect(covers.count == 1)
        #expect(covers.first?.mimeType == "image/png")
        #expect(covers.first?.bytes == 308)
        let submission = try #require(standIn.submissions.last)
        #expect(submission.endpoint == "/x/vu/web/add/v3")
        #expect(submission.authorized)
        #expect(submission.code == 0)
        #expect(Self.fields(submission.body) == Self.bodyFields)
        #expect(Self.filenames(submission.body) == parts.map(\.filename))
        #expect(submission.body.member("cover")?.stringValue == covers.first?.url)
        #expect(standIn.archives[archive.aid]?.bvid == archive.bvid)
        #expect(standIn.archives[archive.aid]?.videoFilenames == parts.map(\.filename))
        let submit = try #require(standIn.requests.last { $0.path == "/x/vu/web/add/v3" })
        #expect(submit.query["csrf"] == login.csrf)
        #expect(submit.query["t"].flatMap { Int64($0) }.map { $0 > 1_600_000_000_000 } == true)
    }

    @Test func appSubmissionIsSignedWithTheClientsQuery() async throws {
        let parts = try await uploadParts(2)
        var studio = studio(parts)
        studio.dtime = Int64(Date().timeIntervalSince1970) + 5 * 3600
        studio.extraFields = ["topic_id": 12]
        let archive = try await submitter.submit(studio, mode: .app)

        let submission = try #require(standIn.submissions.last)
        #expect(submission.endpoint == "/x/vu/app/add")
        #expect(submission.authorized)
        #expect(Self.fields(submission.body) == Self.bodyFields.union(["dtime", "topic_id"]))
        #expect(Self.filenames(submission.body) == parts.map(\.filename))
        #expect(standIn.archives[archive.aid]?.videoFilenames == parts.map(\.filename))
        let query = try #require(standIn.requests.last { $0.path == "/x/vu/app/add" }?.query)
        #expect(query["access_key"] == login.tokenInfo.accessToken)
        #expect(query["appkey"] == AppKey.tv.key)
        #expect(query["build"] == "7800300")
        #expect(query["mobi_app"] == "android")
        #expect(query["statistics"] == #"{"appId":1,"platform":3,"version":"7.80.0","abtest":""}"#)
        #expect(query["sign"]?.count == 32)
    }

    @Test func aWrongCsrfOrSignatureIsRefused() async throws {
        let parts = try await uploadParts(1)
        var forged = login
        forged.cookieInfo = .object(["cookies": .array(login.cookies.map { cookie in
            .object(["name": .string(cookie.name), "value": .string(cookie.name == "bili_jct" ? "forged" : cookie.value)])
        })])
        await #expect(throws: UploadError.self) {
            _ = try await Submitter(client: BilibiliClient(remap: standIn.remap), login: forged).submit(studio(parts), mode: .web)
        }
        var otherApp = login
        otherApp.tokenInfo.accessToken = "not-a-token"
        do {
            _ = try await Submitter(client: BilibiliClient(remap: standIn.remap), login: otherApp).submit(studio(parts), mode: .app)
            Issue.record("an unknown access key was accepted")
        } catch {
            #expect(error.kind == .needsLogin)
        }
        #expect(standIn.submissions.map(\.authorized) == [false, false])
        #expect(standIn.archives.isEmpty)
    }

    @Test(arguments: [SubmitMode.app, .web])
    func appendAddsPartsAfterTheExistingOnes(mode: SubmitMode) async throws {
        let first = try await uploadParts(2, named: "first")
        let archive = try await submitter.submit(studio(first), mode: .app)
        let more = try await uploadParts(2, named: "more")
        let edited = try await submitter.append(to: .bvid(archive.bvid), videos: more, mode: mode)

        #expect(edited == archive)
        let stored = try #require(standIn.archives[archive.aid])
        #expect(stored.videoFilenames == (first + more).map(\.filename))
        #expect(stored.edits == 1)
        let edit = try #require(standIn.submissions.last)
        #expect(edit.endpoint == (mode == .app ? "/x/vu/app/edit/full" : "/x/vu/web/edit"))
        #expect(edit.authorized)
        // The archive's own read-only state is not sent back.
        #expect(edit.body.member("limited_free") == nil)
        #expect(edit.body.member("title")?.stringValue == "测试直播 2024-05-01")
        let (_, videos) = try await submitter.view(.aid(archive.aid))
        #expect(videos.map(\.filename) == (first + more).map(\.filename))
    }

    @Test func aProblemNamesItsFieldBeforeAnyRequest() async throws {
        var studio = studio([Studio.Video(title: "p", filename: "n1")])
        studio.tid = 0
        do {
            _ = try await submitter.submit(studio, mode: .web)
            Issue.record("tid 0 was submitted")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(StudioField.of(error) == .tid)
        }
        #expect(standIn.requests.isEmpty)
    }

    @Test func bilibilisRefusalOfACategoryNamesTheField() async throws {
        let parts = try await uploadParts(1)
        var studio = studio(parts)
        studio.tid = 9999
        do {
            _ = try await submitter.submit(studio, mode: .app)
            Issue.record("an unknown category was accepted")
        } catch {
            #expect(error.kind == .api)
            #expect(error.code == 21003)
            #expect(StudioField.of(error) == .tid)
            #expect(error.message.contains("分区不存在"))
        }
    }

    @Test func aSubmissionRateLimitIsReportedForTheCallerToWait() async throws {
        let parts = try await uploadParts(1)
        standIn.submitRateLimits = 1
        do {
            _ = try await submitter.submit(studio(parts), mode: .web)
            Issue.record("the rate limit was not reported")
        } catch {
            #expect(error.kind == .rateLimited)
            #expect(error.code == 21070)
        }
        let archive = try await submitter.submit(studio(parts), mode: .web)
        #expect(standIn.archives[archive.aid] != nil)
    }
}

extension JSONValue {
    fileprivate func member(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}
