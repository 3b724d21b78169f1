import BiliupNet
import Foundation

/// The app keys Bilibili's app endpoints accept, with the secrets they are signed with (BiliTV,
/// Android, BCutAndroid; reference/biliup.md §4.3).
enum StandInAppKeys {
    static let secrets = [
        "4409e2ce8ffd12b8": "59b43e04ad6965f34319062b478f83dd",
        "783bbb7264451d82": "2653583c8873dea268ab9386918b1d65",
        "5dce947fe22167f9": "5491a31c6bc11fb764a9b1f8d4acf092",
    ]
    static let tv = "4409e2ce8ffd12b8"
}

/// Why a request was refused, as Bilibili's envelope says it.
struct Refusal: Error {
    let code: Int
    let message: String

    static let badSign = Refusal(code: -3, message: "API校验密匙错误")
    static let notLoggedIn = Refusal(code: -101, message: "账号未登录")
    static let badCsrf = Refusal(code: -111, message: "csrf 校验失败")
}

extension BilibiliStandIn {
    /// Whether a signed query or form is signed right: `sign` (the last parameter) is the md5 of
    /// everything before it plus the secret of the `appkey` it names.
    static func signatureIsValid(_ signed: String) -> Bool {
        guard let range = signed.range(of: "&sign=", options: .backwards) else { return false }
        let covered = String(signed[..<range.lowerBound])
        let sign = String(signed[range.upperBound...])
        let appkey = formFields(covered)["appkey"] ?? ""
        guard let secret = StandInAppKeys.secrets[appkey] else { return false }
        return Digest.hex(Digest.md5(Array((covered + secret).utf8))) == sign.lowercased()
    }

    /// The account whose access key this is; nil when unknown, replaced by a refresh, or expired.
    func account(accessKey: String?) -> AccountState? {
        guard let accessKey, !accessKey.isEmpty else { return nil }
        return lock.withLock { state.accounts.values.first { $0.accessToken == accessKey && !$0.tokenExpired } }
    }

    /// The account an app endpoint acts for: the query (or form) must be signed and carry a live access key.
    func appAccount(signed: String, accessKey: String?) throws(Refusal) -> AccountState {
        guard Self.signatureIsValid(signed) else { throw .badSign }
        guard let account = account(accessKey: accessKey) else { throw .notLoggedIn }
        return account
    }

    /// The account whose SESSDATA cookie the request carries.
    func webAccount(_ request: LoopbackRequest) -> AccountState? {
        guard let sessdata = Self.cookies(request)["SESSDATA"] else { return nil }
        return lock.withLock { state.accounts.values.first { $0.sessdata == sessdata } }
    }

    /// The account a web write acts for: logged in by cookie, and `csrf` equal to its bili_jct.
    func webAccount(_ request: LoopbackRequest, csrf: String?) throws(Refusal) -> AccountState {
        guard let account = webAccount(request) else { throw .notLoggedIn }
        guard let csrf, csrf == account.biliJct, Self.cookies(request)["bili_jct"] == csrf else { throw .badCsrf }
        return account
    }

    static func cookies(_ request: LoopbackRequest) -> [String: String] {
        var out: [String: String] = [:]
        for pair in (request.headers["cookie"] ?? "").split(separator: ";") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            out[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(in: .whitespaces)
        }
        return out
    }

    /// The fields of a URL-encoded form (or query string).
    static func formFields(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in text.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[PercentEncoding.decode(String(kv[0]), plusAsSpace: true)] =
                kv.count > 1 ? PercentEncoding.decode(String(kv[1]), plusAsSpace: true) : ""
        }
        return out
    }
}
