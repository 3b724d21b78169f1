-- Inke (映客): www.inke.cn/liveroom/index.html?uid=<uid>&id=<live id>. webapi.busi.inke.cn/web/live_share_pc?uid=
-- answers the room: data.status (1 or true = on air), live_name, and live_addr[1] with stream_addr (FLV),
-- hls_stream_addr (HLS) and rtmp_stream_addr.

local API = "https://webapi.busi.inke.cn/web/live_share_pc"
local web = require("web")
local UA = web.USER_AGENT

local function on_air(status) return status == true or status == 1 end

return {
  name = "inke",
  match = { "^https?://www%.inke%.cn/", "^https?://inke%.cn/" },
  rooms = { { "^inke%.cn/liveroom/index%.html$", query = "uid" }, { "^inke%.cn/liveroom$", query = "uid" } },
  defaults = { protocol = "flv" },
  options = { protocol = "flv (stream_addr) or hls (hls_stream_addr); the other one follows as a fallback" },

  check = function(url, opts, uid)
    local headers = { ["User-Agent"] = UA, Referer = "https://www.inke.cn/" }
    local r = http.get(API .. "?" .. http.encode_query({ uid = uid }), { headers = headers })
    if r.status ~= 200 then error(("room %s: live_share_pc answered HTTP %d"):format(uid, r.status)) end
    local body = r:json()
    local code = validate.need(body, "error_code", "number")
    if code ~= 0 then error(("room %s: %s (code %d)"):format(uid, body.message or body.error_msg or "live_share_pc refused", code)) end
    local data = validate.need(body, "data", "table")
    local media = type(data.media_info) == "table" and data.media_info or {}
    local title = data.live_name
    if not title or title == "" then title = validate.dig(data, "file.title") or uid end
    if not on_air(data.status) then return { live = false, title = title, streamer = media.nick } end

    local addr = validate.need(data, "live_addr.1", "table")
    local flv = { url = addr.stream_addr, format = "flv", quality = "origin", headers = headers }
    local hls = { url = addr.hls_stream_addr, format = "hls", quality = "origin", headers = headers }
    local order = opts.protocol == "hls" and { hls, flv } or { flv, hls }
    local streams = {}
    for _, s in ipairs(order) do
      if type(s.url) == "string" and s.url:find("^https?://") then streams[#streams + 1] = s end
    end
    if #streams == 0 then error(("room %s: on air but live_addr has no stream URL"):format(uid)) end
    return {
      live = true, title = title, streamer = media.nick, cover = validate.dig(data, "file.pic") or media.portrait,
      streams = streams, extra = { uid = uid, live_id = url:match("[?&]id=([%w_%-]+)") },
    }
  end,
}
