-- Kuaishou's adaptive stream manifests, as kuaishou and acfun (which streams through Kuaishou's live
-- platform) both return them: representations listed from the lowest bitrate to the highest.
local M = {}

-- FLV streams best first; `want` (a qualityType such as HIGH/SUPER/BLUE_RAY, or a name or short name
-- such as 高清) moves that one to the front. `where` names the list in the error when nothing plays.
function M.streams(reps, headers, want, where)
  local list, origin = {}, {}
  for i = #reps, 1, -1 do
    local rep = reps[i]
    if type(rep.url) == "string" and rep.url ~= "" then
      list[#list + 1] = { url = rep.url, format = "flv", quality = rep.qualityType or rep.name,
                          bitrate = math.tointeger(rep.bitrate), headers = headers }
      origin[#list] = rep
    end
  end
  if #list == 0 then error("no playable stream in " .. where) end
  want = tostring(want or ""):upper()
  if want ~= "" and want ~= "BEST" then
    for i, s in ipairs(list) do
      local rep = origin[i]
      if (s.quality or ""):upper() == want or (rep.name or ""):upper() == want or (rep.shortName or ""):upper() == want then
        table.insert(list, 1, table.remove(list, i))
        break
      end
    end
  end
  return list
end

return M
