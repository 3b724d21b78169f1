-- Douyin (抖音) live rooms, after biliup's douyin.rs.
--
-- URL forms:
--   https://live.douyin.com/<web_rid>          the room page (a leading "+" is dropped)
--   https://www.douyin.com/user/<sec_uid>      a user page: a 55/76-char sec_uid is used as is, otherwise the
--                                              page's RENDER_DATA gives the web_rid
--   https://v.douyin.com/<code>/               a share link: its redirect names the room (room_id, sec_user_id)
-- Room info comes from the web API webcast/room/web/enter/ (needs a_bogus, see lib/abogus.lua) by web_rid,
-- else from the H5 reflow API by sec_user_id. Live iff room.status == 2.

local abogus = require("abogus")
local xbogus = require("xbogus")
local web = require("web")

local UA = abogus.USER_AGENT
local REFERER = "https://live.douyin.com/"
local ENTER_URL = "https://live.douyin.com/webcast/room/web/enter/"
local REFLOW_URL = "https://webcast.amemv.com/webcast/room/reflow/info/"
local TTWID_URL = "https://ttwid.bytedance.com/ttwid/union/register/"
-- Used when the ttwid service cannot be reached (biliup ships the same fallback).
local DEFAULT_TTWID = "1%7Cu7ogdHsSmHtxbt4hjDCNvcLfVJz78CTM0TTWU8Hio8w%7C1751545220%7C18aac967e501e9d6c13384335ced3523c46a0b1cc4535c7213bc2506a7f462c8"
local TTWID_TTL = 24 * 3600

-- Best first; a missing quality falls back to lower ones first, then higher ones.
local QUALITIES = { "origin", "uhd", "hd", "sd", "ld", "md" }

-- Options may arrive as strings from the command line.
local function flag(v) return v == true or v == "true" or v == 1 or v == "1" end

