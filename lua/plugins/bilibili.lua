-- Bilibili live (live.bilibili.com, b23.tv short links).
-- Flow as in biliup's bilibili.rs: WBI-signed getInfoByRoom (status, real room id) then WBI-signed
-- getRoomPlayInfo (stream/http_stream FLV or http_hls fMP4 URLs per CDN).
local wbi = require("bili_wbi")
local web = require("web")

local UA = web.USER_AGENT
local STREAM_REFERER = "https://live.bilibili.com"
local NAV_URL = "https://api.bilibili.com/x/web-interface/nav"
local API = "https://api.live.bilibili.com"
local WEB_LOCATION = "444.8"
local WBI_TTL = 2 * 60 * 60 -- biliup refreshes the keys every 2 h
local WBI_CACHE_KEY = "wbi_mixin_key"

-- Quality names as the web player shows them, for `quality = "原画"` and friends.
local QN_BY_NAME = {
  ["杜比"] = 30000, dolby = 30000, ["4k"] = 20000, ["原画"] = 10000, origin = 10000,
  ["蓝光"] = 400, ["超清"] = 250, ["高清"] = 150, ["流畅"] = 80,
}

local function fail(room, message, code)
  if code ~= nil then
    error(("room %s: %s (code %s)"):format(room, message, tostring(code)), 0)
  end
  error(("room %s: %s"):format(room, message), 0)
end

local function wanted_qn(opts)
  local value = opts.quality
  if value == nil or value == "" then value = opts.qn end
  local qn = tonumber(value) or QN_BY_NAME[tostring(value):lower()]
  if not qn then
    error(("unknown quality %q: use a qn number (10000 原画, 400 蓝光, 250 超清, 150 高清, 80 流畅)"):format(tostring(value)), 0)
  end
  return math.tointeger(qn) or qn
end

local function wanted_protocol(opts)
  local p = tostring(opts.protocol or "flv"):lower()
  if p == "flv" or p == "stream" or p == "http_stream" then return "flv" end
  if p == "hls" or p == "hls_fmp4" or p == "fmp4" or p == "hls_ts" then return "hls" end
  error(("unknown protocol %q: use flv or hls"):format(p), 0)
end

