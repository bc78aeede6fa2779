// Redis's `cjson` (lua-cjson 2.1.0 as vendored by Redis 7.0) rewritten in Lua 5.1, because the
// WebAssembly build has no C libraries beyond Lua's own. Pure Lua rather than a host call: a
// table has to be walked inside Lua either way, and the walk is the encode. Defaults follow
// Redis's build: number precision 14 (%.14g), sparse ratio 2 / safe 10, depth 1000, NaN/Inf
// refused on encode, JSON `null` decodes to `cjson.null`.

/**
 * Lua source returning the `cjson` table; the prelude runs it on the first use of the global and
 * again after an idle copy was collected (the engine answers its "lib" request with it). Its
 * argument is a table that keeps the settings and `cjson.null` from one copy to the next.
 */
export const CJSON_LUA = String.raw`
local type, pairs, next, tostring, tonumber, error = type, pairs, next, tostring, tonumber, error
local format, byte, char, sub, find, gsub, concat = string.format, string.byte, string.char, string.sub, string.find, string.gsub, table.concat
local floor, huge = math.floor, math.huge

-- The settings and cjson.null outlive this copy of the library: the prelude passes the same
-- table each time it loads the library again.
local kept = ...
local cfg = kept.cfg or {sparse_convert = false, sparse_ratio = 2, sparse_safe = 10, encode_depth = 1000,
  decode_depth = 1000, precision = 14, encode_invalid = false, decode_invalid = true, keep_buffer = true}
local null = kept.null or newproxy(false)
kept.cfg, kept.null = cfg, null

local escapes = {["\""] = "\\\"", ["\\"] = "\\\\", ["/"] = "\\/", ["\b"] = "\\b", ["\t"] = "\\t",
  ["\n"] = "\\n", ["\f"] = "\\f", ["\r"] = "\\r", ["\127"] = "\\u007f"}
for i = 0, 31 do
  local c = char(i)
  if not escapes[c] then escapes[c] = format("\\u%04x", i) end
end

local function encode_string(s)
  return "\"" .. gsub(s, "[%z\1-\31\"\\/\127]", escapes) .. "\""
end

local function type_error(v, reason)
  error("Cannot serialise " .. type(v) .. ": " .. reason, 0)
end

local function encode_number(n)
  if n ~= n or n == huge or n == -huge then
    if not cfg.encode_invalid then type_error(n, "must not be NaN or Inf") end
    if n ~= n then return "nan" end
    return n > 0 and "inf" or "-inf"
  end
  return format("%." .. cfg.precision .. "g", n)
end

-- lua_array_length: >0 array length, 0 empty/not array, -1 object
local function array_length(t)
  local max, items = 0, 0
  for k in next, t do
    if type(k) == "number" and k > 0 and floor(k) == k then
      if k > max then max = k end
      items = items + 1
    else
      return -1
    end
  end
  if cfg.sparse_ratio > 0 and max > items * cfg.sparse_ratio and max > cfg.sparse_safe then
    if not cfg.sparse_convert then type_error(t, "excessively sparse array") end
    return -1
  end
  return max
end

local encode_value
local function encode_table(t, depth, out)
  depth = depth + 1
  if depth > cfg.encode_depth then
    error(format("Cannot serialise, excessive nesting (%d)", depth), 0)
  end
  local len = array_length(t)
  if len > 0 then
    out[#out + 1] = "["
    for i = 1, len do
      if i > 1 then out[#out + 1] = "," end
      encode_value(t[i], depth, out)
    end
    out[#out + 1] = "]"
  else
    out[#out + 1] = "{"
    local first = true
    for k, v in next, t do
      if not first then out[#out + 1] = "," end
      first = false
      local kt = type(k)
      if kt == "string" then out[#out + 1] = encode_string(k)
      elseif kt == "number" then out[#out + 1] = "\"" .. encode_number(k) .. "\""
      else type_error(k, "table key must be a number or string") end
      out[#out + 1] = ":"
      encode_value(v, depth, out)
    end
    out[#out + 1] = "}"
  end
end

encode_value = function(v, depth, out)
  local t = type(v)
  if t == "string" then out[#out + 1] = encode_string(v)
  elseif t == "number" then out[#out + 1] = encode_number(v)
  elseif t == "boolean" then out[#out + 1] = v and "true" or "false"
  elseif t == "table" then encode_table(v, depth, out)
  elseif v == nil or v == null then out[#out + 1] = "null"
  else type_error(v, "type not supported") end
end

local cjson = {}
cjson.null = null
cjson._NAME = "cjson"
cjson._VERSION = "2.1.0"

function cjson.encode(...)
  if select("#", ...) ~= 1 then error("bad argument #1 to 'encode' (expected 1 argument)", 0) end
  local out = {}
  encode_value((...), 0, out)
  return concat(out)
end

-- ---------------------------------------------------------------- decode
local function parse_error(expected, found, pos)
  error(format("Expected %s but found %s at character %d", expected, found, pos), 0)
end

local function utf8_char(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xC0 + floor(cp / 64), 0x80 + cp % 64) end
  if cp < 0x10000 then
    return char(0xE0 + floor(cp / 4096), 0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
  end
  return char(0xF0 + floor(cp / 262144), 0x80 + floor(cp / 4096) % 64,
    0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
end

local unescapes = {["\""] = "\"", ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n",
  r = "\r", t = "\t"}

local decode_value

local function skip_ws(s, pos)
  return (find(s, "[^ \t\n\r]", pos)) or #s + 1
end

local function decode_string(s, pos)
  -- pos at the opening quote
  local parts = {}
  local i = pos + 1
  while true do
    local j = find(s, "[\"\\]", i)
    if not j then parse_error("value", "invalid token", pos) end
    parts[#parts + 1] = sub(s, i, j - 1)
    if byte(s, j) == 34 then return concat(parts), j + 1 end
    local e = sub(s, j + 1, j + 1)
    if e == "u" then
      local hex = sub(s, j + 2, j + 5)
      local cp = (#hex == 4 and not find(hex, "[^%x]")) and tonumber(hex, 16) or nil
      if not cp then parse_error("value", "invalid unicode escape code", pos) end
      local consumed = 6
      if cp >= 0xD800 and cp <= 0xDBFF then
        local low = sub(s, j + 6, j + 7) == "\\u" and tonumber(sub(s, j + 8, j + 11), 16)
        if not low or low < 0xDC00 or low > 0xDFFF then
          parse_error("value", "invalid unicode escape code", pos)
        end
        cp = 0x10000 + (cp - 0xD800) * 1024 + (low - 0xDC00)
        consumed = 12
      elseif cp >= 0xDC00 and cp <= 0xDFFF then
        parse_error("value", "invalid unicode escape code", pos)
      end
      parts[#parts + 1] = utf8_char(cp)
      i = j + consumed
    else
      local u = unescapes[e]
      if not u then parse_error("value", "invalid escape code", pos) end
      parts[#parts + 1] = u
      i = j + 2
    end
  end
end

local function token_name(s, pos)
  local c = sub(s, pos, pos)
  if c == "" then return "T_END" end
  if c == "{" then return "T_OBJ_BEGIN" elseif c == "}" then return "T_OBJ_END"
  elseif c == "[" then return "T_ARR_BEGIN" elseif c == "]" then return "T_ARR_END"
  elseif c == "\"" then return "T_STRING" elseif c == ":" then return "T_COLON"
  elseif c == "," then return "T_COMMA" elseif find(c, "[%-%d]") then return "T_NUMBER"
  elseif sub(s, pos, pos + 3) == "true" or sub(s, pos, pos + 4) == "false" then return "T_BOOLEAN"
  elseif sub(s, pos, pos + 3) == "null" then return "T_NULL" end
  return "invalid token"
end

decode_value = function(s, pos, depth)
  pos = skip_ws(s, pos)
  local c = sub(s, pos, pos)
  if c == "{" then
    depth = depth + 1
    if depth > cfg.decode_depth then
      error(format("Found too many nested data structures (%d) at character %d", depth, pos), 0)
    end
    local obj = {}
    pos = skip_ws(s, pos + 1)
    if sub(s, pos, pos) == "}" then return obj, pos + 1 end
    while true do
      if sub(s, pos, pos) ~= "\"" then parse_error("object key string", token_name(s, pos), pos) end
      local key
      key, pos = decode_string(s, pos)
      pos = skip_ws(s, pos)
      if sub(s, pos, pos) ~= ":" then parse_error("colon", token_name(s, pos), pos) end
      obj[key], pos = decode_value(s, pos + 1, depth)
      pos = skip_ws(s, pos)
      local d = sub(s, pos, pos)
      if d == "}" then return obj, pos + 1 end
      if d ~= "," then parse_error("comma or object end", token_name(s, pos), pos) end
      pos = skip_ws(s, pos + 1)
    end
  elseif c == "[" then
    depth = depth + 1
    if depth > cfg.decode_depth then
      error(format("Found too many nested data structures (%d) at character %d", depth, pos), 0)
    end
    local arr = {}
    pos = skip_ws(s, pos + 1)
    if sub(s, pos, pos) == "]" then return arr, pos + 1 end
    local n = 0
    while true do
      n = n + 1
      arr[n], pos = decode_value(s, pos, depth)
      pos = skip_ws(s, pos)
      local d = sub(s, pos, pos)
      if d == "]" then return arr, pos + 1 end
      if d ~= "," then parse_error("comma or array end", token_name(s, pos), pos) end
      pos = pos + 1
    end
  elseif c == "\"" then
    return decode_string(s, pos)
  elseif sub(s, pos, pos + 3) == "true" then return true, pos + 4
  elseif sub(s, pos, pos + 4) == "false" then return false, pos + 5
  elseif sub(s, pos, pos + 3) == "null" then return null, pos + 4
  end
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  if num and num ~= "" and num ~= "-" then
    local v = tonumber(num)
    if v then return v, pos + #num end
  end
  parse_error("value", token_name(s, pos), pos)
end

function cjson.decode(...)
  if select("#", ...) ~= 1 then error("bad argument #1 to 'decode' (expected 1 argument)", 0) end
  local s = ...
  if type(s) == "number" then s = tostring(s) end
  if type(s) ~= "string" then
    error("bad argument #1 to 'decode' (string expected, got " .. type(s) .. ")", 0)
  end
  if #s >= 2 and (byte(s, 1) == 0 or byte(s, 2) == 0) then
    error("JSON parser does not support UTF-16 or UTF-32", 0)
  end
  local v, pos = decode_value(s, 1, 0)
  pos = skip_ws(s, pos)
  if pos <= #s then parse_error("the end", token_name(s, pos), pos) end
  return v
end

-- Configuration functions: each returns the current setting(s), as lua-cjson does.
local function onoff(v) return v and "on" or "off" end
local function parse_bool(v, current)
  if v == nil then return current end
  if v == true or v == "on" then return true end
  if v == false or v == "off" then return false end
  error("bad argument #1 to 'cjson' (invalid option '" .. tostring(v) .. "')", 0)
end
function cjson.encode_sparse_array(convert, ratio, safe)
  cfg.sparse_convert = parse_bool(convert, cfg.sparse_convert)
  if ratio ~= nil then cfg.sparse_ratio = tonumber(ratio) end
  if safe ~= nil then cfg.sparse_safe = tonumber(safe) end
  return cfg.sparse_convert, cfg.sparse_ratio, cfg.sparse_safe
end
function cjson.encode_max_depth(d) if d ~= nil then cfg.encode_depth = tonumber(d) end return cfg.encode_depth end
function cjson.decode_max_depth(d) if d ~= nil then cfg.decode_depth = tonumber(d) end return cfg.decode_depth end
function cjson.encode_number_precision(p)
  if p ~= nil then
    p = tonumber(p)
    if not p or p < 1 or p > 14 then error("bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)", 0) end
    cfg.precision = p
  end
  return cfg.precision
end
function cjson.encode_keep_buffer(v) cfg.keep_buffer = parse_bool(v, cfg.keep_buffer) return onoff(cfg.keep_buffer) end
function cjson.encode_invalid_numbers(v) cfg.encode_invalid = parse_bool(v, cfg.encode_invalid) return onoff(cfg.encode_invalid) end
function cjson.decode_invalid_numbers(v) cfg.decode_invalid = parse_bool(v, cfg.decode_invalid) return onoff(cfg.decode_invalid) end
function cjson.new() return cjson end

return cjson
`;
