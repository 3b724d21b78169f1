import BiliupNet
import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// Room URLs as users paste them, through the real registry and the shipped plugins: one table per
/// plugin, each row a URL and the plugin and room it names, or the plugin that refuses it as no live room.
/// The forms were gathered from the platforms' pages and from other recorders' URL tests (streamlink's
/// tests/plugins should_match / should_not_match lists, biliup's plugin URL patterns).
///
/// Every refused row also goes through `check`, with every host sent to a trap that counts connections:
/// a refusal is an error of kind `notRoom` and reaches no network.
@Suite struct RoomURLFormTests {
    enum Expected {
        case room(plugin: String, room: String?)
        case refused(plugin: String)
        case noPlugin
    }

    struct Row {
        var url: String
        var expected: Expected
    }

    static func room(_ url: String, _ plugin: String, _ room: String) -> Row { Row(url: url, expected: .room(plugin: plugin, room: room)) }
    static func refused(_ url: String, by plugin: String) -> Row { Row(url: url, expected: .refused(plugin: plugin)) }

    /// Every top-level domain in the tables, sent to the trap.
    static let domains = ["com", "cn", "tv", "jp", "be", "kr", "ms"]

    static func verify(_ rows: [Row]) async throws {
        let trap = try ConnectionTrap()
        let remap = try HostRemap(parsing: domains.map { "*.\($0)=http://127.0.0.1:\(trap.port)" })
        let host = PluginHost(configuration: ScriptConfiguration(pluginDirectories: [PluginPaths.shipped], hostRemap: remap,
                                                                 log: { _ in }))
        for row in rows {
            let found = await host.room(of: row.url)
            switch row.expected {
            case .room(let plugin, let room):
                let match = try? found.get()
                #expect(match?.plugin == plugin && match?.room == room, "\(row.url) → \(found)")
            case .refused(let plugin):
                guard case .failure(let error) = found, error.kind == .notRoom, error.source == plugin else {
                    Issue.record("\(row.url): expected \(plugin) to refuse it, got \(found)")
                    continue
                }
                guard case .failure(let checked) = await host.checkResult(row.url) else {
                    Issue.record("\(row.url): check answered although the URL is refused")
                    continue
                }
                #expect(checked == error, "\(row.url)")
            case .noPlugin:
                guard case .failure(let error) = found, error.kind == .noPlugin else {
                    Issue.record("\(row.url): expected no plugin to claim it, got \(found)")
                    continue
                }
            }
        }
        #expect(trap.connections == 0)
    }

    @Test func acfun() async throws {
        try await Self.verify([
            Self.room("https://live.acfun.cn/live/23682490", "acfun", "23682490"),
            Self.room("live.acfun.cn/live/23682490", "acfun", "23682490"),
            Self.room("http://live.acfun.cn/live/23682490/?from=share", "acfun", "23682490"),
            Self.room("https://www.acfun.cn/live/23682490", "acfun", "23682490"),
            Self.room("https://acfun.cn/live/23682490", "acfun", "23682490"),
            Self.room("https://m.acfun.cn/live/23682490", "acfun", "23682490"),
            Self.room("https://m.acfun.cn/live/detail/23682490", "acfun", "23682490"),
            Self.refused("https://live.acfun.cn/", by: "acfun"),
            Self.refused("https://www.acfun.cn", by: "acfun"),
            Self.refused("https://www.acfun.cn/v/ac12345", by: "acfun"),
            Self.refused("https://m.acfun.cn/v/?ac=12345", by: "acfun"),
            Self.refused("https://live.acfun.cn/rank/list", by: "acfun"),
        ])
    }

