-- TwitCasting: twitcasting.tv/<user>. The room page's twitter:title / twitter:creator meta give the title and
-- the broadcaster id; streamserver.php?target=<id>&mode=client&player=pc_web says whether the movie is live
-- and lists the tc-hls playlists (high / medium / low). A password-locked live needs Cookie wpass=md5(password).

local REFERER = "https://twitcasting.tv/"
local web = require("web")
local UA = web.USER_AGENT
local LEVELS = { "high", "medium", "low" }

local function meta(html, name)
  local v = html:match('<meta name="' .. name:gsub("%p", "%%%0") .. '" content="([^"]*)"')
  return v and web.unescape_html(v)
end

-- The configured cookie plus wpass, as one Cookie header (nil when there is neither).
local function cookie_header(opts)
  local parts = {}
  for item in tostring(opts.cookie or ""):gmatch("[^;]+") do
    item = item:match("^%s*(.-)%s*$")
    if item ~= "" then parts[#parts + 1] = item end
  end
  if opts.password and opts.password ~= "" then
    parts[#parts + 1] = "wpass=" .. crypto.md5(tostring(opts.password))
  end
  if #parts > 0 then return table.concat(parts, "; ") end
end

-- The chosen level and the ones below it first (as biliup falls back downwards), then the higher ones,
-- then any stream under a name this plugin does not know.
local function order_streams(streams, want, headers)
  local start = 1
  for i, level in ipairs(LEVELS) do if level == want then start = i end end
  local order = {}
  for i = start, #LEVELS do order[#order + 1] = LEVELS[i] end
  for i = start - 1, 1, -1 do order[#order + 1] = LEVELS[i] end
  local known, out = {}, {}
  for _, level in ipairs(order) do
    known[level] = true
    if type(streams[level]) == "string" and streams[level] ~= "" then
      out[#out + 1] = { url = streams[level], format = "hls", quality = level, headers = headers }
    end
  end
  local others = {}
  for name, u in pairs(streams) do
    if not known[name] and type(u) == "string" and u ~= "" then others[#others + 1] = name end
  end
  table.sort(others)
  for _, name in ipairs(others) do
    out[#out + 1] = { url = streams[name], format = "hls", quality = name, headers = headers }
  end
  return out
end

return {
  name = "twitcasting",
  match = { "^https?://twitcasting%.tv/", "^https?://www%.twitcasting%.tv/" },
  -- User ids may carry a prefix for a linked account: c:name, g:123, f:123, ig:name.
  rooms = {
    "^twitcasting%.tv/([%w_:]+)$",
    "^twitcasting%.tv/([%w_:]+)/embeddedplayer/live$",
    { "^twitcasting%.tv/[%w_:]+/movie/", refuse = "a recorded movie" },
  },
  defaults = { quality = "high", password = "", cookie = "" },
  options = {
    quality = "high, medium or low (falls back to lower levels, then higher)",
    password = "the secret word of a locked live (sent as Cookie wpass=md5(password))",
    cookie = "Cookie header for twitcasting.tv (a logged-in cookie for members-only lives)",
  },

  check = function(_, opts, user)
    local headers = { Referer = REFERER, ["User-Agent"] = UA, Cookie = cookie_header(opts) }

    local page = http.get(REFERER .. user, { headers = headers })
    if page.body:find("Enter the secret word to access", 1, true) then
      error(("room %s: this live is password-protected; set the password option"):format(user))
    end
    local uploader = meta(page.body, "twitter:creator")
    if not uploader or uploader == "" then
      error(("room %s: no such user, the page has no twitter:creator (HTTP %d)"):format(user, page.status))
    end
    local title = meta(page.body, "twitter:title") or uploader

    local r = http.get("https://twitcasting.tv/streamserver.php?" ..
                       http.encode_query({ target = uploader, mode = "client", player = "pc_web" }), { headers = headers })
    if r.status ~= 200 then error(("room %s: streamserver.php answered HTTP %d"):format(user, r.status)) end
    local info = r:json()
    local live = validate.need(info, "movie.live", "boolean")
    if not live then return { live = false, title = title, streamer = uploader } end

    local movie_id = validate.need(info, "movie.id")
    local streams = validate.need(info, "tc-hls.streams", "table")
    local list = order_streams(streams, tostring(opts.quality or "high"):lower(), headers)
    if #list == 0 then error(("room %s: live, but tc-hls lists no stream"):format(user)) end
    movie_id = tostring(math.tointeger(movie_id) or movie_id)
    return {
      live = true, title = title, streamer = uploader, streams = list,
      danmaku = { protocol = "twitcasting", movie_id = movie_id,
                  password = (opts.password ~= "" and opts.password) or nil },
      extra = { movie_id = movie_id },
    }
  end,
  -- Chat: eventpubsuburl.php names the movie's comment WebSocket (JSON arrays, nothing to send).
  danmaku = function(params, opts)
    local movie_id = tostring(validate.need(params, "movie_id", "any"))
    local headers = { Referer = REFERER, ["User-Agent"] = UA, Cookie = cookie_header(opts) }
    local r = http.post("https://twitcasting.tv/eventpubsuburl.php",
                        { movie_id = movie_id, password = params.password or "" }, { headers = headers })
    if r.status ~= 200 then error(("movie %s: eventpubsuburl.php answered HTTP %d"):format(movie_id, r.status), 0) end
    local ok, body = pcall(r.json, r)
    if not ok then error(("movie %s: eventpubsuburl.php answered no JSON"):format(movie_id), 0) end
    return { url = validate.need(body, "url", "string"), movie_id = movie_id,
             headers = { ["User-Agent"] = UA, Origin = "https://twitcasting.tv" } }
  end,
}
