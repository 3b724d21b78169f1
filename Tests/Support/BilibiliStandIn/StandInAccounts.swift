import BiliupNet
import Foundation

/// An account the stand-in knows, as it stands now (tokens change when refreshed).
public struct StandInAccount: Sendable, Equatable {
    public let mid: Int64
    public let uname: String
    public let sessdata: String
    public let biliJct: String
    public let accessToken: String
    public let refreshToken: String

    /// The `Cookie` header a logged-in browser sends.
    public var cookieHeader: String { "SESSDATA=\(sessdata); bili_jct=\(biliJct); DedeUserID=\(mid)" }
}

struct AccountState {
    let mid: Int64
    let uname: String
    let sessdata: String
    let biliJct: String
    var accessToken: String
    var refreshToken: String
    /// The access key no longer works (app endpoints answer -101); the refresh token still does.
    var tokenExpired = false
    /// oauth2/info says the token should be refreshed.
    var refreshDue = false

    var snapshot: StandInAccount {
        StandInAccount(mid: mid, uname: uname, sessdata: sessdata, biliJct: biliJct, accessToken: accessToken, refreshToken: refreshToken)
    }

    /// What a login hands out: biliup's cookies.json minus `platform` (token_info, cookie_info, sso).
    var login: [String: Any] {
        let expires = Int(Date().timeIntervalSince1970) + Self.tokenLifetime
        let cookie = { (name: String, value: String, httpOnly: Int) -> [String: Any] in
            ["name": name, "value": value, "http_only": httpOnly, "expires": expires, "secure": 0]
        }
        return [
            "token_info": ["mid": mid, "access_token": accessToken, "refresh_token": refreshToken, "expires_in": Self.tokenLifetime],
            "cookie_info": [
                "cookies": [
                    cookie("bili_jct", biliJct, 0), cookie("DedeUserID", String(mid), 0),
                    cookie("DedeUserID__ckMd5", Digest.hex(Digest.md5(Array(String(mid).utf8))).prefix(16).description, 0),
                    cookie("sid", "standin\(mid % 10000)", 0), cookie("SESSDATA", sessdata, 1),
                ],
                "domains": [".bilibili.com", ".biligame.com", ".bigfun.cn", ".bigfunapp.cn", ".dreamcast.hk"],
            ],
            "sso": [
                "https://passport.bilibili.com/api/v2/sso", "https://passport.biligame.com/api/v2/sso",
                "https://passport.bigfunapp.cn/api/v2/sso",
            ],
        ]
    }

    /// 180 days, what the TV app's tokens get.
    static let tokenLifetime = 15_552_000
}

extension BilibiliStandIn {
    /// Registers an account with fresh cookies and tokens.
    @discardableResult
    public func addAccount(mid: Int64, uname: String) -> StandInAccount {
        let token = { (kind: String) in "\(kind)\(mid)" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }
        let account = AccountState(mid: mid, uname: uname, sessdata: token("sess") + "%2C1790000000%2Cab12c%2A31",
                                   biliJct: String(token("").suffix(32)), accessToken: token("ak"), refreshToken: token("rt"))
        lock.withLock {
            if state.accounts[mid] == nil { state.accountOrder.append(mid) }
            state.accounts[mid] = account
        }
        return account.snapshot
    }

    /// The account as it stands now (its tokens after any refresh).
    public func account(mid: Int64) -> StandInAccount? {
        lock.withLock { state.accounts[mid]?.snapshot }
    }

    public var accounts: [StandInAccount] {
        lock.withLock { state.accountOrder.compactMap { state.accounts[$0]?.snapshot } }
    }

