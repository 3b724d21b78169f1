-- WBI request signing for Bilibili web APIs (getInfoByRoom, getRoomPlayInfo, getDanmuInfo, ...).
-- Pure functions, no network: the caller fetches img_url/sub_url from /x/web-interface/nav and caches
-- the mixin key (Bilibili rotates the keys about daily).
--
-- Algorithm (bilibili-API-collect docs/misc/sign/wbi.md, biliup wbi.rs):
--   img_key / sub_key = file stems of nav's data.wbi_img.img_url / sub_url
--   mixin_key = first 32 chars of (img_key .. sub_key) reordered by MIXIN_TABLE
--   add wts = unix seconds, drop the characters !'()* from values, sort by key,
--   percent-encode (RFC 3986) into k=v&..., w_rid = md5(query .. mixin_key)
local M = {}

local MIXIN_TABLE = {
  46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49, 33, 9, 42, 19, 29,
  28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25,
  54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52,
}

-- "https://i0.hdslb.com/bfs/wbi/7cd0...077c.png" -> "7cd0...077c"
function M.key_from_url(url)
  local file = tostring(url):match("([^/]*)$") or ""
  return (file:match("^([^%.]*)"))
end

function M.mixin_key(img_key, sub_key)
  local full = img_key .. sub_key
  local out = {}
  for i = 1, 32 do
    local pos = MIXIN_TABLE[i] + 1 -- the table is 0-based
    out[#out + 1] = full:sub(pos, pos)
  end
  return table.concat(out)
end

-- Returns a new table: `params` with every value a string stripped of !'()*, plus wts and w_rid.
-- The stripped values are the ones sent, so what the server checks is what was signed.
function M.sign(params, mixin_key, wts)
  local signed = {}
  for k, v in pairs(params) do
    signed[k] = tostring(v):gsub("[!'()*]", "")
  end
  signed.wts = tostring(wts)
  -- http.encode_query sorts keys and percent-encodes like the reference (unreserved kept, "," -> %2C)
  signed.w_rid = crypto.md5(http.encode_query(signed) .. mixin_key)
  return signed
end

return M
