-- Douyu (www/m.douyu.com). Flow as in biliup's douyu.rs: room id (from ?rid=, or the m.douyu.com page
-- for short names) -> betard status -> getEncryption key (cached until expire_at) -> md5 `auth` ->
-- getH5PlayV1 POST -> rtmp_url/rtmp_live (HTTP-FLV).
local WEB = "https://www.douyu.com"
local MOBILE = "https://m.douyu.com"
local DID = "10000000000000000000000000001501"
local web = require("web")
local PAGE_UA = web.USER_AGENT
local KEY_CACHE = "encryption_key"
local HUOS = "http://openflv-huos.douyucdn2.cn/live/"
local HUOS_DOMAIN = "hdltctwk.douyucdn.cn"
local P2P_APIS = { "https://sdkapiv4.douyucdn.cn", "https://sdkapi.douyucdn.cn" }

-- rate numbers of getH5PlayV1 and the names the player shows.
local RATE_BY_NAME = { ["原画"] = 0, origin = 0, ["蓝光"] = 4, ["蓝光4m"] = 4, ["超清"] = 3, ["高清"] = 2 }

local function fail(rid, message, code)
  if code ~= nil then
    error(("room %s: %s (code %s)"):format(rid, message, tostring(code)), 0)
  end
  error(("room %s: %s"):format(rid, message), 0)
end

local function wanted_rate(opts)
  local value = opts.quality
  if value == nil or value == "" then value = opts.rate end
  local rate = tonumber(value) or RATE_BY_NAME[tostring(value):lower()]
  if not rate then
    error(("unknown quality %q: use a rate number (0 原画, 4 蓝光4M, 3 超清, 2 高清)"):format(tostring(value)), 0)
  end
  return math.tointeger(rate) or rate
end

local function decode(r, rid, what)
  local ok, body = pcall(r.json, r)
  if not ok or type(body) ~= "table" then
    fail(rid, ("%s answered HTTP %d with no JSON"):format(what, r.status))
  end
  return body
end

-- ?rid=123 wins; otherwise the path's first part, a number or a vanity name, which the mobile page maps
-- to the real room id (a number in the URL can be a vanity alias too). Cached per URL: it never changes.
local function room_id(url, short)
  local rid = http.parse_query(url).rid
  if rid and rid:match("^%d+$") then return rid end
  local cached = cache.get("rid:" .. short)
  if cached then return cached end
  local page = http.get(MOBILE .. "/" .. short, { headers = { ["User-Agent"] = PAGE_UA } })
  rid = page.body:match('roomInfo":{"rid":(%d+)')
  if not rid then
    if not short:match("^%d+$") then
      error(("room %s: not found (m.douyu.com answered HTTP %d without a room id)"):format(short, page.status), 0)
    end
    rid = short
  end
  cache.set("rid:" .. short, rid)
  return rid
end

-- Streams of an "interactive game" (互动游戏) are no real stream; biliup can skip them.
local function has_interactive_game(rid)
  local r = http.get(WEB .. "/api/interactive/web/v2/list?rid=" .. rid,
    { headers = { Referer = WEB, ["User-Agent"] = PAGE_UA } })
  local data = decode(r, rid, "interactive list").data
  if type(data) == "table" then return next(data) ~= nil end
  return data ~= nil and data ~= false and data ~= ""
end

-- getEncryption's key, with the random UA it was fetched with: enc_data is tied to that UA, so
-- getH5PlayV1 must send the same one. Cached until the key's expire_at.
local function encryption_key(rid)
  local now = time.unix()
  local cached = cache.get(KEY_CACHE)
  if cached and cached.key.expire_at > now then return cached end
  local ua = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36")
    :format(math.random(100, 120))
  local body = decode(http.get(WEB .. "/wgapi/livenc/liveweb/websec/getEncryption?did=" .. DID,
    { headers = { ["User-Agent"] = ua } }), rid, "getEncryption")
  if body.error ~= 0 then fail(rid, "getEncryption: " .. tostring(body.msg or "no message"), body.error) end
  local key = validate.need(body, "data", { rand_str = "string", enc_time = "number", key = "string",
                                            enc_data = "string", is_special = "any?", expire_at = "any?" })
  key.expire_at = tonumber(key.expire_at) or 0 -- missing: use once
  local entry = { key = key, ua = ua }
  if key.expire_at > now then cache.set(KEY_CACHE, entry, key.expire_at - now) end
  return entry
end