    /// biliup's cookies.json for the account as it stands now, logged in as the TV app.
    public func loginInfoJSON(for account: StandInAccount) -> String {
        var login = lock.withLock { state.accounts[account.mid]?.login } ?? [:]
        login["platform"] = "BiliTV"
        let data = try! JSONSerialization.data(withJSONObject: login, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The account's access key stops working (app endpoints answer -101, oauth2/info -2) until refreshed.
    public func expireToken(_ mid: Int64) {
        lock.withLock { state.accounts[mid]?.tokenExpired = true }
    }

    /// oauth2/info says `refresh: true` for the account's token (still valid) until it is refreshed.
    public func requireRefresh(_ mid: Int64) {
        lock.withLock { state.accounts[mid]?.refreshDue = true }
    }

    func installAccountRoutes() {
        route("/x/web-interface/nav") { [unowned self] request, writer in
            let wbi: [String: Any] = [
                "img_url": "https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png",
                "sub_url": "https://i0.hdslb.com/bfs/wbi/4932caff0ff746eab6f01bf08b70ac45.png",
            ]
            guard let account = webAccount(request) else {
                return sendEnvelope(writer, code: -101, message: "账号未登录", data: ["isLogin": false, "wbi_img": wbi])
            }
            sendEnvelope(writer, data: [
                "isLogin": true, "mid": account.mid, "uname": account.uname, "face": "https://i0.hdslb.com/bfs/face/member/noface.jpg",
                "level_info": ["current_level": 6], "money": 0, "vipStatus": 0, "vipType": 0, "email_verified": 1,
                "mobile_verified": 1, "wbi_img": wbi,
            ])
        }
        route("/x/space/myinfo") { [unowned self] request, writer in
            guard let account = webAccount(request) ?? self.account(accessKey: request.query["access_key"]) else {
                return sendEnvelope(writer, code: -101, message: "账号未登录")
            }
            sendEnvelope(writer, data: ["mid": account.mid, "name": account.uname, "sex": "保密", "level": 6, "silence": 0,
                                        "face": "https://i0.hdslb.com/bfs/face/member/noface.jpg"])
        }
        route("/x/passport-login/oauth2/info") { [unowned self] request, writer in
            guard Self.signatureIsValid(request.rawQuery) else { return refuse(writer, .badSign) }
            guard let account = account(accessKey: request.query["access_key"]) else {
                return sendEnvelope(writer, code: -2, message: "Access Key错误")
            }
            sendEnvelope(writer, data: ["mid": account.mid, "access_token": account.accessToken,
                                        "expires_in": account.refreshDue ? 3600 : AccountState.tokenLifetime, "refresh": account.refreshDue])
        }
        route("/x/passport-login/oauth2/refresh_token") { [unowned self] request, writer in
            let form = String(decoding: request.body, as: UTF8.self)
            guard request.method == "POST" else { return sendEnvelope(writer, code: -405, message: "请求方法错误") }
            guard Self.signatureIsValid(form) else { return refuse(writer, .badSign) }
            let fields = Self.formFields(form)
            guard let login = refreshTokens(accessKey: fields["access_key"] ?? "", refreshToken: fields["refresh_token"] ?? "") else {
                return sendEnvelope(writer, code: 61000, message: "登录已过期，请重新登录")
            }
            var data = login
            data["status"] = 0
            data["message"] = ""
            data["hint"] = ""
            data["is_new"] = false
            sendEnvelope(writer, data: data)
        }
    }

    /// New access and refresh tokens for the account these belong to; the old ones stop working.
    private func refreshTokens(accessKey: String, refreshToken: String) -> [String: Any]? {
        lock.withLock {
            guard var account = state.accounts.values.first(where: { $0.accessToken == accessKey && $0.refreshToken == refreshToken })
            else { return nil }
            let fresh = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            account.accessToken = "ak\(account.mid)" + fresh
            account.refreshToken = "rt\(account.mid)" + String(fresh.reversed())
            account.tokenExpired = false
            account.refreshDue = false
            state.accounts[account.mid] = account
            return account.login
        }
    }

    func refuse(_ writer: ResponseWriter, _ refusal: Refusal) {
        sendEnvelope(writer, code: refusal.code, message: refusal.message)
    }
}
