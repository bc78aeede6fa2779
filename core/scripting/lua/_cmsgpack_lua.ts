// Redis's `cmsgpack` (lua_cmsgpack 0.4.0) rewritten in Lua 5.1 for the same reason as cjson: the
// WebAssembly build has no extra C libraries. Encodings are chosen as that library does: the
// smallest integer form for integral numbers, float32 when the number survives the round trip,
// else float64; arrays for tables whose keys are exactly 1..n, maps otherwise; nesting beyond 16
// packs nil. Floats are built from math.frexp since Lua 5.1 has no bit operations.

/**
 * Lua source returning the `cmsgpack` table; the prelude runs it on the first use of the global
 * and again after an idle copy was collected (the engine answers its "lib" request with it). It
 * keeps no state between copies.
 */
export const CMSGPACK_LUA = String.raw`
local type, next, select, error, tostring = type, next, select, error, tostring
local char, byte, sub, concat, format = string.char, string.byte, string.sub, table.concat, string.format
local floor, frexp, ldexp, huge = math.floor, math.frexp, math.ldexp, math.huge
local MAX_NESTING = 16

local function be(n, bytes)  -- non-negative integer n as big-endian bytes
  local t = {}
  for i = bytes, 1, -1 do
    t[i] = char(n % 256)
    n = floor(n / 256)
  end
  return concat(t)
end

local function float_bytes(x, single)
  local ebits, mbits, bias = 11, 52, 1023
  if single then ebits, mbits, bias = 8, 23, 127 end
  local sign = 0
  if x < 0 or (x == 0 and 1 / x < 0) then sign = 1; x = -x end
  local e, m
  if x ~= x then e, m = 2 ^ ebits - 1, 2 ^ (mbits - 1)
  elseif x == huge then e, m = 2 ^ ebits - 1, 0
  elseif x == 0 then e, m = 0, 0
  else
    local fr, ex = frexp(x)            -- x = fr * 2^ex, 0.5 <= fr < 1
    e = ex + bias - 1
    if e <= 0 then                      -- subnormal
      m = floor(ldexp(x, bias - 1 + mbits) + 0.5)
      e = 0
    else
      m = floor((fr * 2 - 1) * 2 ^ mbits + 0.5)
      if m == 2 ^ mbits then m = 0; e = e + 1 end
    end
  end
  if single then return be((sign * 256 + e) * 8388608 + m, 4) end
  return be((sign * 2048 + e) * 1048576 + floor(m / 4294967296), 4) .. be(m % 4294967296, 4)
end

local pack_value
local function is_array(t)
  local count, max = 0, 0
  for k in next, t do
    if type(k) ~= "number" or k <= 0 or floor(k) ~= k then return false end
    count = count + 1
    if k > max then max = k end
  end
  return max == count, count
end

local function pack_number(n, out)
  if n == floor(n) and n >= -9223372036854775808 and n < 9223372036854775808 then
    if n >= 0 then
      if n < 128 then out[#out + 1] = char(n)
      elseif n < 256 then out[#out + 1] = "\204" .. char(n)
      elseif n < 65536 then out[#out + 1] = "\205" .. be(n, 2)
      elseif n < 4294967296 then out[#out + 1] = "\206" .. be(n, 4)
      else out[#out + 1] = "\207" .. be(n, 8) end
    else
      if n >= -32 then out[#out + 1] = char(256 + n)
      elseif n >= -128 then out[#out + 1] = "\208" .. char(256 + n)
      elseif n >= -32768 then out[#out + 1] = "\209" .. be(65536 + n, 2)
      elseif n >= -2147483648 then out[#out + 1] = "\210" .. be(4294967296 + n, 4)
      else
        -- two's complement in 64 bits: split to keep doubles exact
        local hi = floor(n / 4294967296)
        local lo = n - hi * 4294967296
        out[#out + 1] = "\211" .. be(hi + 4294967296, 4) .. be(lo, 4)
      end
    end
  else
    local f = float_bytes(n, true)
    local back = nil
    -- float32 when the value survives the round trip
    local b1, b2, b3, b4 = byte(f, 1, 4)
    local sign = b1 >= 128 and -1 or 1
    local e = (b1 % 128) * 2 + floor(b2 / 128)
    local m = ((b2 % 128) * 256 + b3) * 256 + b4
    if e == 0 then back = sign * ldexp(m, -149)
    elseif e < 255 then back = sign * ldexp(m + 8388608, e - 150) end
    if back == n then out[#out + 1] = "\202" .. f
    else out[#out + 1] = "\203" .. float_bytes(n, false) end
  end
end

pack_value = function(v, out, level)
  local t = type(v)
  if t == "number" then pack_number(v, out)
  elseif t == "string" then
    local n = #v
    if n < 32 then out[#out + 1] = char(160 + n)
    elseif n < 256 then out[#out + 1] = "\217" .. char(n)
    elseif n < 65536 then out[#out + 1] = "\218" .. be(n, 2)
    else out[#out + 1] = "\219" .. be(n, 4) end
    out[#out + 1] = v
  elseif t == "boolean" then out[#out + 1] = v and "\195" or "\194"
  elseif t == "table" and level < MAX_NESTING then
    local arr, count = is_array(v)
    if arr then
      if count < 16 then out[#out + 1] = char(144 + count)
      elseif count < 65536 then out[#out + 1] = "\220" .. be(count, 2)
      else out[#out + 1] = "\221" .. be(count, 4) end
      for i = 1, count do pack_value(v[i], out, level + 1) end
    else
      local n = 0
      for _ in next, v do n = n + 1 end
      if n < 16 then out[#out + 1] = char(128 + n)
      elseif n < 65536 then out[#out + 1] = "\222" .. be(n, 2)
      else out[#out + 1] = "\223" .. be(n, 4) end
      for k, x in next, v do
        pack_value(k, out, level + 1)
        pack_value(x, out, level + 1)
      end
    end
  else
    out[#out + 1] = "\192"
  end
end

local cmsgpack = {_NAME = "cmsgpack", _VERSION = "lua-cmsgpack 0.4.0",
  _COPYRIGHT = "Copyright (C) 2012, Salvatore Sanfilippo",
  _DESCRIPTION = "MessagePack C implementation for Lua"}

function cmsgpack.pack(...)
  local n = select("#", ...)
  if n == 0 then error("MessagePack pack needs input.", 0) end
  local out = {}
  for i = 1, n do pack_value((select(i, ...)), out, 0) end
  return concat(out)
end

-- ---------------------------------------------------------------- unpack
local function uint(s, pos, bytes)
  local n = 0
  for i = pos, pos + bytes - 1 do n = n * 256 + byte(s, i) end
  return n
end

local function float_from(s, pos, single)
  if single then
    local b1, b2, b3, b4 = byte(s, pos, pos + 3)
    local sign = b1 >= 128 and -1 or 1
    local e = (b1 % 128) * 2 + floor(b2 / 128)
    local m = ((b2 % 128) * 256 + b3) * 256 + b4
    if e == 0 then return sign * ldexp(m, -149) end
    if e == 255 then return m == 0 and sign * huge or (0 / 0) end
    return sign * ldexp(m + 8388608, e - 150)
  end
  local b1, b2 = byte(s, pos, pos + 1)
  local sign = b1 >= 128 and -1 or 1
  local e = (b1 % 128) * 16 + floor(b2 / 16)
  local m = (b2 % 16) * 2 ^ 48 + uint(s, pos + 2, 6)
  if e == 0 then return sign * ldexp(m, -1074) end
  if e == 2047 then return m == 0 and sign * huge or (0 / 0) end
  return sign * ldexp(m + 2 ^ 52, e - 1075)
end

local function need(s, pos, n)
  if pos + n - 1 > #s then error("Missing bytes in input.", 0) end
end

local unpack_value
local function unpack_n(s, pos, n, as_map)
  local t = {}
  for i = 1, n do
    if as_map then
      local k, v
      k, pos = unpack_value(s, pos)
      v, pos = unpack_value(s, pos)
      if k ~= nil then t[k] = v end
    else
      t[i], pos = unpack_value(s, pos)
    end
  end
  return t, pos
end

unpack_value = function(s, pos)
  need(s, pos, 1)
  local c = byte(s, pos)
  pos = pos + 1
  if c < 128 then return c, pos end
  if c >= 224 then return c - 256, pos end
  if c >= 160 and c < 192 then
    local n = c - 160
    need(s, pos, n)
    return sub(s, pos, pos + n - 1), pos + n
  end
  if c >= 144 and c < 160 then return unpack_n(s, pos, c - 144, false) end
  if c >= 128 and c < 144 then return unpack_n(s, pos, c - 128, true) end
  if c == 192 then return nil, pos end
  if c == 194 then return false, pos end
  if c == 195 then return true, pos end
  if c == 202 then need(s, pos, 4) return float_from(s, pos, true), pos + 4 end
  if c == 203 then need(s, pos, 8) return float_from(s, pos, false), pos + 8 end
  if c == 204 then need(s, pos, 1) return uint(s, pos, 1), pos + 1 end
  if c == 205 then need(s, pos, 2) return uint(s, pos, 2), pos + 2 end
  if c == 206 then need(s, pos, 4) return uint(s, pos, 4), pos + 4 end
  if c == 207 then need(s, pos, 8) return uint(s, pos, 4) * 4294967296 + uint(s, pos + 4, 4), pos + 8 end
  if c == 208 then need(s, pos, 1) local v = uint(s, pos, 1) return v >= 128 and v - 256 or v, pos + 1 end
  if c == 209 then need(s, pos, 2) local v = uint(s, pos, 2) return v >= 32768 and v - 65536 or v, pos + 2 end
  if c == 210 then need(s, pos, 4) local v = uint(s, pos, 4) return v >= 2147483648 and v - 4294967296 or v, pos + 4 end
  if c == 211 then
    need(s, pos, 8)
    local hi = uint(s, pos, 4)
    if hi >= 2147483648 then hi = hi - 4294967296 end
    return hi * 4294967296 + uint(s, pos + 4, 4), pos + 8
  end
  if c == 217 or c == 218 or c == 219 or c == 196 or c == 197 or c == 198 then
    local w = (c == 217 or c == 196) and 1 or ((c == 218 or c == 197) and 2 or 4)
    need(s, pos, w)
    local n = uint(s, pos, w)
    pos = pos + w
    need(s, pos, n)
    return sub(s, pos, pos + n - 1), pos + n
  end
  if c == 220 then need(s, pos, 2) return unpack_n(s, pos + 2, uint(s, pos, 2), false) end
  if c == 221 then need(s, pos, 4) return unpack_n(s, pos + 4, uint(s, pos, 4), false) end
  if c == 222 then need(s, pos, 2) return unpack_n(s, pos + 2, uint(s, pos, 2), true) end
  if c == 223 then need(s, pos, 4) return unpack_n(s, pos + 4, uint(s, pos, 4), true) end
  error("Bad data format in input.", 0)
end

local function unpack_full(s, limit, offset)
  if type(s) ~= "string" then
    error("bad argument #1 to 'unpack' (string expected, got " .. type(s) .. ")", 0)
  end
  local results, n = {}, 0
  local pos = offset + 1
  while pos <= #s and (limit <= 0 or n < limit) do
    n = n + 1
    results[n], pos = unpack_value(s, pos)
  end
  if limit > 0 then
    return (pos > #s) and -1 or (pos - 1), unpack(results, 1, n)
  end
  return unpack(results, 1, n)
end

function cmsgpack.unpack(s) return unpack_full(s, 0, 0) end
function cmsgpack.unpack_one(s, offset) return unpack_full(s, 1, offset or 0) end
function cmsgpack.unpack_limit(s, limit, offset) return unpack_full(s, limit or 0, offset or 0) end

return cmsgpack
`;
