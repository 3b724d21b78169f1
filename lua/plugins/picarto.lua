-- Picarto.tv. One channel: ptvintern's channel/detail gives the channel, the load balancer origin and
-- the channel's stream name, which make the HLS address. Many channels: the explore listing (every
-- live channel, 100 a page) tells which of them are live, so offline channels cost no request.
local DETAIL = "https://ptvintern.picarto.tv/api/channel/detail/"
local EXPLORE = "https://ptvintern.picarto.tv/api/explore?first=100&page=%d"
  .. "&filter_params%%5Badult%%5D=true&order_by%%5Bfield%%5D=viewers&order_by%%5Border%%5D=DESC&type=stream"
local MAX_PAGES = 100  -- a guard against a listing whose next_page_url never ends

local non_empty = require("web").non_empty

local function get_json(url, what)
  local r = http.get(url, { headers = { Accept = "application/json" } })
  local ok, body = pcall(r.json, r)
  if r.status ~= 200 or not ok or type(body) ~= "table" then
    error(("%s: HTTP %d%s"):format(what, r.status, ok and "" or ", not JSON"), 0)
  end
  return body
end

local function check_one(user)
  local d = get_json(DETAIL .. crypto.urlencode(user), "channel " .. user)
  local channel = d.channel
  if type(channel) ~= "table" then
    error(("channel %s not found"):format(user), 0)
  end
  local title = non_empty(channel.title)
  local streamer = non_empty(channel.name) or user
  local offline = { live = false, title = title, streamer = streamer }
  if channel.online == false then return offline end
  if channel.private then
    offline.extra = { private = true }
    return offline
  end

  local id = validate.need(channel, "id", "number")
  local origin = validate.dig(d, "getLoadBalancerUrl.origin")
  local streams = validate.dig(d, "getMultiStreams.streams")
  if type(origin) ~= "string" or type(streams) ~= "table" then return offline end
  local stream
  for _, s in ipairs(streams) do
    if s.channelId == id then stream = s break end
  end
  if not stream or stream.online == false then return offline end
  local name = validate.need(stream, "stream_name", "string")

  return {
    live = true, title = title or user, streamer = streamer, cover = non_empty(stream.thumbnail_image),
    streams = { {
      url = ("https://%s.picarto.tv/stream/hls/%s/index.m3u8"):format(origin, name),
      format = "hls", quality = "source", headers = {},
    } },
    danmaku = { protocol = "picarto", channel = streamer, channel_id = id },
  }
end

return {
  name = "picarto",
  match = { "^https?://www%.picarto%.tv/", "^https?://picarto%.tv/" },
  -- A channel is picarto.tv/<name>; its popout player names it too.
  rooms = {
    { "^picarto%.tv/[%w_%-]+/videos", refuse = "a VOD" }, { "^picarto%.tv/videopopout/", refuse = "a VOD" },
    { "^picarto%.tv/explore", refuse = "the explore page" }, { "^picarto%.tv/communities", refuse = "a site page" },
    { "^picarto%.tv/settings", refuse = "a site page" },
    "^picarto%.tv/([%w_%-]+)$", "^picarto%.tv/streampopout/([%w_%-]+)/public$",
  },

  check = function(_, _, user)
    return check_one(user)
  end,

  batch_check = function(urls, _, rooms)
    -- lower-case user name -> the URLs asking for it
    local wanted, left = {}, 0
    for _, url in ipairs(urls) do
      local key = rooms[url]:lower()
      if not wanted[key] then wanted[key] = {} left = left + 1 end
      table.insert(wanted[key], url)
    end

    local live = {}
    local page = 1
    while left > 0 and page <= MAX_PAGES do
      local listing = get_json(EXPLORE:format(page), "explore page " .. page)
      for _, entry in ipairs(listing.data or {}) do
        local key = type(entry.name) == "string" and entry.name:lower()
        if key and wanted[key] then
          live[key] = wanted[key]
          wanted[key] = nil
          left = left - 1
        end
      end
      if not non_empty(listing.next_page_url) then break end
      page = page + 1
    end

    local results = {}
    -- Not in the listing: offline, no request needed.
    for _, list in pairs(wanted) do
      for _, url in ipairs(list) do results[url] = { live = false, streamer = rooms[url] } end
    end
    -- In the listing: the detail call gives the stream address.
    for _, list in pairs(live) do
      local ok, r = pcall(check_one, rooms[list[1]])
      if ok then
        for _, url in ipairs(list) do results[url] = r end
      else
        log.warn(list[1], r)
      end
    end
    return results
  end,
}
