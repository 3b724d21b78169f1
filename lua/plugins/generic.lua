-- Direct stream URLs: HTTP(S)-FLV, HLS playlists and RTMP. Tried after every platform plugin, so a
-- platform's own CDN URLs still go to the platform when its plugin claims them.
local function strip(url) return (url:gsub("[?#].*$", "")) end

return {
  name = "generic",
  fallback = true,
  match = { "^https?://[^?#]+%.flv", "^https?://[^?#]+%.m3u8", "^rtmps?://" },
  defaults = {},
  options = { headers = "extra request headers for the stream, as a table (main.lua only)" },

  check = function(url, opts)
    local path = strip(url)
    local title = path:match("([^/]+)%.%w+$") or path:match("([^/]+)$") or "stream"
    local headers = type(opts.headers) == "table" and opts.headers or {}
    if path:find("%.m3u8$") then
      -- A playlist is small: fetching it tells live from gone without the recorder's help.
      local r = http.get(url, { headers = headers })
      if r.status == 404 or r.status == 410 then return { live = false, title = title } end
      if r.status ~= 200 then error(("playlist answered HTTP %d"):format(r.status)) end
      if not r.body:find("#EXTM3U", 1, true) then error("not an HLS playlist (no #EXTM3U)") end
      return { live = true, title = title,
               streams = { { url = url, format = "hls", headers = headers } } }
    end
    -- An FLV or RTMP stream never ends, so it cannot be fetched here: the recorder finds out.
    return { live = true, title = title,
             streams = { { url = url, format = url:find("^rtmp") and "rtmp" or "flv", headers = headers } } }
  end,
}
