import BiliupNet
import BiliupTestSupport
import BiliupUpload
import Foundation
import Testing

/// The Bilibili stand-in driven with raw HTTP, as any client would: the protocol it serves is the one
/// every uploader test relies on, so its checks must hold on their own.
@Suite final class StandInTests {
    let directory: URL
    let standIn: BilibiliStandIn
    let account: StandInAccount

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("standin-\(UUID().uuidString)")
        standIn = try BilibiliStandIn(directory: directory)
        account = standIn.addAccount(mid: 4242, uname: "测试UP主")
    }

    deinit {
        standIn.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func uploadsInThreePartsAssembleTheFileInPartNumberOrder() async throws {
        standIn.chunkSize = 1 << 20
        let original = Data((0..<(5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })  // 2.5 MiB
        let pre = try await json(get("/preupload?probe_version=20221109&upcdn=bda2&name=clip.flv&r=upos&profile=ugcupos%2Fbup&ssl=0&version=2.14.0&build=2140000&size=\(original.count)", cookie: account.cookieHeader))
        #expect(pre["OK"] as? Int == 1)
        #expect(pre["endpoint"] as? String == "//upos-cs-upcdnbda2.bilivideo.com")
        let uposURI = try #require(pre["upos_uri"] as? String)
        let auth = try #require(pre["auth"] as? String)
        let bizId = try #require(pre["biz_id"] as? Int)
        let chunkSize = try #require(pre["chunk_size"] as? Int)
        #expect(uposURI.hasPrefix("upos://ugc/n") && uposURI.hasSuffix(".flv"))
        let url = "/" + uposURI.dropFirst("upos://".count)
        let authHeader = [("X-Upos-Auth", auth)]

        let started = try await json(send(url + "?uploads&output=json", method: "POST", headers: authHeader))
        let uploadId = try #require(started["upload_id"] as? String)
        #expect(started["OK"] as? Int == 1)

        for index in [2, 0, 1] {  // out of order, as concurrent chunks finish
            let start = index * chunkSize
            let part = original[start..<min(start + chunkSize, original.count)]
            let query = "?partNumber=\(index + 1)&uploadId=\(uploadId)&chunk=\(index)&chunks=3&size=\(part.count)&start=\(start)&end=\(start + part.count)&total=\(original.count)"
            let put = try await send(url + query, method: "PUT", headers: authHeader, body: Array(part))
            #expect(put.status == 200)
        }
        let stem = String(uposURI.dropFirst("upos://ugc/".count).split(separator: ".")[0])
        #expect(standIn.uploadedFile(named: stem) == nil)

        let parts = #"{"parts":[{"partNumber":3,"eTag":"etag"},{"partNumber":1,"eTag":"etag"},{"partNumber":2,"eTag":"etag"}]}"#
        let done = try await json(send(url + "?output=json&name=clip.flv&profile=ugcupos%2Fbup&uploadId=\(uploadId)&biz_id=\(bizId)",
                                       method: "POST", headers: authHeader, body: Array(parts.utf8)))
        #expect(done["OK"] as? Int == 1)
        let file = try #require(standIn.uploadedFile(named: stem))
        #expect(try Data(contentsOf: file) == original)
        #expect(standIn.chunkPuts.map(\.partNumber) == [3, 1, 2])
        #expect(standIn.chunkPuts.allSatisfy { $0.status == 200 })
    }

    @Test func uposRefusesAWrongAuthAndAnIncompleteUpload() async throws {
        let pre = try await json(get("/preupload?name=a.mp4&r=upos&profile=ugcupos%2Fbup&size=10", cookie: account.cookieHeader))
        let url = "/" + (try #require(pre["upos_uri"] as? String)).dropFirst("upos://".count)
        let refused = try await send(url + "?uploads&output=json", method: "POST", headers: [("X-Upos-Auth", "forged")])
        #expect(refused.status == 403)
        let auth = [("X-Upos-Auth", try #require(pre["auth"] as? String))]
        let uploadId = try #require(try await json(send(url + "?uploads&output=json", method: "POST", headers: auth))["upload_id"] as? String)
        let complete = try await send(url + "?output=json&name=a.mp4&uploadId=\(uploadId)&biz_id=\(pre["biz_id"]!)", method: "POST",
                                      headers: auth, body: Array(#"{"parts":[{"partNumber":1,"eTag":"etag"}]}"#.utf8))
        #expect(complete.status == 400)
    }

    @Test func appEndpointsCheckTheSignatureThenTheAccessKey() async throws {
        let body = Array(#"{"title":"t","tid":171,"tag":"a","copyright":1,"videos":[]}"#.utf8)
        let unsigned = "access_key=\(account.accessToken)&appkey=4409e2ce8ffd12b8&ts=1700000000"
        let forged = try await json(send("/x/vu/app/add?\(unsigned)&sign=0123456789abcdef0123456789abcdef", method: "POST", body: body))
        #expect(forged["code"] as? Int == -3)

        standIn.expireToken(account.mid)
        let signed = AppKey.tv.signedQuery([("access_key", account.accessToken), ("ts", "1700000000")])
        let expired = try await json(send("/x/vu/app/add?\(signed)", method: "POST", body: body))
        #expect(expired["code"] as? Int == -101)
        #expect(standIn.submissions.map(\.authorized) == [false, false])
    }

    @Test func webSubmissionNeedsTheCsrfOfItsCookies() async throws {
        let body = Array(#"{"title":"t","tid":171,"tag":"a","videos":[{"title":"p1","filename":"n1","desc":""}]}"#.utf8)
        let missing = try await json(send("/x/vu/web/add/v3?t=1700000000000", method: "POST", cookie: account.cookieHeader, body: body))
        #expect(missing["code"] as? Int == -111)
        let wrong = try await json(send("/x/vu/web/add/v3?t=1&csrf=0000", method: "POST", cookie: account.cookieHeader, body: body))
        #expect(wrong["code"] as? Int == -111)
        let noCookie = try await json(send("/x/vu/web/add/v3?t=1&csrf=\(account.biliJct)", method: "POST", body: body))
        #expect(noCookie["code"] as? Int == -101)
        // Right csrf, so validation speaks: the part was never uploaded.
        let unknownPart = try await json(send("/x/vu/web/add/v3?t=1&csrf=\(account.biliJct)", method: "POST", cookie: account.cookieHeader, body: body))
        #expect(unknownPart["code"] as? Int == -400)
    }

    @Test func qrLoginWaitsThenShowsScannedThenLogsIn() async throws {
        standIn.qrScanAfterPolls(2, account: account, scannedPolls: 1)
        let code = try await json(send("/x/passport-tv-login/qrcode/auth_code", method: "POST",
                                       body: Array(AppKey.tv.signedQuery([("local_id", "0"), ("ts", "1700000000")]).utf8)))
        let data = try #require(code["data"] as? [String: Any])
        let authCode = try #require(data["auth_code"] as? String)
        #expect(data["url"] as? String == "https://passport.bilibili.com/x/passport-tv-login/h5/qrcode/auth?auth_code=\(authCode)")

        var codes: [Int] = []
        var login: [String: Any] = [:]
        for _ in 0..<5 {
            let form = AppKey.tv.signedQuery([("auth_code", authCode), ("local_id", "0"), ("ts", "1700000000")])
            let answer = try await json(send("/x/passport-tv-login/qrcode/poll", method: "POST", body: Array(form.utf8)))
            codes.append(try #require(answer["code"] as? Int))
            if codes.last == 0 { login = try #require(answer["data"] as? [String: Any]) }
        }
        #expect(codes == [86039, 86039, 86090, 0, 86038])
        #expect(login["mid"] as? Int == 4242)
        let info = try LoginInfo.reading(JSONSerialization.data(withJSONObject: login))
        #expect(info.cookie("SESSDATA") == account.sessdata)
        #expect(info.csrf == account.biliJct)
        #expect(info.tokenInfo.accessToken == account.accessToken)
        #expect(info.cookie("DedeUserID__ckMd5") != nil && info.cookie("sid") != nil && !info.sso.isEmpty)
    }

    @Test func preuploadRateLimitsComeOnceEachInOrder() async throws {
        standIn.preuploadRateLimits = [601, 406, "OK:0"]
        var answers: [(Int, String)] = []
        for _ in 0..<4 {
            let response = try await get("/preupload?name=a.mp4&r=upos&profile=ugcupos%2Fbup&size=10", cookie: account.cookieHeader)
            answers.append((response.status, response.text))
        }
        #expect(answers.map(\.0) == [429, 406, 200, 200])
        #expect(answers[0].1.contains(#""code":601"#))
        #expect(answers[1].1.contains(#""code":406"#))
        #expect(answers[2].1.contains(#""OK":0"#) && answers[2].1.contains("您上传视频过快"))
        #expect(answers[3].1.contains(#""OK":1"#))
    }

    @Test func theSinkCountsAStreamedUploadWithoutKeepingIt() async throws {
        let file = directory.appendingPathComponent("fifty.bin")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 50 << 20)  // sparse: 50 MiB of zeros
        try handle.close()
        let url = standIn.baseURL.absoluteString + "/sink/fifty.bin"
        let result = try await onThread { try runTool("curl", ["-sS", "-T", file.path, url]) }
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""bytes":52428800"#))
        #expect(standIn.discardedBytes == 50 << 20)
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(kept == ["fifty.bin"])
    }

    @Test func aSubmissionIsValidatedThenBecomesAnArchiveThatCanBeViewedAndEdited() async throws {
        let first = try await upload(Data(repeating: 7, count: 3000), name: "p1.flv")
        let image = Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9])
        let form = "cover=" + PercentEncoding.encode("data:image/jpeg;base64," + image.base64EncodedString()) + "&csrf=\(account.biliJct)"
        let cover = try await json(send("/x/vu/web/cover/up", method: "POST", cookie: account.cookieHeader, body: Array(form.utf8)))
        let coverURL = try #require((cover["data"] as? [String: Any])?["url"] as? String)
        #expect(standIn.covers.map(\.url) == [coverURL])
        #expect(try Data(contentsOf: #require(standIn.covers.first?.file)) == image)

        let add = "/x/vu/web/add/v3?t=1700000000000&csrf=\(account.biliJct)"
        func studio(title: String = "直播回放", tid: Int = 171, copyright: Int = 1, source: String = "", videos: [String]) -> [UInt8] {
            let parts = videos.map { #"{"title":"P","filename":"\#($0)","desc":""}"# }.joined(separator: ",")
            return Array(#"{"copyright":\#(copyright),"source":"\#(source)","tid":\#(tid),"cover":"\#(coverURL)","title":"\#(title)","desc":"","tag":"直播,录播","videos":[\#(parts)]}"#.utf8)
        }
        var codes: [Int] = []
        for body in [studio(tid: 99999, videos: [first]), studio(title: " ", videos: [first]),
                     studio(copyright: 2, videos: [first])] {
            codes.append(try #require(try await json(send(add, method: "POST", cookie: account.cookieHeader, body: body))["code"] as? Int))
        }
        #expect(codes == [21003, 21001, 21012])

        standIn.submitRateLimits = 1
        let limited = try await json(send(add, method: "POST", cookie: account.cookieHeader, body: studio(videos: [first])))
        #expect(limited["code"] as? Int == 21070)
        let added = try await json(send(add, method: "POST", cookie: account.cookieHeader, body: studio(videos: [first])))
        #expect(added["code"] as? Int == 0)
        let aid = try #require((added["data"] as? [String: Any])?["aid"] as? Int)
        #expect(standIn.archives[Int64(aid)]?.videoFilenames == [first])
        #expect(standIn.submissions.map(\.code) == [21003, 21001, 21012, 21070, 0])

        let viewQuery = AppKey.tv.signedQuery([("access_key", account.accessToken), ("aid", String(aid)), ("ts", "1700000000")])
        let view = try #require(try await json(get("/x/client/archive/view?\(viewQuery)"))["data"] as? [String: Any])
        let archive = try #require(view["archive"] as? [String: Any])
        #expect(archive["title"] as? String == "直播回放" && archive["tid"] as? Int == 171 && archive["cover"] as? String == coverURL)
        #expect((view["videos"] as? [[String: Any]])?.map { $0["filename"] as? String } == [first])

        let second = try await upload(Data(repeating: 8, count: 2000), name: "p2.flv")
        var edited = try #require(try JSONSerialization.jsonObject(with: Data(studio(videos: [first, second]))) as? [String: Any])
        edited["aid"] = aid
        let editQuery = AppKey.tv.signedQuery([("access_key", account.accessToken), ("ts", "1700000000")])
        let edit = try await json(send("/x/vu/app/edit/full?\(editQuery)", method: "POST",
                                       body: Array(JSONSerialization.data(withJSONObject: edited))))
        #expect(edit["code"] as? Int == 0)
        #expect(standIn.archives[Int64(aid)]?.videoFilenames == [first, second])
        #expect(standIn.archives[Int64(aid)]?.edits == 1)
    }

    @Test func chunkFaultsAreRepeatableAndCutConnectionsAreRecorded() async throws {
        func statuses(seed: UInt64) async throws -> [Int?] {
            let other = try BilibiliStandIn(directory: directory.appendingPathComponent("seed\(seed)"))
            let owner = other.addAccount(mid: 1, uname: "u")
            other.seedFaults(seed)
            other.chunkFailureRate = 0.5
            other.cutConnectionEvery = 4
            let target = try await startUpload(on: other, owner, size: 8)
            // A fresh connection per PUT: libcurl silently resends a request whose reused connection turns
            // out closed (as a cut one is), and whether it was reused depends on timing, not on the seed.
            for _ in 0..<8 {
                _ = await HTTPClient.fetch(HTTPRequest(url: other.baseURL.absoluteString + target.url + target.partQuery(1, of: 1, size: 8, total: 8),
                                                       method: "PUT", headers: target.auth + [("Connection", "close")],
                                                       body: Array(repeating: 1, count: 8)))
            }
            return other.chunkPuts.map(\.status)
        }
        let first = try await statuses(seed: 7)
        #expect(try await statuses(seed: 7) == first)
        #expect(first[3] == nil && first[7] == nil)
        #expect(first.contains(500) && first.contains(200))
    }

    @Test func aRefreshRotatesTheTokensAndRetiresTheOldOnes() async throws {
        let info = { (token: String) async throws -> [String: Any] in
            let query = AppKey.tv.signedQuery([("access_key", token), ("actionKey", "appkey"), ("ts", "1700000000")])
            return try await self.json(self.get("/x/passport-login/oauth2/info?\(query)"))
        }
        #expect((try await info(account.accessToken)["data"] as? [String: Any])?["refresh"] as? Bool == false)
        standIn.requireRefresh(account.mid)
        #expect((try await info(account.accessToken)["data"] as? [String: Any])?["refresh"] as? Bool == true)

        let form = AppKey.tv.signedQuery([("access_key", account.accessToken), ("actionKey", "appkey"),
                                          ("refresh_token", account.refreshToken), ("ts", "1700000000")])
        let refreshed = try await json(send("/x/passport-login/oauth2/refresh_token", method: "POST", body: Array(form.utf8)))
        let token = try #require((refreshed["data"] as? [String: Any])?["token_info"] as? [String: Any])
        let now = try #require(standIn.account(mid: account.mid))
        #expect(token["access_token"] as? String == now.accessToken && now.accessToken != account.accessToken)
        #expect(token["refresh_token"] as? String == now.refreshToken && now.refreshToken != account.refreshToken)
        #expect(try await info(account.accessToken)["code"] as? Int == -2)
        #expect((try await info(now.accessToken)["data"] as? [String: Any])?["refresh"] as? Bool == false)
        let again = try await json(send("/x/passport-login/oauth2/refresh_token", method: "POST", body: Array(form.utf8)))
        #expect(again["code"] as? Int == 61000)
    }

    @Test func navKnowsTheCookiesAccount() async throws {
        let loggedIn = try await json(get("/x/web-interface/nav", cookie: account.cookieHeader))
        let data = try #require(loggedIn["data"] as? [String: Any])
        #expect(data["isLogin"] as? Bool == true && data["mid"] as? Int == 4242 && data["uname"] as? String == "测试UP主")
        #expect(try await json(get("/x/web-interface/nav"))["code"] as? Int == -101)
        let file = try LoginInfo.reading(Data(standIn.loginInfoJSON(for: account).utf8))
        #expect(file.cookieHeader.contains("SESSDATA=\(account.sessdata)") && file.platform == "BiliTV" && file.tokenInfo.mid == 4242)
    }

    // MARK: - Raw HTTP

    /// A preuploaded and initialized upload on `server`, ready for chunk PUTs.
    private struct UposTarget {
        let url: String
        let auth: [(String, String)]
        let uploadId: String
        let bizId: Int
        let stem: String

        func partQuery(_ partNumber: Int, of chunks: Int, size: Int, total: Int, start: Int = 0) -> String {
            "?partNumber=\(partNumber)&uploadId=\(uploadId)&chunk=\(partNumber - 1)&chunks=\(chunks)&size=\(size)&start=\(start)&end=\(start + size)&total=\(total)"
        }
    }

    private func startUpload(on server: BilibiliStandIn, _ owner: StandInAccount, size: Int, name: String = "a.flv") async throws -> UposTarget {
        var request = HTTPRequest(url: server.baseURL.absoluteString + "/preupload?name=\(name)&r=upos&profile=ugcupos%2Fbup&size=\(size)")
        request.cookie = owner.cookieHeader
        let pre = try json(await HTTPClient.fetch(request).get())
        let uri = try #require(pre["upos_uri"] as? String)
        let url = "/" + uri.dropFirst("upos://".count)
        let auth = [("X-Upos-Auth", try #require(pre["auth"] as? String))]
        let started = try json(await HTTPClient.fetch(HTTPRequest(url: server.baseURL.absoluteString + url + "?uploads&output=json",
                                                                  method: "POST", headers: auth)).get())
        return UposTarget(url: url, auth: auth, uploadId: try #require(started["upload_id"] as? String),
                          bizId: try #require(pre["biz_id"] as? Int), stem: String(uri.dropFirst("upos://ugc/".count).split(separator: ".")[0]))
    }

    /// `data` uploaded in one part and completed; the stem a submission names it by.
    private func upload(_ data: Data, name: String) async throws -> String {
        let target = try await startUpload(on: standIn, account, size: data.count, name: name)
        let put = try await send(target.url + target.partQuery(1, of: 1, size: data.count, total: data.count), method: "PUT",
                                 headers: target.auth, body: Array(data))
        #expect(put.status == 200)
        let done = try await send(target.url + "?output=json&name=\(name)&uploadId=\(target.uploadId)&biz_id=\(target.bizId)", method: "POST",
                                  headers: target.auth, body: Array(#"{"parts":[{"partNumber":1,"eTag":"etag"}]}"#.utf8))
        #expect(done.status == 200)
        return target.stem
    }

    private func get(_ path: String, cookie: String? = nil) async throws -> HTTPResponse {
        try await send(path, method: "GET", cookie: cookie)
    }

    private func send(_ path: String, method: String, headers: [(String, String)] = [], cookie: String? = nil,
                      body: [UInt8]? = nil) async throws -> HTTPResponse {
        var request = HTTPRequest(url: standIn.baseURL.absoluteString + path, method: method, headers: headers, body: body)
        request.cookie = cookie
        return try await HTTPClient.fetch(request).get()
    }

    private func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }
}
