-- Niconico Live (ニコニコ生放送). The watch page embeds the program's data as HTML-escaped JSON in
-- <script id="embedded-data" data-props="...">: status, title, supplier, thumbnails. The HLS address
-- itself is only handed out over the watch WebSocket (startWatching, then a "stream" message), which
-- the plugin host cannot open, so a program on air is reported as an error saying so.
local web = require("web")
local UA = web.USER_AGENT

local unescape_html = web.unescape_html
local non_empty = web.non_empty

local function cover_of(data)
  return non_empty(validate.dig(data, "program.thumbnail.large"))
    or non_empty(validate.dig(data, "program.thumbnail.small"))
    or non_empty(validate.dig(data, "program.screenshot.urlSet.large"))
    or non_empty(validate.dig(data, "socialGroup.thumbnailImageUrl"))
end

return {
  name = "niconico",
  match = {
    "^https?://live%d*%.nicovideo%.jp/", "^https?://sp%.live%.nicovideo%.jp/",
    "^https?://www%.nicovideo%.jp/", "^https?://nicovideo%.jp/", "^https?://sp%.nicovideo%.jp/", "^https?://nico%.ms/",
  },
  -- A program (lv123), or a community, channel or user whose current program the watch page shows.
  rooms = (function()
    local forms = {}
    for _, id in ipairs({ "(lv%d+)", "(co%d+)", "(ch%d+)", "(user/%d+)" }) do
      forms[#forms + 1] = "^live%d*%.nicovideo%.jp/watch/" .. id .. "$"
      forms[#forms + 1] = "^sp%.live%.nicovideo%.jp/watch/" .. id .. "$"
    end
    forms[#forms + 1] = "^nico%.ms/(lv%d+)$"
    forms[#forms + 1] = { "^nicovideo%.jp/watch/", refuse = "a video" }
    forms[#forms + 1] = { "^sp%.nicovideo%.jp/watch/", refuse = "a video" }
    forms[#forms + 1] = { "^nico%.ms/", refuse = "a short link to something other than a live program" }
    return forms
  end)(),
  defaults = { cookie = "" },
  options = { cookie = "Cookie header for the watch page (user_session=... for members-only programs)" },

  check = function(_, opts, id)
    local headers = { ["User-Agent"] = UA, ["Accept-Language"] = "ja-JP" }
    if non_empty(opts.cookie) then headers.Cookie = opts.cookie end
    local r = http.get("https://live.nicovideo.jp/watch/" .. id, { headers = headers })
    if r.status == 404 then
      error(("%s: not found (HTTP 404)"):format(id), 0)
    end
    if r.status ~= 200 then
      error(("%s: HTTP %d for the watch page"):format(id, r.status), 0)
    end
    local props = r.body:match('<script[^>]-id="embedded%-data"[^>]-data%-props="([^"]*)"')
    if not props then
      error(("%s: the watch page has no embedded-data (the page layout changed?)"):format(id), 0)
    end
    local data = json.decode(unescape_html(props))
    local program = validate.need(data, "program", "table")
    local status = validate.need(program, "status", "string")
    local lv = non_empty(program.nicoliveProgramId) or id
    local title = non_empty(program.title)
    local streamer = non_empty(validate.dig(program, "supplier.name")) or non_empty(validate.dig(data, "socialGroup.name"))
    local info = {
      live = false, title = title, streamer = streamer, cover = cover_of(data),
      extra = { program = lv, status = status, community = validate.dig(data, "socialGroup.id") },
    }

    if status == "ON_AIR" then
      error(("%s is live, but its stream URL is only given over the watch WebSocket, which biliup cannot open yet"):format(lv), 0)
    elseif status == "ENDED" or status == "RELEASED" then
      -- RELEASED: announced, not started yet.
      return info
    end
    error(("%s: unknown program status %q"):format(lv, status), 0)
  end,
}
