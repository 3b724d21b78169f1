import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The twitch plugin against a fake gql.twitch.tv answering GQL in Twitch's shapes (single operations and
/// batches as JSON arrays).
@Suite struct TwitchPluginTests {
    static let gql = "gql.twitch.tv"

    static func token(_ login: String) -> String {
        #"{"adblock":false,"authorization":{"forbidden":false,"reason":""},"blackout_enabled":false,"channel":"\#(login)","channel_id":37402112,"chansub":{"restricted_bitrates":[],"view_until":1924905600},"ci_gb":false,"geoblock_reason":"","device_id":null,"expires":1700001200,"extended_history_allowed":false,"game":"","hide_ads":false,"https_required":true,"mature":false,"partner":false,"platform":"web","player_type":"site","private":{"allowed_to_view":true},"privileged":false,"role":"","server_ads":true,"show_ads":true,"subscriber":false,"turbo":false,"user_id":null,"user_ip":"203.0.113.7","version":2}"#
    }

    /// One operation's answer, as GQL gives it for user(login){...}.
    static func answer(_ login: String, live: Bool) -> [String: Any] {
        var user: [String: Any] = ["login": login, "displayName": login.capitalized,
                                   "broadcastSettings": ["title": "title of \(login)", "__typename": "BroadcastSettings"] as [String: Any],
                                   "__typename": "User", "stream": NSNull()]
        if live {
            user["stream"] = ["title": "title of \(login)", "type": "live", "__typename": "Stream",
                              "previewImageURL": "https://static-cdn.jtvnw.net/previews-ttv/live_user_\(login)-0x0.jpg",
                              "playbackAccessToken": ["signature": "sig-\(login)-0123456789abcdef", "value": token(login),
                                                      "__typename": "PlaybackAccessToken"] as [String: Any]] as [String: Any]
        }
        return ["data": ["user": user], "extensions": ["durationMilliseconds": 41, "requestID": "01HFAKE"] as [String: Any]]
    }

    static func send(_ w: ResponseWriter, _ object: Any, status: Int = 200) {
        w.send(status: status, headers: ["Content-Type": "application/json"],
               body: try! JSONSerialization.data(withJSONObject: object))
    }

    static func body(_ r: FakePlatform.Request) -> Any? { try? JSONSerialization.jsonObject(with: r.body) }

    static func login(of op: Any?) -> String? { ((op as? [String: Any])?["variables"] as? [String: Any])?["login"] as? String }

