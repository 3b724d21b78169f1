-- `_biliup_match(url, pattern)` → matched, the first capture (the whole match without captures), and
-- the pattern's error. PluginRegistry.swift moves it into the registry and clears the global.
local match, pcall, tostring = string.match, pcall, tostring
function _biliup_match(url, pattern)
  local ok, found = pcall(match, url, pattern)
  if not ok then return false, nil, found end
  return found ~= nil, found ~= nil and tostring(found) or nil
end
