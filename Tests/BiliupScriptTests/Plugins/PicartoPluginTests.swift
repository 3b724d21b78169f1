import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// The shipped picarto plugin against a fake ptvintern.picarto.tv serving channel/detail and the
/// explore listing in their real shapes.
@Suite struct PicartoPluginTests {
    static let api = "ptvintern.picarto.tv"

    static func detail(name: String, id: Int, online: Bool, isPrivate: Bool = false) -> String {
        """
        {"channel":{"id":\(id),"name":"\(name)","title":"\(name) paints","online":\(online),"private":\(isPrivate),
                    "adult":false,"viewers":42,"followers":1000,"categories":[{"label":"Creative"}]},
         "getLoadBalancerUrl":{"url":"https://edge3-ams.picarto.tv","origin":"edge3-ams"},
         "getMultiStreams":{"multistream":false,"viewers":42,"name":"\(name)","online":\(online),
           "streams":[{"id":\(id + 1),"channelId":\(id),"user_id":\(id),"name":"\(name)","stream_name":"golive+\(name)",
                       "online":\(online),"thumbnail_image":"https://images.picarto.tv/\(name).jpg"}]}}
        """
    }

    static func explorePage(_ names: [String], next: String?) -> String {
        let data = names.enumerated().map { i, n in
            #"{"id":\#(100 + i),"name":"\#(n)","title":"\#(n) live","viewers":\#(50 - i),"adult":false,"thumbnail":"https://thumb.picarto.tv/\#(n).jpg"}"#
        }
        let nextJSON = next.map { "\"\($0)\"" } ?? "null"
        return #"{"current_page":1,"per_page":100,"data":[\#(data.joined(separator: ","))],"next_page_url":\#(nextJSON)}"#
    }

    static let exploreQuery = ["first": "100", "filter_params[adult]": "true", "order_by[field]": "viewers",
                               "order_by[order]": "DESC", "type": "stream"]

    @Test func liveChannelGivesHlsFromOriginAndStreamName() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/channel/detail/Setz", Self.detail(name: "Setz", id: 7, online: true))
        let r = try await shippedHost(fake).check("https://picarto.tv/Setz")
        #expect(r.plugin == "picarto")
        #expect(r.live)
        #expect(r.title == "Setz paints")
        #expect(r.streamer == "Setz")
        #expect(r.cover == "https://images.picarto.tv/Setz.jpg")
        #expect(r.streams == [StreamCandidate(format: "hls", url: "https://edge3-ams.picarto.tv/stream/hls/golive+Setz/index.m3u8",
                                              quality: "source", headers: [:])])
        #expect(fake.requests.map { "\($0.method) \($0.host)\($0.path)" } == ["GET ptvintern.picarto.tv/api/channel/detail/Setz"])
    }

    @Test func offlineAndPrivateChannels() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/channel/detail/Sleepy", Self.detail(name: "Sleepy", id: 8, online: false))
        fake.json(Self.api, "/api/channel/detail/Secret", Self.detail(name: "Secret", id: 9, online: true, isPrivate: true))
        let host = shippedHost(fake)
        let off = try await host.check("https://www.picarto.tv/Sleepy")
        #expect(!off.live)
        #expect(off.title == "Sleepy paints")
        #expect(off.streams.isEmpty)
        let priv = try await host.check("https://picarto.tv/Secret")
        #expect(!priv.live)
        #expect(priv.extra?["private"] == .bool(true))
    }

    @Test func unknownChannelIsAnError() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/channel/detail/nobody",
                  #"{"channel":null,"getLoadBalancerUrl":{"url":"https://edge1.picarto.tv","origin":"edge1"},"getMultiStreams":null}"#)
        fake.json(Self.api, "/api/channel/detail/broken", status: 500, "<html>Server Error</html>")
        let host = shippedHost(fake)
        #expect(await checkError(host, "https://picarto.tv/nobody")?.description == "picarto: channel nobody not found")
        #expect(await checkError(host, "https://picarto.tv/broken")?.description == "picarto: channel broken: HTTP 500, not JSON")
    }

    /// Five rooms: two live (one on page 2, listed in another case), three offline. The listing is read
    /// page by page until it ends; only the two live rooms get a detail request.
    @Test func batchCheckAnswersFromTheExploreListing() async throws {
        let fake = try FakePlatform()
        fake.route(Self.api, "/api/explore") { r, w in
            let body = r.query["page"] == "1"
                ? PicartoPluginTests.explorePage(["Popular", "Setz", "Other"], next: "https://ptvintern.picarto.tv/api/explore?page=2")
                : PicartoPluginTests.explorePage(["ARTIST2", "Quiet"], next: nil)
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
        }
        fake.json(Self.api, "/api/channel/detail/Setz", Self.detail(name: "Setz", id: 7, online: true))
        fake.json(Self.api, "/api/channel/detail/artist2", Self.detail(name: "Artist2", id: 11, online: true))
        let host = shippedHost(fake)
        let urls = ["https://picarto.tv/Setz", "https://picarto.tv/artist2", "https://picarto.tv/offline1",
                    "https://www.picarto.tv/offline2", "https://picarto.tv/offline3"]
        let results = await host.batchCheck(urls)
        #expect(results.count == 5)
        let setz = try #require(try? results[urls[0]]?.get())
        #expect(setz.live && setz.streams.first?.url == "https://edge3-ams.picarto.tv/stream/hls/golive+Setz/index.m3u8")
        let artist = try #require(try? results[urls[1]]?.get())
        #expect(artist.live && artist.streams.first?.url == "https://edge3-ams.picarto.tv/stream/hls/golive+Artist2/index.m3u8")
        for url in urls[2...] {
            let r = try #require(try? results[url]?.get())
            #expect(!r.live, "\(url)")
            #expect(r.url == url)
        }
        #expect(results[urls[3]].flatMap { try? $0.get() }?.streamer == "offline2")

        // 2 listing pages + 2 detail calls, nothing for the three offline rooms.
        let explore = fake.requests(to: Self.api, "/api/explore")
        #expect(explore.map { $0.query["page"] } == ["1", "2"])
        for req in explore { #expect(req.query.filter { $0.key != "page" } == Self.exploreQuery) }
        #expect(Set(fake.requests.filter { $0.path.hasPrefix("/api/channel/detail/") }.map(\.path))
                == ["/api/channel/detail/Setz", "/api/channel/detail/artist2"])
        #expect(fake.requests.count == 4)
    }

    /// Once every wanted room is found the listing is not read further.
    @Test func batchCheckStopsWhenAllRoomsAreFound() async throws {
        let fake = try FakePlatform()
        fake.json(Self.api, "/api/explore", Self.explorePage(["Setz"], next: "https://ptvintern.picarto.tv/api/explore?page=2"))
        fake.json(Self.api, "/api/channel/detail/Setz", Self.detail(name: "Setz", id: 7, online: true))
        let results = await shippedHost(fake).batchCheck(["https://picarto.tv/Setz"])
        #expect((try? results["https://picarto.tv/Setz"]?.get())?.live == true)
        #expect(fake.requests.count == 2)
        #expect(fake.requests(to: Self.api, "/api/explore").count == 1)
    }
}
