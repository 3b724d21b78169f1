-- Bigo Live: www.bigo.tv/<id> (also www.bigo.tv/<lang>/<id>). One form POST to
-- ta.bigo.tv/official_website/studio/getInternalStudioInfo with siteId=<id> answers alive (1 = on air)
-- and hls_src, the HLS playlist.

local web = require("web")

local API = "https://ta.bigo.tv/official_website/studio/getInternalStudioInfo"
local UA = web.USER_AGENT

return {
  name = "bigo",
  match = { "^https?://www%.bigo%.tv/", "^https?://bigo%.tv/" },
  rooms = { "^bigo%.tv/([%w_]+)$", "^bigo%.tv/%a%a/([%w_]+)$" },  -- /<id>, or /<language>/<id>
  defaults = {},
  options = {},

  check = function(_, opts, id)
    local r = http.post(API, { siteId = id }, { headers = {
      ["User-Agent"] = UA, Accept = "application/json", Referer = "https://www.bigo.tv/", Origin = "https://www.bigo.tv",
    } })
    if r.status ~= 200 then error(("room %s: getInternalStudioInfo answered HTTP %d"):format(id, r.status)) end
    local body = r:json()
    local code = validate.need(body, "code", "number")
    if code ~= 0 then error(("room %s: %s (code %d)"):format(id, body.msg or "getInternalStudioInfo refused", code)) end
    local data = validate.need(body, "data", "table")
    -- An unknown id answers code 0 with no alive field at all.
    if data.alive == nil then error(("room %s: no such room (no alive field in the answer)"):format(id)) end
    local title = (data.roomTopic ~= nil and data.roomTopic ~= "") and data.roomTopic or id
    local streamer = data.nick_name
    if data.alive ~= 1 or type(data.hls_src) ~= "string" or data.hls_src == "" then
      return { live = false, title = title, streamer = streamer }
    end
    return {
      live = true, title = title, streamer = streamer, cover = data.snapshot or data.cover_l,
      streams = { { url = data.hls_src, format = "hls", quality = "origin",
                    headers = { ["User-Agent"] = UA, Referer = "https://www.bigo.tv/" } } },
      extra = { bigo_id = id, room_id = data.roomId and tostring(data.roomId) or nil, uid = data.uid },
    }
  end,
}
