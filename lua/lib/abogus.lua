-- a_bogus: the signature douyin's web APIs expect on their query string (`...&a_bogus=...`).
--
-- The algorithm follows biliup's `ABogus` (crates/biliup/src/downloader/live/douyin.rs):
--   * SM3(SM3(query .. "cus")), SM3(SM3(body .. "cus")) and SM3(base64(RC4(UA, key 00 01 0e)))
--     contribute two bytes each;
--   * with the time, fixed options, aid and page id they fill a table of numbered slots, which is read
--     in a fixed order, followed by the browser fingerprint string and an XOR checksum;
--   * that list is scrambled with an RC4-like keystream over a fixed 256-byte table;
--   * 12 random bytes go in front, and the whole is written with a custom base64 alphabet.
-- Some slots hold values above 255 (milliseconds / 2^32); they are kept as they are, as biliup does:
-- they spill into the neighbouring bits of the base64 groups, and douyin accepts the result.
--
-- Randomness (fingerprint sizes, the random prefix) comes from `rand(lo, hi)` (default math.random),
-- so tests that seed math.random get a fixed signature.

local M = {}

M.USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"

local SALT = "cus"
local UA_KEY = "\0\1\14"
local UA_ALPHABET = "ckdp1h4ZKsUB80/Mfvw36XIgR25+WQAlEi7NLboqYTOPuzmFjJnryx9HVGDaStCe"
local OUT_ALPHABET = "Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe"

local OPTIONS = { 0, 1, 14 }
local PAGE_ID = 0
local AID = 6383

-- Slots in the order they are written out, and in the order they are XORed into the checksum.
local ORDER = { 18, 20, 52, 26, 30, 34, 58, 38, 40, 53, 42, 21, 27, 54, 55, 31, 35, 57, 39, 41, 43,
                22, 28, 32, 60, 36, 23, 29, 33, 37, 44, 45, 59, 46, 47, 48, 49, 50, 24, 25, 65, 66, 70, 71 }
local XOR_ORDER = { 18, 20, 26, 30, 34, 38, 40, 42, 21, 27, 31, 35, 39, 41, 43, 22, 28, 32, 36, 23, 29,
                    33, 37, 44, 45, 46, 47, 48, 49, 50, 24, 25, 52, 53, 54, 55, 57, 58, 59, 60, 65, 66, 70, 71 }

-- The keystream table (used 0-based below).
local TABLE = {
  121, 243, 55, 234, 103, 36, 47, 228, 30, 231, 106, 6, 115, 95, 78, 101, 250, 207, 198, 50, 139, 227, 220,
  105, 97, 143, 34, 28, 194, 215, 18, 100, 159, 160, 43, 8, 169, 217, 180, 120, 247, 45, 90, 11, 27, 197, 46,
  3, 84, 72, 5, 68, 62, 56, 221, 75, 144, 79, 73, 161, 178, 81, 64, 187, 134, 117, 186, 118, 16, 241, 130, 71,
  89, 147, 122, 129, 65, 40, 88, 150, 110, 219, 199, 255, 181, 254, 48, 4, 195, 248, 208, 32, 116, 167, 69,
  201, 17, 124, 125, 104, 96, 83, 80, 127, 236, 108, 154, 126, 204, 15, 20, 135, 112, 158, 13, 1, 188, 164,
  210, 237, 222, 98, 212, 77, 253, 42, 170, 202, 26, 22, 29, 182, 251, 10, 173, 152, 58, 138, 54, 141, 185,
  33, 157, 31, 252, 132, 233, 235, 102, 196, 191, 223, 240, 148, 39, 123, 92, 82, 128, 109, 57, 24, 38, 113,
  209, 245, 2, 119, 153, 229, 189, 214, 230, 174, 232, 63, 52, 205, 86, 140, 66, 175, 111, 171, 246, 133,
  238, 193, 99, 60, 74, 91, 225, 51, 76, 37, 145, 211, 166, 151, 213, 206, 0, 200, 244, 176, 218, 44, 184,
  172, 49, 216, 93, 168, 53, 21, 183, 41, 67, 85, 224, 155, 226, 242, 87, 177, 146, 70, 190, 12, 162, 19,
  137, 114, 25, 165, 163, 192, 23, 59, 9, 94, 179, 107, 35, 7, 142, 131, 239, 203, 149, 136, 61, 249, 14, 156,
}

local function sm3_raw(s) return crypto.digest("sm3", s, true) end

-- Byte `i` (0-based) of a string.
local function byte0(s, i) return s:byte(i + 1) end

--- A browser fingerprint: `innerW|innerH|outerW|outerH|0|screenY|0|0|sizeW|sizeH|availW|availH|innerW|innerH|24|24|Win32`.
function M.fingerprint(rand)
  rand = rand or math.random
  local inner_w = rand(1024, 1920)
  local inner_h = rand(768, 1080)
  local outer_w = inner_w + rand(24, 32)
  local outer_h = inner_h + rand(75, 90)
  local screen_y = ({ 0, 30 })[rand(1, 2)]
  local size_w = rand(1024, 1920)
  local size_h = rand(768, 1080)
  local avail_w = rand(1280, 1920)
  local avail_h = rand(800, 1080)
  return table.concat({ inner_w, inner_h, outer_w, outer_h, 0, screen_y, 0, 0, size_w, size_h,
                        avail_w, avail_h, inner_w, inner_h, 24, 24, "Win32" }, "|")
