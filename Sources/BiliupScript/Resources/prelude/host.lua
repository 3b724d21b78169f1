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

-- Shapes: a kind name ("string", "number", "integer", "boolean", "table", "function", "any"; a final
-- "?" also allows nil), a table of field = shape (the named fields must match, others pass through),
-- or one made by validate.list, validate.union, validate.transform or validate.optional. Matching
-- gives back a typed copy: transforms applied, json.null read as nil, integers made integers.
local Shape = {}                         -- the metatable of the shapes the functions below make
local KINDS = { string = true, number = true, integer = true, boolean = true, table = true,
                ["function"] = true, userdata = true, thread = true, any = true }

local function got(v)
  if v == nil then return "nil" end
  if type(v) == "table" then return "table" end
  return type(v) .. " " .. tostring(v)
end

-- A failure is { path, expected, got }, or { message } when the shape itself is wrong.
local function fail(path, expected, v) return false, { path = path, expected = expected, got = got(v) } end

local function join(path, key)
  if path == "" then return tostring(key) end
  return path .. "." .. tostring(key)
end

local match

local function match_kind(v, kind, path)
  local base = kind:match("^(.-)%??$")
  if not KINDS[base] then return false, { message = "validate: unknown kind '" .. kind .. "'" } end
  if v == nil then
    if base ~= kind then return true, nil end
    return fail(path, base == "any" and "a value" or base, v)
  end
  if base == "any" or type(v) == base then return true, v end
  if base == "integer" then
    local n = type(v) == "number" and math.tointeger(v)
    if n then return true, n end
  end
  return fail(path, base, v)
end

-- Fields in sorted order, so the field reported when several are wrong is always the same one.
local function match_record(v, fields, path)
  if type(v) ~= "table" then return fail(path, "table", v) end
  local keys = {}
  for key in pairs(fields) do keys[#keys + 1] = key end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local out = {}
  for key, value in pairs(v) do out[key] = value end
  for _, key in ipairs(keys) do
    local ok, r = match(v[key], fields[key], join(path, key))
    if not ok then return false, r end
    out[key] = r
  end
  return true, out
end

-- `{}` is an empty list (APIs send it for one); an object with members is not a list.
local function match_list(v, element, path)
  if type(v) ~= "table" or (#v == 0 and next(v) ~= nil) then return fail(path, "list", v) end
  local out = {}
  for i = 1, #v do
    local ok, r = match(v[i], element, join(path, i))
    if not ok then return false, r end
    out[i] = r
  end
  return true, out
end

-- When an alternative got past the value's own kind (a table whose field is wrong), its failure says
-- more than "expected A or B".
local function match_union(v, options, path)
  local failures = {}
  for i, shape in ipairs(options) do
    local ok, r = match(v, shape, path)
    if ok then return true, r end
    if r.message or #r.path > #path then return false, r end
    failures[i] = r.expected
  end
  return fail(path, table.concat(failures, " or "), v)
end

match = function(v, shape, path)
  if v == json.null then v = nil end
  if type(shape) == "string" then return match_kind(v, shape, path) end
  if type(shape) ~= "table" then
    return false, { message = "validate: a shape is a kind name or a table, got " .. got(shape) }
  end
  local made = getmetatable(shape) == Shape and shape.made
  if not made then return match_record(v, shape, path) end
  if made == "optional" then
    if v == nil then return true, nil end
    return match(v, shape.shape, path)
  end
  if made == "list" then return match_list(v, shape.shape, path) end
  if made == "union" then return match_union(v, shape.options, path) end
  local ok, r = match(v, shape.shape, path)           -- a transform
  if not ok or r == nil then return ok, r end
  local out = shape.fn(r)
  if out == nil then return fail(path, shape.what, v) end
  return true, out
end

local function message(failure)
  if failure.message then return failure.message end
  local where = failure.path == "" and "" or failure.path .. ": "
  return where .. "expected " .. failure.expected .. ", got " .. failure.got
end

-- Called as new_shape <- validate.x <- plugin, never as a tail call (which would drop validate.x's level).
local function new_shape(name, t)
  if t.shape == nil then error("validate." .. name .. ": expected a shape", 3) end
  t.made = name
  return setmetatable(t, Shape)
end

--- An array whose every element matches `shape`.
function validate.list(shape)
  local s = new_shape("list", { shape = shape })
  return s
end

--- The first of the shapes that matches.
function validate.union(...)
  local options = { ... }
  if #options < 2 then error("validate.union: expected at least two shapes", 2) end
  return setmetatable({ made = "union", options = options }, Shape)
end

--- A value matching `shape`, given back as `fn(value)`; `fn` returning nil fails with "expected `what`".
function validate.transform(shape, fn, what)
  if type(fn) ~= "function" then error("validate.transform: expected a function", 2) end
  if type(what) ~= "string" then error("validate.transform: expected a description of what converts", 2) end
  local s = new_shape("transform", { shape = shape, fn = fn, what = what })
  return s
end

--- `shape`, or nil.
function validate.optional(shape)
  local s = new_shape("optional", { shape = shape })
  return s
end

--- `v` checked against `shape`: its typed copy, or an error at the caller's line naming the path.
function validate.shape(v, shape)
  local ok, r = match(v, shape, "")
  if not ok then error(message(r), 2) end
  return r
end

--- The value at `path` (see dig), checked against `shape` (default: any value).
function validate.need(t, path, shape)
  local ok, r = match(validate.dig(t, path), shape or "any", path)
  if not ok then error(message(r), 2) end
  return r
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