    @Test func afreecatvAndSoop() async throws {
        try await Self.verify([
            Self.room("https://play.afreecatv.com/hanryang1125", "afreecatv", "hanryang1125"),
            Self.room("play.afreecatv.com/hanryang1125/281234567", "afreecatv", "hanryang1125"),
            Self.room("https://play.sooplive.co.kr/hanryang1125", "afreecatv", "hanryang1125"),
            Self.room("https://play.sooplive.co.kr/hanryang1125/281234567", "afreecatv", "hanryang1125"),
            Self.room("https://play.sooplive.com/hanryang1125", "afreecatv", "hanryang1125"),
            Self.room("HTTPS://PLAY.SOOPLIVE.CO.KR/hanryang1125", "afreecatv", "hanryang1125"),
            Self.room("https://bj.afreecatv.com/hanryang1125", "afreecatv", "hanryang1125"),
            Self.room("https://ch.sooplive.co.kr/hanryang1125", "afreecatv", "hanryang1125"),
            Self.room("https://m.afreecatv.com/#/player/hanryang1125", "afreecatv", "hanryang1125"),
            Self.room("m.sooplive.co.kr/#/player/hanryang1125/281234567", "afreecatv", "hanryang1125"),
            Self.refused("https://m.afreecatv.com/#/main", by: "afreecatv"),
            Self.room("https://www.sooplive.co.kr/station/hanryang1125", "afreecatv", "hanryang1125"),
            Self.refused("https://www.sooplive.co.kr", by: "afreecatv"),
            Self.refused("https://www.afreecatv.com/", by: "afreecatv"),
            Self.refused("https://play.afreecatv.com/", by: "afreecatv"),
            Self.refused("https://sooplive.co.kr/hanryang1125", by: "afreecatv"),
            Self.refused("https://vod.sooplive.co.kr/player/123456789", by: "afreecatv"),
            Self.refused("https://vod.afreecatv.com/player/123456789", by: "afreecatv"),
        ])
    }

    @Test func bigo() async throws {
        try await Self.verify([
            Self.room("https://www.bigo.tv/luna_sings", "bigo", "luna_sings"),
            Self.room("bigo.tv/luna_sings", "bigo", "luna_sings"),
            Self.room("https://www.bigo.tv/en/luna_sings?from=share", "bigo", "luna_sings"),
            Self.room("https://www.bigo.tv/123456789/", "bigo", "123456789"),
            Self.refused("https://www.bigo.tv/", by: "bigo"),
            Self.refused("https://www.bigo.tv/en/show/luna_sings/1", by: "bigo"),
        ])
    }

    @Test func bilibili() async throws {
        try await Self.verify([
            Self.room("https://live.bilibili.com/6", "bilibili", "6"),
            Self.room("live.bilibili.com/6", "bilibili", "6"),
            Self.room("http://live.bilibili.com/6/", "bilibili", "6"),
            Self.room("https://live.bilibili.com/6?broadcast_type=0&is_room_feed=1", "bilibili", "6"),
            Self.room("https://live.bilibili.com/h5/6", "bilibili", "6"),
            Self.room("https://live.bilibili.com/blanc/6?liteVersion=true", "bilibili", "6"),
            Self.room("https://m.live.bilibili.com/6", "bilibili", "6"),
            Self.room("https://b23.tv/aBcDeF", "bilibili", "aBcDeF"),
            Self.refused("https://live.bilibili.com", by: "bilibili"),
            Self.refused("https://live.bilibili.com/p/eden/area-tags?parentAreaId=2&areaId=86", by: "bilibili"),
            Self.refused("https://www.bilibili.com/", by: "bilibili"),
            Self.refused("https://www.bilibili.com/video/BV1xx411c7mD", by: "bilibili"),
            Self.refused("https://m.bilibili.com/video/BV1xx411c7mD", by: "bilibili"),
            Self.refused("https://b23.tv/BV1xx411c7mD", by: "bilibili"),
            Self.refused("https://space.bilibili.com/2", by: "bilibili"),
        ])
    }

    @Test func cc() async throws {
        try await Self.verify([
            Self.room("https://cc.163.com/361433", "cc", "361433"),
            Self.room("cc.163.com/361433/", "cc", "361433"),
            Self.room("https://cc.163.com/361433/?from=share", "cc", "361433"),
            Self.refused("https://cc.163.com/", by: "cc"),
            Self.refused("https://cc.163.com/category/", by: "cc"),
            Self.refused("https://cc.163.com/v/123456", by: "cc"),
        ])
    }

    @Test func douyin() async throws {
        try await Self.verify([
            Self.room("https://live.douyin.com/123456789", "douyin", "123456789"),
            Self.room("live.douyin.com/123456789?enter_from_merge=web_share_link", "douyin", "123456789"),
            Self.room("https://live.douyin.com/+123456789", "douyin", "123456789"),
            Self.room("https://www.douyin.com/root/live/123456789", "douyin", "123456789"),
            Self.room("https://www.douyin.com/follow/live/123456789", "douyin", "123456789"),
            Self.room("https://www.douyin.com/user/MS4wLjABAAAAidle?from_tab_name=main", "douyin", "MS4wLjABAAAAidle"),
            Self.room("https://v.douyin.com/iRNBho6u/", "douyin", "iRNBho6u"),
            Self.refused("https://live.douyin.com", by: "douyin"),
            Self.refused("https://www.douyin.com/", by: "douyin"),
            Self.refused("https://www.douyin.com/video/7301234567890123456", by: "douyin"),
            Self.refused("https://www.douyin.com/search/lol", by: "douyin"),
            Self.refused("https://live.douyin.com/category/1_2", by: "douyin"),
        ])
    }

