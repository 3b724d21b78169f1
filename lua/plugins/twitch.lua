-- Twitch live channels: (www|go|m.)twitch.tv/<login>. VODs, clips and profile pages
-- (twitch.tv/<login>/videos|clips|profile) are not matched: they are recordings, not live rooms.
-- Flow (as biliup): one GQL query user(login){stream{type, title, playbackAccessToken}} → the usher HLS
-- master playlist signed with the token. batch_check asks for up to 30 channels per GQL POST.

local GQL = "https://gql.twitch.tv/gql"
local CLIENT_ID = "kimne78kx3ncx6brgo4mv6wki5h1ko"  -- the web player's public client id
local BATCH_LIMIT = 30                               -- GQL refuses larger batches

local USER_FIELDS = [[
  login
  displayName
  broadcastSettings { title }
  stream {
    title
    type
    previewImageURL(width: 0, height: 0)
    playbackAccessToken(params: {platform: "web", playerBackend: "mediaplayer", playerType: "site"}) {
      signature
      value
    }
  }
]]
local QUERY = "query query($login: String!) { user(login: $login) {" .. USER_FIELDS .. "} }"

-- The auth token: the `auth_token` option, or the auth-token cookie of a `cookie` string.
-- A token Twitch refused once is skipped from then on (cached), as biliup does.
local function auth_token(opts)
  local token = opts.auth_token
  if (not token or token == "") and opts.cookie then token = tostring(opts.cookie):match("auth%-token=([^;%s]+)") end
  if not token or token == "" or cache.get("refused:" .. token) then return nil end
  return token
end

local function post_gql(payload, opts)
  local token = auth_token(opts)
  while true do
    local headers = { ["Client-ID"] = CLIENT_ID, ["Content-Type"] = "text/plain;charset=UTF-8" }
    if token then headers.Authorization = "OAuth " .. token end
    local r = http.post(GQL, json.encode(payload), { headers = headers })
    local ok, body = pcall(r.json, r)
    if type(body) == "table" and body.error == "Unauthorized" and token then
      log.warn("Twitch refused the auth token; going on without it")
      cache.set("refused:" .. token, true)
      token = nil
    elseif r.status ~= 200 or not ok or type(body) ~= "table" then
      local message = type(body) == "table" and (body.message or body.error) or ("HTTP " .. r.status)
      error("GQL: " .. tostring(message) .. " (status " .. r.status .. ")")
    else
      return body
    end
  end
end

local function operation(login)
  return { query = QUERY, variables = { login = login } }
end

local function stream_url(login, token)
  return "https://usher.ttvnw.net/api/channel/hls/" .. login .. ".m3u8?" .. http.encode_query({
    player = "twitchweb", p = tostring(math.random(0, 9999999)), allow_source = "true",
    allow_audio_only = "true", allow_spectre = "false", fast_bread = "true",
    sig = token.signature, token = token.value,
  })
end

-- One operation's answer → a check result (errors raised with the channel named).
local function result_of(login, answer)
  if type(answer) ~= "table" then error("channel " .. login .. ": no GQL answer") end
  if type(answer.errors) == "table" and answer.errors[1] then
    error("channel " .. login .. ": " .. tostring(answer.errors[1].message))
  end
  local user = validate.dig(answer, "data.user")
  if type(user) ~= "table" then error("channel " .. login .. ": no such Twitch user") end
  local streamer = user.displayName or user.login
  local stream = user.stream
  if type(stream) ~= "table" or stream.type ~= "live" then
    return { live = false, streamer = streamer, title = validate.dig(user, "broadcastSettings.title") }
  end
  local token = validate.need(stream, "playbackAccessToken", { signature = "string", value = "string" })
  return {
    live = true, title = stream.title, streamer = streamer, cover = stream.previewImageURL,
    streams = { { url = stream_url(login, token), format = "hls", quality = "source",
                  headers = { Referer = "https://www.twitch.tv/", Origin = "https://www.twitch.tv" } } },
    danmaku = { protocol = "twitch", channel = login },
  }
end

-- Every twitch.tv page is claimed, so that videos and clips are refused rather than fall through to the
-- generic plugin; a channel is twitch.tv/<login> on any host, or the embedded player's ?channel=.
local match = { "^https?://player%.twitch%.tv/", "^https?://clips%.twitch%.tv/" }
for _, host in ipairs({ "", "www%.", "go%.", "m%." }) do
  match[#match + 1] = "^https?://" .. host .. "twitch%.tv/"
end
local rooms = {
  { "^player%.twitch%.tv$", query = "channel" },
  { "^clips%.twitch%.tv/", refuse = "a clip" },
}
for _, host in ipairs({ "", "go%.", "m%." }) do  -- room forms see no www.
  local site = "^" .. host .. "twitch%.tv/"
  -- The site's own pages, which a channel name would otherwise match: /<page> and /<page>/...
  for page, what in pairs({ videos = "a VOD", directory = "a directory page", search = "a search page",
                            settings = "a site page", downloads = "a site page", p = "a site page" }) do
    rooms[#rooms + 1] = { site .. page .. "$", refuse = what }
    rooms[#rooms + 1] = { site .. page .. "/", refuse = what }
  end
  rooms[#rooms + 1] = { site .. "[%w_]+/v/", refuse = "a VOD" }
  rooms[#rooms + 1] = { site .. "[%w_]+/video/", refuse = "a VOD" }
  rooms[#rooms + 1] = { site .. "[%w_]*/?clip/", refuse = "a clip" }
  rooms[#rooms + 1] = site .. "([%w_]+)$"
  rooms[#rooms + 1] = site .. "popout/([%w_]+)/player$"
end

return {
  name = "twitch",
  match = match,
  rooms = rooms,
  defaults = { cookie = "", auth_token = "" },
  options = {
    auth_token = "value of the auth-token cookie of a logged-in twitch.tv session (sent as Authorization: OAuth)",
    cookie = "a twitch.tv Cookie header; its auth-token is used when auth_token is empty",
  },
  check = function(_, opts, login)
    login = login:lower()
    return result_of(login, post_gql(operation(login), opts))
  end,
  -- Up to 30 operations per POST; the answer is an array in the order of the operations.
  -- A channel whose answer is unusable is reported offline with the reason in extra.error.
  batch_check = function(urls, opts, rooms)
    local results, pending = {}, {}
    for _, url in ipairs(urls) do
      pending[#pending + 1] = { url = url, login = rooms[url]:lower() }
    end
    for first = 1, #pending, BATCH_LIMIT do
      local chunk, ops = {}, {}
      for i = first, math.min(first + BATCH_LIMIT - 1, #pending) do
        chunk[#chunk + 1] = pending[i]
        ops[#ops + 1] = operation(pending[i].login)
      end
      local answers = post_gql(ops, opts)
      if type(answers) ~= "table" or #answers ~= #ops then
        error("GQL batch: expected " .. #ops .. " answers, got " .. (type(answers) == "table" and #answers or type(answers)))
      end
      for i, item in ipairs(chunk) do
        local ok, result = pcall(result_of, item.login, answers[i])
        results[item.url] = ok and result or { live = false, extra = { error = tostring(result) } }
      end
    end
    return results
  end,
  -- Chat: anonymous IRC over WebSocket (justinfan login, no token needed).
  danmaku = function(params)
    return { url = "wss://irc-ws.chat.twitch.tv:443", channel = validate.need(params, "channel", "string") }
  end,
}
