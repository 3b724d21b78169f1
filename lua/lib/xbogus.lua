-- X-Bogus, in the short form douyin's chat WebSocket URL carries as `signature`: it signs the md5 of
-- the room parameters (the "X-MS-STUB"), not a query string. Layout (facts from biliup's douyin.rs):
--   payload = counter & 0x3f, 0, 1, 0x0e, 0x45, 0x3f (the empty body's md5 bytes), the last two bytes
--             of md5(stub bytes), r2, xor of those nine bytes
--   data    = 0x40 | (r1 & 0x1f), r2, rc4(key = the one byte r2, payload)
--   result  = base64 of the 12 bytes with the alphabet below (16 characters, no padding)
-- Pure functions; `rand(lo, hi)` supplies the two random bytes (math.random in the plugin).
local M = {}

M.ALPHABET = "Dkdpgh4ZKsQB80/Mfvw36XI1R25+WUAlEi7NLboqYTOPuzmFjJnryx9HVGcaStCe"

--- The stub: md5 (hex) of `k=v` pairs joined by commas, in the order given.
function M.stub(pairs_in_order)
  local parts = {}
  for _, kv in ipairs(pairs_in_order) do parts[#parts + 1] = kv[1] .. "=" .. kv[2] end
  return crypto.md5(table.concat(parts, ","))
end

--- The signature of a stub (32 hex digits).
function M.sign(stub, rand, counter)
  rand = rand or math.random
  local r1 = rand(0, 255)
  local r2 = rand(0, 255) * 255 // 256
  local tail = crypto.digest("md5", crypto.unhex(stub), true)
  local payload = { (counter or 1) & 0x3f, 0, 1, 0x0e, 0x45, 0x3f, tail:byte(15), tail:byte(16), r2 }
  local check = 0
  for _, b in ipairs(payload) do check = check ~ b end
  payload[10] = check
  local data = string.char(0x40 | (r1 & 0x1f), r2) .. crypto.rc4(string.char(r2), string.char(table.unpack(payload)))
  return crypto.base64_encode(data, M.ALPHABET)
end

return M