end

-- Scrambles `values` in place with the keystream over a fresh copy of TABLE.
local function scramble(values)
  local t = {}
  for i = 1, #TABLE do t[i - 1] = TABLE[i] end
  local n = #TABLE
  local index_b = t[1]
  local initial, e = 0, 0
  for i = 0, #values - 1 do
    local sum
    if i == 0 then
      initial = t[index_b]
      sum = (index_b + initial) & 255
      t[1] = initial
      t[index_b] = index_b
    else
      sum = (initial + e) & 255
    end
    values[i + 1] = values[i + 1] ~ t[sum % n]
    local next_idx = (i + 2) % n
    e = t[next_idx]
    local new_idx = ((index_b + e) & 255) % n
    initial = t[new_idx]
    t[new_idx], t[next_idx] = t[next_idx], t[new_idx]
    index_b = new_idx
  end
  return values
end

-- Base64 over a list of integers (not bytes: a value above 255 overlaps its neighbour's bits).
local function encode(values, alphabet)
  local out = {}
  local function ch(x) return alphabet:sub(x + 1, x + 1) end
  for i = 1, #values, 3 do
    local v1, v2, v3 = values[i], values[i + 1], values[i + 2]
    local n = (v1 << 16) | ((v2 or 0) << 8) | (v3 or 0)
    out[#out + 1] = ch((n & 0xFC0000) >> 18)
    out[#out + 1] = ch((n & 0x03F000) >> 12)
    if v2 then out[#out + 1] = ch((n & 0x0FC0) >> 6) end
    if v3 then out[#out + 1] = ch(n & 0x3F) end
  end
  local s = table.concat(out)
  return s .. string.rep("=", (4 - #s % 4) % 4)
end

-- Three random numbers 0..9999, four bytes each.
local function random_prefix(rand)
  local out = {}
  for _ = 1, 3 do
    local rd = rand(0, 9999)
    out[#out + 1] = ((rd & 255) & 170) | 1
    out[#out + 1] = ((rd & 255) & 85) | 2
    out[#out + 1] = ((rd >> 8) & 170) | 5
    out[#out + 1] = ((rd >> 8) & 85) | 40
  end
  return out
end

--- The a_bogus value for `query` (exactly the query string sent, without a_bogus) and `body`.
--- `o`: `user_agent` (default M.USER_AGENT), `now_ms` (default time.ms()), `fingerprint` (default a
--- random one), `rand` (default math.random). The fingerprint is drawn before the random prefix.
function M.sign(query, body, o)
  o = o or {}
  local rand = o.rand or math.random
  local ua = o.user_agent or M.USER_AGENT
  local fp = o.fingerprint or M.fingerprint(rand)
  local start = o.now_ms or time.ms()
  local finish = start

  local q = sm3_raw(sm3_raw(query .. SALT))
  local b = sm3_raw(sm3_raw((body or "") .. SALT))
  local u = sm3_raw(crypto.base64_encode(crypto.rc4(UA_KEY, ua), UA_ALPHABET))

  local slot = { [8] = 3, [18] = 44, [66] = 0, [69] = 0, [70] = 0, [71] = 0 }
  local function put32(first, v) -- big-endian low 32 bits into four slots
    slot[first], slot[first + 1], slot[first + 2], slot[first + 3] =
      (v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255
  end
  put32(20, start)
  slot[24] = start // 0x100000000
  slot[25] = start // 0x10000000000
  put32(26, OPTIONS[1])
  slot[30] = (OPTIONS[2] // 256) & 255
  slot[31] = OPTIONS[2] % 256
  slot[32] = (OPTIONS[2] >> 24) & 255
  slot[33] = (OPTIONS[2] >> 16) & 255
  put32(34, OPTIONS[3])
  slot[38], slot[39] = byte0(q, 21), byte0(q, 22)
  slot[40], slot[41] = byte0(b, 21), byte0(b, 22)
  slot[42], slot[43] = byte0(u, 23), byte0(u, 24)
  put32(44, finish)
  slot[48] = slot[8]
  slot[49] = finish // 0x100000000
  slot[50] = finish // 0x10000000000
  put32(51, PAGE_ID)
  slot[55] = PAGE_ID
  slot[56] = AID
  slot[57], slot[58], slot[59], slot[60] = AID & 255, (AID >> 8) & 255, (AID >> 16) & 255, (AID >> 24) & 255
  slot[64], slot[65] = #fp, #fp

  local values = {}
  for _, k in ipairs(ORDER) do values[#values + 1] = slot[k] or 0 end
  for i = 1, #fp do values[#values + 1] = fp:byte(i) end
  local check = 0
  for _, k in ipairs(XOR_ORDER) do check = check ~ (slot[k] or 0) end
  values[#values + 1] = check

  scramble(values)
  local all = random_prefix(rand)
  for _, v in ipairs(values) do all[#all + 1] = v end
  return encode(all, OUT_ALPHABET)
end

return M
