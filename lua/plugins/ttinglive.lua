-- TTingLive (띵라이브). The stream API answers HTTP 400 while a channel is offline; when live it gives
-- a master playlist, whose variants we rank by BANDWIDTH (the highest is the original).
local web = require("web")
local UA = web.USER_AGENT

local non_empty = web.non_empty

-- `ref` as seen from the playlist at `base` (absolute, host-relative or path-relative).
local function resolve(base, ref)
  if ref:match("^%a[%w+.-]*://") then return ref end
  local scheme, host = base:match("^(%a[%w+.-]*)://([^/?#]*)")
  if ref:sub(1, 2) == "//" then return scheme .. ":" .. ref end
  if ref:sub(1, 1) == "/" then return scheme .. "://" .. host .. ref end
  local dir = base:gsub("[?#].*$", ""):match("^(.*/)")
  local path = dir .. ref
  -- fold "./" and "dir/../" so the address is the one a browser would request
  path = path:gsub("/%./", "/")
  local n
  repeat path, n = path:gsub("/[^/]+/%.%./", "/", 1) until n == 0
  return path
end

-- Variants of a master playlist: { url, bandwidth, resolution, name }, highest bandwidth first.
local function variants(text, base)
  local out, pending = {}, nil
  for line in (text .. "\n"):gmatch("([^\r\n]*)\r?\n") do
    line = line:match("^%s*(.-)%s*$")
    local attrs = line:match("^#EXT%-X%-STREAM%-INF:(.*)$")
    if attrs then
      -- the leading [:,] keeps AVERAGE-BANDWIDTH from being read as BANDWIDTH
      local a = "," .. attrs
      pending = {
        bandwidth = tonumber(a:match(",BANDWIDTH=(%d+)")),
        resolution = a:match(",RESOLUTION=([%dx]+)"),
        name = a:match(',NAME="([^"]*)"'),
      }
    elseif line ~= "" and line:sub(1, 1) ~= "#" and pending then
      if pending.bandwidth then
        pending.url = resolve(base, line)
        out[#out + 1] = pending
      end
      pending = nil
    end
  end
  table.sort(out, function(x, y) return x.bandwidth > y.bandwidth end)
  return out
end

local function quality_of(v)
  if v.name then return v.name end
  local h = v.resolution and v.resolution:match("x(%d+)$")
  return h and (h .. "p") or tostring(v.bandwidth)
end

return {
  name = "ttinglive",
  match = { "^https?://www%.ttinglive%.com/", "^https?://ttinglive%.com/" },
  rooms = { "^ttinglive%.com/channels/(%d+)$", "^ttinglive%.com/channels/(%d+)/live$" },

  check = function(_, _, id)
    local headers = { ["User-Agent"] = UA }
    local r = http.get(("https://api.ttinglive.com/api/channels/%s/stream?option=all"):format(id), { headers = headers })
    if r.status == 400 then
      -- The platform's answer for "not broadcasting" (and for unknown channels alike).
      return { live = false }
    end
    if r.status ~= 200 then
      error(("channel %s: HTTP %d from the stream API"):format(id, r.status), 0)
    end
    local info = r:json()
    local master = validate.need(info, "sources.1.url", "string")
    local title = non_empty(info.title) or id
    local cover = non_empty(info.thumbUrl)

    local m = http.get(master, { headers = headers })
    if m.status ~= 200 then
      error(("channel %s: HTTP %d for the master playlist"):format(id, m.status), 0)
    end
    if not m.body:find("#EXTM3U", 1, true) then
      error(("channel %s: the master playlist is not an M3U8 playlist"):format(id), 0)
    end
    local streams = {}
    for _, v in ipairs(variants(m.body, master)) do
      streams[#streams + 1] = { url = v.url, format = "hls", quality = quality_of(v), bitrate = v.bandwidth, headers = headers }
    end
    if #streams == 0 then
      -- A media playlist, not a master one: it is the stream itself.
      streams[1] = { url = master, format = "hls", quality = "origin", headers = headers }
    end

    return {
      live = true, title = title, cover = cover, streams = streams,
      danmaku = { protocol = "ttinglive", channel = id },
    }
  end,
}