    static func query(_ url: String) -> [String: String] {
        Dictionary((URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    @Test func liveChannelGivesTheSignedUsherPlaylist() async throws {
        let fake = try FakePlatform()
        fake.route(Self.gql, "/gql") { r, w in Self.send(w, Self.answer(Self.login(of: Self.body(r)) ?? "?", live: true)) }
        let r = try await shippedHost(fake).check("https://www.twitch.tv/Shroud?referrer=raid")
        #expect(r.plugin == "twitch" && r.live)
        #expect(r.title == "title of shroud")
        #expect(r.streamer == "Shroud")
        #expect(r.cover == "https://static-cdn.jtvnw.net/previews-ttv/live_user_shroud-0x0.jpg")
        #expect(r.danmaku == ["protocol": .string("twitch"), "channel": .string("shroud")])

        let request = try #require(fake.requests(to: Self.gql, "/gql").first)
        #expect(request.method == "POST")
        #expect(request.headers["client-id"] == "kimne78kx3ncx6brgo4mv6wki5h1ko")
        #expect(request.headers["content-type"] == "text/plain;charset=UTF-8")
        #expect(request.headers["authorization"] == nil)
        let op = try #require(Self.body(request) as? [String: Any])
        #expect(Self.login(of: op) == "shroud")
        let text = try #require(op["query"] as? String)
        #expect(text.contains("user(login: $login)") && text.contains("playbackAccessToken")
                && text.contains(#"playerType: "site""#))

        let stream = try #require(r.streams.first)
        #expect(r.streams.count == 1 && stream.format == "hls")
        #expect(stream.url.hasPrefix("https://usher.ttvnw.net/api/channel/hls/shroud.m3u8?"))
        let q = Self.query(stream.url)
        #expect(q["sig"] == "sig-shroud-0123456789abcdef")
        #expect(q["token"] == Self.token("shroud"))  // the JSON token survives URL encoding intact
        #expect(q["player"] == "twitchweb" && q["allow_source"] == "true" && q["allow_audio_only"] == "true"
                && q["allow_spectre"] == "false" && q["fast_bread"] == "true")
        #expect(Int(q["p"] ?? "") != nil)
    }

    @Test func offlineChannelSendsTheAuthTokenFromTheCookie() async throws {
        let fake = try FakePlatform()
        fake.route(Self.gql, "/gql") { r, w in Self.send(w, Self.answer("sleepy", live: false)) }
        let r = try await shippedHost(fake).check("https://m.twitch.tv/sleepy",
                                                  options: ["cookie": .string("unique_id=x; auth-token=abc123def; theme=dark")])
        #expect(!r.live)
        #expect(r.streamer == "Sleepy")
        #expect(r.title == "title of sleepy")
        #expect(fake.requests(to: Self.gql, "/gql").first?.headers["authorization"] == "OAuth abc123def")
    }

    @Test func refusedTokenIsDroppedAndTheQueryRetriedAnonymously() async throws {
        let fake = try FakePlatform()
        fake.route(Self.gql, "/gql") { r, w in
            if r.headers["authorization"] != nil {
                Self.send(w, ["error": "Unauthorized", "status": 401, "message": #"The "Authorization" token is invalid."#] as [String: Any],
                          status: 401)
            } else {
                Self.send(w, Self.answer("shroud", live: true))
            }
        }
        let host = shippedHost(fake)
        let r = try await host.check("https://twitch.tv/shroud", options: ["auth_token": .string("expired")])
        #expect(r.live)
        #expect(fake.requests(to: Self.gql, "/gql").map { $0.headers["authorization"] } == ["OAuth expired", nil])
        // Remembered: the next check does not send it again.
        _ = try await host.check("https://twitch.tv/shroud", options: ["auth_token": .string("expired")])
        #expect(fake.requests(to: Self.gql, "/gql").count == 3)
        #expect(fake.requests(to: Self.gql, "/gql").last?.headers["authorization"] == nil)
    }

    @Test func unknownChannelAndGqlErrorsAreErrors() async throws {
        let fake = try FakePlatform()
        fake.route(Self.gql, "/gql") { r, w in
            if Self.login(of: Self.body(r)) == "nobody" {
                Self.send(w, ["data": ["user": NSNull()], "extensions": ["durationMilliseconds": 20]] as [String: Any])
            } else {
                Self.send(w, ["errors": [["message": "service timeout", "path": ["user"]] as [String: Any]],
                             "data": ["user": NSNull()]] as [String: Any])
            }
        }
        let host = shippedHost(fake)
        await #expect { try await host.check("https://www.twitch.tv/nobody") } throws: {
            "\($0)".contains("channel nobody: no such Twitch user")
        }
        await #expect { try await host.check("https://www.twitch.tv/busy") } throws: {
            "\($0)".contains("channel busy: service timeout")
        }
    }

    @Test func vodClipAndProfileUrlsAreRefused() async throws {
        let host = shippedHost(try FakePlatform())
        for url in ["https://www.twitch.tv/shroud/videos", "https://www.twitch.tv/shroud/clips?filter=clips",
                    "https://www.twitch.tv/videos/1987654321", "https://www.twitch.tv/shroud/profile"] {
            guard case .failure(let error) = await host.room(of: url) else { Issue.record("\(url) accepted"); continue }
            #expect(error.kind == .notRoom && error.source == "twitch", "\(url)")
        }
        for url in ["https://www.twitch.tv/shroud", "https://go.twitch.tv/shroud/", "https://twitch.tv/shroud?a=1"] {
            #expect(await host.plugin(matching: url)?.name == "twitch", "\(url)")
        }
    }

    static func isLive(_ login: String) -> Bool { Int(login.dropFirst(4))! % 3 == 0 }

    /// 35 channels: two POSTs (30 + 5 operations); each answer goes back to its own URL.
    @Test func batchCheckSendsAtMostThirtyOperationsPerPost() async throws {
        let fake = try FakePlatform()
        let logins = (0..<35).map { "chan\($0)" }
        fake.route(Self.gql, "/gql") { r, w in
            let ops = Self.body(r) as? [Any] ?? []
            // Answered in order; one unknown user.
            let answers: [Any] = ops.map { op -> Any in
                let login = Self.login(of: op) ?? "?"
                if login == "chan7" { return ["data": ["user": NSNull()]] as [String: Any] }
                return Self.answer(login, live: Self.isLive(login))
            }
            Self.send(w, answers)
        }
        let urls = logins.map { "https://www.twitch.tv/\($0.uppercased())" }
        let results = await shippedHost(fake).batchCheck(urls)

        let posts = fake.requests(to: Self.gql, "/gql")
        #expect(posts.count == 2)
        let batches = posts.map { (Self.body($0) as? [Any] ?? []).compactMap(Self.login(of:)) }
        #expect(batches.map(\.count) == [30, 5])
        #expect(batches.flatMap { $0 } == logins)
        #expect(posts.allSatisfy { $0.headers["client-id"] == "kimne78kx3ncx6brgo4mv6wki5h1ko" })

        #expect(results.count == 35)
        for (login, url) in zip(logins, urls) {
            let r = try #require(try? results[url]?.get(), "\(url)")
            if login == "chan7" {
                #expect(!r.live)
                #expect(r.extra?["error"]?.stringValue?.contains("no such Twitch user") == true)
            } else {
                #expect(r.live == Self.isLive(login), "\(login)")
                #expect(r.title == "title of \(login)")
                if r.live {
                    let q = Self.query(r.streams[0].url)
                    #expect(r.streams[0].url.hasPrefix("https://usher.ttvnw.net/api/channel/hls/\(login).m3u8?"))
                    #expect(q["sig"] == "sig-\(login)-0123456789abcdef" && q["token"] == Self.token(login))
                    #expect(r.danmaku?["channel"] == .string(login))
                }
            }
        }
    }
}