-- auth = md5(s .. key .. salt) where s = rand_str md5-chained enc_time times with key;
-- salt = rid .. ts, or "" for a "special" key.
local function sign(key, rid, ts)
  local s = key.rand_str
  for _ = 1, key.enc_time do s = crypto.md5(s .. key.key) end
  local salt = key.is_special == 1 and "" or (rid .. ts)
  return crypto.md5(s .. key.key .. salt)
end

-- The CDN names getH5PlayV1 offers (for `biliup check --json`: what `cdn` can be set to).
local function cdn_names(list)
  local out = {}
  for _, c in ipairs(type(list) == "table" and list or {}) do
    if c.cdn then out[#out + 1] = c.cdn end
  end
  return out
end

local function auth_failed(r)
  if r.status == 403 then return true end
  local text = r.body:gsub("[%s\"]", "")
  return text:find("鉴权失败", 1, true) ~= nil
end

-- One getH5PlayV1 call. Returns the decoded body, or nil when the auth was refused.
local function play_info(rid, cdn, rate)
  local entry = encryption_key(rid)
  local ts = time.unix()
  local r = http.post(WEB .. "/lapi/live/getH5PlayV1/" .. rid, {
    cdn = cdn, rate = rate, ver = "Douyu_new", iar = 0, ive = 0, rid = rid, hevc = 0, fa = 0, sov = 0,
    enc_data = entry.key.enc_data, tt = ts, did = DID, auth = sign(entry.key, rid, ts),
  }, { headers = { Referer = WEB, ["User-Agent"] = entry.ua } })
  if auth_failed(r) then return nil end
  return decode(r, rid, "getH5PlayV1")
end

-- force_hs with cdn hs-h5: the same stream from the huos (火山) edge, signed with a txSecret from the
-- P2P SDK API. Keeps the stream's own query (in order), fcdn=hs, then txSecret/txTime/domain.
-- nil when no txSecret can be had (the caller keeps the plain URL).
local function huos_url(raw)
  local path, query = raw:match("^https?://[^/?]+([^?]*)%??(.*)$")
  local stream_id = path and (path:match("([^/]+)$") or ""):match("^([^%.]+)")
  if not stream_id then return nil end
  local secret
  for _, api in ipairs(P2P_APIS) do
    local ok, r = pcall(http.get, api .. "/p2p/get_txsecret?lid=" .. crypto.urlencode(stream_id),
      { headers = { ["User-Agent"] = PAGE_UA } })
    local okj, body = false, nil
    if ok and r.status == 200 then okj, body = pcall(r.json, r) end
    if okj and type(body) == "table" and body.xp2p_txSecret and body.xp2p_txTime
        and tostring(body.xp2p_txSecret) ~= "" and tostring(body.xp2p_txTime) ~= "" then
      secret = body
      break
    end
    log.warn(("no txSecret from %s for %s"):format(api, stream_id))
  end
  if not secret then return nil end
  local parts, has_fcdn = {}, false
  for pair in query:gmatch("[^&]+") do
    local k = pair:match("^([^=]*)")
    if k == "fcdn" then
      if not has_fcdn then parts[#parts + 1] = "fcdn=hs"; has_fcdn = true end
    elseif k ~= "txSecret" and k ~= "txTime" and k ~= "domain" then
      parts[#parts + 1] = pair
    end
  end
  if not has_fcdn then parts[#parts + 1] = "fcdn=hs" end
  parts[#parts + 1] = "txSecret=" .. crypto.urlencode(tostring(secret.xp2p_txSecret))
  parts[#parts + 1] = "txTime=" .. crypto.urlencode(tostring(secret.xp2p_txTime))
  parts[#parts + 1] = "domain=" .. HUOS_DOMAIN
  return HUOS .. stream_id .. ".xs?" .. table.concat(parts, "&")
end

return {
  name = "douyu",
  match = { "^https?://www%.douyu%.com/", "^https?://m%.douyu%.com/", "^https?://douyu%.com/",
            "^https?://v%.douyu%.com/", "^https?://www%.douyutv%.com/", "^https?://douyutv%.com/" },
  -- A room number or name (douyutv.com is the old domain), or a topic page naming its room with ?rid=.
  rooms = {
    { "^douyu%.com/directory$", refuse = "a directory page" }, { "^douyu%.com/directory/", refuse = "a directory page" },
    { "^douyu%.com/g_", refuse = "a category page" }, { "^douyu%.com/search$", refuse = "a search page" },
    { "^v%.douyu%.com/", refuse = "a video" },
    { "^douyu%.com/topic/[%w_%-]+$", query = "rid" }, { "^m%.douyu%.com/topic/[%w_%-]+$", query = "rid" },
    "^douyu%.com/([%w_]+)$", "^m%.douyu%.com/([%w_]+)$", "^douyutv%.com/([%w_]+)$",
  },
  defaults = { cdn = "hw-h5", rate = 0, force_hs = false, disable_interactive_game = false },
  options = {
    cdn = "CDN asked of getH5PlayV1: hw-h5 (default), ali-h5, tct-h5, tctc-h5, hs-h5",
    rate = "0 原画 (default), 4 蓝光4M, 3 超清, 2 高清",
    quality = "same as rate (a number or a name such as 原画); overrides rate when set",
    force_hs = "true with cdn = hs-h5: record from the huos edge (txSecret-signed .xs URL), the plain URL as fallback",
    disable_interactive_game = "true: treat a room running an interactive game (互动游戏) as offline",
  },

  check = function(url, opts, room)
    local rate = wanted_rate(opts)
    local rid = room_id(url, room)

    local betard = decode(http.get(WEB .. "/betard/" .. rid, { headers = { Referer = WEB, ["User-Agent"] = PAGE_UA } }),
      rid, "betard")
    if type(betard.room) ~= "table" then fail(rid, "not found (betard has no room)") end
    local show_status = validate.need(betard, "room.show_status", "number")
    local room = betard.room
    local title, streamer, cover = room.room_name, room.owner_name or room.nickname, room.room_pic
    local offline = { live = false, title = title, streamer = streamer, cover = cover }
    -- videoLoop = 1: the room replays old videos, nobody is live.
    if show_status ~= 1 or (tonumber(room.videoLoop) or 0) ~= 0 then return offline end
    if opts.disable_interactive_game == true and has_interactive_game(rid) then return offline end

    local cdn = tostring(opts.cdn or "hw-h5")
    local info, refreshed = nil, false
    for _ = 1, 4 do -- one key refresh plus up to two scdn detours
      local body = play_info(rid, cdn, rate)
      if body == nil then
        -- The server may drop a key before its expire_at: fetch a fresh one, once.
        if refreshed then fail(rid, "getH5PlayV1 refused the auth (鉴权失败) even with a fresh key") end
        cache.delete(KEY_CACHE)
        refreshed = true
      elseif body.error == 0 and type(body.data) == "table" then
        info = body.data
        -- scdn lines are P2P-only; ask again for the last regular CDN listed.
        local cdns = info.cdnsWithName
        local last = type(cdns) == "table" and cdns[#cdns] and cdns[#cdns].cdn
        if not (tostring(info.rtmp_cdn or ""):find("^scdn") and last and last ~= cdn) then break end
        cdn = last
      elseif body.error == -5 then
        return offline -- [closeRoom] 主播未开播
      elseif body.error == -9 then
        fail(rid, "getH5PlayV1: this computer's clock is wrong, douyu refused the timestamp", -9)
      elseif body.error == 126 then
        fail(rid, "getH5PlayV1: not available in this region (版权原因): " .. tostring(body.msg or ""), 126)
      elseif type(body.msg) == "string" and body.msg:find("鉴权失败", 1, true) and not refreshed then
        cache.delete(KEY_CACHE)
        refreshed = true
      else
        fail(rid, "getH5PlayV1: " .. tostring(body.msg or "no message"), body.error)
      end
    end
    if not info then fail(rid, "getH5PlayV1 gave no play info") end

    local base = validate.need(info, "rtmp_url", "string")
    local live = validate.need(info, "rtmp_live", "string")
    local quality = tostring(info.rate or rate)
    for _, m in ipairs(info.multirates or {}) do
      if m.rate == info.rate and m.name then quality = m.name end
    end

    local plain = base .. "/" .. live
    local headers = { Referer = WEB, ["User-Agent"] = PAGE_UA }
    local streams = { { url = plain, format = "flv", quality = quality, cdn = info.rtmp_cdn, headers = headers } }
    if opts.force_hs == true and tostring(opts.cdn or ""):lower() == "hs-h5" then
      local huos = huos_url(plain)
      if huos then
        table.insert(streams, 1, { url = huos, format = "flv", quality = quality, cdn = "huos", headers = headers })
      end
    end

    return {
      live = true,
      title = title,
      streamer = streamer,
      cover = cover,
      streams = streams,
      danmaku = { protocol = "douyu", room_id = math.tointeger(tonumber(rid)) or rid },
      extra = { room_id = rid, rate = info.rate, cdns = cdn_names(info.cdnsWithName) },
    }
  end,
  -- Chat: raw TCP to the danmaku proxy (STT frames); the client logs in with the room id alone.
  danmaku = function(params)
    return { url = "tcp://danmuproxy.douyu.com:8601", room_id = validate.need(params, "room_id", "any") }
  end,
}