    @Test func douyu() async throws {
        try await Self.verify([
            Self.room("https://www.douyu.com/288016", "douyu", "288016"),
            Self.room("douyu.com/288016", "douyu", "288016"),
            Self.room("https://m.douyu.com/288016?from=share", "douyu", "288016"),
            Self.room("https://www.douyu.com/lpl", "douyu", "lpl"),
            Self.room("https://www.douyu.com/topic/lpl?rid=288016", "douyu", "288016"),
            Self.room("https://www.douyutv.com/288016", "douyu", "288016"),
            Self.refused("https://www.douyu.com", by: "douyu"),
            Self.refused("https://www.douyu.com/directory/all", by: "douyu"),
            Self.refused("https://www.douyu.com/g_LOL", by: "douyu"),
            Self.refused("https://www.douyu.com/search/?kw=lol", by: "douyu"),
            Self.refused("https://www.douyu.com/topic/lpl", by: "douyu"),
            Self.refused("https://v.douyu.com/show/a4Jj7llo1MAWV8LE", by: "douyu"),
        ])
    }

    @Test func huya() async throws {
        try await Self.verify([
            Self.room("https://www.huya.com/11342412", "huya", "11342412"),
            Self.room("www.huya.com/11342412", "huya", "11342412"),
            Self.room("http://www.huya.com/yanzi/", "huya", "yanzi"),
            Self.room("https://huya.com/yanzi", "huya", "yanzi"),
            Self.room("https://m.huya.com/11342412?from=share", "huya", "11342412"),
            Self.room("  https://WWW.HUYA.COM/yanzi#chat\n", "huya", "yanzi"),
            Self.refused("https://www.huya.com", by: "huya"),
            Self.refused("https://www.huya.com/", by: "huya"),
            Self.refused("https://www.huya.com/g", by: "huya"),
            Self.refused("https://www.huya.com/g/lol", by: "huya"),
            Self.refused("https://www.huya.com/l", by: "huya"),
            Self.refused("https://www.huya.com/search?hsk=lol", by: "huya"),
            Self.refused("https://www.huya.com/video/play/123456.html", by: "huya"),
            Self.refused("https://v.huya.com/play/123456.html", by: "huya"),
        ])
    }

    @Test func inke() async throws {
        try await Self.verify([
            Self.room("https://www.inke.cn/liveroom/index.html?uid=725866599&id=1700000000123456", "inke", "725866599"),
            Self.room("inke.cn/liveroom/index.html?id=1700000000123456&uid=725866599", "inke", "725866599"),
            Self.refused("https://www.inke.cn/", by: "inke"),
            Self.refused("https://www.inke.cn/liveroom/index.html", by: "inke"),
            Self.refused("https://www.inke.cn/liveroom/index.html?id=1700000000123456", by: "inke"),
        ])
    }

    @Test func kilakila() async throws {
        try await Self.verify([
            Self.room("https://live.kilakila.cn/PcLive/index/detail/102345", "kilakila", "102345"),
            Self.room("https://live.kilakila.cn/room/102345", "kilakila", "102345"),
            Self.room("https://www.hongdoufm.com/room/102345?from=share", "kilakila", "102345"),
            Self.room("hongdoufm.com/PcLive/index/detail/102345", "kilakila", "102345"),
            Self.refused("https://live.kilakila.cn/", by: "kilakila"),
            Self.refused("https://www.hongdoufm.com", by: "kilakila"),
        ])
    }

