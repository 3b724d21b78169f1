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

-- The page to read for `url`, and the video id when the URL names one.
local function page_of(url)
  local host, path = url:match("^https?://([^/]+)(/[^?#]*)")
  if not host then error("not a YouTube URL: " .. url) end
  local query = http.parse_query(url)
  local id
  if host:find("youtu%.be$") then id = path:match("^/([%w_-]+)")
  elseif path:match("^/watch/?$") then id = query.v
  else id = path:match("^/live/([%w_-]+)") or path:match("^/shorts/([%w_-]+)") or path:match("^/embed/([%w_-]+)") end
  if id and id ~= "" then return WEB .. "/watch?v=" .. id, id end
  local channel = path:match("^/(@[^/]+)") or path:match("^/(channel/[%w_-]+)") or path:match("^/(c/[^/]+)")
    or path:match("^/(user/[^/]+)")
  if channel then return WEB .. "/" .. channel .. "/live" end
  error("cannot tell a video or channel from " .. url .. " (use watch?v=, youtu.be/, /@handle or /channel/ID)")
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

-- The first `ytInitialPlayerResponse = {...}` assignment that parses (the name also appears in scripts).
local function player_response(page)
  local pos = 1
  while true do
    local _, stop = page:find("ytInitialPlayerResponse%s*=%s*", pos)
    if not stop then return nil end
    local value = json_object_at(page, stop + 1)
    if type(value) == "table" then return value end
    pos = stop + 1
  end
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
  match = { "^https?://www%.youtube%.com/", "^https?://youtube%.com/", "^https?://m%.youtube%.com/", "^https?://youtu%.be/" },
  defaults = { cookie = "" },
  options = { cookie = "a youtube.com Cookie header (members-only or age-restricted streams, consent)" },
  check = function(url, opts)
    local page_url, wanted_id = page_of(url)
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
}
