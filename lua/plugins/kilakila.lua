-- Kilakila (克拉克拉) / Hongdou FM (红豆FM): audio live rooms. One JSON call tells whether the room
-- is live and gives both an HLS and an FLV address.
local web = require("web")
local UA = web.USER_AGENT
local REFERER = "https://live.kilakila.cn/"

-- Room status codes of the web player: 0 resting, 1 preview, 4 live, 10 playback, 19 removed.
local LIVE = 4

local non_empty = web.non_empty

return {
  name = "kilakila",
  match = {
    "^https?://live%.kilakila%.cn/",
    "^https?://www%.hongdoufm%.com/", "^https?://hongdoufm%.com/",
  },
  -- The room id follows /PcLive/index/detail/ (kilakila) or /room/ (both sites).
  rooms = {
    "^live%.kilakila%.cn/PcLive/index/detail/([%w_]+)$", "^live%.kilakila%.cn/room/([%w_]+)$",
    "^hongdoufm%.com/PcLive/index/detail/([%w_]+)$", "^hongdoufm%.com/room/([%w_]+)$",
  },
  defaults = { protocol = "hls" },
  options = { protocol = "hls (default) or flv: which address to try first" },

  check = function(_, opts, id)
    local headers = { ["User-Agent"] = UA, Referer = REFERER }
    local r = http.get("https://live.kilakila.cn/LiveRoom/getRoomInfo?" .. http.encode_query({ roomId = id }),
      { headers = headers })
    if r.status ~= 200 then
      error(("room %s: HTTP %d from getRoomInfo"):format(id, r.status), 0)
    end
    local info = r:json()
    local code = validate.need(info, "h.code", "number")
    if code ~= 200 then
      error(("room %s: %s (code %d)"):format(id, validate.dig(info, "h.msg") or "getRoomInfo failed", code), 0)
    end
    local b = validate.need(info, "b", "table")
    local status = validate.need(b, "status", "number")
    local title = non_empty(b.title)
    local cover = non_empty(b.coverUrl) or non_empty(b.backPic)
    if status ~= LIVE then
      return { live = false, title = title, cover = cover, extra = { status = status } }
    end

    local streams = web.streams_with_url({ { url = non_empty(b.hlsPlayUrl), format = "hls" }, { url = non_empty(b.flvPlayUrl), format = "flv" } },
                                         opts.protocol == "flv" and "flv" or "hls", { quality = "origin", headers = headers })
    if #streams == 0 then error(("room %s: live, but getRoomInfo gave no play URL"):format(id), 0) end

    return {
      live = true, title = title or id, cover = cover, streams = streams,
      danmaku = { protocol = "kilakila", room = id },
      extra = { background = non_empty(b.defaultBackgroundPicUrl) },
    }
  end,
}
