-- AcFun live: live.acfun.cn/live/<uid> (also www./m. acfun.cn/live/<uid>). A visitor login
-- (id.app.acfun.cn/rest/app/visitor/login, form sid=acfun.api.visitor, cookie _did=web_<16 chars>) gives
-- userId and acfun.api.visitor_st; api.kuaishouzt.com/rest/zt/live/web/startPlay (form authorId,
-- pullStreamType=FLV) answers result 1 with data.videoPlayRes, a JSON string whose
-- liveAdaptiveManifest[1].adaptationSet.representation lists FLV URLs from lowest to highest bitrate.

local ks_manifest = require("ks_manifest")
local web = require("web")

local LOGIN_URL = "https://id.app.acfun.cn/rest/app/visitor/login"
local START_PLAY = "https://api.kuaishouzt.com/rest/zt/live/web/startPlay"
local REFERER = "https://live.acfun.cn/"
local UA = web.USER_AGENT
local VISITOR_TTL = 3600  -- a visitor token is reused for an hour; a refused one is dropped at once
local OFFLINE = { [380023] = true }  -- startPlay's answer for an author who is not on air

-- Like a browser's device id: web_ + a lower-case letter + 15 letters or digits.
local function new_did()
  local lower, chars = "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
  local i = math.random(#lower)
  local out = { "web_", lower:sub(i, i) }
  for _ = 2, 16 do
    local j = math.random(#chars)
    out[#out + 1] = chars:sub(j, j)
  end
  return table.concat(out)
end

local function visitor()
  local v = cache.get("visitor")
  if v then return v end
  local did = new_did()
  local r = http.post(LOGIN_URL, { sid = "acfun.api.visitor" },
                      { headers = { ["User-Agent"] = UA, Referer = REFERER }, cookies = { _did = did } })
  local body = r:json()
  local result = validate.need(body, "result", "number")
  if result ~= 0 then error(("visitor login refused: %s (code %d)"):format(body.error_msg or "no message", result)) end
  -- The token's key has dots in it, so it is read directly rather than through validate's dotted paths.
  local st = body["acfun.api.visitor_st"]
  if type(st) ~= "string" or st == "" then error("visitor login: acfun.api.visitor_st: expected string, got " .. tostring(st)) end
  v = { did = did, user_id = tostring(math.tointeger(validate.need(body, "userId")) or body.userId), st = st }
  cache.set("visitor", v, VISITOR_TTL)
  return v
end

-- Best first; `quality` moves the one asked for to the front (lua/lib/ks_manifest.lua).
local function streams_of(manifest, want)
  local reps = validate.need(manifest, "liveAdaptiveManifest.1.adaptationSet.representation", "table")
  return ks_manifest.streams(reps, { Referer = REFERER, ["User-Agent"] = UA }, want, "liveAdaptiveManifest")
end

return {
  name = "acfun",
  match = { "^https?://live%.acfun%.cn/", "^https?://www%.acfun%.cn/", "^https?://acfun%.cn/", "^https?://m%.acfun%.cn/" },
  rooms = {
    "^live%.acfun%.cn/live/(%d+)$", "^acfun%.cn/live/(%d+)$", "^m%.acfun%.cn/live/(%d+)$",
    "^m%.acfun%.cn/live/detail/(%d+)$",
    { "^acfun%.cn/v/", refuse = "a video" }, { "^m%.acfun%.cn/v", refuse = "a video" },
  },
  defaults = { quality = "best" },
  options = { quality = "best, or a representation's qualityType/name (e.g. HIGH, SUPER, 超清) to put first" },

  check = function(_, opts, author)
    local v = visitor()
    local query = http.encode_query({
      subBiz = "mainApp", kpn = "ACFUN_APP", kpf = "PC_WEB",
      userId = v.user_id, did = v.did, ["acfun.api.visitor_st"] = v.st,
    })
    local r = http.post(START_PLAY .. "?" .. query, { authorId = author, pullStreamType = "FLV" },
                        { headers = { ["User-Agent"] = UA, Referer = REFERER }, cookies = { _did = v.did } })
    if r.status ~= 200 then error(("room %s: startPlay answered HTTP %d"):format(author, r.status)) end
    local body = r:json()
    local result = validate.need(body, "result", "number")
    if OFFLINE[result] then return { live = false, title = author } end
    if result ~= 1 then
      cache.delete("visitor")  -- maybe an expired token: the next check logs in afresh
      error(("room %s: %s (code %d)"):format(author, body.error_msg or "startPlay refused", result))
    end
    local data = validate.need(body, "data", "table")
    local ok, manifest = pcall(json.decode, validate.need(data, "videoPlayRes", "string"))
    if not ok or type(manifest) ~= "table" then error(("room %s: videoPlayRes is not JSON: %s"):format(author, tostring(manifest))) end
    local title = (data.caption ~= nil and data.caption ~= "") and data.caption or author
    return {
      live = true, title = title, streams = streams_of(manifest, opts.quality),
      extra = { author_id = author, live_id = data.liveId },
    }
  end,
}
