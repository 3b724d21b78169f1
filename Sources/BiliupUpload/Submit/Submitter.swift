import BiliupNet
import Foundation

/// Submits archives as one account: new ones (`submit`), and more parts for existing ones (`append`),
/// through the app endpoints (signed with the access token) or the web ones (cookies and csrf).
public struct Submitter: Sendable {
    public let client: BilibiliClient
    public let login: LoginInfo

    public init(client: BilibiliClient, login: LoginInfo) {
        self.client = client
        self.login = login
    }

    /// Submits `studio` as a new archive. The studio is validated first; a refusal whose code names a
    /// field comes back with that `StudioField` as its context; a rate limit (21070) as `.rateLimited`,
    /// for the caller to wait out.
    public func submit(_ studio: Studio, mode: SubmitMode) async throws(UploadError) -> SubmittedArchive {
        try studio.validate()
        let request: HTTPRequest = switch mode {
        case .app: try appRequest(path: "/x/vu/app/add", studio)
        case .web: try webRequest(path: "/x/vu/web/add/v3", studio)
        }
        do {
            return try await client.call(request, "submit", as: SubmittedArchive.self)
        } catch {
            throw Self.namingTheField(error)
        }
    }

    /// The archive as it stands: its submission body (the fields Bilibili keeps, to send back on an edit)
    /// and its parts in order.
    public func view(_ ref: ArchiveRef) async throws(UploadError) -> (studio: Studio, videos: [Studio.Video]) {
        let id: (String, String) = switch ref {
        case .aid(let aid): ("aid", String(aid))
        case .bvid(let bvid): ("bvid", bvid)
        }
        let query = app.signedQuery([("access_key", login.tokenInfo.accessToken), id, ("ts", Self.unixTime())])
        let request = HTTPRequest(url: BilibiliHosts.member + "/x/client/archive/view?" + query,
                                  headers: [("User-Agent", BilibiliClient.appUserAgent)])
        let view = try await client.call(request, "view \(ref)", as: ArchiveView.self)
        var studio = view.archive
        // Read-only state of the archive that an edit must not send back (biliup drops it too).
        studio.extraFields.removeValue(forKey: "limited_free")
        if studio.aid == nil { studio.aid = ref.aid }
        return (studio, view.videos)
    }

    /// Adds `videos` after the archive's existing parts and submits the edit.
    public func append(to ref: ArchiveRef, videos: [Studio.Video], mode: SubmitMode) async throws(UploadError) -> SubmittedArchive {
        guard !videos.isEmpty else { throw UploadError(.invalidInput, StudioField.videos.rawValue, "there are no parts to add") }
        var (studio, existing) = try await view(ref)
        studio.videos = existing + videos
        let request: HTTPRequest = switch mode {
        case .app: try appRequest(path: "/x/vu/app/edit/full", studio)
        case .web: try webRequest(path: "/x/vu/web/edit", studio)
        }
        do {
            try await client.callIgnoringData(request, "append to \(ref)")
        } catch {
            throw Self.namingTheField(error)
        }
        let aid = studio.aid ?? ref.aid
        // The view names the archive's bvid; the edit's answer need not.
        return SubmittedArchive(aid: aid, bvid: studio.extraFields["bvid"]?.stringValue ?? ArchiveRef.bvid(fromAid: aid))
    }

    /// The app that signs: the one that issued the token, else the TV app (biliup's submission app).
    var app: AppKey { login.app ?? .tv }

    /// The Android client's submission query (biliup's `app` submit), signed, with `studio` as JSON.
    func appRequest(path: String, _ studio: Studio) throws(UploadError) -> HTTPRequest {
        let query = app.signedQuery([
            ("access_key", login.tokenInfo.accessToken), ("build", "7800300"), ("c_locale", "zh-Hans_CN"),
            ("channel", "bili"), ("disable_rcmd", "0"), ("mobi_app", "android"), ("platform", "android"),
            ("s_locale", "zh-Hans_CN"), ("statistics", #"{"appId":1,"platform":3,"version":"7.80.0","abtest":""}"#),
            ("ts", Self.unixTime()),
        ])
        return HTTPRequest(url: BilibiliHosts.member + path + "?" + query, method: "POST",
                           headers: [("User-Agent", BilibiliClient.appUserAgent), ("Content-Type", "application/json; charset=utf-8")],
                           body: try Self.json(studio))
    }

    /// The creator center's request: cookies, csrf in the query, `studio` as JSON.
    func webRequest(path: String, _ studio: Studio) throws(UploadError) -> HTTPRequest {
        let csrf = try csrfToken(path)
        let millis = String(Int64(Date().timeIntervalSince1970 * 1000))
        var request = HTTPRequest(url: BilibiliHosts.member + path + "?t=\(millis)&csrf=" + PercentEncoding.encode(csrf), method: "POST",
                                  headers: [("User-Agent", BilibiliClient.webUserAgent), ("Content-Type", "application/json; charset=utf-8")],
                                  body: try Self.json(studio))
        request.cookie = login.cookieHeader
        return request
    }

    func csrfToken(_ context: String) throws(UploadError) -> String {
        guard let csrf = login.csrf, !csrf.isEmpty else {
            throw UploadError(.needsLogin, context, "the login has no bili_jct cookie (the csrf token of web requests); log in again or use --submit app")
        }
        return csrf
    }

    static func json(_ studio: Studio) throws(UploadError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(studio))
        } catch {
            throw UploadError(.invalidInput, "submit", "the submission cannot be written as JSON: \(error)")
        }
    }

    static func unixTime() -> String { String(Int64(Date().timeIntervalSince1970)) }

    /// A refusal whose code is known to be about one field, with that field as its context.
    static func namingTheField(_ error: UploadError) -> UploadError {
        guard error.kind == .api, let code = error.code, let field = StudioField.refused(code: code) else { return error }
        return UploadError(.api, field.rawValue, "Bilibili refused it: \(error.message)", code: code, status: error.status)
    }
}

/// `data` of the archive view: the archive's fields in the submission body's shape, and its parts.
struct ArchiveView: Decodable, Sendable {
    var archive: Studio
    var videos: [Studio.Video]

    enum CodingKeys: CodingKey { case archive, videos }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        archive = try c.decode(Studio.self, forKey: .archive)
        videos = try c.decodeIfPresent([Studio.Video].self, forKey: .videos) ?? []
    }
}
