-- Run in every VM (plugins and main.lua) after the host modules: friendly wrappers over the raw host
-- functions (errors raised at the script's line), `validate` for response shapes, `cache`, and Tars type
-- wrappers.
local source = _host.source
_host = nil

-- http ------------------------------------------------------------------------------------------
local raw_request = http.request
local Response = {}
Response.__index = Response
function Response:json() return json.decode(self.body) end

local function perform(o)                 -- always called as perform <- http.x <- plugin: level 3
  local r, e = raw_request(o)
  if r == nil then error(e, 3) end
  return setmetatable(r, Response)
end

local function options(url, o, method)
  local t = {}
  if o ~= nil then
    if type(o) ~= "table" then error("http: options must be a table", 3) end
    for k, v in pairs(o) do t[k] = v end
  end
  t.url = url
  t.method = t.method or method
  return t
end

function http.request(o)
  if type(o) == "string" then o = { url = o } end
  local r = perform(o)
  return r
end

function http.get(url, o)
  local r = perform(options(url, o, "GET"))
  return r
end

function http.post(url, body, o)
  local t = options(url, o, "POST")
  if type(body) == "table" then t.form = body elseif body ~= nil then t.body = body end
  local r = perform(t)
  return r
end

-- validate: response shapes, with errors that say what changed --------------------------------
validate = {}

function validate.dig(t, path)
  local v = t
  for key in string.gmatch(path, "[^%.]+") do
    if type(v) ~= "table" then return nil end
    local found = v[key]
    if found == nil then
      local n = tonumber(key)
      if n then found = v[n] end
    end
    v = found
  end
  if v == json.null then return nil end
  return v
end

function validate.need(t, path, kind)
  local v = validate.dig(t, path)
  if v == nil or (kind ~= nil and type(v) ~= kind) then
    local got = v == nil and "nil" or (type(v) .. " " .. tostring(v))
    error(path .. ": expected " .. (kind or "a value") .. ", got " .. got, 2)
  end
  return v
end

-- cache: per plugin, values kept as Lua values, with a time to live ---------------------------
local caches = {}
local MAX_ENTRIES = 10000              -- per plugin; a plugin caching per room stays far below
cache = {}

local function store()
  local name = source()
  local c = caches[name]
  if c == nil then c = { n = 0, entries = {} }; caches[name] = c end
  return c
end

function cache.get(key)
  local c = store()
  local e = c.entries[key]
  if e == nil then return nil end
  if e.expires ~= nil and e.expires <= time.now() then
    c.entries[key] = nil
    c.n = c.n - 1
    return nil
  end
  return e.value
end

function cache.set(key, value, ttl)
  if key == nil then error("cache.set: key is nil", 2) end
  local c = store()
  if c.entries[key] == nil then
    if c.n >= MAX_ENTRIES then
      local now = time.now()
      for k, e in pairs(c.entries) do
        if e.expires ~= nil and e.expires <= now then c.entries[k] = nil; c.n = c.n - 1 end
      end
      if c.n >= MAX_ENTRIES then c.entries = {}; c.n = 0 end
    end
    c.n = c.n + 1
  end
  c.entries[key] = { value = value, expires = ttl and (time.now() + ttl) or nil }
  if value == nil then c.entries[key] = nil; c.n = c.n - 1 end
end

function cache.delete(key) cache.set(key, nil) end

-- Tars values whose type Lua cannot express ------------------------------------------------------
crypto.tars = {
  bytes = function(s) return { __tars = "bytes", value = s } end,
  list = function(t) return { __tars = "list", value = t } end,
  map = function(pairs_) return { __tars = "map", value = pairs_ } end,
  float = function(x) return { __tars = "float", value = x } end,
  double = function(x) return { __tars = "double", value = x } end,
}
