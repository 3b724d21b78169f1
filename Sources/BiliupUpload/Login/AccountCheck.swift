import BiliupNet
import Foundation

/// Asks Bilibili whether a login still works: the web cookies (nav) and the app token (OAuth2 info).
public struct AccountCheck: Sendable {
    public let client: BilibiliClient

    public init(client: BilibiliClient) { self.client = client }

    /// Who the cookies belong to.
    public struct Identity: Decodable, Sendable, Equatable {
        public let isLogin: Bool
        public let mid: Int64
        public let uname: String

        public init(isLogin: Bool, mid: Int64, uname: String) {
            self.isLogin = isLogin
            self.mid = mid
            self.uname = uname
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            isLogin = try c.decodeIfPresent(Bool.self, forKey: .isLogin) ?? false
            mid = try c.decodeIfPresent(Int64.self, forKey: .mid) ?? 0
            uname = try c.decodeIfPresent(String.self, forKey: .uname) ?? ""
        }

        enum CodingKeys: String, CodingKey { case isLogin, mid, uname }
    }

    /// What passport says about the access token.
    public struct TokenStatus: Decodable, Sendable, Equatable {
        public let mid: Int64
        /// Seconds the token stays valid.
        public let expiresIn: Int64
        /// Passport advises refreshing now.
        public let refresh: Bool

        public init(mid: Int64, expiresIn: Int64, refresh: Bool) {
            self.mid = mid
            self.expiresIn = expiresIn
            self.refresh = refresh
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            mid = try c.decodeIfPresent(Int64.self, forKey: .mid) ?? 0
            expiresIn = try c.decodeIfPresent(Int64.self, forKey: .expiresIn) ?? 0
            refresh = try c.decodeIfPresent(Bool.self, forKey: .refresh) ?? false
        }

        enum CodingKeys: String, CodingKey { case mid, expiresIn = "expires_in", refresh }
    }

    /// nav with the login's cookies. Cookies that are not accepted throw `.needsLogin` (code -101).
    public func identity(_ login: LoginInfo) async throws(UploadError) -> Identity {
        var request = HTTPRequest(url: BilibiliHosts.api + "/x/web-interface/nav",
                                  headers: [("User-Agent", BilibiliClient.webUserAgent), ("Referer", "https://www.bilibili.com/")])
        request.cookie = login.cookieHeader
        let identity = try await client.call(request, "account check (nav)", as: Identity.self)
        guard identity.isLogin else {
            throw UploadError(.needsLogin, "account check (nav)", "Bilibili does not accept the cookies (not logged in)")
        }
        return identity
    }

    /// OAuth2 info for the login's access token, or nil for a login without an app (web cookies
    /// only), whose token cannot be asked about. A refused token throws `.needsLogin`.
    public func tokenStatus(_ login: LoginInfo) async throws(UploadError) -> TokenStatus? {
        guard let app = login.app else { return nil }
        let request = app.signedGet(BilibiliHosts.passport + "/x/passport-login/oauth2/info",
                                    [("access_key", login.tokenInfo.accessToken), ("actionKey", "appkey")])
        return try await client.call(request, "token check (oauth2 info)", as: TokenStatus.self)
    }
}
