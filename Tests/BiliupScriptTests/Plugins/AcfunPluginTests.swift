import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct AcfunPluginTests {
    static let id = "id.app.acfun.cn"
    static let loginPath = "/rest/app/visitor/login"
    static let zt = "api.kuaishouzt.com"
    static let playPath = "/rest/zt/live/web/startPlay"
    static let token = "ChRhY2Z1bi5hcGkudmlzaXRvci5zdBJwAbc-def_123"

    static let login = #"{"result":0,"acSecurity":"c2VjdXJpdHk=","userId":1700123456789,"acfun.api.visitor_st":"\#(token)"}"#

    /// videoPlayRes is itself a JSON document inside a string, as startPlay sends it.
    static func startPlay(_ representations: String) -> String {
        let manifest = #"{"liveAdaptiveManifest":[{"freeTrafficCdn":false,"hideAuto":false,"type":"dynamic","adaptationSet":{"gopDuration":4000,"representation":[\#(representations)]}}],"liveAdaptiveConfig":"{}"}"#
        let escaped = manifest.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return #"{"result":1,"data":{"liveId":"kXpGH8BqSgo","caption":"AcFun 晚间杂谈","ticketRetryCount":3,"enterRoomAttach":"x","availableTickets":["t1"],"videoPlayRes":"\#(escaped)","liveStartTime":1699990000000,"panoramic":false},"host-name":"bjxy-ztlive-api"}"#
    }

    static let reps = #"""
    {"id":1,"url":"https://pull.example.com/livecloud/kXpGH8BqSgo_2000.flv?auth_key=1","bitrate":2000,"qualityType":"STANDARD","mediaType":"FLV","level":1,"name":"高清","hidden":false,"enableAdaptive":true,"defaultSelect":false},
    {"id":2,"url":"https://pull.example.com/livecloud/kXpGH8BqSgo_4000.flv?auth_key=2","bitrate":4000,"qualityType":"HIGH","mediaType":"FLV","level":2,"name":"超清","hidden":false,"enableAdaptive":true,"defaultSelect":true},
    {"id":3,"url":"https://pull.example.com/livecloud/kXpGH8BqSgo_8000.flv?auth_key=3","bitrate":8000,"qualityType":"BLUE_RAY","mediaType":"FLV","level":3,"name":"蓝光 8M","hidden":false,"enableAdaptive":false,"defaultSelect":false}
    """#

    static func fake(play: String = startPlay(reps), login: String = login) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.json(id, loginPath, login)
        fake.json(zt, playPath, play)
        return fake
    }

    @Test func liveRoomLogsInAsVisitorAndListsRepresentationsBestFirst() async throws {
        let fake = try Self.fake()
        let host = shippedHost(fake)
        let r = try await host.check("https://live.acfun.cn/live/23682490")
        #expect(r.plugin == "acfun")
        #expect(r.live)
        #expect(r.title == "AcFun 晚间杂谈")
        #expect(r.streams.map(\.bitrate) == [8000, 4000, 2000])
        #expect(r.streams.map(\.quality) == ["BLUE_RAY", "HIGH", "STANDARD"])
        #expect(r.streams.first?.url == "https://pull.example.com/livecloud/kXpGH8BqSgo_8000.flv?auth_key=3")
        #expect(r.streams.allSatisfy { $0.format == "flv" && $0.headers["Referer"] == "https://live.acfun.cn/" })
        #expect(r.extra?["live_id"] == .string("kXpGH8BqSgo"))

        let login = try #require(fake.requests(to: Self.id, Self.loginPath).first)
        #expect(login.method == "POST")
        #expect(login.form == ["sid": "acfun.api.visitor"])
        let cookie = login.headers["cookie"] ?? ""
        let did = try #require(cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("_did=") }.map { String($0.dropFirst(5)) })
        // web_ + a lower-case letter + 15 letters or digits, as the site's own device ids.
        #expect(did.count == 20)
        #expect(did.hasPrefix("web_"))
        #expect(did.dropFirst(4).first.map { $0.isLowercase && $0.isLetter } == true)
        #expect(did.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })

        let play = try #require(fake.requests(to: Self.zt, Self.playPath).first)
        #expect(play.method == "POST")
        #expect(play.query == ["subBiz": "mainApp", "kpn": "ACFUN_APP", "kpf": "PC_WEB", "userId": "1700123456789",
                               "did": did, "acfun.api.visitor_st": Self.token])
        #expect(play.form == ["authorId": "23682490", "pullStreamType": "FLV"])
        #expect(play.headers["referer"] == "https://live.acfun.cn/")

        // The visitor token is reused by the next check.
        _ = try await host.check("https://live.acfun.cn/live/23682490")
        #expect(fake.requests(to: Self.id, Self.loginPath).count == 1)
        #expect(fake.requests(to: Self.zt, Self.playPath).count == 2)
    }

    @Test func qualityOptionPutsThatRepresentationFirst() async throws {
        let fake = try Self.fake()
        let r = try await shippedHost(fake).check("https://www.acfun.cn/live/23682490", options: ["quality": .string("超清")])
        #expect(r.streams.map(\.bitrate) == [4000, 8000, 2000])
    }

    @Test func offlineAuthor() async throws {
        let fake = try Self.fake(play: #"{"result":380023,"error_msg":"用户未开播","host-name":"bjxy-ztlive-api"}"#)
        let r = try await shippedHost(fake).check("https://live.acfun.cn/live/23682490")
        #expect(!r.live)
        #expect(r.streams.isEmpty)
    }

    @Test func refusedLoginStartPlayErrorsAndBadManifest() async throws {
        let noLogin = try Self.fake(login: #"{"result":100001,"error_msg":"请求过于频繁"}"#)
        do {
            _ = try await shippedHost(noLogin).check("https://live.acfun.cn/live/23682490")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("visitor login refused: 请求过于频繁 (code 100001)"))
        }
        #expect(noLogin.requests(to: Self.zt).isEmpty)

        let refused = try Self.fake(play: #"{"result":129999,"error_msg":"参数错误"}"#)
        let host = shippedHost(refused)
        do {
            _ = try await host.check("https://live.acfun.cn/live/23682490")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("room 23682490: 参数错误 (code 129999)"))
        }
        // A refusal drops the cached visitor token: the next check logs in again.
        _ = try? await host.check("https://live.acfun.cn/live/23682490")
        #expect(refused.requests(to: Self.id, Self.loginPath).count == 2)

        let empty = try Self.fake(play: Self.startPlay(""))
        do {
            _ = try await shippedHost(empty).check("https://live.acfun.cn/live/23682490")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no playable stream"))
        }
    }
}
