import BiliupUpload
import BiliupValues
import Foundation
import Testing

@Suite struct LoginInfoTests {
    /// The shape biliup writes (its `LoginInfo`), trimmed to two cookies.
    static let biliupFile = #"""
    {"cookie_info":{"cookies":[{"expires":1715000000,"http_only":1,"name":"SESSDATA","secure":0,"value":"sess%2Cdata"},
     {"expires":1715000000,"http_only":0,"name":"bili_jct","secure":0,"value":"csrf123"}],
     "domains":[".bilibili.com",".biligame.com"]},
     "sso":["https://passport.bilibili.com/api/v2/sso"],
     "token_info":{"access_token":"acc","expires_in":15552000,"mid":42,"refresh_token":"ref"},
     "platform":"BiliTV"}
    """#

    @Test func readsBiliupsCookiesFile() throws {
        let info = try LoginInfo.reading(Data(Self.biliupFile.utf8))
        #expect(info.tokenInfo.mid == 42)
        #expect(info.csrf == "csrf123")
        #expect(info.cookieHeader == "SESSDATA=sess%2Cdata; bili_jct=csrf123")
        #expect(info.app == AppKey.tv)
    }

    @Test func writesWhatItReadWithNothingLost() throws {
        let info = try LoginInfo.reading(Data(Self.biliupFile.utf8))
        let written = try JSONSerialization.jsonObject(with: info.fileBytes()) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: Data(Self.biliupFile.utf8)) as? NSDictionary
        #expect(written == original)
    }

    @Test func aFileWithoutTokensNamesTheMissingKey() {
        #expect(throws: UploadError.self) { try LoginInfo.reading(Data(#"{"cookie_info":{}}"#.utf8)) }
        do {
            _ = try LoginInfo.reading(Data(#"{"cookie_info":{},"token_info":{"access_token":"a","expires_in":1,"mid":1}}"#.utf8))
            Issue.record("accepted a token without refresh_token")
        } catch {
            #expect(error.message.contains("token_info.refresh_token"))
        }
    }
}
