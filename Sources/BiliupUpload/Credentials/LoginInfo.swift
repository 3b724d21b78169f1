import BiliupValues
import Foundation

/// A logged-in Bilibili account as biliup's cookies.json holds it (its `LoginInfo`): web cookies, the
/// SSO domains they were set for, the app's OAuth2 tokens, and which app logged in. Read from and
/// written to that format unchanged, so a file moves between biliup and us in both directions.
public struct LoginInfo: Codable, Sendable, Equatable {
    /// `{cookies: [{name, value, http_only, expires, secure}], domains: [...]}`, kept as sent.
    public var cookieInfo: JSONValue
    public var sso: [String]
    public var tokenInfo: TokenInfo
    /// "BiliTV", "Android", ...; nil for logins whose token cannot be refreshed.
    public var platform: String?

    public struct TokenInfo: Codable, Sendable, Equatable {
        public var accessToken: String
        /// Seconds the token was valid for when issued.
        public var expiresIn: Int64
        public var mid: Int64
        public var refreshToken: String

        public init(accessToken: String, expiresIn: Int64, mid: Int64, refreshToken: String) {
            self.accessToken = accessToken
            self.expiresIn = expiresIn
            self.mid = mid
            self.refreshToken = refreshToken
        }

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", expiresIn = "expires_in", mid, refreshToken = "refresh_token"
        }
    }

    public init(cookieInfo: JSONValue, sso: [String], tokenInfo: TokenInfo, platform: String?) {
        self.cookieInfo = cookieInfo
        self.sso = sso
        self.tokenInfo = tokenInfo
        self.platform = platform
    }

    enum CodingKeys: String, CodingKey {
        case cookieInfo = "cookie_info", sso, tokenInfo = "token_info", platform
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cookieInfo = try c.decodeIfPresent(JSONValue.self, forKey: .cookieInfo) ?? .object([:])
        sso = try c.decodeIfPresent([String].self, forKey: .sso) ?? []
        tokenInfo = try c.decode(TokenInfo.self, forKey: .tokenInfo)
        platform = try c.decodeIfPresent(String.self, forKey: .platform)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cookieInfo, forKey: .cookieInfo)
        try c.encode(sso, forKey: .sso)
        try c.encode(tokenInfo, forKey: .tokenInfo)
        try c.encode(platform, forKey: .platform)  // biliup writes null, not nothing
    }

    /// The cookies' names and values, in file order.
    public var cookies: [(name: String, value: String)] {
        guard case .object(let info) = cookieInfo, case .array(let list)? = info["cookies"] else { return [] }
        return list.compactMap { cookie in
            guard case .object(let c) = cookie, let name = c["name"]?.stringValue, let value = c["value"]?.stringValue else { return nil }
            return (name, value)
        }
    }

    public func cookie(_ name: String) -> String? { cookies.first { $0.name == name }?.value }

    /// The `Cookie` header for web requests.
    public var cookieHeader: String { cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }

    /// The web endpoints' csrf token: the bili_jct cookie.
    public var csrf: String? { cookie("bili_jct") }

    /// The app that issued the token (and signs its refresh), if known.
    public var app: AppKey? { AppKey.of(platform: platform) }

    /// biliup's file: pretty-printed JSON with sorted keys.
    public func fileBytes() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public static func reading(_ data: Data) throws(UploadError) -> LoginInfo {
        do {
            return try JSONDecoder().decode(LoginInfo.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw UploadError(.invalidInput, "cookies file", "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw UploadError(.invalidInput, "cookies file", "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
        } catch {
            throw UploadError(.invalidInput, "cookies file", "not biliup's cookies.json (JSON with cookie_info, token_info)")
        }
    }
}