-- `cdn` as a list or "a,b,c".
local function cdn_list(value)
  local out = {}
  if type(value) == "table" then
    for _, v in ipairs(value) do out[#out + 1] = tostring(v) end
  elseif value ~= nil then
    for name in tostring(value):gmatch("[^,%s]+") do out[#out + 1] = name end
  end
  return out
end

local function cookie_of(opts)
  if type(opts.cookie) == "string" and opts.cookie ~= "" then return opts.cookie end
  return nil
end

-- Where biliup connects when getDanmuInfo lists no usable host.
local DEFAULT_CHAT_URL = "wss://broadcastlv.chat.bilibili.com:443/sub"

-- The chat server wants a buvid3 (a browser id) in the Cookie: the user's, or one made up once per
-- process (a random UUID with the "infoc" suffix, as the web client's look).
local function chat_cookie(cookie)
  if cookie and cookie:find("buvid3=", 1, true) then return cookie end
  local buvid = cache.get("buvid3")
  if not buvid then
    local hex = {}
    for i = 1, 32 do hex[i] = ("%X"):format(math.random(0, 15)) end
    local s = table.concat(hex)
    buvid = ("%s-%s-%s-%s-%sinfoc"):format(s:sub(1, 8), s:sub(9, 12), s:sub(13, 16), s:sub(17, 20), s:sub(21, 32))
    cache.set("buvid3", buvid)
  end
  return "buvid3=" .. buvid .. (cookie and ("; " .. cookie) or "")
end

-- b23.tv short links: follow the redirect, which must land on a live room; its URL and room number.
local function resolve_short(url)
  local r = http.get(url, { headers = { ["User-Agent"] = UA } })
  local room = r.url:find("^https?://[%w%.]*live%.bilibili%.com/") and r.url:match("/(%d+)")
  if not room then
    error(("%s does not lead to a live room (landed on %s)"):format(url, r.url), 0)
  end
  return r.url, room
end

local function decode(r, room, what)
  local ok, body = pcall(r.json, r)
  if not ok or type(body) ~= "table" then
    fail(room, ("%s answered HTTP %d with no JSON"):format(what, r.status))
  end
  return body
end

-- The WBI mixin key, from nav (answers code -101 when not logged in, but still carries wbi_img).
local function mixin_key(headers)
  local key = cache.get(WBI_CACHE_KEY)
  if key then return key end
  local nav = http.get(NAV_URL, { headers = headers }):json()
  local wbi_img = validate.need(nav, "data.wbi_img", { img_url = "string", sub_url = "string" })
  key = wbi.mixin_key(wbi.key_from_url(wbi_img.img_url), wbi.key_from_url(wbi_img.sub_url))
  cache.set(WBI_CACHE_KEY, key, WBI_TTL)
  return key
end

-- GET a WBI-signed live API; raises on a non-zero code.
local function signed_api(path, params, headers, room, what)
  local query = wbi.sign(params, mixin_key(headers), time.unix())
  local body = decode(http.get(API .. path .. "?" .. http.encode_query(query), { headers = headers }), room, what)
  if body.code ~= 0 then
    -- -352: the signature (or the client) was refused; fetch fresh keys next time.
    if body.code == -352 then cache.delete(WBI_CACHE_KEY) end
    fail(room, ("%s: %s"):format(what, tostring(body.message or body.msg or "no message")), body.code)
  end
  return body
end

-- One candidate per CDN of a codec entry: url = host .. base_url .. extra; cdn from extra's cdn=.
local function codec_streams(codec, format, headers)
  local out = {}
  if type(codec) ~= "table" or type(codec.url_info) ~= "table" then return out end
  for _, info in ipairs(codec.url_info) do
    if type(info.host) == "string" and type(codec.base_url) == "string" then
      local extra = info.extra or ""
      out[#out + 1] = {
        url = info.host .. codec.base_url .. extra,
        format = format,
        quality = tostring(codec.current_qn),
        cdn = extra:match("^cdn=([^&]+)") or extra:match("[?&]cdn=([^&]+)"),
        headers = headers,
        qn = codec.current_qn,
      }
    end
  end
  return out
end

-- First codec of the first format named `name` (flv, ts, fmp4) in any stream.
local function first_codec(streams, name)
  for _, stream in ipairs(streams) do
    for _, format in ipairs(stream.format or {}) do
      if format.format_name == name and type(format.codec) == "table" then return format.codec[1] end
    end
  end
  return nil
end

-- Preferred CDNs first (in the order given), the rest as the API listed them.
local function order_by_cdn(candidates, preferred)
  local out, used = {}, {}
  for _, name in ipairs(preferred) do
    for i, c in ipairs(candidates) do
      if not used[i] and c.cdn == name then out[#out + 1] = c; used[i] = true end
    end
  end
  for i, c in ipairs(candidates) do
    if not used[i] then out[#out + 1] = c end
  end
  for _, c in ipairs(out) do c.qn = nil end
  return out
end

return {
  name = "bilibili",
  match = {
    "^https?://live%.bilibili%.com/", "^https?://m%.live%.bilibili%.com/", "^https?://b23%.tv/",
    "^https?://www%.bilibili%.com/", "^https?://bilibili%.com/", "^https?://m%.bilibili%.com/",
    "^https?://space%.bilibili%.com/",
  },
  rooms = {
    "^live%.bilibili%.com/(%d+)$", "^live%.bilibili%.com/h5/(%d+)$", "^live%.bilibili%.com/blanc/(%d+)$",
    "^m%.live%.bilibili%.com/(%d+)$",
    { "^b23%.tv/BV", refuse = "a short link to a video" }, { "^b23%.tv/av%d", refuse = "a short link to a video" },
    "^b23%.tv/(%w+)$",  -- a short link, followed to the room it leads to
    { "^bilibili%.com/video/", refuse = "a video" }, { "^m%.bilibili%.com/video/", refuse = "a video" },
    { "^space%.bilibili%.com/", refuse = "a user's space page; the live room is live.bilibili.com/<room>" },
  },
  defaults = { qn = 10000, protocol = "flv", cdn = "", hls_transcode_timeout = 60 },
  options = {
    qn = "quality number: 30000 杜比, 20000 4K, 10000 原画, 400 蓝光, 250 超清, 150 高清, 80 流畅 (without a login cookie B站 gives low quality)",
    quality = "same as qn (a number or a name such as 原画); overrides qn when set",
    protocol = "flv (http_stream FLV) or hls (http_hls fMP4)",
    cdn = "preferred CDNs, a list or comma-separated (e.g. cn-gotcha01,cn-gotcha04); the first one present wins",
    cookie = "Cookie header of a logged-in account (SESSDATA=...), sent to the API and with the stream",
    hls_transcode_timeout = "seconds after going live to wait for the fMP4 stream before falling back to FLV",
  },

  check = function(url, opts, room)
    local qn, protocol = wanted_qn(opts), wanted_protocol(opts)
    local cookie = cookie_of(opts)
    if url:find("^https?://b23%.tv/") then url, room = resolve_short(url) end

    local api_headers = { ["User-Agent"] = UA, Referer = url, Cookie = cookie }

    local info = signed_api("/xlive/web-room/v1/index/getInfoByRoom",
      { room_id = room, web_location = WEB_LOCATION }, api_headers, room, "getInfoByRoom")
    local status = validate.need(info, "data.room_info.live_status", "number")
    local room_info = info.data.room_info
    local title, cover = room_info.title, room_info.cover
    local streamer = validate.dig(info, "data.anchor_info.base_info.uname")
    if status ~= 1 then -- 0 offline, 2 playing a replay loop
      return { live = false, title = title, streamer = streamer, cover = cover }
    end
    local real_room = validate.need(info, "data.room_info.room_id", "number")

    local play = signed_api("/xlive/web-room/v2/index/getRoomPlayInfo", {
      room_id = real_room, qn = qn, platform = "html5", protocol = "0,1", format = "0,1,2",
      codec = "0", dolby = "5", web_location = WEB_LOCATION,
    }, api_headers, room, "getRoomPlayInfo")
    local streams = validate.dig(play, "data.playurl_info.playurl.stream")
    if type(streams) ~= "table" or #streams == 0 then
      fail(room, "live, but getRoomPlayInfo has no play URLs (paid or region-locked room?)")
    end

    local stream_headers = { Referer = STREAM_REFERER, ["User-Agent"] = UA, Cookie = cookie }
    local candidates = {}
    if protocol == "hls" then
      local codec = first_codec(streams, "fmp4")
      candidates = codec_streams(codec, "hls", stream_headers)
      -- fMP4 may come only in a transcoded quality at first: not what was asked for origin.
      if (qn == 10000 or qn == 25000) and #candidates > 0 and candidates[1].qn ~= qn then candidates = {} end
      if #candidates == 0 then
        local started = tonumber(room_info.live_start_time) or 0
        if time.unix() - started <= (tonumber(opts.hls_transcode_timeout) or 60) then
          -- Just went live and B站 has not transcoded fMP4 yet: report offline and check again later.
          log.info(("room %s: no hls fMP4 stream yet, checking again later"):format(room))
          return { live = false, title = title, streamer = streamer, cover = cover,
                   extra = { waiting_for = "hls_fmp4" } }
        end
        log.info(("room %s: no hls fMP4 stream, falling back to flv"):format(room))
      end
    end
    if #candidates == 0 then
      local codec = first_codec(streams, "flv")
      if not codec then codec = validate.dig(streams, "1.format.1.codec.1") end
      candidates = codec_streams(codec, "flv", stream_headers)
    end
    if #candidates == 0 then fail(room, "getRoomPlayInfo has no stream URL for " .. protocol) end
    local current_qn = candidates[1].qn

    return {
      live = true,
      title = title,
      streamer = streamer,
      cover = cover,
      streams = order_by_cdn(candidates, cdn_list(opts.cdn)),
      danmaku = { protocol = "bilibili", room_id = real_room, uid = room_info.uid, cookie = cookie },
      extra = { room_id = real_room, uid = room_info.uid, live_start_time = room_info.live_start_time,
                qn = current_qn },
    }
  end,
  -- Chat: WBI-signed getDanmuInfo gives the token and the chat hosts. The auth packet's uid is the
  -- logged-in viewer (DedeUserID of the cookie), never the anchor's uid the check reported; anonymous is 0.
  danmaku = function(params, opts)
    local room = validate.need(params, "room_id", "integer")
    local cookie = chat_cookie(web.non_empty(params.cookie) or cookie_of(opts))
    local api_headers = { ["User-Agent"] = UA, Referer = "https://live.bilibili.com/" .. room, Cookie = cookie }
    local info = signed_api("/xlive/web-room/v1/index/getDanmuInfo",
      { id = room, type = 0, web_location = WEB_LOCATION }, api_headers, room, "getDanmuInfo")
    local data = validate.need(info, "data", {
      token = "string", host_list = validate.list({ host = "string", wss_port = "integer" }) })
    local url = DEFAULT_CHAT_URL
    for _, h in ipairs(data.host_list) do
      if h.host:find("^[%w%.%-]+$") then url = ("wss://%s:%d/sub"):format(h.host, h.wss_port); break end
    end
    local viewer = math.tointeger(tonumber(cookie:match("DedeUserID=(%d+)"))) or 0
    return { url = url, room_id = room, uid = viewer, token = data.token,
             headers = { ["User-Agent"] = UA, Origin = "https://live.bilibili.com", Cookie = cookie } }
  end,
}
