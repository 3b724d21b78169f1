import BiliupNet
import Foundation

/// Requests to Bilibili's app endpoints: parameters signed with the app's key and a current `ts`, sent
/// as a form body (POST) or a query (GET), with the app's user agent.
extension AppKey {
    func signedForm(_ url: String, _ params: [(String, String)], now: Date = Date()) -> HTTPRequest {
        let body = signedQuery(params + [("ts", Self.timestamp(now))])
        return HTTPRequest(url: url, method: "POST",
                           headers: [("Content-Type", "application/x-www-form-urlencoded"),
                                     ("User-Agent", BilibiliClient.appUserAgent)],
                           body: Array(body.utf8))
    }

    func signedGet(_ url: String, _ params: [(String, String)], now: Date = Date()) -> HTTPRequest {
        HTTPRequest(url: url + "?" + signedQuery(params + [("ts", Self.timestamp(now))]),
                    headers: [("User-Agent", BilibiliClient.appUserAgent)])
    }

    private static func timestamp(_ date: Date) -> String { String(Int64(date.timeIntervalSince1970)) }
}