    @Test func kuaishou() async throws {
        try await Self.verify([
            Self.room("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa", "kuaishou", "3xkz5pbfbdvvxxa"),
            Self.room("https://live.kuaishou.com/u/3xkz5pbfbdvvxxa?did=x", "kuaishou", "3xkz5pbfbdvvxxa"),
            Self.room("live.kuaishou.com/profile/3xkz5pbfbdvvxxa", "kuaishou", "3xkz5pbfbdvvxxa"),
            Self.room("https://www.kuaishou.com/profile/3xkz5pbfbdvvxxa", "kuaishou", "3xkz5pbfbdvvxxa"),
            Self.room("https://livev.m.chenzhongtech.com/fw/live/3xkz5pbfbdvvxxa?cc=share_copylink", "kuaishou", "3xkz5pbfbdvvxxa"),
            Self.room("https://v.kuaishou.com/abcd12", "kuaishou", "abcd12"),
            Self.refused("https://live.kuaishou.com", by: "kuaishou"),
            Self.refused("https://www.kuaishou.com/short-video/3xabc123", by: "kuaishou"),
            Self.refused("https://live.kuaishou.com/cate/DQRM/", by: "kuaishou"),
        ])
    }

    @Test func missevan() async throws {
        try await Self.verify([
            Self.room("https://fm.missevan.com/live/868858", "missevan", "868858"),
            Self.room("fm.missevan.com/live/868858/", "missevan", "868858"),
            Self.room("https://www.missevan.com/live/868858", "missevan", "868858"),
            Self.room("https://www.missevan.com/3456789", "missevan", "3456789"),
            Self.refused("https://fm.missevan.com/", by: "missevan"),
            Self.refused("https://www.missevan.com/", by: "missevan"),
            Self.refused("https://www.missevan.com/sound/player?id=123456", by: "missevan"),
            Self.refused("https://www.missevan.com/mdrama/12345", by: "missevan"),
        ])
    }

    @Test func niconico() async throws {
        try await Self.verify([
            Self.room("https://live.nicovideo.jp/watch/lv123", "niconico", "lv123"),
            Self.room("https://live2.nicovideo.jp/watch/lv123?ref=rtrec&zroute=recent", "niconico", "lv123"),
            Self.room("https://sp.live.nicovideo.jp/watch/lv300", "niconico", "lv300"),
            Self.room("live.nicovideo.jp/watch/co456?ref=community", "niconico", "co456"),
            Self.room("https://live.nicovideo.jp/watch/ch2619257", "niconico", "ch2619257"),
            Self.room("https://live.nicovideo.jp/watch/user/789", "niconico", "user/789"),
            Self.room("https://nico.ms/lv123", "niconico", "lv123"),
            Self.refused("https://live.nicovideo.jp/", by: "niconico"),
            Self.refused("https://live2.nicovideo.jp", by: "niconico"),
            Self.refused("https://www.nicovideo.jp/watch/sm9", by: "niconico"),
            Self.refused("https://nico.ms/sm9", by: "niconico"),
            Self.refused("https://www.nicovideo.jp/user/1", by: "niconico"),
        ])
    }

    @Test func picarto() async throws {
        try await Self.verify([
            Self.room("https://picarto.tv/example", "picarto", "example"),
            Self.room("https://www.picarto.tv/example", "picarto", "example"),
            Self.room("picarto.tv/example/", "picarto", "example"),
            Self.room("https://www.picarto.tv/streampopout/example/public", "picarto", "example"),
            Self.refused("https://picarto.tv/", by: "picarto"),
            Self.refused("https://www.picarto.tv/example/videos/123456", by: "picarto"),
            Self.refused("https://www.picarto.tv/videopopout/123456", by: "picarto"),
            Self.refused("https://www.picarto.tv/streampopout/example/notpublic", by: "picarto"),
            Self.refused("https://picarto.tv/explore", by: "picarto"),
        ])
    }

    @Test func ttinglive() async throws {
        try await Self.verify([
            Self.room("https://www.ttinglive.com/channels/12345/live", "ttinglive", "12345"),
            Self.room("https://www.ttinglive.com/channels/12345", "ttinglive", "12345"),
            Self.room("ttinglive.com/channels/12345/live/", "ttinglive", "12345"),
            Self.refused("https://www.ttinglive.com/", by: "ttinglive"),
            Self.refused("https://www.ttinglive.com/channels", by: "ttinglive"),
        ])
    }

    @Test func twitcasting() async throws {
        try await Self.verify([
            Self.room("https://twitcasting.tv/twitcasting_jp", "twitcasting", "twitcasting_jp"),
            Self.room("https://twitcasting.tv/c:kurumi_tc", "twitcasting", "c:kurumi_tc"),
            Self.room("twitcasting.tv/c:kurumi_tc/", "twitcasting", "c:kurumi_tc"),
            Self.room("https://twitcasting.tv/c:kurumi_tc/embeddedplayer/live?auto_play=true", "twitcasting", "c:kurumi_tc"),
            Self.refused("https://twitcasting.tv/", by: "twitcasting"),
            Self.refused("https://twitcasting.tv/c:kurumi_tc/movie/790123456", by: "twitcasting"),
        ])
    }

