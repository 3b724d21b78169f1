import BiliupNet
import BiliupValues
import Foundation

/// Trades a login's refresh token for new tokens and cookies (passport's OAuth2 refresh), as biliup's
/// `renew` does. The old access token stops working once this succeeds.
public struct TokenRenewal: Sendable {
    public let client: BilibiliClient

    public init(client: BilibiliClient) { self.client = client }

    /// `login` with the new tokens, cookies and SSO domains; the platform stays.
    public func refresh(_ login: LoginInfo) async throws(UploadError) -> LoginInfo {
        let context = "token refresh"
        guard let app = login.app else {
            throw UploadError(.invalidInput, context,
                              "this login has no app token (platform is not BiliTV or Android), so it cannot be refreshed; log in again with `biliup login`")
        }
        struct Answer: Decodable, Sendable {
            let tokenInfo: LoginInfo.TokenInfo
            let cookieInfo: JSONValue?
            let sso: [String]?
            enum CodingKeys: String, CodingKey { case tokenInfo = "token_info", cookieInfo = "cookie_info", sso }
        }
        let request = app.signedForm(BilibiliHosts.passport + "/x/passport-login/oauth2/refresh_token",
                                     [("access_key", login.tokenInfo.accessToken), ("actionKey", "appkey"),
                                      ("refresh_token", login.tokenInfo.refreshToken)])
        let answer = try await client.call(request, context, as: Answer.self)
        var renewed = login
        renewed.tokenInfo = answer.tokenInfo
        if let cookies = answer.cookieInfo { renewed.cookieInfo = cookies }
        if let sso = answer.sso { renewed.sso = sso }
        return renewed
    }
}
