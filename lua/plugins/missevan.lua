-- Missevan (猫耳FM) live rooms. api/v2/live/<room> gives the room's state and its pull addresses.
local API = "https://fm.missevan.com/api/v2/live/"

local web = require("web")
local non_empty = web.non_empty

-- /live/<room> names the room directly; a user's home page (missevan.com/<number>) carries the room
-- number in a data-id attribute, as biliup reads it; without one the number is taken as the room.
local function room_id(url, room)
  if url:find("/live/%d") then return room end
  local r = http.get(url)
  return r.status == 200 and r.body:match('data%-id="(%d+)"') or room
end

return {
  name = "missevan",
  match = { "^https?://fm%.missevan%.com/", "^https?://www%.missevan%.com/", "^https?://missevan%.com/" },
  rooms = {
    "^fm%.missevan%.com/live/(%d+)$", "^missevan%.com/live/(%d+)$", "^missevan%.com/(%d+)$",
    { "^missevan%.com/sound/", refuse = "a sound (audio drama episode)" }, { "^missevan%.com/mdrama/", refuse = "a drama" },
  },
  defaults = { protocol = "flv" },
  options = { protocol = "flv (default) or hls: which pull address to try first" },

  check = function(url, opts, room)
    local id = room_id(url, room)
    local r = http.get(API .. id, { headers = { Referer = "https://fm.missevan.com/live/" .. id } })
    local ok, body = pcall(r.json, r)
    if not ok or type(body) ~= "table" then
      error(("room %s: HTTP %d, not JSON from api/v2/live"):format(id, r.status), 0)
    end
    local code = validate.need(body, "code", "number")
    if code ~= 0 then
      -- On errors `info` is the platform's message ("直播间不存在").
      local msg = type(body.info) == "string" and body.info or "api/v2/live failed"
      error(("room %s: %s (code %d)"):format(id, msg, code), 0)
    end
    local room = validate.need(body, "info.room", "table")
    local open = validate.need(room, "status.open", "number")
    local title = non_empty(room.name)
    local streamer = non_empty(room.creator_username) or non_empty(validate.dig(body, "info.creator.username"))
    local cover = non_empty(room.cover_url) or non_empty(room.cover)
    if open == 0 then
      return { live = false, title = title, streamer = streamer, cover = cover }
    end

    local channel = validate.need(room, "channel", "table")
    local streams = web.streams_with_url(
      { { url = non_empty(channel.flv_pull_url), format = "flv" }, { url = non_empty(channel.hls_pull_url), format = "hls" } },
      opts.protocol == "hls" and "hls" or "flv", { quality = "origin", headers = { Referer = "https://fm.missevan.com/" } })
    if #streams == 0 then error(("room %s: open, but channel has no pull URL"):format(id), 0) end

    return {
      live = true, title = title or id, streamer = streamer, cover = cover, streams = streams,
      danmaku = { protocol = "missevan", room = id },
    }
  end,
}
