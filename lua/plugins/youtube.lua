-- YouTube live streams, without yt-dlp: youtube.com/watch?v=<id>, youtu.be/<id>, youtube.com/live/<id>,
-- youtube.com/@<handle>[/live], youtube.com/channel/<UC id>[/live] (also /c/<name>, /user/<name>).
-- The watch page (a channel's /live page is the watch page of its current or next stream) embeds
-- `ytInitialPlayerResponse = {...};`: videoDetails.isLive says live, streamingData.hlsManifestUrl is the HLS
-- master playlist. Upcoming streams, ended streams and ordinary videos are reported offline.

local WEB = "https://www.youtube.com"
local web = require("web")
local UA = web.USER_AGENT
-- Without a consent cookie, visitors from the EU are sent to consent.youtube.com instead of the page.
local CONSENT = "SOCS=CAI"

-- A room is a video id or a channel (@handle, channel/<id>, c/<name>, user/<name>, or the bare UC id
-- an embedded live_stream player names).
local ROOMS = (function()
  local forms = { "^youtu%.be/([%w_%-]+)$" }
  for _, host in ipairs({ "youtube%.com", "m%.youtube%.com", "gaming%.youtube%.com" }) do
    local site = "^" .. host .. "/"
    for _, form in ipairs({
      { site .. "watch$", query = "v" },
      { site .. "embed/live_stream$", query = "channel" },
      { site .. "embed/live_stream$", refuse = "an embedded live player without ?channel=" },
      site .. "live/([%w_%-]+)$", site .. "embed/([%w_%-]+)$", site .. "v/([%w_%-]+)$", site .. "shorts/([%w_%-]+)$",
      site .. "(@[^/]+)$", site .. "(@[^/]+)/live$", site .. "(@[^/]+)/streams$",
      site .. "(channel/[%w_%-]+)$", site .. "(channel/[%w_%-]+)/live$", site .. "(channel/[%w_%-]+)/streams$",
      site .. "(c/[^/]+)$", site .. "(c/[^/]+)/live$", site .. "(user/[^/]+)$", site .. "(user/[^/]+)/live$",
      { site .. "playlist$", refuse = "a playlist" }, { site .. "results$", refuse = "a search page" },
      { site .. "feed/", refuse = "a feed page" },
    }) do forms[#forms + 1] = form end
  end
  return forms
end)()

-- The page to read for a room, and the video id when the room is a video.
local function page_of(room)
  if room:find("^UC[%w_-]+$") and #room == 24 then room = "channel/" .. room end
  if room:find("[@/]") then return WEB .. "/" .. room .. "/live" end
  return WEB .. "/watch?v=" .. room, room
end

local function headers(opts)
  local cookie = tostring(opts.cookie or "")
  if not cookie:find("SOCS=") and not cookie:find("CONSENT=") then
    cookie = cookie == "" and CONSENT or (cookie .. "; " .. CONSENT)
  end
  return { ["User-Agent"] = UA, ["Accept-Language"] = "en-US,en;q=0.9", Cookie = cookie }
end

-- The JSON object starting at `pos` (after spaces), or nil; the page's script goes on after it.
local function json_object_at(text, pos)
  local start = text:find("%S", pos)
  if not start or text:sub(start, start) ~= "{" then return nil end
  local ok, value = pcall(json.decode_at, text, start)
  return ok and value or nil
end

-- The first JSON object assigned after a match of `pattern` that parses (the names also appear in scripts).
local function assigned_object(page, pattern)
  local pos = 1
  while true do
    local _, stop = page:find(pattern, pos)
    if not stop then return nil end
    local value = json_object_at(page, stop + 1)
    if type(value) == "table" then return value end
    pos = stop + 1
  end
end

local function player_response(page)
  return assigned_object(page, "ytInitialPlayerResponse%s*=%s*")
end

-- The web client's public API key, for a chat page that does not name one.
local CHAT_API_KEY = "AIzaSyAO_FJ2SlqU84TSTEHLGCiIlwY_Y9_11qcW8"

-- The live_chat page's `ytInitialData` (assigned as `var ytInitialData =` or `window["ytInitialData"] =`).
local function initial_data(page)
  return assigned_object(page, 'ytInitialData"?%]?%s*=%s*')
end

local CONTINUATION_KINDS = { "reloadContinuationData", "invalidationContinuationData", "timedContinuationData" }

local function continuation_of(node)
  for _, kind in ipairs(CONTINUATION_KINDS) do
    local c = validate.dig(node, kind .. ".continuation")
    if type(c) == "string" and c ~= "" then return c end
  end
end

-- The "Live chat" view (every message) from the header's view selector when present, else the page's
-- default view ("Top chat", which YouTube filters).
local function chat_continuation(data)
  local renderer = validate.dig(data, "contents.liveChatRenderer")
  local items = validate.dig(renderer, "header.liveChatHeaderRenderer.viewSelector.sortFilterSubMenuRenderer.subMenuItems")
  if type(items) == "table" and items[2] then
    local all = continuation_of(validate.dig(items[2], "continuation"))
    if all then return all end
  end
  return continuation_of(validate.dig(renderer, "continuations.1"))
end

local function meta(page, property)
  local content = page:match('<meta property="' .. property .. '" content="([^"]*)"')
  return content and web.unescape_html(content)
end

local function best_thumbnail(details)
  local list = validate.dig(details, "thumbnail.thumbnails")
  if type(list) == "table" and #list > 0 then return list[#list].url end
end

return {
  name = "youtube",
  match = { "^https?://www%.youtube%.com/", "^https?://youtube%.com/", "^https?://m%.youtube%.com/", "^https?://youtu%.be/",
            "^https?://gaming%.youtube%.com/" },
  rooms = ROOMS,
  defaults = { cookie = "" },
  options = { cookie = "a youtube.com Cookie header (members-only or age-restricted streams, consent)" },
  check = function(_, opts, room)
    local page_url, wanted_id = page_of(room)
    local r = http.get(page_url, { headers = headers(opts) })
    local what = wanted_id and ("video " .. wanted_id) or page_url:match("youtube%.com/(.-)/live$")
    if r.url:find("^https?://consent%.") or (r.body:find("consent.youtube.com", 1, true) and not r.body:find("ytInitialPlayerResponse", 1, true)) then
      error(what .. ": YouTube answered with its cookie consent page; set the cookie option (e.g. SOCS=CAI) from a browser session")
    end
    if r.status == 404 then error(what .. ": not found (HTTP 404)") end
    if r.status ~= 200 then error(what .. ": HTTP " .. r.status .. " for " .. page_url) end

    local player = player_response(r.body)
    if not player then
      -- A channel's /live page without a current or scheduled stream is the channel page itself.
      if not wanted_id and r.body:find("ytInitialData", 1, true) then
        return { live = false, streamer = meta(r.body, "og:title") }
      end
      error(what .. ": no ytInitialPlayerResponse on the page (page changed?)")
    end

    local status = validate.dig(player, "playabilityStatus.status") or "OK"
    local reason = validate.dig(player, "playabilityStatus.reason")
    local details = player.videoDetails
    if type(details) ~= "table" then
      if status ~= "OK" then error(what .. ": " .. tostring(reason or "not playable") .. " (" .. status .. ")") end
      error(what .. ": the player response has no videoDetails (page changed?)")
    end
    local video_id = details.videoId or wanted_id
    local title, streamer = details.title, details.author
    local offline = { live = false, title = title, streamer = streamer, cover = best_thumbnail(details),
                      extra = { video_id = video_id, upcoming = details.isUpcoming == true, status = status } }

    -- Upcoming (or a stream that has not started): LIVE_STREAM_OFFLINE with isUpcoming.
    if status == "LIVE_STREAM_OFFLINE" or details.isUpcoming then return offline end
    if status ~= "OK" then
      local hint = status == "LOGIN_REQUIRED" and "; a cookie of a signed-in session may help" or ""
      error("video " .. tostring(video_id) .. ": " .. tostring(reason or "not playable") .. " (" .. status .. ")" .. hint)
    end
    -- Ended streams keep isLiveContent but lose isLive; ordinary videos have neither.
    if details.isLive ~= true then return offline end
    local manifest = validate.dig(player, "streamingData.hlsManifestUrl")
    if type(manifest) ~= "string" or manifest == "" then
      error("video " .. tostring(video_id) .. ": live, but the page gives no streamingData.hlsManifestUrl")
    end
    local stream_headers = { ["User-Agent"] = UA }
    if opts.cookie and opts.cookie ~= "" then stream_headers.Cookie = opts.cookie end
    return {
      live = true, title = title, streamer = streamer, cover = best_thumbnail(details),
      streams = { { url = manifest, format = "hls", quality = "best", headers = stream_headers } },
      danmaku = { protocol = "youtube", video_id = video_id, channel_id = details.channelId },
      extra = { video_id = video_id, channel_id = details.channelId },
    }
  end,
  -- Chat: the popout chat page gives the first continuation, the API key and the WEB client version;
  -- the client then polls get_live_chat with them.
  danmaku = function(params, opts)
    local video_id = validate.need(params, "video_id", "string")
    if not video_id:find("^[%w_%-]+$") then error("video " .. video_id .. ": not a video id", 0) end
    local r = http.get(WEB .. "/live_chat?is_popout=1&v=" .. video_id, { headers = headers(opts) })
    if r.status ~= 200 then error(("video %s: live_chat page answered HTTP %d"):format(video_id, r.status), 0) end
    local data = initial_data(r.body)
    if not data then error("video " .. video_id .. ": no ytInitialData on the live_chat page (chat off, or page changed?)", 0) end
    local continuation = chat_continuation(data)
    if not continuation then error("video " .. video_id .. ": the live_chat page names no continuation (chat off?)", 0) end
    local key = r.body:match('"INNERTUBE_API_KEY"%s*:%s*"([%w_%-]+)"') or CHAT_API_KEY
    local version = r.body:match('"INNERTUBE_CLIENT_VERSION"%s*:%s*"([%d%.]+)"')
      or r.body:match('"clientVersion"%s*:%s*"([%d%.]+)"') or os.date("!2.%Y%m%d.01.00", time.unix() - 86400)
    local chat_headers = { ["User-Agent"] = UA, Origin = WEB, Referer = WEB .. "/live_chat?is_popout=1&v=" .. video_id }
    if opts.cookie and opts.cookie ~= "" then chat_headers.Cookie = opts.cookie end
    return { url = WEB .. "/youtubei/v1/live_chat/get_live_chat?key=" .. key, continuation = continuation,
             client_version = version, video_id = video_id, headers = chat_headers }
  end,
}