local function random_string(charset, n)
  local out = {}
  for i = 1, n do
    local k = math.random(1, #charset)
    out[i] = charset:sub(k, k)
  end
  return table.concat(out)
end

local HEX = "abcdef0123456789"
local TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
local BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

local function ms_token() return random_string(TOKEN_CHARS, 184) end

-- verify_<ms in base 36>_<36 chars shaped like a uuid>, as douyin's web page makes it.
local function verify_fp()
  local ms, digits = time.ms(), {}
  repeat
    local d = ms % 36
    table.insert(digits, 1, ("0123456789abcdefghijklmnopqrstuvwxyz"):sub(d + 1, d + 1))
    ms = ms // 36
  until ms == 0
  local uuid = {}
  for i = 0, 35 do
    if i == 8 or i == 13 or i == 18 or i == 23 then
      uuid[#uuid + 1] = "_"
    elseif i == 14 then
      uuid[#uuid + 1] = "4"
    else
      local n = math.random(0, 61)
      if i == 19 then n = (3 & n) | 8 end
      uuid[#uuid + 1] = BASE62:sub(n + 1, n + 1)
    end
  end
  return "verify_" .. table.concat(digits) .. "_" .. table.concat(uuid)
end

-- application/x-www-form-urlencoded, the way biliup's serde_urlencoded writes values.
local function form_encode(s)
  return (tostring(s):gsub("[^%w%*%-%._ ]", function(c) return ("%%%02X"):format(c:byte()) end):gsub(" ", "+"))
end

-- Parameters in the order given: a_bogus signs the exact query string, so no sorting.
local function ordered_query(params)
  local parts = {}
  for _, kv in ipairs(params) do parts[#parts + 1] = form_encode(kv[1]) .. "=" .. form_encode(kv[2]) end
  return table.concat(parts, "&")
end

local function signed_url(base, params)
  local query = ordered_query(params)
  return base .. "?" .. query .. "&a_bogus=" .. abogus.sign(query, "", { user_agent = UA })
end

-- ttwid: an anonymous visitor id douyin wants in the Cookie; one per process is enough.
local function ttwid()
  local cached = cache.get("ttwid")
  if cached then return cached end
  local ok, r = pcall(http.request, {
    url = TTWID_URL, method = "POST", headers = { ["User-Agent"] = UA },
    json = { region = "cn", aid = 6383, needFid = false, service = "https://www.douyin.com", union = true, fid = "" },
  })
  local value = ok and r.cookies and r.cookies.ttwid
  if value and value ~= "" then
    cache.set("ttwid", value, TTWID_TTL)
    return value
  end
  log.warn("no ttwid from", TTWID_URL, ok and ("(HTTP " .. r.status .. ")") or r, "- using the built-in one")
  return DEFAULT_TTWID
end

-- The user's cookie plus what douyin expects of any browser: ttwid, odin_ttid, __ac_nonce.
local function build_cookie(user_cookie)
  local c = user_cookie or ""
  if c ~= "" and c:sub(-1) ~= ";" then c = c .. ";" end
  if not c:find("ttwid", 1, true) then c = c .. "ttwid=" .. ttwid() .. ";" end
  if not c:find("odin_ttid=", 1, true) then c = c .. "odin_ttid=" .. random_string(HEX, 160) .. ";" end
  if not c:find("__ac_nonce=", 1, true) then c = c .. "__ac_nonce=" .. random_string(HEX, 21) .. ";" end
  return c
end

local function headers(cookie)
  return { ["User-Agent"] = UA, Referer = REFERER, Cookie = cookie }
end

-- The chat push URL for a room: fixed client parameters, a random user id, and the signature.
local CHAT_URL = "wss://webcast100-ws-web-lq.douyin.com/webcast/im/push/v2/"
local CHAT_VERSION_CODE, CHAT_SDK_VERSION = "180800", "1.0.15"

local function chat_url(room_id, user_agent)
  local user_unique_id = tostring(7300000000000000000 + math.random(0, 699999999999999999))
  local stub = xbogus.stub({
    { "live_id", "1" }, { "aid", "6383" }, { "version_code", CHAT_VERSION_CODE },
    { "webcast_sdk_version", CHAT_SDK_VERSION }, { "room_id", room_id }, { "sub_room_id", "" },
    { "sub_channel_id", "" }, { "did_rule", "3" }, { "user_unique_id", user_unique_id },
    { "device_platform", "web" }, { "device_type", "" }, { "ac", "" }, { "identity", "audience" },
  })
  return CHAT_URL .. "?" .. ordered_query({
    { "app_name", "douyin_web" }, { "compress", "gzip" }, { "device_platform", "web" },
    { "browser_language", "zh-CN" }, { "browser_platform", "Win32" }, { "browser_name", "Mozilla" },
    { "browser_version", user_agent:match("Chrome/([%d%.]+)") or "120.0.0.0" }, { "aid", "6383" },
    { "live_id", "1" }, { "enter_from", "web_live" }, { "version_code", CHAT_VERSION_CODE },
    { "webcast_sdk_version", CHAT_SDK_VERSION }, { "update_version_code", CHAT_SDK_VERSION },
    { "host", "https://live.douyin.com" }, { "did_rule", "3" }, { "identity", "audience" },
    { "endpoint", "live_pc" }, { "need_persist_msg_count", "15" }, { "heartbeatDuration", "0" },
    { "room_id", room_id }, { "user_unique_id", user_unique_id }, { "signature", xbogus.sign(stub) },
  })
end

-- What a URL names: { web_rid = ... } or { sec_uid = ..., room_id = ... }, or nil for a user page
-- that shows no live room (offline).
local function resolve(url, room, cookie)
  if url:find("v.douyin", 1, true) then
    local final = http.get(url, { headers = headers(cookie) }).url
    if final:find("webcast.amemv", 1, true) then
      return { sec_uid = final:match("[?&]sec_user_id=([^&]+)"),
               room_id = final:match("/reflow/(%d+)") or final:match("room_id=(%d+)") }
    end
    if final:find("isedouyin.com/share/user", 1, true) then
      return { sec_uid = final:match("[?&]sec_uid=([^&]+)") }
    end
    url = final
    room = final:match("douyin%.com/%+*([^/?#]+)")
  end

  local user = url:match("/user/([^?#]*)")
  if user then
    if #user == 55 or #user == 76 then return { sec_uid = user } end
    local page = http.get(url, { headers = headers(cookie) })
    local render = page.body:match('<script id="RENDER_DATA" type="application/json">(.-)</script>')
    if not render then error(("user page %s: no RENDER_DATA (HTTP %d)"):format(url, page.status), 0) end
    local web_rid = crypto.urldecode(render):match('"web_rid":"([^"]+)"')
    if not web_rid then return nil end
    return { web_rid = web_rid }
  end

  if not room then error("not a douyin room URL: " .. url, 0) end
  return { web_rid = room }
end

-- Decodes an API answer, or raises an error naming the room and what went wrong.
local function decode(r, what, id)
  if r.status ~= 200 then error(("room %s: %s answered HTTP %d"):format(id, what, r.status), 0) end
  -- douyin answers a refused signature or cookie with an empty 200.
  if r.body == "" then error(("room %s: %s answered nothing (a_bogus or cookie refused)"):format(id, what), 0) end
  local ok, v = pcall(json.decode, r.body)
  if not ok or type(v) ~= "table" then error(("room %s: %s answered something that is not JSON"):format(id, what), 0) end
  return v
end

local function api_error(id, resp)
  local data = type(resp.data) == "table" and resp.data or {}
  local message = data.prompts or data.message or resp.status_msg or "no room data"
  message = tostring(message):gsub("%s+$", "")
  return ("room %s: %s (code %s)"):format(id, message, tostring(resp.status_code))
end

local function web_room(web_rid, cookie)
  local url = signed_url(ENTER_URL, {
    { "app_name", "douyin_web" }, { "enter_from", "web_live" }, { "live_id", "1" }, { "aid", "6383" },
    { "compress", "gzip" }, { "device_platform", "web" }, { "browser_language", "zh-CN" },
    { "browser_platform", "Win32" }, { "browser_name", "Mozilla" },
    { "browser_version", UA:match("Chrome/(%S+)") or "0.0.0.0" },
    { "web_rid", web_rid }, { "is_need_double_stream", "false" }, { "msToken", ms_token() },
  })
  return decode(http.get(url, { headers = headers(cookie) }), "webcast/room/web/enter", web_rid)
end

local function h5_room(sec_uid, room_id, cookie)
  local url = signed_url(REFLOW_URL, {
    { "room_id", room_id or "2" }, { "sec_user_id", sec_uid }, { "type_id", "0" }, { "live_id", "1" },
    { "version_code", "99.99.99" }, { "app_id", "1128" }, { "aid", "6383" },
    { "verifyFp", verify_fp() }, { "msToken", ms_token() },
  })
  return decode(http.get(url, { headers = headers(cookie) }), "room/reflow/info", room_id or sec_uid)
end

-- Room info: { room = ..., streamer = ... } (keys gains sec_uid / web_rid on the way), or { offline = true }.
local function room_info(keys, cookie)
  local id = keys.web_rid or keys.room_id or keys.sec_uid
  local room, streamer
  if keys.web_rid then
    local resp = web_room(keys.web_rid, cookie)
    local data = type(resp.data) == "table" and resp.data or {}
    local user = type(data.user) == "table" and data.user or nil
    if user then
      if user.sec_uid and user.sec_uid ~= "" then keys.sec_uid = user.sec_uid end
      streamer = user.nickname
    else
      if data.prompts == "直播已结束" then return { offline = true } end
      -- Banned or risk-controlled: biliup tries the H5 API next, which needs the sec_uid.
      if not keys.sec_uid then error(api_error(id, resp), 0) end
      log.warn("room", id, "web API gave no user (", api_error(id, resp), "), trying the H5 API")
    end
    room = validate.dig(resp, "data.data.1")
  end

  if type(room) ~= "table" then
    if not keys.sec_uid then error(("room %s: no room data and no sec_user_id for the H5 API"):format(id), 0) end
    local resp = h5_room(keys.sec_uid, keys.room_id, cookie)
    if resp.status_code ~= nil and resp.status_code ~= 0 then error(api_error(id, resp), 0) end
    room = validate.dig(resp, "data.room")
    if type(room) ~= "table" then return { offline = true } end
    local rid = validate.dig(room, "owner.web_rid")
    if rid and rid ~= "" then keys.web_rid = rid end
  end
  streamer = streamer or validate.dig(room, "owner.nickname")
  return { room = room, streamer = streamer }
end

-- stream_data: a JSON string { data = { origin = { main = { flv = ..., hls = ... } }, ... } }.
local function quality_table(room, opts, id)
  local pull = validate.dig(room, "stream_url.live_core_sdk_data.pull_data")
  if flag(opts.double_screen) then
    local datas = validate.dig(room, "stream_url.pull_datas")
    if type(datas) == "table" then
      local keys = {}
      for k in pairs(datas) do keys[#keys + 1] = k end
      table.sort(keys)
      if keys[1] then pull = datas[keys[1]] end
    end
  end
  local text = validate.need({ pull = pull }, "pull.stream_data", "string")
  local ok, sd = pcall(json.decode, text)
  if not ok or type(sd) ~= "table" then error(("room %s: stream_data is not JSON"):format(id), 0) end
  return validate.need(sd, "data", "table")
end

-- Qualities to try: the chosen one, then lower ones, then higher ones.
local function quality_order(chosen)
  local at = 1
  for i, q in ipairs(QUALITIES) do if q == chosen then at = i end end
  local order = { QUALITIES[at] }
  for i = at + 1, #QUALITIES do order[#order + 1] = QUALITIES[i] end
  for i = at - 1, 1, -1 do order[#order + 1] = QUALITIES[i] end
  return order
end

local function https(u) return (u:gsub("^http://", "https://")) end

local function build_streams(room, opts, stream_headers, id)
  local data = quality_table(room, opts, id)
  local protocol = opts.protocol == "hls" and "hls" or "flv"
  local other = protocol == "hls" and "flv" or "hls"
  local order = quality_order(opts.quality)
  local streams = {}
  -- true_origin: the untranscoded stream hides behind the audio-only entry.
  if flag(opts.true_origin) and order[1] == "origin" and protocol == "flv" then
    local ao = validate.dig(data, "ao.main.flv")
    if type(ao) == "string" and ao ~= "" then
      streams[1] = { url = https((ao:gsub("&only_audio=1", ""))), format = "flv", quality = "origin",
                     headers = stream_headers }
    end
  end
  for _, proto in ipairs({ protocol, other }) do
    for _, q in ipairs(order) do
      local u = validate.dig(data, q .. ".main." .. proto)
      if type(u) == "string" and u ~= "" then
        streams[#streams + 1] = { url = https(u), format = proto, quality = q, headers = stream_headers }
      end
    end
  end
  if #streams == 0 then error(("room %s: live, but stream_data has no stream URL"):format(id), 0) end
  return streams
end

return {
  name = "douyin",
  match = { "^https?://live%.douyin%.com/", "^https?://www%.douyin%.com/", "^https?://m%.douyin%.com/",
            "^https?://v%.douyin%.com/", "^https?://douyin%.com/" },
  -- A room (its web_rid, sometimes pasted with a leading +), a user page, or a v.douyin.com share link.
  rooms = {
    "^live%.douyin%.com/%+*(%w+)$", "^douyin%.com/root/live/(%w+)$", "^douyin%.com/follow/live/(%w+)$",
    "^douyin%.com/user/([%w_%-]+)$",
    "^v%.douyin%.com/([%w_%-]+)$",
    { "^douyin%.com/video/", refuse = "a video" }, { "^douyin%.com/note/", refuse = "a note" },
    { "^douyin%.com/search/", refuse = "a search page" },
  },
  defaults = { quality = "origin", protocol = "flv", cookie = "", double_screen = false, true_origin = false },
  options = {
    quality = "origin, uhd, hd, sd, ld or md; a missing one falls back to lower, then higher ones",
    protocol = "flv or hls",
    cookie = "Cookie header for douyin (e.g. sessionid=...); ttwid, odin_ttid and __ac_nonce are added when missing",
    double_screen = "record the double-screen stream (stream_url.pull_datas) when the room has one",
    true_origin = "with quality origin and flv: use the untranscoded stream behind the audio-only entry",
  },

  check = function(url, opts, room)
    local cookie = build_cookie(opts.cookie)
    local keys = resolve(url, room, cookie)
    if not keys then return { live = false } end
    local info = room_info(keys, cookie)
    if info.offline then return { live = false } end
    local room = info.room
    local title = type(room.title) == "string" and room.title or nil
    if room.status ~= 2 then return { live = false, title = title, streamer = info.streamer } end

    local stream_headers = { Referer = REFERER, ["User-Agent"] = UA, Cookie = cookie }
    return {
      live = true,
      title = title,
      streamer = info.streamer,
      cover = validate.dig(room, "cover.url_list.1"),
      streams = build_streams(room, opts, stream_headers, keys.web_rid or room.id_str),
      danmaku = {
        protocol = "douyin",
        room_id = validate.need(room, "id_str", "string"),
        web_rid = keys.web_rid,
        cookie = cookie,
        ttwid = cookie:match("ttwid=([^;]+)"),
        user_agent = UA,
      },
      extra = { web_rid = keys.web_rid, sec_uid = keys.sec_uid },
    }
  end,
  -- Chat: the push WebSocket, signed with X-Bogus of the room parameters' md5 (lib/xbogus.lua), the
  -- way biliup connects; the Cookie carries ttwid. Whether douyin accepts the signature is only known
  -- when it answers: a refused connection shows as a chat disconnect, never as captured chat.
  danmaku = function(params, opts)
    local room_id = validate.need(params, "room_id", "string")
    local cookie = web.non_empty(params.cookie) or build_cookie(web.non_empty(opts.cookie))
    local user_agent = web.non_empty(params.user_agent) or UA
    return { url = chat_url(room_id, user_agent), room_id = room_id,
             headers = { ["User-Agent"] = user_agent, Origin = "https://live.douyin.com", Referer = REFERER,
                         Cookie = cookie } }
  end,
}
