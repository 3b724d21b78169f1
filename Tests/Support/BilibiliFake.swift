import BiliupScript
import Foundation

/// bilibili's live APIs as a fake platform serves them (shapes trimmed from real answers): used by the
/// bilibili plugin's tests and by the plugin benchmark.
public enum BilibiliFake {
    public static let api = "api.live.bilibili.com"
    public static let main = "api.bilibili.com"
    public static let infoPath = "/xlive/web-room/v1/index/getInfoByRoom"
    public static let playPath = "/xlive/web-room/v2/index/getRoomPlayInfo"

    /// nav when not logged in: code -101 but the WBI image URLs are there. The keys are the ones of the
    /// published WBI example in bilibili-API-collect (docs/misc/sign/wbi.md).
    public static let nav = #"""
    {"code":-101,"message":"账号未登录","ttl":1,"data":{"isLogin":false,
     "wbi_img":{"img_url":"https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png",
                "sub_url":"https://i0.hdslb.com/bfs/wbi/4932caff0ff746eab6f01bf08b70ac45.png"}}}
    """#

    /// getInfoByRoom for short id 6 (real room 7734200), trimmed from the real shape.
    public static func roomInfo(status: Int, start: Int = 1_699_990_000) -> String {
        #"""
        {"code":0,"message":"0","ttl":1,"data":{
         "room_info":{"uid":50329118,"room_id":7734200,"short_id":6,"title":"2024 LPL 春季赛",
          "cover":"https://i0.hdslb.com/bfs/live/new_room_cover/lpl.jpg","tags":"","background":"",
          "description":"","live_status":\#(status),"live_start_time":\#(start),"live_screen_type":0,
          "lock_status":0,"lock_time":0,"hidden_status":0,"hidden_time":0,"area_id":86,"area_name":"英雄联盟",
          "parent_area_id":2,"parent_area_name":"网游","keyframe":"","special_type":0,"online":0},
         "anchor_info":{"base_info":{"uname":"哔哩哔哩英雄联盟赛事","face":"https://i0.hdslb.com/bfs/face/a.jpg",
          "gender":"保密","official_info":{"role":1,"title":"","desc":"","is_nft":0}}}}}
        """#
    }

    public static func codec(qn: Int, path: String, hosts: [String]) -> String {
        let infos = hosts.map {
            #"{"host":"https://\#($0).bilivideo.com","extra":"expires=1700003600&len=0&oi=0&pt=web&qn=\#(qn)&trid=1000abc&sigparams=cdn,expires,len,oi,pt,qn,trid&cdn=\#($0)&sign=f00d","stream_ttl":3600}"#
        }.joined(separator: ",")
        return #"{"codec_name":"avc","current_qn":\#(qn),"accept_qn":[10000,400,250,150],"base_url":"\#(path)","url_info":[\#(infos)],"hdr_qn":null,"dolby_type":0,"attr_name":""}"#
    }

    /// getRoomPlayInfo: http_stream/flv plus http_hls ts and fmp4; answers the qn asked for (B站 gives the
    /// best it allows, here whatever was asked). `fmp4: false` leaves fMP4 out (not transcoded yet).
    public static func playInfo(qn: Int, fmp4: Bool = true) -> String {
        let flv = codec(qn: qn, path: "/live-bvc/738209/live_50329118_bs_3262620_\(qn).flv?", hosts: ["cn-gotcha01", "cn-gotcha04"])
        let ts = codec(qn: qn, path: "/live-bvc/738209/live_50329118_bs_3262620_\(qn)/index.m3u8?", hosts: ["cn-gotcha01"])
        let fm = codec(qn: qn, path: "/live-bvc/738209/live_50329118_bs_3262620_\(qn)/index.m3u8?", hosts: ["cn-gotcha07", "ov-gotcha05"])
        let hlsFormats = [#"{"format_name":"ts","codec":[\#(ts)]}"#] + (fmp4 ? [#"{"format_name":"fmp4","codec":[\#(fm)]}"#] : [])
        return #"""
        {"code":0,"message":"0","ttl":1,"data":{"room_id":7734200,"short_id":6,"uid":50329118,"is_hidden":false,
         "is_locked":false,"is_portrait":false,"live_status":1,"hidden_till":0,"lock_till":0,"encrypted":false,
         "pwd_verified":true,"live_time":1699990000,"room_shield":0,"all_special_types":[],
         "playurl_info":{"conf_json":"{}","playurl":{"cid":7734200,
          "g_qn_desc":[{"qn":10000,"desc":"原画","hdr_desc":"","attr_desc":null},{"qn":400,"desc":"蓝光","hdr_desc":"","attr_desc":null}],
          "stream":[{"protocol_name":"http_stream","format":[{"format_name":"flv","codec":[\#(flv)]}]},
                    {"protocol_name":"http_hls","format":[\#(hlsFormats.joined(separator: ","))]}],
          "p2p_data":{"p2p":false,"p2p_type":0,"m_p2p":false,"m_servers":null},"dolby_qn":null}}}}
        """#
    }

    public static func fake(status: Int = 1, start: Int = 1_699_990_000, fmp4: Bool = true) throws -> FakePlatform {
        let fake = try FakePlatform()
        fake.json(main, "/x/web-interface/nav", nav)
        fake.json(api, infoPath, roomInfo(status: status, start: start))
        fake.route(api, playPath) { r, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"],
                   body: Data(playInfo(qn: Int(r.query["qn"] ?? "") ?? 0, fmp4: fmp4).utf8))
        }
        return fake
    }

}
