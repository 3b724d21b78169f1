import BiliupScript
import BiliupTestSupport
import BiliupValues
import Foundation
import Testing

@Suite struct AfreecatvPluginTests {
    static let live = "live.afreecatv.com"
    static let api = "/afreeca/player_live_api.php"
    static let rmd = "livestream-manager.afreecatv.com"

    /// player_live_api.php type=live for a BJ on air, trimmed from the real shape.
    static let channelLive = #"""
    {"CHANNEL":{"geo_cc":"KR","geo_rc":"11","acpt_lang":"ko_KR","svc_lang":"ko_KR","ISSP":1,"LOWLAYTENCYBJ":0,
     "RESULT":1,"PBNO":"","BNO":"281234567","BJID":"hanryang1125","BJNICK":"한량","BJGRADE":1,"STNO":"12345",
     "ISFAV":"0","CATE":"00130000","CPNO":5,"GRADE":"0","BTYPE":"22","CHATNO":"7654321","BPWD":"N",
     "TITLE":"오늘도 방송","BPS":"8000","RESOLUTION":"1920x1080","CTIP":"121.0.0.1","CTPT":"8001",
     "CHIP":"121.0.0.2","CHPT":"8002","CHDOMAIN":"chat-04ABCDEF.afreecatv.com","CDN":"gs_cdn_pc_web",
     "RMD":"https://livestream-manager.afreecatv.com","GWIP":"121.0.0.3","GWPT":"8004","STYPE":"common",
     "ORG":"","BTIME":3600,"FTK":"","GEM":true}}
    """#

    static let channelAid = #"{"CHANNEL":{"RESULT":1,"AID":".A32.7bbT56vyHM9fKZk.M1Vq9-ZpmMVdG9uEO3qKDnTqGRJuOC4cQ9_pBvF3V1g8qYVuA6qgE0MsJgOemlXA","BNO":"281234567"}}"#

    static func fake(channel: String = channelLive) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.route(live, api) { r, w in
            let body = r.form["type"] == "aid" ? Self.channelAid : channel
            w.send(status: 200, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(body.utf8))
        }
        fake.json(rmd, "/broad_stream_assign.html",
                  #"{"result":1,"view_url":"https://pc-web.stream.example.com/live-stm-16/auth_playlist.m3u8","stream_status":"RUNNING"}"#)
        return fake
    }

    static let baseForm: [String: String] = [
        "bid": "hanryang1125", "pwd": "", "player_type": "html5", "stream_type": "common",
        "quality": "original", "mode": "landing", "from_api": "0",
    ]

    @Test func liveBroadcastGivesTheHLSViewURLWithAid() async throws {
        let fake = try Self.fake()
        let r = try await shippedHost(fake).check("https://play.afreecatv.com/hanryang1125/281234567")
        #expect(r.plugin == "afreecatv")
        #expect(r.live)
        #expect(r.title == "오늘도 방송")
        #expect(r.streamer == "한량")
        let stream = try #require(r.streams.first)
        #expect(r.streams.count == 1)
        #expect(stream.url == "https://pc-web.stream.example.com/live-stm-16/auth_playlist.m3u8?aid=.A32.7bbT56vyHM9fKZk.M1Vq9-ZpmMVdG9uEO3qKDnTqGRJuOC4cQ9_pBvF3V1g8qYVuA6qgE0MsJgOemlXA")
        #expect(stream.format == "hls")
        #expect(stream.quality == "original")
        #expect(stream.cdn == "gs_cdn_pc_web")
        #expect(stream.headers["Referer"] == "https://play.afreecatv.com/")
        #expect(stream.headers["User-Agent"]?.hasPrefix("Mozilla/5.0") == true)
        #expect(r.extra?["bno"] == .string("281234567"))

        let calls = fake.requests(to: Self.live, Self.api)
        #expect(calls.count == 2)
        #expect(calls.allSatisfy { $0.method == "POST" && $0.headers["referer"] == "https://play.afreecatv.com/" })
        var liveForm = Self.baseForm; liveForm["type"] = "live"; liveForm["bno"] = ""
        var aidForm = Self.baseForm; aidForm["type"] = "aid"; aidForm["bno"] = "281234567"
        #expect(calls[0].form == liveForm)
        #expect(calls[1].form == aidForm)
        let assign = try #require(fake.requests(to: Self.rmd, "/broad_stream_assign.html").first)
        #expect(assign.query == ["return_type": "gs_cdn_pc_web", "broad_key": "281234567-common-original-hls"])
        #expect(fake.requests(to: "login.afreecatv.com").isEmpty)
    }

    @Test func qualityOptionGoesIntoTheFormAndBroadKey() async throws {
        let fake = try Self.fake()
        let r = try await shippedHost(fake).check("https://bj.afreecatv.com/hanryang1125", options: ["quality": .string("hd")])
        #expect(r.streams.first?.quality == "hd")
        #expect(fake.requests(to: Self.live, Self.api).allSatisfy { $0.form["quality"] == "hd" && $0.form["bid"] == "hanryang1125" })
        #expect(fake.requests(to: Self.rmd, "/broad_stream_assign.html").first?.query["broad_key"] == "281234567-common-hd-hls")
    }

    @Test func loginPostsTheFormOnceAndItsCookiesGoWithTheAPICalls() async throws {
        let fake = try Self.fake()
        fake.route("login.afreecatv.com", "/app/LoginAction.php") { _, w in
            w.sendCookies(["RDB=c8a1; Path=/", "PdboxBbs=bbs1; Path=/", "PdboxTicket=t%3D1; Path=/", "PdboxSaveTicket=s1; Path=/"],
                          body: #"{"RESULT":1}"#)
        }
        let host = shippedHost(fake)
        let options: [String: JSONValue] = ["username": .string("viewer01"), "password": .string("pa ss&1")]
        _ = try await host.check("https://play.afreecatv.com/hanryang1125", options: options)
        _ = try await host.check("https://play.afreecatv.com/hanryang1125", options: options)
        let logins = fake.requests(to: "login.afreecatv.com", "/app/LoginAction.php")
        #expect(logins.count == 1)
        #expect(logins.first?.form == [
            "szUid": "viewer01", "szPassword": "pa ss&1", "szWork": "login", "szType": "json",
            "isSaveId": "true", "isSavePw": "true", "isSaveJoin": "true", "isLoginRetain": "Y",
        ])
        let cookie = fake.requests(to: Self.live, Self.api).last?.headers["cookie"] ?? ""
        #expect(cookie.contains("PdboxTicket=t%3D1"))
        #expect(cookie.contains("RDB=c8a1"))
    }

    @Test func offlineBJ() async throws {
        let fake = try Self.fake(channel: #"{"CHANNEL":{"geo_cc":"KR","geo_rc":"11","acpt_lang":"ko_KR","svc_lang":"ko_KR","ISSP":1,"LOWLAYTENCYBJ":0,"RESULT":0}}"#)
        let r = try await shippedHost(fake).check("https://play.afreecatv.com/hanryang1125")
        #expect(!r.live)
        #expect(r.streams.isEmpty)
        #expect(fake.requests(to: Self.live, Self.api).count == 1)
        #expect(fake.requests(to: Self.rmd).isEmpty)
    }

    @Test func loginRequiredAndUnknownCodesAreErrors() async throws {
        let adult = try Self.fake(channel: #"{"CHANNEL":{"RESULT":-6}}"#)
        do {
            _ = try await shippedHost(adult).check("https://play.afreecatv.com/hanryang1125")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room hanryang1125: this broadcast needs a login"))
            #expect(error.message.contains("(code -6)"))
        }
        let odd = try Self.fake(channel: #"{"CHANNEL":{"RESULT":-3}}"#)
        do {
            _ = try await shippedHost(odd).check("https://play.afreecatv.com/hanryang1125")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("(code -3)"))
        }
        let changed = try Self.fake(channel: #"{"RESULT":1}"#)
        do {
            _ = try await shippedHost(changed).check("https://play.afreecatv.com/hanryang1125")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("CHANNEL: expected table, got nil"))
        }
    }
}

private extension ResponseWriter {
    /// A JSON response that sets several cookies (one Set-Cookie line each).
    func sendCookies(_ cookies: [String], body: String) {
        send(status: 200, headers: ["Content-Type": "application/json", "Set-Cookie": cookies.joined(separator: "\r\nSet-Cookie: ")],
             body: Data(body.utf8))
    }
}
