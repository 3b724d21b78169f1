-- Kuaishou (快手) live rooms: live.kuaishou.com/u/<id>, /profile/<id>, /fw/live/<id>, and the share
-- hosts (v.kuaishou.com short links, livev.m.chenzhongtech.com) that redirect to one of those.
-- Flow (as biliup): warm-up GET of the home page (it sets the did cookie; without it and a pause the
-- room API answers with risk-control errors), the room page (says 主播尚未开播 when offline), then
-- live_api/liveroom/livedetail whose playUrls[1].adaptationSet.representation lists FLV URLs, worst first.

local ks_manifest = require("ks_manifest")
local web = require("web")

local HOME = "https://live.kuaishou.com"
local UA = web.USER_AGENT

local function room_id_of(url)
  local path = url:gsub("^%a+://[^/]+", ""):gsub("[?#].*$", "")
  for _, marker in ipairs({ "/profile/", "/fw/live/", "/u/" }) do
    local id = path:match(marker:gsub("%p", "%%%0") .. "([^/]+)")
    if id and id ~= "" then return id end
  end
end

local function headers(opts)
  local h = { ["User-Agent"] = UA, Referer = HOME }
  if opts.cookie and opts.cookie ~= "" then h.Cookie = opts.cookie end
  return h
end

-- v.kuaishou.com short links carry no id: follow their redirects and read it from the final URL.
local function resolve_room_id(url, room, opts)
  if not url:find("^https?://v%.kuaishou%.com/") then return room end
  local r = http.get(url, { headers = headers(opts) })
  local id = room_id_of(r.url)
  if not id then error("cannot find a room id in " .. url .. " (redirected to " .. r.url .. ")") end
  return id
end

-- Streams best first; `quality` moves the one asked for to the front (lua/lib/ks_manifest.lua).
local function streams_of(live_stream, opts)
  local reps = validate.need(live_stream, "playUrls.1.adaptationSet.representation", "table")
  return ks_manifest.streams(reps, { Referer = HOME, ["User-Agent"] = UA }, opts.quality, "playUrls")
end

return {
  name = "kuaishou",
  match = {
    "^https?://live%.kuaishou%.com/",
    "^https?://www%.kuaishou%.com/",
    "^https?://v%.kuaishou%.com/",
    "^https?://kuaishou%.com/",
    "^https?://livev%.m%.chenzhongtech%.com/",
  },
  rooms = (function()
    local forms = { "^v%.kuaishou%.com/([%w_%-]+)$", { "^kuaishou%.com/short%-video/", refuse = "a video" } }
    for _, host in ipairs({ "live%.kuaishou%.com", "kuaishou%.com", "livev%.m%.chenzhongtech%.com" }) do
      for _, marker in ipairs({ "u", "profile", "fw/live" }) do
        forms[#forms + 1] = "^" .. host .. "/" .. marker .. "/([%w_%-]+)$"
      end
    end
    return forms
  end)(),
  defaults = { quality = "best", cookie = "", warmup_delay = 3 },
  options = {
    quality = "best, or a representation's qualityType/name (e.g. HIGH, SUPER, BLUE_RAY, 高清) to put first",
    cookie = "Cookie header for live.kuaishou.com (a logged-in cookie avoids risk control)",
    warmup_delay = "seconds to wait after the home page visit before the room API (biliup waits 3-4 s; 0 = none)",
  },

  check = function(url, opts, room)
    local id = resolve_room_id(url, room, opts)

    http.get(HOME .. "/", { headers = headers(opts) })
    local delay = tonumber(opts.warmup_delay) or 0
    if delay > 0 then time.sleep(delay + math.random()) end

    local page = http.get(HOME .. "/u/" .. id, { headers = headers(opts) }).body
    if page:find("主播尚未开播", 1, true) then return { live = false, title = id } end

    local r = http.get(HOME .. "/live_api/liveroom/livedetail?principalId=" .. crypto.urlencode(id),
                       { headers = headers(opts) })
    if r.status ~= 200 then error(("room %s: livedetail answered HTTP %d"):format(id, r.status)) end
    local data = validate.need(r:json(), "data", "table")
    local result = validate.need(data, "result", "number")
    local author = type(data.author) == "table" and data.author or {}
    if result == 671 then return { live = false, title = id, streamer = author.name } end
    if result == 22 then error(("room %s: no such room (code 22)"):format(id)) end
    if result ~= 1 then
      error(("room %s: %s (code %d)"):format(id, data.error_msg or "livedetail refused", result))
    end

    local live_stream = validate.need(data, "liveStream", "table")
    if data.isLiving == false then return { live = false, title = live_stream.caption or id, streamer = author.name } end
    local title = live_stream.caption
    if not title or title == "" then title = id end
    return {
      live = true, title = title, streamer = author.name, cover = live_stream.coverUrl or live_stream.poster,
      streams = streams_of(live_stream, opts),
      extra = { principal_id = id, live_stream_id = live_stream.id },
    }
  end,
}
