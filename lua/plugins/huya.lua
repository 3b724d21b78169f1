-- Huya (虎牙) live rooms: www.huya.com/<room id or name>, m.huya.com/<room id or name>.
-- Flow (as biliup): the room page carries `var TT_ROOM_DATA = {...};` (state ON/OFF/REPLAY, profileRoom),
-- `var TT_PROFILE_INFO = {...};` (nick) and, inside hyPlayerConfig, `stream: {...}` whose
-- data[1].gameStreamInfoList lists one entry per CDN (base URL, stream name, anticode, priority).
-- The page anticode is often stale, so a fresh token is asked for with the WUP/Tars call
-- liveui.getCdnTokenInfoEx (falling back to the page's), then re-signed locally (wsSecret, seqid, wsTime).

local WEB = "https://www.huya.com"
local web = require("web")
local UA = web.USER_AGENT
-- Two endpoints answer getCdnTokenInfoEx; biliup picks one at random per call.
local WUP_URLS = { "https://wup.huya.com/", "https://snmhuya.yst.aisee.tv/liveui/getCdnTokenInfoEx" }
-- Huya's own CDNs are not usable from outside the app.
local SKIPPED_CDNS = { HY = true, HUYA = true, HYZJ = true }

-- The JSON value ({...} or [...]) right after `pos`; the page's script goes on after it.
local function json_value_at(text, pos)
  local start = text:find("[%[{]", pos)
  if not start or text:sub(pos, start - 1):find("%S") then return nil end
  return (json.decode_at(text, start))
end

local function page_json(page, marker, what)
  local _, stop = page:find(marker)
  if not stop then return nil end
  local ok, value = pcall(json_value_at, page, stop + 1)
  if not ok or value == nil then error(what .. ": cannot parse the JSON on the room page") end
  return value
end

local function fetch_page(room, url)
  local r = http.get(WEB .. "/" .. room, { headers = { ["User-Agent"] = UA, Referer = url } })
  local body = r.body
  for _, message in ipairs({ "找不到这个主播", "该主播涉嫌违规，正在整改中" }) do
    if body:find(message, 1, true) then error("room " .. room .. ": " .. message) end
  end
  if r.status ~= 200 then error("room " .. room .. ": HTTP " .. r.status .. " for the room page") end
  return web.unescape_html(body)
end

-- Titles marked 回放/重播 in their first or last three characters are re-runs, not live shows.
local function is_replay_title(title)
  local chars = {}
  for _, c in utf8.codes(title) do chars[#chars + 1] = utf8.char(c) end
  local head = table.concat(chars, "", 1, math.min(3, #chars))
  local tail = table.concat(chars, "", math.max(1, #chars - 2), #chars)
  for _, key in ipairs({ "回放", "重播" }) do
    if head:find(key, 1, true) or tail:find(key, 1, true) then return true end
  end
  return false
end

-- Query strings are split by hand: values are base64 where "+" is data, not a space.
local function parse_anticode(s)
  local q = {}
  for part in s:gmatch("[^&]+") do
    local k, v = part:match("^([^=]*)=?(.*)$")
    q[crypto.urldecode(k)] = crypto.urldecode(v)
  end
  return q
end

-- The client-side uid transform of Huya's player: rotate the low 32 bits left by 8.
local function rotl32_low(uid)
  local low = uid & 0xFFFFFFFF
  return (((low << 8) | (low >> 24)) & 0xFFFFFFFF) | (uid & ~0xFFFFFFFF)
end

local function random_uid()
  if math.random() < 0.5 then return math.tointeger(12340000 + math.random(0, 9999)) end
  return math.tointeger(1400000000000 + math.random(0, 9999999))
end

-- Re-signs an anticode (page or WUP token) for `stream_name` as Huya's web player does:
-- seqid = uid + now_ms, wsSecret = md5(prefix_calcuid_streamname_md5(seqid|ctype|t)_wsTime),
-- where prefix is the part of base64(fm) before "_" and wsTime is pushed out to a day when it is close.
local function build_anticode(stream_name, anticode, presenter_uid)
  local q = parse_anticode(anticode)
  if not q.fm then return anticode end
  local ctype = q.ctype or "huya_live"
  local platform = q.t or "100"
  local is_wap = tonumber(platform) == 103
  local uid = math.tointeger(tonumber(presenter_uid or 0)) or 0
  if uid == 0 then uid = random_uid() end
  local now = time.unix()
  local seqid = uid + time.ms()
  local secret_hash = crypto.md5(string.format("%d|%s|%s", seqid, ctype, platform))
  local decoded = crypto.base64_decode(crypto.urldecode(q.fm))
  if not decoded then error("anticode fm is not base64: " .. q.fm) end
  local prefix = decoded:match("^([^_]*)")
  local ws_time = validate.need(q, "wsTime", "string")
  if (tonumber(ws_time, 16) or 0) < now + 20 * 60 then ws_time = string.format("%x", now + 24 * 60 * 60) end
  local convert_uid = rotl32_low(uid)
  local calc_uid = is_wap and uid or convert_uid
  local ws_secret = crypto.md5(string.format("%s_%d_%s_%s_%s", prefix, calc_uid, stream_name, secret_hash, ws_time))
  local out = string.format("wsSecret=%s&wsTime=%s&seqid=%d&ctype=%s&ver=1&fs=%s&fm=%s&t=%s", ws_secret, ws_time,
    seqid, ctype, q.fs or "bgct", crypto.urlencode(q.fm), platform)
  if is_wap then
    local ct = math.floor(((tonumber(ws_time, 16) or 0) + math.random()) * 1000)
    local uuid = math.floor(((ct % 10000000000) + math.random()) * 1000 % 0xFFFFFFFF)
    return out .. string.format("&uid=%d&uuid=%d", uid, uuid)
  end
  return out .. string.format("&u=%d", convert_uid)
end

-- sHuYaUA of a Huya app, as the token service expects from its clients.
local function random_app_ua()
  local kinds = {
    function() return string.format("adr&13.1.0.%d&official&%d", math.random(3000, 5000), math.random(28, 36)) end,
    function() return "ios&13.1.0&official" end,
    function() return string.format("huya_nftv&2.6.10.%d&official&%d", math.random(3000, 5000), math.random(28, 36)) end,
    function() return "pc_exe&7000000&official" end,
  }
  return kinds[math.random(#kinds)]()
end

-- liveui.getCdnTokenInfoEx over WUP: a 4-byte big-endian length, then a Tars RequestPacket (version 3)
-- whose sBuffer is map<string, bytes>{ tReq = GetCdnTokenExReq }. The answer's sBuffer holds
-- { tRsp = GetCdnTokenExRsp }, whose tag 0 (sFlvToken) is an anticode query.
local function cdn_token(stream_name)
  local tars = crypto.tars
  local req = crypto.tars_encode({ [0] = {
    [0] = "", [1] = stream_name, [2] = 0,
    [3] = { [0] = 0, [1] = "", [2] = "", [3] = random_app_ua(), [4] = "", [5] = 0, [6] = "", [7] = "" },
    [4] = 66,
  } })
  local payload = crypto.tars_encode({ [0] = tars.map({ { "tReq", tars.bytes(req) } }) })
  local packet = crypto.tars_encode({
    [1] = 3, [2] = 0, [3] = 0, [4] = 1, [5] = "liveui", [6] = "getCdnTokenInfoEx",
    [7] = tars.bytes(payload), [8] = 0, [9] = tars.map({}), [10] = tars.map({}),
  })
  local body = string.pack(">I4", #packet + 4) .. packet
  local url = WUP_URLS[math.random(#WUP_URLS)]
  local r = http.post(url, body, { headers = { ["User-Agent"] = UA, ["Content-Type"] = "application/octet-stream" } })
  if r.status ~= 200 then error("getCdnTokenInfoEx: HTTP " .. r.status) end
  local answer = crypto.tars_decode(r.body:sub(5))
  local buffer = crypto.tars_decode(validate.need(answer, "7", "string"))
  local rsp = crypto.tars_decode(validate.need(buffer, "0.tRsp", "string"))
  local token = validate.need(rsp, "0.0", "string")
  if token == "" then error("getCdnTokenInfoEx: empty token") end
  return token
end

local function protocol_keys(opts)
  local p = tostring(opts.protocol or "flv"):lower()
  if p == "hls" then return { url = "sHlsUrl", suffix = "sHlsUrlSuffix", anticode = "sHlsAntiCode", format = "hls" } end
  return { url = "sFlvUrl", suffix = "sFlvUrlSuffix", anticode = "sFlvAntiCode", format = "flv" }
end

-- `max_ratio`: the highest bitrate on offer not above the limit (0 in the list means the original bitrate).
local function pick_ratio(opts, bitrates, max_bitrate)
  local limit = tonumber(opts.max_ratio) or 0
  if limit <= 0 then return nil end
  local best
  for _, info in ipairs(bitrates) do
    local rate = tonumber(info.iBitRate) or 0
    if rate <= 0 then rate = max_bitrate end
    if rate <= limit and (not best or rate > best) then best = rate end
  end
  if best and best > 0 then return math.tointeger(best) end
end

local function build_streams(list, opts, ratio)
  local keys = protocol_keys(opts)
  local usable = {}
  for i, s in ipairs(list) do
    local priority = tonumber(s.iWebPriorityRate) or 0
    if priority >= 0 and not SKIPPED_CDNS[s.sCdnType] then
      usable[#usable + 1] = { info = s, priority = priority, index = i }
    end
  end
  if #usable == 0 then error("no usable CDN in gameStreamInfoList") end
  table.sort(usable, function(a, b)
    if a.priority ~= b.priority then return a.priority > b.priority end
    return a.index < b.index
  end)

  -- Every CDN carries the same stream name, so one anticode serves them all.
  local first = usable[1].info
  local stream_name = validate.need(first, "sStreamName", "string")
  if opts.imgplus == false then stream_name = stream_name:gsub("%-imgplus", "") end
  local token
  if opts.use_wup ~= false then
    local ok, result = pcall(cdn_token, stream_name)
    if ok then token = result else log.warn("getCdnTokenInfoEx failed, using the page anticode:", result) end
  end
  token = token or validate.need(first, keys.anticode, "string")
  local anticode = build_anticode(stream_name, token, first.lPresenterUid) .. "&codec=" .. tostring(opts.codec or "264")
  if ratio then anticode = anticode .. "&ratio=" .. ratio end

  local streams = {}
  for _, u in ipairs(usable) do
    local base = validate.need(u.info, keys.url, "string"):gsub("^http://", "https://")
    local suffix = validate.need(u.info, keys.suffix, "string")
    streams[#streams + 1] = {
      url = string.format("%s/%s.%s?%s", base, stream_name, suffix, anticode),
      format = keys.format, cdn = u.info.sCdnType,
      quality = ratio and tostring(ratio) or "origin", bitrate = ratio,
      headers = { Referer = WEB .. "/", ["User-Agent"] = UA },
    }
  end
  -- `cdn`: the chosen CDN first, the rest in Huya's priority order.
  local want = tostring(opts.cdn or ""):upper()
  if want ~= "" then
    for i, s in ipairs(streams) do
      if s.cdn == want then table.insert(streams, 1, table.remove(streams, i)); break end
    end
  end
  return streams
end

return {
  name = "huya",
  match = { "^https?://www%.huya%.com/", "^https?://m%.huya%.com/", "^https?://huya%.com/", "^https?://v%.huya%.com/" },
  rooms = {
    { "^v%.huya%.com/", refuse = "a video" }, { "^huya%.com/video/", refuse = "a video" },
    { "^huya%.com/g$", refuse = "the category list" }, { "^huya%.com/g/", refuse = "a category page" },
    { "^huya%.com/l$", refuse = "the live list" }, { "^huya%.com/search$", refuse = "a search page" },
    "^huya%.com/([%w_]+)$", "^m%.huya%.com/([%w_]+)$",
  },
  defaults = { cdn = "", protocol = "flv", max_ratio = 0, imgplus = true, codec = "264", use_wup = true },
  options = {
    cdn = "preferred CDN (AL, TX, HW, WS, HS, AL13, HW16, ...); empty: Huya's priority order",
    protocol = "flv or hls",
    max_ratio = "highest bitrate (kbps) to record; 0: the original",
    imgplus = "keep the -imgplus (watermarked) stream name; false strips it",
    codec = "codec= parameter of the stream URL (264 or 265)",
    use_wup = "ask getCdnTokenInfoEx for a fresh anticode (false: use the page's)",
  },
  check = function(url, opts, room)
    local page = fetch_page(room, url)
    local room_data = page_json(page, "var%s+TT_ROOM_DATA%s*=%s*", "TT_ROOM_DATA")
    if not room_data then error("room " .. room .. ": no TT_ROOM_DATA on the room page (page changed?)") end
    local profile = page_json(page, "var%s+TT_PROFILE_INFO%s*=%s*", "TT_PROFILE_INFO") or {}
    local room_id = tostring(room_data.profileRoom or room_data.id or room)
    if room_id == "" or room_id == "0" then error("room " .. room .. ": 找不到这个主播") end
    local streamer = profile.nick
    local title = room_data.introduction

    local offline = { live = false, title = title, streamer = streamer }
    if room_data.state ~= "ON" or room_data.isReplay == true then return offline end
    local stream = page_json(page, "stream: ", "stream")
    if type(stream) ~= "table" then return offline end
    local bitrates = stream.vMultiStreamInfo
    if type(bitrates) ~= "table" or #bitrates == 0 then return offline end  -- on air but not pushing
    local data = validate.need(stream, "data.1", { gameLiveInfo = "table" })
    local info = data.gameLiveInfo
    local list = data.gameStreamInfoList
    if type(list) ~= "table" or #list == 0 then return offline end
    title = info.introduction or title
    streamer = info.nick or streamer
    if is_replay_title(title or "") then return { live = false, title = title, streamer = streamer } end

    local max_bitrate = tonumber(info.bitRate) or 0
    local streams = build_streams(list, opts, pick_ratio(opts, bitrates, max_bitrate))
    local presenter_uid = list[1].lPresenterUid or info.uid
    local cover = info.screenshot and info.screenshot:gsub("^http://", "https://")
    return {
      live = true, title = title, streamer = streamer, cover = cover, streams = streams,
      danmaku = { protocol = "huya", room_id = room_id, presenter_uid = math.tointeger(tonumber(presenter_uid)) },
      extra = { game = info.gameFullName, start_time = info.startTime },
    }
  end,
  -- Chat: Tars over WebSocket; the client registers for the presenter's group (lGroupId = presenter uid).
  danmaku = function(params)
    return { url = "wss://cdnws.api.huya.com/", room_id = params.room_id,
             presenter_uid = validate.need(params, "presenter_uid", "integer"),
             headers = { ["User-Agent"] = UA, Origin = "https://www.huya.com" } }
  end,
}
