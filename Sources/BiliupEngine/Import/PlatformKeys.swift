import BiliupValues
import Foundation

/// biliup's platform options (`bili_qn`, `douyu_cdn`, `huya_danmaku` ...) and where they go here: an
/// option of our plugin for that platform (set on each streamer of the platform), or its chat capture.
enum PlatformKeys {
    /// The platform of a room URL, by our plugins' host names; nil for one no key applies to.
    static func platform(of url: String) -> String? {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return nil }
        let platforms = ["bilibili.com": "bilibili", "douyu.com": "douyu", "huya.com": "huya", "douyin.com": "douyin",
                         "twitch.tv": "twitch", "youtube.com": "youtube", "youtu.be": "youtube", "twitcasting.tv": "twitcasting",
                         "kuaishou.com": "kuaishou", "cc.163.com": "cc", "kilakila.cn": "kilakila", "nicovideo.jp": "niconico",
                         "afreecatv.com": "afreecatv", "sooplive.co.kr": "afreecatv"]
        return platforms.first { host == $0.key || host.hasSuffix("." + $0.key) }?.value
    }

    /// (platform, plugin option, how the value is converted) of a biliup key that is a plugin option.
    static let options: [String: (platform: String, option: String, convert: @Sendable (JSONValue) -> JSONValue?)] = [
        "bili_qn": ("bilibili", "qn", integer),
        "bili_cdn": ("bilibili", "cdn", { v in ImportValues.strings(v).map { .string($0.joined(separator: ",")) } }),
        "bili_protocol": ("bilibili", "protocol", { v in
            // biliup's "stream" is HTTP-FLV and "hls_fmp4" HLS fMP4; its "hls_ts" has no counterpart.
            guard case .string(let s) = v else { return nil }
            return ["stream": "flv", "hls_fmp4": "hls"][s].map(JSONValue.string)
        }),
        "douyu_cdn": ("douyu", "cdn", string),
        "douyu_rate": ("douyu", "rate", integer),
        "douyu_disable_interactive_game": ("douyu", "disable_interactive_game", flag),
        "huya_cdn": ("huya", "cdn", string),
        "huya_max_ratio": ("huya", "max_ratio", integer),
        "huya_use_wup": ("huya", "use_wup", flag),
        "douyin_quality": ("douyin", "quality", string),
        "douyin_double_screen": ("douyin", "double_screen", flag),
        "douyin_true_origin": ("douyin", "true_origin", flag),
        "twitcasting_password": ("twitcasting", "password", string),
        "kuaishou_cookie": ("kuaishou", "cookie", string),
    ]

    /// `[user]` keys that are a plugin's cookie option.
    static let userCookies: [String: (platform: String, option: String)] = [
        "bili_cookie": ("bilibili", "cookie"),
        "douyin_cookie": ("douyin", "cookie"),
        "twitch_cookie": ("twitch", "auth_token"),
        "twitcasting_cookie": ("twitcasting", "cookie"),
        "niconico-user-session": ("niconico", "cookie"),
        "afreecatv_username": ("afreecatv", "username"),
        "afreecatv_password": ("afreecatv", "password"),
    ]

    /// `<platform>_danmaku` keys: chat capture for that platform's streamers.
    static let danmaku: [String: String] = [
        "bilibili_danmaku": "bilibili", "douyu_danmaku": "douyu", "huya_danmaku": "huya", "douyin_danmaku": "douyin",
        "twitch_danmaku": "twitch", "twitcasting_danmaku": "twitcasting", "ytb_danmaku": "youtube",
    ]
    static let danmakuDetail = "bilibili_danmaku_detail"

    private static func integer(_ v: JSONValue) -> JSONValue? { ImportValues.integer(v).map(JSONValue.int) }
    private static func flag(_ v: JSONValue) -> JSONValue? { ImportValues.flag(v).map(JSONValue.bool) }
    private static func string(_ v: JSONValue) -> JSONValue? { if case .string = v { v } else { nil } }
}
