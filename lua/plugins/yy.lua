-- YY (欢聚时代 YY直播). The web player asks stream-manager for the channel's stream lines with a JSON
-- body describing the player; a channel that is not broadcasting gets no `avp_info_res` back.
local UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/106.0.0.0 Safari/537.36"
local REFERER = "https://www.yy.com/"
local SDK = "5.11.0-alpha.4"  -- the web player version biliup presents itself as

-- A room is <sid>[/<ssid>]: the top channel and the sub-channel (the same number for most rooms).
local function channel(room)
  local sid, ssid = room:match("^(%d+)/?(%d*)$")
  return sid, ssid ~= "" and ssid or sid
end

-- The player description the web client sends (field for field as biliup sends it).
local function request_body(sid, ssid, ms)
  return {
    head = {
      seq = ms, appidstr = "0", bidstr = "121", cidstr = sid, sidstr = ssid, uid64 = 0,
      client_type = 108, client_ver = SDK, stream_sys_ver = 1, app = "yylive_web",
      playersdk_ver = SDK, thundersdk_ver = "0", streamsdk_ver = SDK,
    },
    client_attribute = {
      client = "web", model = "", cpu = "", graphics_card = "", os = "chrome", osversion = "106.0.0.0",
      vsdk_version = "", app_identify = "", app_version = "", business = "", width = "1536", height = "864",
      scale = "", client_type = 8, h265 = 0,
    },
    avp_parameter = {
      version = 1, client_type = 8, service_type = 0, imsi = 0, send_time = ms // 1000,
      line_seq = -1, gear = 4, ssl = 1, stream_format = 0,
    },
  }
end

local function format_of(url)
  local path = url:gsub("[?#].*$", ""):lower()
  if path:sub(-5) == ".m3u8" then return "hls" end
  return "flv"
end

return {
  name = "yy",
  match = { "^https?://www%.yy%.com/", "^https?://yy%.com/" },
  rooms = { "^yy%.com/(%d+)$", "^yy%.com/(%d+/%d+)$" },

  check = function(_, _, room)
    local sid, ssid = channel(room)
    local ms = time.ms()
    local api = ("https://stream-manager.yy.com/v3/channel/streams?uid=0&cid=%s&sid=%s&appid=0&sequence=%d&encode=json")
      :format(sid, ssid, ms)
    local r = http.post(api, json.encode(request_body(sid, ssid, ms)), {
      headers = { ["Content-Type"] = "text/plain;charset=UTF-8", Referer = REFERER, ["User-Agent"] = UA },
      timeout = 30,
    })
    local ok, res = pcall(r.json, r)
    if r.status ~= 200 or not ok or type(res) ~= "table" then
      error(("channel %s: HTTP %d%s from stream-manager"):format(sid, r.status, ok and "" or ", not JSON"), 0)
    end
    if res.avp_info_res == nil then
      return { live = false }
    end
    local lines = validate.need(res, "avp_info_res.stream_line_addr", "table")

    -- One stream per CDN line, in line order (numeric names sort as numbers).
    local names = {}
    for name in pairs(lines) do names[#names + 1] = name end
    table.sort(names, function(a, b)
      local x, y = tonumber(a), tonumber(b)
      if x and y then return x < y end
      return tostring(a) < tostring(b)
    end)
    local headers = { Referer = REFERER, ["User-Agent"] = UA }
    local streams = {}
    for _, name in ipairs(names) do
      local u = validate.dig(lines[name], "cdn_info.url")
      if type(u) == "string" and u ~= "" then
        streams[#streams + 1] = { url = u, format = format_of(u), quality = "origin", cdn = tostring(name), headers = headers }
      end
    end
    if #streams == 0 then return { live = false } end

    return {
      live = true, streams = streams,
      danmaku = { protocol = "yy", sid = sid, ssid = ssid },
    }
  end,
}