    @Test func twitch() async throws {
        try await Self.verify([
            Self.room("https://www.twitch.tv/CHANNELNAME", "twitch", "CHANNELNAME"),
            Self.room("https://www.twitch.tv/shroud?", "twitch", "shroud"),
            Self.room("https://www.twitch.tv/shroud/", "twitch", "shroud"),
            Self.room("twitch.tv/shroud", "twitch", "shroud"),
            Self.room("https://m.twitch.tv/shroud", "twitch", "shroud"),
            Self.room("https://go.twitch.tv/shroud/", "twitch", "shroud"),
            Self.room("https://player.twitch.tv/?parent=twitch.tv&channel=shroud", "twitch", "shroud"),
            Self.room("https://www.twitch.tv/popout/shroud/player", "twitch", "shroud"),
            Self.room("https://www.twitch.tv/videosgamer", "twitch", "videosgamer"),
            Self.refused("https://www.twitch.tv", by: "twitch"),
            Self.refused("https://www.twitch.tv/videos/1963401646?t=1h23m45s", by: "twitch"),
            Self.refused("https://www.twitch.tv/videos/", by: "twitch"),
            Self.refused("https://www.twitch.tv/dota2ti/v/1963401646", by: "twitch"),
            Self.refused("https://www.twitch.tv/dota2ti/video/1963401646", by: "twitch"),
            Self.refused("https://clips.twitch.tv/GoodEndearingPassionfruitPMSTwin-QfRLYDPKlscgqt-4", by: "twitch"),
            Self.refused("https://www.twitch.tv/clip/GoodEndearingPassionfruitPMSTwin-QfRLYDPKlscgqt-4", by: "twitch"),
            Self.refused("https://www.twitch.tv/lirik/clip/GoodEndearingPassionfruitPMSTwin-QfRLYDPKlscgqt-4", by: "twitch"),
            Self.refused("https://player.twitch.tv/?parent=twitch.tv&video=1963401646", by: "twitch"),
            Self.refused("https://www.twitch.tv/directory/category/just-chatting", by: "twitch"),
        ])
    }

    @Test func youtube() async throws {
        try await Self.verify([
            Self.room("https://www.youtube.com/watch?v=aqz-KE-bpKQ", "youtube", "aqz-KE-bpKQ"),
            Self.room("https://www.youtube.com/watch?foo=bar&baz=qux&v=aqz-KE-bpKQ", "youtube", "aqz-KE-bpKQ"),
            Self.room("https://youtu.be/aqz-KE-bpKQ?si=share", "youtube", "aqz-KE-bpKQ"),
            Self.room("https://m.youtube.com/live/aqz-KE-bpKQ", "youtube", "aqz-KE-bpKQ"),
            Self.room("https://www.youtube.com/embed/aqz-KE-bpKQ", "youtube", "aqz-KE-bpKQ"),
            Self.room("https://www.youtube.com/v/aqz-KE-bpKQ", "youtube", "aqz-KE-bpKQ"),
            Self.room("http://gaming.youtube.com/watch?v=aqz-KE-bpKQ", "youtube", "aqz-KE-bpKQ"),
            Self.room("https://www.youtube.com/embed/live_stream?channel=UCNye-wNBqNL5ZzHSJj3l8Bg", "youtube", "UCNye-wNBqNL5ZzHSJj3l8Bg"),
            Self.room("https://www.youtube.com/@LofiGirl", "youtube", "@LofiGirl"),
            Self.room("youtube.com/@LofiGirl/live", "youtube", "@LofiGirl"),
            Self.room("https://www.youtube.com/channel/UCSJ4gkVC6NrvII8umztf0Ow/live/", "youtube", "channel/UCSJ4gkVC6NrvII8umztf0Ow"),
            Self.room("https://www.youtube.com/c/CHANNELNAME", "youtube", "c/CHANNELNAME"),
            Self.room("https://www.youtube.com/user/CHANNELNAME/live", "youtube", "user/CHANNELNAME"),
            Self.refused("https://www.youtube.com", by: "youtube"),
            Self.refused("https://www.youtube.com/feed/guide_builder", by: "youtube"),
            Self.refused("https://www.youtube.com/t/terms", by: "youtube"),
            Self.refused("https://www.youtube.com/watch", by: "youtube"),
            Self.refused("https://www.youtube.com/embed/live_stream", by: "youtube"),
            Self.refused("https://www.youtube.com/playlist?list=PL0123456789", by: "youtube"),
            Self.refused("https://www.youtube.com/results?search_query=lofi", by: "youtube"),
            Self.refused("https://youtu.be/", by: "youtube"),
            Self.refused("https://youtu.be/c/CHANNELNAME/live", by: "youtube"),
            Row(url: "https://accounts.google.com/", expected: .noPlugin),
        ])
    }

