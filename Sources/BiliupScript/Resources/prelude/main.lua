-- The `biliup` table main.lua declares itself with. Declarations are only collected here, with the
-- line they come from; Swift checks them once the file has run (OrchestrationReader).
local declarations = { config = {}, templates = {}, streamers = {}, webhooks = {}, hooks = {} }
_biliup_declarations = declarations

local function line(level) local info = debug.getinfo(level + 1, "l") return info and info.currentline or 0 end

biliup = {}

function biliup.config(t)
  if type(t) ~= "table" then error("biliup.config: expected a table: biliup.config { ... }", 2) end
  declarations.config[#declarations.config + 1] = { value = t, line = line(2) }
end

local function named(kind, list)
  return function(name)
    if type(name) ~= "string" or name == "" then
      error("biliup." .. kind .. ": expected a name: biliup." .. kind .. ' "name" { ... }', 2)
    end
    local at = line(2)
    return function(t)
      if type(t) ~= "table" then error("biliup." .. kind .. ' "' .. name .. '": expected a table { ... }', 2) end
      list[#list + 1] = { name = name, value = t, line = at }
    end
  end
end
biliup.template = named("template", declarations.templates)
biliup.streamer = named("streamer", declarations.streamers)

-- Where the engine POSTs events: biliup.webhook { url = "https://…", events = { "segment" }, secret = "…" }.
function biliup.webhook(t)
  if type(t) ~= "table" then error('biliup.webhook: expected a table: biliup.webhook { url = "https://…", events = { … } }', 2) end
  declarations.webhooks[#declarations.webhooks + 1] = { value = t, line = line(2) }
end

-- The engine's event kinds that run hooks (EngineEvent in BiliupEngine).
local EVENTS = { stream_start = true, segment = true, stream_end = true, error = true,
                 upload_start = true, upload_done = true, upload_error = true }
function biliup.on(event, fn)
  if not EVENTS[event] then
    error("biliup.on: unknown event '" .. tostring(event) .. "' (stream_start, segment, stream_end, error, upload_start, upload_done, upload_error)", 2)
  end
  if type(fn) ~= "function" then error("biliup.on: expected a function", 2) end
  local list = declarations.hooks[event] or {}
  declarations.hooks[event] = list
  list[#list + 1] = fn
end
