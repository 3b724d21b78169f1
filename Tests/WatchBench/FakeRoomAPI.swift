import BiliupTestSupport
import Foundation

/// A platform whose room-info API answers every room with ~2 KB of JSON, offline: the common case of
/// watching, where nearly every check finds nobody live. Shaped like the room-info answers of the real
/// platforms (a code, a message and a data object with the room, the anchor and their settings).
enum FakeRoomAPI {
    static let host = "api.watch-bench.test"
    static let path = "/room/info"
    static let plugin = "benchplat"

    static func serve(on fake: FakePlatform) {
        fake.route(host, path) { request, writer in
            let id = request.query["id"] ?? "0"
            writer.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(answer(room: id).utf8))
        }
    }

    static func answer(room id: String) -> String {
        let tags = (1...12).map { "\"tag\($0)\"" }.joined(separator: ",")
        let frames = (1...6).map { #"{"name":"frame\#($0)","url":"https://static.watch-bench.test/frames/\#($0).png","start":0,"end":0}"# }
            .joined(separator: ",")
        return #"""
        {"code":0,"message":"ok","ttl":1,"data":{"room_id":\#(id),"short_id":0,"uid":\#(100_000 + (Int(id) ?? 0)),\#
        "live_status":0,"live_time":"0000-00-00 00:00:00","title":"Room \#(id): nobody here right now",\#
        "description":"A benchmark room that is offline. Its description is long enough to look like a real one, with links and emoji-free text.",\#
        "cover":"https://static.watch-bench.test/covers/\#(id).jpg","keyframe":"https://static.watch-bench.test/keyframes/\#(id).jpg",\#
        "area_id":86,"area_name":"Talk","parent_area_id":1,"parent_area_name":"Entertainment","online":0,"attention":12345,\#
        "tags":[\#(tags)],"frames":[\#(frames)],\#
        "anchor":{"uid":\#(100_000 + (Int(id) ?? 0)),"uname":"anchor\#(id)","face":"https://static.watch-bench.test/faces/\#(id).jpg",\#
        "gender":"unknown","level":{"master":{"level":20,"color":6406234},"user":{"level":30}},"verified":false},\#
        "settings":{"allow_danmaku":true,"allow_gift":true,"hidden":false,"locked":false,"encrypted":false,"pwd_verified":true,\#
        "is_portrait":false,"studio":{"status":0,"master_id":0},"battle":{"id":0,"status":0},"pendants":{"badge":null,"frame":null}}}}
        """#
    }

    /// The plugin: one GET of the room info, validated, decoded, offline unless `live_status` is 1.
    static let source = #"""
    return {
      name = "benchplat",
      match = { "^https?://live%.watch%-bench%.test/(%d+)" },
      check = function(url, opts)
        local id = url:match("/(%d+)$")
        local r = http.get("https://api.watch-bench.test/room/info?id=" .. id, { headers = { Referer = url } })
        if r.status ~= 200 then error("room info: HTTP " .. r.status) end
        local info = r:json()
        local data = validate.need(info, "data", "table")
        if validate.need(data, "live_status", "number") ~= 1 then return { live = false } end
        return { live = true, title = data.title, streams = { { url = data.play_url, format = "flv" } } }
      end,
    }
    """#
}