    @Test func yy() async throws {
        try await Self.verify([
            Self.room("https://www.yy.com/22490906", "yy", "22490906"),
            Self.room("https://www.yy.com/22490906/22490906", "yy", "22490906/22490906"),
            Self.room("yy.com/22490906/?tempId=1", "yy", "22490906"),
            Self.refused("https://www.yy.com/", by: "yy"),
            Self.refused("https://www.yy.com/x/15012345", by: "yy"),
        ])
    }

    /// Direct stream URLs still go to the generic plugin; a page of a known platform never does, and
    /// nothing claims a URL of another scheme.
    @Test func genericAndUnclaimed() async throws {
        try await Self.verify([
            Row(url: "https://example.com/live/stream.flv", expected: .room(plugin: "generic", room: nil)),
            Row(url: "example.com/hls/index.m3u8?token=1", expected: .room(plugin: "generic", room: nil)),
            Row(url: "rtmp://example.com/live/key", expected: .room(plugin: "generic", room: nil)),
            Row(url: "https://al.flv.huya.com/src/1346609715.flv?wsSecret=1", expected: .room(plugin: "generic", room: nil)),
            Self.refused("https://www.huya.com/g/lol.flv", by: "huya"),
            Self.refused("https://www.bilibili.com/video/BV1xx411c7mD/index.m3u8", by: "bilibili"),
            Row(url: "https://example.com/page", expected: .noPlugin),
            Row(url: "ftp://example.com/stream.flv", expected: .noPlugin),
            Row(url: "file:///tmp/stream.flv", expected: .noPlugin),
            Row(url: "javascript:alert(1)//www.huya.com/1", expected: .noPlugin),
        ])
    }

    /// What `check` receives: the URL with a scheme, lower-cased host, a path and no fragment; the result
    /// keeps the URL as asked. A refusal in a batch is that URL's result alone.
    @Test func pluginsSeeTheNormalisedURL() async throws {
        let host = PluginHost(configuration: ScriptConfiguration(pluginDirectories: [PluginPaths.shipped], log: { _ in }))
        #expect(try await host.room(of: " HTTPS://Live.Bilibili.COM/6?live_from=85001#chat ").get().url
                == "https://live.bilibili.com/6?live_from=85001")
        #expect(try await host.room(of: "https://m.afreecatv.com/#/player/bj01").get().url == "https://m.afreecatv.com/player/bj01",
                "a route in the fragment of a bare host stands as the path")
        #expect(try await host.room(of: "https://play.afreecatv.com/bj01#/player/other").get().room == "bj01",
                "a fragment behind a path is dropped")
        #expect(await host.room(of: "www.huya.com") == .failure(ScriptError(kind: .notRoom, source: "huya",
                                                                             message: "not a live room URL: https://www.huya.com/")))
        #expect(await host.room(of: "https://www.huya.com/g/lol") == .failure(ScriptError(
            kind: .notRoom, source: "huya", message: "not a live room URL (a category page): https://www.huya.com/g/lol")))
        let trap = try ConnectionTrap()
        let trapped = PluginHost(configuration: ScriptConfiguration(
            pluginDirectories: [PluginPaths.shipped],
            hostRemap: try HostRemap(parsing: Self.domains.map { "*.\($0)=http://127.0.0.1:\(trap.port)" }), log: { _ in }))
        let batch = await trapped.batchCheck(["https://www.twitch.tv/videos/1", "https://picarto.tv/explore", "https://www.huya.com/g"])
        #expect(batch.mapValues { (try? $0.get()) == nil ? "refused" : "checked" }
                == ["https://www.twitch.tv/videos/1": "refused", "https://picarto.tv/explore": "refused", "https://www.huya.com/g": "refused"])
        #expect(batch.values.allSatisfy { if case .failure(let e) = $0 { e.kind == .notRoom } else { false } })
        #expect(trap.connections == 0)
    }
}
