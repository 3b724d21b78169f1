-- main.lua's commands to the engine (EngineControlModule.swift registers the raw `biliup._<name>`
-- functions, one per StreamerCommand plus status). A raw function answers (nil, message) when the
-- engine refuses; these wrappers raise that message at the caller's line.
for _, name in ipairs({ "status", "pause", "resume", "start", "stop" }) do
  local raw = biliup["_" .. name]
  biliup["_" .. name] = nil
  biliup[name] = function(...)
    local answer, err = raw(...)
    if answer == nil then error(err, 2) end
    return answer
  end
end
