-- What plugins that read web pages and JSON APIs share: the browser they present themselves as,
-- HTML entity decoding, and the test for a field that holds text.
local M = {}

-- A desktop Chrome on Windows: sites answer it with their regular pages and APIs.
M.USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

--- `s` when it is a string with something in it, else nil: APIs send "" and null alike for "none".
function M.non_empty(s)
  if type(s) == "string" and s ~= "" then return s end
  return nil
end

local NAMED = { quot = '"', amp = "&", lt = "<", gt = ">", apos = "'", nbsp = "\u{a0}" }

local function char(n)
  if n and n >= 0 and n <= 0x10FFFF then return utf8.char(n) end
end

--- `s` with HTML entities decoded: the named ones above, `&#34;` and `&#x22;`. One pass, so
--- "&amp;quot;" becomes "&quot;"; an entity it does not know stays as written.
function M.unescape_html(s)
  return (s:gsub("&(#?[xX]?)(%w+);", function(kind, name)
    if kind == "" then return NAMED[name] end
    if kind == "#" then return char(tonumber(name)) end
    if kind == "#x" or kind == "#X" then return char(tonumber(name, 16)) end
  end))
end

--- The streams of `candidates` (`{ url = ..., format = ... }`, url possibly nil) that have a URL, those
--- of format `first` before the others, each with the fields of `common` (quality, headers) added.
function M.streams_with_url(candidates, first, common)
  local streams = {}
  for pass = 1, 2 do
    for _, c in ipairs(candidates) do
      if c.url and (c.format == first) == (pass == 1) then
        local s = { url = c.url, format = c.format }
        for k, v in pairs(common or {}) do s[k] = v end
        streams[#streams + 1] = s
      end
    end
  end
  return streams
end

return M
