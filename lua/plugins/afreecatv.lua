-- AfreecaTV: play.afreecatv.com/<bj>[/<bno>] (and other <sub>.afreecatv.com/<bj> pages). player_live_api.php
-- type=live says whether the BJ is on air (CHANNEL.RESULT 1) and gives BNO, RMD and CDN; type=aid gives the
-- view token; {RMD}/broad_stream_assign.html gives the HLS view_url, played as view_url?aid=<AID>.
-- Adult / subscriber-only broadcasts need a login: with username and password set, LoginAction.php is
-- posted once (its RDB / PdboxTicket cookies stay in this plugin's cookie jar) and not again for 7 days.
-- The rebranded SOOP domains (sooplive.co.kr, sooplive.com) name the same broadcasters; the API stays afreecatv's.

local CHANNEL_API = "https://live.afreecatv.com/afreeca/player_live_api.php"
local LOGIN_URL = "https://login.afreecatv.com/app/LoginAction.php"
local REFERER = "https://play.afreecatv.com/"
local web = require("web")
local UA = web.USER_AGENT
local LOGIN_TTL = 7 * 24 * 3600

local function headers() return { ["User-Agent"] = UA, Referer = REFERER } end

-- Logs in when credentials are set and no login of the same credentials is younger than 7 days.
-- A refused login is logged, not fatal: public broadcasts still work, and a broadcast that needs the
-- login answers RESULT -6, which says so.
local function ensure_login(opts)
  local user, pass = tostring(opts.username or ""), tostring(opts.password or "")
  if user == "" or pass == "" then return end
  local key = "login:" .. user .. ":" .. crypto.md5(pass)
  if cache.get(key) then return end
  local r = http.post(LOGIN_URL, {
    szUid = user, szPassword = pass, szWork = "login", szType = "json",
    isSaveId = "true", isSavePw = "true", isSaveJoin = "true", isLoginRetain = "Y",
  }, { headers = { ["User-Agent"] = UA, Referer = "https://login.afreecatv.com/" } })
  local ok, body = pcall(r.json, r)
  local result = ok and type(body) == "table" and body.RESULT or nil
  if result == 1 then
    cache.set(key, true, LOGIN_TTL)
  else
    log.warn(("login of %s refused (RESULT %s, HTTP %d); continuing without it"):format(user, tostring(result), r.status))
  end
end

local function channel_api(bj, bno, kind, quality)
  local r = http.post(CHANNEL_API, {
    bid = bj, bno = bno, type = kind, pwd = "", player_type = "html5", stream_type = "common",
    quality = quality, mode = "landing", from_api = "0",
  }, { headers = headers() })
  if r.status ~= 200 then error(("room %s: player_live_api.php answered HTTP %d"):format(bj, r.status)) end
  return validate.need(r:json(), "CHANNEL", "table")
end

-- The site's pages on every SOOP domain (play., bj., ch., vod., www. ...), so that none of them falls
-- through to the generic plugin; a broadcaster is play.<domain>/<bj>[/<bno>] or its channel page.
local match, rooms = {}, {}
for _, domain in ipairs({ "afreecatv%.com", "sooplive%.co%.kr", "sooplive%.com" }) do
  match[#match + 1] = "^https?://[%w%-]+%." .. domain .. "/"
  match[#match + 1] = "^https?://" .. domain .. "/"
  rooms[#rooms + 1] = "^play%." .. domain .. "/([%w_]+)$"
  rooms[#rooms + 1] = "^play%." .. domain .. "/([%w_]+)/%d+$"
  rooms[#rooms + 1] = "^bj%." .. domain .. "/([%w_]+)$"
  rooms[#rooms + 1] = "^ch%." .. domain .. "/([%w_]+)$"
  rooms[#rooms + 1] = "^m%." .. domain .. "/player/([%w_]+)$"      -- the mobile site's #/player/<bj> route
  rooms[#rooms + 1] = "^m%." .. domain .. "/player/([%w_]+)/%d+$"
  rooms[#rooms + 1] = "^" .. domain .. "/station/([%w_]+)$"
  rooms[#rooms + 1] = { "^vod%." .. domain .. "/", refuse = "a VOD" }
end

return {
  name = "afreecatv",
  match = match,
  rooms = rooms,
  defaults = { quality = "original", username = "", password = "" },
  options = {
    quality = "original, hd4k, hd or sd (the HLS rendition asked for)",
    username = "AfreecaTV login id, for adult / subscriber-only broadcasts",
    password = "AfreecaTV password (with username)",
  },

  check = function(_, opts, bj)
    local quality = tostring(opts.quality or "original")
    ensure_login(opts)

    local channel = channel_api(bj, "", "live", quality)
    local result = validate.need(channel, "RESULT", "number")
    if result == 0 then return { live = false, title = bj } end
    if result == -6 then
      error(("room %s: this broadcast needs a login; set username and password (code -6)"):format(bj))
    end
    if result ~= 1 then error(("room %s: player_live_api.php refused (code %d)"):format(bj, result)) end

    local on_air = validate.shape(channel, { BNO = "any", RMD = "string", CDN = "string" })
    local bno, rmd, cdn = tostring(on_air.BNO), on_air.RMD, on_air.CDN
    local title = channel.TITLE or bj

    local aid_info = channel_api(bj, bno, "aid", quality)
    local aid = aid_info.AID
    if type(aid) ~= "string" or aid == "" then
      error(("room %s: no AID for broadcast %s (code %s)"):format(bj, bno, tostring(aid_info.RESULT)))
    end

    local r = http.get(rmd .. "/broad_stream_assign.html?" ..
                       http.encode_query({ return_type = cdn, broad_key = bno .. "-common-" .. quality .. "-hls" }),
                       { headers = headers() })
    if r.status ~= 200 then error(("room %s: broad_stream_assign.html answered HTTP %d"):format(bj, r.status)) end
    local view_url = validate.need(r:json(), "view_url", "string")

    return {
      live = true, title = title, streamer = channel.BJNICK,
      streams = { { url = view_url .. "?aid=" .. crypto.urlencode(aid), format = "hls", quality = quality, cdn = cdn,
                    headers = headers() } },
      extra = { bno = bno, chat_domain = channel.CHDOMAIN, chat_no = channel.CHATNO },
    }
  end,
}
