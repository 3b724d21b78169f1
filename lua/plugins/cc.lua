-- NetEase CC (网易CC): cc.163.com/<ccid>. api.cc.163.com/v1/activitylives/anchor/lives?anchor_ccid= gives the
-- anchor's channel_id when on air (an offline anchor's entry has no more than one field); then
-- cc.163.com/live/channel/?channelids= gives the channel: title, sharefile (HLS) and
-- quickplay.resolution.<level>.{vbr, cdn.<name> = FLV URL}.

local web = require("web")
local UA = web.USER_AGENT

local function count(t) local n = 0; for _ in pairs(t) do n = n + 1 end; return n end

-- FLV streams from quickplay: highest vbr first; within a level the chosen CDN first, then by name.
local function flv_streams(channel, cdn, headers)
  local levels = validate.dig(channel, "quickplay.resolution")
  local out = {}
  if type(levels) ~= "table" then return out end
  for name, level in pairs(levels) do
    if type(level) == "table" and type(level.cdn) == "table" then
      for cdn_name, u in pairs(level.cdn) do
        if type(u) == "string" and u:find("^https?://") then
          out[#out + 1] = { url = u, format = "flv", quality = name, cdn = cdn_name, headers = headers,
                            bitrate = math.tointeger(level.vbr), vbr = tonumber(level.vbr) or 0 }
        end
      end
    end
  end
  table.sort(out, function(a, b)
    if a.vbr ~= b.vbr then return a.vbr > b.vbr end
    if (a.cdn == cdn) ~= (b.cdn == cdn) then return a.cdn == cdn end
    if a.quality ~= b.quality then return a.quality < b.quality end
    return a.cdn < b.cdn
  end)
  for _, s in ipairs(out) do s.vbr = nil end
  return out
end

return {
  name = "cc",
  match = "^https?://cc%.163%.com/",
  rooms = { "^cc%.163%.com/(%d%d%d%d+)$" },
  defaults = { protocol = "hls", cdn = "" },
  options = {
    protocol = "hls (sharefile) or flv (quickplay, highest vbr); the other one follows as a fallback",
    cdn = "preferred FLV CDN name in quickplay (e.g. ali, ks, ws, hs); empty = by name",
  },

  check = function(_, opts, ccid)
    local headers = { ["User-Agent"] = UA, Referer = "https://cc.163.com/" }

    local r = http.get("https://api.cc.163.com/v1/activitylives/anchor/lives?anchor_ccid=" .. ccid, { headers = headers })
    if r.status ~= 200 then error(("room %s: anchor/lives answered HTTP %d"):format(ccid, r.status)) end
    local lives = r:json()
    if lives.code ~= nil and lives.code ~= "OK" then
      error(("room %s: %s (code %s)"):format(ccid, lives.msg or lives.message or "anchor/lives refused", tostring(lives.code)))
    end
    local room = validate.dig(lives, "data." .. ccid)
    if type(room) ~= "table" or count(room) <= 1 or room.channel_id == nil then return { live = false, title = ccid } end
    local channel_id = tostring(math.tointeger(room.channel_id) or room.channel_id)

    local c = http.get("https://cc.163.com/live/channel/?channelids=" .. channel_id, { headers = headers })
    if c.status ~= 200 then error(("room %s: live/channel answered HTTP %d"):format(ccid, c.status)) end
    local channel = validate.dig(c:json(), "data.1")
    if type(channel) ~= "table" then error(("room %s: channel %s not found (empty data)"):format(ccid, channel_id)) end

    local hls = {}
    if type(channel.sharefile) == "string" and channel.sharefile:find("^https?://") then
      hls[1] = { url = channel.sharefile, format = "hls", quality = "origin", headers = headers }
    end
    local flv = flv_streams(channel, tostring(opts.cdn or ""), headers)
    local first, second = hls, flv
    if opts.protocol == "flv" then first, second = flv, hls end
    local streams = {}
    for _, s in ipairs(first) do streams[#streams + 1] = s end
    for _, s in ipairs(second) do streams[#streams + 1] = s end
    if #streams == 0 then error(("room %s: on air but channel %s has neither sharefile nor quickplay"):format(ccid, channel_id)) end

    local title = (channel.title ~= nil and channel.title ~= "") and channel.title or ccid
    return {
      live = true, title = title, streamer = channel.nickname, cover = channel.cover,
      streams = streams,
      extra = { ccid = ccid, channel_id = channel_id, room_id = room.room_id and tostring(room.room_id) or nil },
    }
  end,
}
