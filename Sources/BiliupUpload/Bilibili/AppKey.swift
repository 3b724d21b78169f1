import BiliupNet

/// A Bilibili client application's key pair: requests made as that app carry `appkey` and are signed
/// with its secret. The pairs are the ones biliup's client uses (reference/biliup.md §4.3).
public struct AppKey: Sendable, Equatable {
    public let key: String
    public let secret: String
    /// The `platform` value biliup's cookies.json records for logins made as this app.
    public let platform: String

    /// The TV app: QR login, token info and refresh, app submission.
    public static let tv = AppKey(key: "4409e2ce8ffd12b8", secret: "59b43e04ad6965f34319062b478f83dd", platform: "BiliTV")
    public static let android = AppKey(key: "783bbb7264451d82", secret: "2653583c8873dea268ab9386918b1d65", platform: "Android")
    public static let bcutAndroid = AppKey(key: "5dce947fe22167f9", secret: "5491a31c6bc11fb764a9b1f8d4acf092", platform: "BCutAndroid")

    public static let all = [tv, android, bcutAndroid]

    /// The app of a cookies.json `platform` value; nil for logins that carry no app (web cookies).
    public static func of(platform: String?) -> AppKey? { all.first { $0.platform == platform } }

    /// `params` plus `appkey`, sorted by name, percent-encoded, with `sign` = md5(query + secret) last:
    /// the query string (or form body) Bilibili's app endpoints accept.
    public func signedQuery(_ params: [(String, String)]) -> String {
        var all = params.filter { $0.0 != "appkey" && $0.0 != "sign" }
        all.append(("appkey", key))
        // Stable: two parameters never share a name here, but the order must not depend on luck.
        all.sort { $0.0 < $1.0 }
        let query = all.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }
            .joined(separator: "&")
        let sign = Digest.hex(Digest.md5(Array((query + secret).utf8)))
        return query + "&sign=" + sign
    }
}
