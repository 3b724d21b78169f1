-- `biliup.remux(from, to)` for hooks (HookHelpers.swift registers the raw function when the engine
-- gives a remuxer): the raw function answers (nil, message); this raises it at the caller's line.
local raw = biliup.remux
biliup.remux = function(from, to)
  local ok, err = raw(from, to)
  if not ok then error(err, 2) end
  return true
end
