// The Lua source run once per engine that builds Redis 7.0's scripting environment on a stock Lua
// 5.1.5 (Redis's own Lua is patched, ours is not): the redis.* API over the byte channel, the
// conversions both ways (script_lua.c redisProtocolToLuaType / luaReplyToRedisReply), Redis's
// pcall, the error handler, and the readonly sandbox.
//
// Readonly tables: Redis 7.0.15 flags tables readonly inside its VM ("Attempt to modify a readonly
// table"). Stock Lua has no such flag, so scripts see empty proxies whose metatable reads through
// to the real table and refuses writes; rawset/rawget/next/pairs/ipairs/setmetatable/getfenv and
// the table library are wrapped so the proxies behave like the tables. `#proxy` is 0 (Lua 5.1 has
// no __len for tables): a known difference. The scripts' environment is the proxy of _G; the real
// _G keeps Redis's "nonexistent global variable" __index.
//
// Hot path (every script call, every redis.call), shaped by what costs in this WebAssembly build:
// number <-> text conversions go through musl's long-double printf/strtod (emulated in
// software), so counts and lengths are memoized (count_text / text_number) or sent as binary
// (read_keys_args reads a call's lengths as binary and its keys and args with one io.read per
// table);
// a redis.call request is written as io.write's arguments rather than a concatenated string
// (write_parts); a short status or bulk reply is one line ("s<text>", "b<bytes>"); the name an
// error reports is derived only on error.
//
// Memory (INFO used_memory_lua; Redis's test wants < 100 KB after 10,000 EVALs): the engine loads
// this chunk without its debug records (_strip_dump.ts); cjson and cmsgpack are loaded on use and
// let go when idle (lazy_library); the number caches are small; the hot path reuses its request,
// lengths and result tables, so less garbage piles up between collector steps.
//
// Every function here is defined in the chunk named INTERNAL_CHUNK, so the error handler can skip
// our frames and report the script's line as Redis's C functions would.

import { LIBRARY_LUA } from "./_library_lua.ts";

/**
 * Most strings one io.read call returns (read_keys_args): io.read takes one format per string
 * and checks the C stack for them all, so a call with more keys and args reads them one by one.
 */
const STRING_LIST_BATCH_MAX = 64;

/** Most message parts written as io.write's arguments (write_parts); more are concatenated. */
const WRITE_PARTS_MAX = 64;

/**
 * Entries in each of the prelude's number <-> text caches (count_text, text_number): the short
 * lengths and counts that repeat. Each entry costs Lua memory for good (4096 held ~300 KB).
 */
const NUMBER_CACHE_MAX = 64;

/**
 * Calls after which a loaded cjson or cmsgpack is only weakly held (the collector may drop it;
 * the next use loads it again): one used at least this often stays loaded.
 */
const LIBRARY_IDLE_CALLS = 1000;

/** The chunk name of the prelude; frames with this source are ours. */
export const INTERNAL_CHUNK = "=resplica";

/** The registry key of the entry function the engine calls. */
export const ENTRY_REGISTRY_KEY = "resplica_entry";

/** Builds the prelude, given Redis's version facts and the count-hook period. */
export function preludeSource(
  redisVersion: string,
  redisVersionNum: number,
  hookInstructionCount: number,
  replyDepthMax: number,
): string {
  return String.raw`
local G = _G
local dbg, io_write, io_read, io_flush = debug, io.write, io.read, io.flush
local type, tostring, tonumber, select, error, next, pairs, ipairs = type, tostring, tonumber, select, error, next, pairs, ipairs
local rawget, rawset, rawequal, setmetatable, getmetatable = rawget, rawset, rawequal, setmetatable, getmetatable
local getfenv, setfenv, loadstring, load, xpcall, pcall, unpack = getfenv, setfenv, loadstring, load, xpcall, pcall, unpack
local collectgarbage = collectgarbage
local format, sub, byte, gsub, find, gmatch, concat = string.format, string.sub, string.byte, string.gsub, string.find, string.gmatch, table.concat
local floor, ceil = math.floor, math.ceil
local tinsert, tremove, tsort, tgetn, tsetn, tmaxn, tforeach, tforeachi = table.insert, table.remove, table.sort, table.getn, table.setn, table.maxn, table.foreach, table.foreachi
io.stdout:setvbuf("full")

-- ---------------------------------------------------------------- numbers on the channel
-- Number <-> text in this build goes through musl's printf / strtod, which compute in long
-- double, emulated in software on WebAssembly: a few tenths of a microsecond per conversion.
-- Every message carries counts and lengths, mostly small and the same from call to call, so
-- their texts are memoized (both caches bounded by NUMBER_CACHE_MAX entries).
local NUMBER_CACHE_MAX = ${NUMBER_CACHE_MAX}
local text_of_count = {[0] = "0"}   -- seeded: -0 finds key 0 and never caches tostring(-0)
local number_of_text, number_texts = {}, 0

-- tostring(n) of a count or length (an integer >= 0).
local function count_text(n)
  local s = text_of_count[n]
  if s then return s end
  s = tostring(n)
  if n <= NUMBER_CACHE_MAX then text_of_count[n] = s end
  return s
end

-- tonumber(s), memoized for the first NUMBER_CACHE_MAX texts seen of up to 4 characters (the
-- short lengths that repeat; a counter's values from redis.call would only fill the cache).
local function text_number(s)
  local n = number_of_text[s]
  if n then return n end
  n = tonumber(s)
  if n and #s <= 4 and number_texts < NUMBER_CACHE_MAX then
    number_of_text[s] = n
    number_texts = number_texts + 1
  end
  return n
end

-- ---------------------------------------------------------------- channel
local function read_value()
  local h = io_read("*l")
  local t = sub(h, 1, 1)
  -- The short forms first: most replies to redis.call are one of them.
  if t == "s" then return {ok = sub(h, 2)}
  elseif t == "b" then return sub(h, 2)
  elseif t == "$" then
    local n = text_number(sub(h, 2))
    if n == 0 then return "" end
    return io_read(n)
  elseif t == ":" then return text_number(sub(h, 2))
  elseif t == "n" then return tonumber(sub(h, 2))
  elseif t == "F" then return false
  elseif t == "T" then return true
  elseif t == "_" then return nil
  elseif t == "+" then
    local n = text_number(sub(h, 2))
    return {ok = (n == 0) and "" or io_read(n)}
  elseif t == "-" then
    local n = text_number(sub(h, 2))
    return {err = (n == 0) and "" or io_read(n), ignore_error_stats_update = true}
  elseif t == "*" then
    local r = {}
    for i = 1, text_number(sub(h, 2)) do r[i] = read_value() end
    return r
  elseif t == "%" then
    local m = {}
    for i = 1, text_number(sub(h, 2)) do
      local k = read_value()
      local v = read_value()
      m[k] = v
    end
    return {map = m}
  elseif t == "~" then
    local s = {}
    for i = 1, text_number(sub(h, 2)) do s[read_value()] = true end
    return {set = s}
  elseif t == "," then return {double = tonumber(sub(h, 2))}
  elseif t == "(" then
    local n = text_number(sub(h, 2))
    return {big_number = (n == 0) and "" or io_read(n)}
  elseif t == "=" then
    local n = text_number(sub(h, 2))
    local f = io_read(3)
    return {verbatim_string = {format = f, string = (n == 0) and "" or io_read(n)}}
  end
  error("resplica: bad channel value " .. tostring(h), 0)
end

-- Sends op with string arguments and returns the host's answer.
local function request(op, ...)
  local n = select("#", ...)
  local parts = {op, "\n", count_text(n), "\n"}
  for i = 1, n do
    local a = select(i, ...)
    parts[#parts + 1] = count_text(#a)
    parts[#parts + 1] = "\n"
    parts[#parts + 1] = a
  end
  io_write(concat(parts))
  io_flush()
  return read_value()
end

-- luaPushErrorBuff: "-CODE msg" keeps CODE, "msg" gets ERR; CR/LF trimmed at both ends.
local function error_table(text)
  local code, msg = "ERR", text
  if sub(text, 1, 1) == "-" then
    local sp = find(text, " ", 1, true)
    if sp then code, msg = sub(text, 2, sp - 1), sub(text, sp + 1) else msg = sub(text, 2) end
  end
  msg = gsub(gsub(msg, "^[\r\n]+", ""), "[\r\n]+$", "")
  return {err = code .. " " .. msg}
end

local function raise(text) error(error_table(text)) end

-- ---------------------------------------------------------------- run state
local running = false     -- inside a script invocation (Redis's run_ctx)
local resp = 2            -- protocol chosen by redis.setresp for this invocation

-- ---------------------------------------------------------------- redis.*
-- The parts of a request to the host: the same table on every call (less garbage per call, so
-- the collector keeps up at a lower memory peak).
local request_parts = {}

-- Drops the request's strings (a large argument is not kept alive) and, past a few parts, the
-- table itself (nor a large array).
local function clear_request_parts(count)
  if count > ${WRITE_PARTS_MAX} then request_parts = {} return end
  local parts = request_parts
  for i = 1, count do parts[i] = nil end
end

-- Runs on every redis.call: the arguments are indexed in one table ({...}, not select(i, ...)
-- per argument) and the parts appended at a known index (not #parts). Returns the request's
-- parts (request_parts) and their count, or nil and the error text; write_parts sends them,
-- then clear_request_parts.
local function command_request(op, ...)
  local n = select("#", ...)
  if n == 0 then return nil, "Please specify at least one argument for this redis lib call" end
  local argv = {...}
  local parts = request_parts
  parts[1], parts[2], parts[3], parts[4] = op, "\n", count_text(n), "\n"
  local j = 4
  for i = 1, n do
    local a = argv[i]
    local t = type(a)
    if t == "number" then
      -- "%.17g" of a positive integer this small is its digits, as tostring writes them.
      if a > 0 and a <= NUMBER_CACHE_MAX and a == floor(a) then a = count_text(a)
      else a = format("%.17g", a) end
    elseif t ~= "string" then
      clear_request_parts(j)
      return nil, "Lua redis lib command arguments must be strings or integers"
    end
    parts[j + 1] = count_text(#a)
    parts[j + 2] = "\n"
    parts[j + 3] = a
    j = j + 3
  end
  return parts, j
end

-- Writes a message's parts (a request, a script's result): as io.write's arguments when few (no concatenated copy for Lua to
-- hash and intern), else concatenated (io.write's arguments go on the C stack).
local function write_parts(parts, count)
  if count <= ${WRITE_PARTS_MAX} then io_write(unpack(parts, 1, count))
  else io_write(concat(parts, "", 1, count)) end
end

local function generic_command(raise_error, ...)
  if not running then raise("redis.call/pcall can only be called inside a script invocation") end
  local parts, count = command_request("call", ...)
  if not parts then
    if raise_error then raise(count) end
    return error_table(count)
  end
  write_parts(parts, count)
  clear_request_parts(count)
  io_flush()
  local reply = read_value()
  if raise_error and type(reply) == "table" and reply.ignore_error_stats_update and rawget(reply, "err") then
    error(reply)
  end
  return reply
end

-- redis.call/pcall are Lua functions here (Redis's are C functions): a script's
-- "return redis.call(...)" would be a tail call that erases the script's frame, so the engine
-- parenthesises those calls before compiling (_tail_calls.ts) and the error handler still finds
-- "@user_script:N".
local redis = {}
redis.call = function(...) return (generic_command(true, ...)) end
redis.pcall = function(...) return (generic_command(false, ...)) end

redis.sha1hex = function(...)
  if select("#", ...) ~= 1 then raise("wrong number of arguments") end
  local s = ...
  if type(s) == "number" then s = tostring(s) elseif type(s) ~= "string" then s = "" end
  return request("sha1", s)
end

redis.error_reply = function(...)
  local e = ...
  if select("#", ...) ~= 1 or type(e) ~= "string" then
    return error_table("wrong number or type of arguments")
  end
  if sub(e, 1, 1) ~= "-" then e = "-" .. e end
  return error_table(e)
end

redis.status_reply = function(...)
  local s = ...
  if select("#", ...) ~= 1 or type(s) ~= "string" then
    return error_table("wrong number or type of arguments")
  end
  return {ok = s}
end

redis.log = function(...)
  local argc = select("#", ...)
  local level = ...
  if argc < 2 then raise("redis.log() requires two arguments or more.") end
  if tonumber(level) == nil then raise("First argument must be a number (log level).") end
  level = tonumber(level)
  level = level >= 0 and floor(level) or ceil(level)
  if level < 0 or level > 3 then raise("Invalid debug level.") end
  local parts = {}
  for j = 2, argc do
    local s = select(j, ...)
    local t = type(s)
    if t == "number" then s = tostring(s) end
    if t == "string" or t == "number" then
      if j ~= 2 then parts[#parts + 1] = " " end
      parts[#parts + 1] = s
    end
  end
  request("log", tostring(level), concat(parts))
end

redis.setresp = function(...)
  if not running then raise("redis.setresp can only be called inside a script invocation") end
  if select("#", ...) ~= 1 then raise("redis.setresp() requires one argument.") end
  local r = tonumber((...)) or 0
  r = r >= 0 and floor(r) or ceil(r)
  if r ~= 2 and r ~= 3 then raise("RESP version must be 2 or 3.") end
  resp = r
  request("setresp", tostring(r))
end

redis.set_repl = function(...)
  if not running then raise("redis.set_repl can only be called inside a script invocation") end
  if select("#", ...) ~= 1 then raise("redis.set_repl() requires two arguments.") end
  local f = tonumber((...)) or 0
  f = f >= 0 and floor(f) or ceil(f)
  if f ~= 0 and f ~= 1 and f ~= 2 and f ~= 3 then
    raise("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
  end
  request("setrepl", tostring(f))
end

redis.acl_check_cmd = function(...)
  if not running then raise("redis.acl_check_cmd can only be called inside a script invocation") end
  local parts, count = command_request("acl", ...)
  if not parts then raise(count) end
  write_parts(parts, count)
  clear_request_parts(count)
  io_flush()
  local allowed = read_value()
  if allowed == nil then raise("Invalid command passed to redis.acl_check_cmd()") end
  return allowed
end

redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end

redis.REDIS_VERSION = "${redisVersion}"
redis.REDIS_VERSION_NUM = ${redisVersionNum}
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
G.redis = redis

-- Redis's math.random: its own rand48, the same sequence on every platform.
local function checkint(v, i, fname)
  local n = tonumber(v)
  if n == nil then
    local got = (v == nil and i > 0) and "no value" or type(v)
    error(format("bad argument #%d to '%s' (number expected, got %s)", i, fname, got), 0)
  end
  return n >= 0 and floor(n) or ceil(n)
end
math.random = function(...)
  if not running then error("math.random can only be called inside a script invocation", 0) end
  local r = request("rand") / 2147483647
  local argc = select("#", ...)
  if argc == 0 then return r end
  local a, b = ...
  if argc == 1 then
    local u = checkint(a, 1, "random")
    if u < 1 then error("bad argument #1 to 'random' (interval is empty)", 0) end
    return floor(r * u) + 1
  elseif argc == 2 then
    local l = checkint(a, 1, "random")
    local u = checkint(b, 2, "random")
    if l > u then error("bad argument #2 to 'random' (interval is empty)", 0) end
    return floor(r * (u - l + 1)) + l
  end
  error("wrong number of arguments", 0)
end
math.randomseed = function(...)
  if not running then error("math.randomseed can only be called inside a script invocation", 0) end
  request("srand", tostring(checkint((...), 1, "randomseed")))
end

-- ---------------------------------------------------------------- host-backed libraries
local function host_numbers(op, fname, ...)
  local n = select("#", ...)
  local parts = {op, "\n", n + 1, "\n", #fname, "\n", fname}
  for i = 1, n do
    local v = tonumber((select(i, ...)))
    if v == nil then
      local got = select(i, ...)
      error(format("bad argument #%d to '%s' (number expected, got %s)", i, fname, got == nil and "no value" or type(got)), 0)
    end
    local s = format("%.17g", v)
    parts[#parts + 1] = #s
    parts[#parts + 1] = "\n"
    parts[#parts + 1] = s
  end
  io_write(concat(parts))
  io_flush()
  return read_value()
end

local bit = {}
for _, name in ipairs({"tobit", "bnot", "bswap"}) do
  bit[name] = function(x) return host_numbers("bit", name, x) end
end
for _, name in ipairs({"lshift", "rshift", "arshift", "rol", "ror"}) do
  bit[name] = function(x, n) return host_numbers("bit", name, x, n) end
end
for _, name in ipairs({"band", "bor", "bxor"}) do
  bit[name] = function(...)
    if select("#", ...) == 0 then return host_numbers("bit", name, nil) end
    return host_numbers("bit", name, ...)
  end
end
bit.tohex = function(x, n)
  local r = host_numbers("bit", "tohex", x, n == nil and 8 or n)
  return r
end
G.bit = bit

-- struct: the whole call goes to the host, which returns its results as an array.
local function host_values(op, ...)
  local n = select("#", ...)
  local parts = {op, "\n", n, "\n"}
  for i = 1, n do
    local a = select(i, ...)
    local t = type(a)
    if t == "number" then a = "n" .. format("%.17g", a)
    elseif t == "string" then a = "s" .. a
    elseif t == "boolean" then a = a and "T" or "F"
    else a = "_" end
    parts[#parts + 1] = #a
    parts[#parts + 1] = "\n"
    parts[#parts + 1] = a
  end
  io_write(concat(parts))
  io_flush()
  local r = read_value()
  if type(r) == "table" and r.ignore_error_stats_update then error(r.err, 0) end
  return unpack(r, 1, tgetn(r))
end
G.struct = {
  pack = function(...) return host_values("struct.pack", ...) end,
  unpack = function(...) return host_values("struct.unpack", ...) end,
  size = function(...) return host_values("struct.size", ...) end,
}

-- ---------------------------------------------------------------- sandbox
local lazy_of = {}  -- proxy of a library loaded on use (see lazy_library) -> its record
local lazy_table   -- (proxy) -> the library's table, loaded (again) if need be
-- proxy -> real table; a lazy library's proxy finds its table through lazy_table (so next,
-- pairs, rawset … on the proxy see the library), other misses find nil.
local real_of = setmetatable({}, {__mode = "k", __index = function(_, p)
  if lazy_of[p] then return lazy_table(p) end
end})
local proxy_of = setmetatable({}, {__mode = "k"})  -- real table -> proxy

local function readonly_error() error("Attempt to modify a readonly table", 2) end

local function protect(t)
  local p = proxy_of[t]
  if p then return p end
  p = {}
  proxy_of[t] = p
  real_of[p] = t
  for k, v in next, t do
    if type(v) == "table" and not rawget(real_of, v) and not lazy_of[v] then
      rawset(t, k, protect(v))
    end
  end
  -- getmetatable(proxy) shows a readonly copy of the table's own metatable (false if none,
  -- the closest to nil that still hides the proxy's metatable).
  local mt = {__index = t, __newindex = readonly_error, __metatable = false}
  local rmt = getmetatable(t)
  if rmt ~= nil then
    local shown = {}
    for k, v in next, rmt do shown[k] = v end
    mt.__metatable = protect(shown)
  end
  setmetatable(p, mt)
  return p
end

-- cjson and cmsgpack are loaded on use, not with the prelude: together they hold about as much
-- memory as all the rest (INFO used_memory_lua; Redis's test wants < 100 KB after 10,000
-- EVALs). The global is the library's readonly proxy; a lookup in it (or next, pairs, rawget …
-- on it, through real_of) finds the library's table, loading it first if need be: the host
-- sends the source ("lib"), run with the unwrapped pairs, next and table.concat the libraries
-- were written against. Every LIBRARY_IDLE_CALLS calls a loaded library becomes only weakly
-- held (release_idle_libraries) until its next use, so one untouched that long may be dropped
-- by the collector; cjson's settings and null are kept in its record and survive a reload.
local LIBRARY_IDLE_CALLS = ${LIBRARY_IDLE_CALLS}
local lib_env = setmetatable({pairs = pairs, next = next, table = {concat = concat}}, {__index = G})
local lazy_libraries = {}  -- the records: {name, mt = proxy's metatable, index = its loader,
                           -- table = held library or nil, weak = {[1] = library} weakly, kept}

local function lazy_library(name)
  local p = {}
  local lib = {name = name, weak = setmetatable({}, {__mode = "v"}), kept = {}}
  lib.index = function(_, k) return lazy_table(p)[k] end
  lib.mt = {__index = lib.index, __newindex = readonly_error, __metatable = false}
  lazy_of[p] = lib
  lazy_libraries[#lazy_libraries + 1] = lib
  return setmetatable(p, lib.mt)
end

lazy_table = function(p)
  local lib = lazy_of[p]
  local t = lib.table or lib.weak[1]
  if not t then
    local f, e = loadstring(request("lib", lib.name), "${INTERNAL_CHUNK}")
    if not f then error(e, 0) end
    setfenv(f, lib_env)
    t = f(lib.kept)
    for k, v in next, t do
      if type(v) == "table" and not rawget(real_of, v) then rawset(t, k, protect(v)) end
    end
    proxy_of[t] = p
  end
  lib.table = t
  lib.mt.__index = t
  return t
end

-- Called every LIBRARY_IDLE_CALLS calls: each loaded library goes from held to weakly held,
-- its proxy back to the loader, which holds it again on its next use.
local function release_idle_libraries()
  for i = 1, #lazy_libraries do
    local lib = lazy_libraries[i]
    if lib.table then
      lib.weak[1] = lib.table
      lib.table = nil
      lib.mt.__index = lib.index
    end
  end
end

G.cjson = lazy_library("cjson")
G.cmsgpack = lazy_library("cmsgpack")

local function unwrap(t) return real_of[t] or t end
local function check_writable(t)
  if real_of[t] then error("Attempt to modify a readonly table", 0) end
end

G.rawset = function(t, k, v) check_writable(t); return rawset(t, k, v) end
G.rawget = function(t, k) return rawget(unwrap(t), k) end
G.next = function(t, k) return next(unwrap(t), k) end
G.pairs = function(t)
  local r = real_of[t]
  if r then return function(_, k) return next(r, k) end, t, nil end
  return pairs(t)
end
G.ipairs = function(t)
  local r = real_of[t]
  if r then
    return function(_, i) i = i + 1; local v = r[i]; if v ~= nil then return i, v end end, t, 0
  end
  return ipairs(t)
end
G.setmetatable = function(t, mt) check_writable(t); return setmetatable(t, mt) end
G.unpack = function(t, ...) return unpack(unwrap(t), ...) end
table.insert = function(t, ...) check_writable(t); return tinsert(t, ...) end
table.remove = function(t, ...) check_writable(t); return tremove(t, ...) end
table.sort = function(t, ...) check_writable(t); return tsort(t, ...) end
table.setn = function(t, ...) check_writable(t); return tsetn(t, ...) end
table.getn = function(t) return tgetn(unwrap(t)) end
table.maxn = function(t) return tmaxn(unwrap(t)) end
table.concat = function(t, ...) return concat(unwrap(t), ...) end
table.foreach = function(t, f) return tforeach(unwrap(t), f) end
table.foreachi = function(t, f) return tforeachi(unwrap(t), f) end

local env  -- the scripts' globals: the proxy of _G

-- Redis's Lua parses binary chunks as text ("unexpected symbol near 'char(27)'").
local function binary_chunk_error(name)
  local _, e = loadstring("\1", name)
  return (gsub(e, "near '.*'$", "near 'char(27)'"))
end
G.loadstring = function(s, name)
  if type(s) == "string" and byte(s, 1) == 27 then return nil, binary_chunk_error(name or s) end
  local f, e = loadstring(s, name)
  if f then setfenv(f, env) end
  return f, e
end
G.load = function(reader, name)
  local pieces = {}
  if type(reader) == "function" then
    while true do
      local piece = reader()
      if piece == nil or piece == "" then break end
      if type(piece) ~= "string" then return nil, "reader function must return a string" end
      pieces[#pieces + 1] = piece
    end
  end
  return G.loadstring(concat(pieces), name or "=(load)")
end
G.getfenv = function(f)
  if f == nil then f = 1 end
  if type(f) == "number" and f > 0 then f = f + 1 end
  local e = getfenv(f)
  if e == G then return env end
  return e
end

-- Redis's pcall: an error table with a string err field is returned as that string.
local function pcall_result(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == "table" then
    local m = e.err
    if type(m) == "string" or type(m) == "number" then e = m end
  end
  return false, e
end
G.pcall = function(...) return pcall_result(pcall(...)) end

-- The error handler Redis installs: err becomes a table with the script's source and line.
-- Frames of C functions (one, as Redis) and of this prelude are skipped.
G.__redis__err__handler = function(err)
  local level = 2
  local i = dbg.getinfo(level, "nSl")
  if i and i.what == "C" then level = level + 1; i = dbg.getinfo(level, "nSl") end
  while i and i.source == "${INTERNAL_CHUNK}" do
    level = level + 1
    i = dbg.getinfo(level, "nSl")
  end
  if type(err) ~= "table" then err = {err = "ERR " .. tostring(err)} end
  if i then
    err["source"] = i.source
    err["line"] = i.currentline
  end
  return err
end
local err_handler = G.__redis__err__handler

-- ---------------------------------------------------------------- result conversion
local function write_string(out, t, s)
  out[#out + 1] = t
  out[#out + 1] = count_text(#s)
  out[#out + 1] = "\n"
  out[#out + 1] = s
end

-- luaReplyToRedisReply answers "reached lua stack limit" in place of a value nested deeper than
-- the Lua stack allows (lua_checkstack fails past LUAI_MAXCSTACK slots, one per level): a
-- self-referencing table becomes that many nested one-element arrays, then this error.
local function emit(out, v, depth)
  depth = depth or 0
  if depth >= ${replyDepthMax} then
    write_string(out, "-", "ERR reached lua stack limit")
    return
  end
  local t = type(v)
  if t == "string" then
    write_string(out, "$", v)
  elseif t == "number" then
    -- (long long) cast as on x86-64: NaN and out-of-range give LLONG_MIN.
    if v ~= v or v >= 9223372036854775808 or v < -9223372036854775808 then
      out[#out + 1] = ":-9223372036854775808\n"
    else
      local i = v >= 0 and floor(v) or ceil(v)
      -- "%.0f" of a small integer >= 0 is its digits (-0 reads as "0": the same integer).
      if i >= 0 and i <= NUMBER_CACHE_MAX then
        out[#out + 1] = ":" .. count_text(i) .. "\n"
      else
        out[#out + 1] = ":" .. format("%.0f", i) .. "\n"
      end
    end
  elseif t == "boolean" then
    if resp == 2 then out[#out + 1] = v and ":1\n" or "_\n"
    else out[#out + 1] = v and "T\n" or "F\n" end
  elseif t == "table" then
    v = unwrap(v)
    local e = rawget(v, "err")
    if type(e) == "string" then
      local ignore = v.ignore_error_stats_update
      write_string(out, ignore == true and "!" or "-", e)
      return
    end
    local ok = rawget(v, "ok")
    if type(ok) == "string" then
      -- One scan for the common status with nothing to cut or replace.
      if find(ok, "[%z\r\n]") then
        local cut = find(ok, "\0", 1, true)
        if cut then ok = sub(ok, 1, cut - 1) end
        ok = gsub(ok, "[\r\n]", " ")
      end
      write_string(out, "+", ok)
      return
    end
    local d = rawget(v, "double")
    if type(d) == "number" then
      out[#out + 1] = "," .. format("%.17g", d) .. "\n"
      return
    end
    local b = rawget(v, "big_number")
    if type(b) == "string" then
      write_string(out, "(", (gsub(b, "[\r\n]", " ")))
      return
    end
    local vs = rawget(v, "verbatim_string")
    if type(vs) == "table" then
      local f, s = rawget(vs, "format"), rawget(vs, "string")
      if type(f) == "string" and type(s) == "string" then
        out[#out + 1] = "=" .. #s .. "\n" .. sub(f .. "\0\0\0", 1, 3)
        out[#out + 1] = s
        return
      end
    end
    local m = rawget(v, "map")
    if type(m) == "table" then
      m = unwrap(m)
      local slot = #out + 1
      out[slot] = ""
      local n = 0
      for k, x in next, m do
        emit(out, k, depth + 1)
        emit(out, x, depth + 1)
        n = n + 1
      end
      out[slot] = "%" .. count_text(n) .. "\n"
      return
    end
    local s = rawget(v, "set")
    if type(s) == "table" then
      s = unwrap(s)
      local slot = #out + 1
      out[slot] = ""
      local n = 0
      for k in next, s do
        emit(out, k, depth + 1)
        n = n + 1
      end
      out[slot] = "~" .. count_text(n) .. "\n"
      return
    end
    local slot = #out + 1
    out[slot] = ""
    local j = 1
    while true do
      local x = rawget(v, j)
      if x == nil then break end
      emit(out, x, depth + 1)
      j = j + 1
    end
    out[slot] = "*" .. count_text(j - 1) .. "\n"
  else
    out[#out + 1] = "_\n"
  end
end

-- ---------------------------------------------------------------- entry points
local functions = {}     -- f_<sha> -> compiled function (Redis keeps them in the registry)
local gc_count = 0
local library_calls = 0  -- calls since release_idle_libraries last ran
local GC_CYCLE_PERIOD = 50

-- Checks only while script code runs: a check inside our own frames could raise where no
-- xpcall catches it (e.g. on the line after the script returned).
local function interrupt_hook()
  local where = dbg.getinfo(2, "S")
  if where == nil or where.source == "${INTERNAL_CHUNK}" then return end
  local e = request("intr")
  if e then
    dbg.sethook(interrupt_hook, "l")
    error(error_table(e))
  end
end

-- A call's keys and args (_wire.ts WireWriter.stringList): nkeys and nargs, then each string's
-- length, all as 4-byte big-endian integers (one string.byte call per length, with no table,
-- where parsing decimal text costs microseconds here), then the strings' bytes and "\n"; only
-- the two counts when there are no strings. Up to ${STRING_LIST_BATCH_MAX} strings come from one
-- io.read call per table (its formats go on the C stack, so a longer list is read one string
-- at a time); a final "*l" format eats the list's "\n" and its "" is dropped.
local batch_lens = {}  -- read_keys_args's lengths (numbers only), the same table every call
local function read_keys_args()
  local k1, k2, k3, k4, a1, a2, a3, a4 = byte(io_read(8), 1, 8)
  local nkeys = ((k1 * 256 + k2) * 256 + k3) * 256 + k4
  local nargs = ((a1 * 256 + a2) * 256 + a3) * 256 + a4
  local count = nkeys + nargs
  if count == 0 then return {}, {} end
  if count <= ${STRING_LIST_BATCH_MAX} then
    local b = io_read(4 * count)
    local lens = batch_lens
    for i = 1, count do
      local b1, b2, b3, b4 = byte(b, 4 * i - 3, 4 * i)
      lens[i] = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
    end
    lens[count + 1] = "*l"
    if nargs == 0 then
      local keys = {io_read(unpack(lens, 1, count + 1))}
      keys[nkeys + 1] = nil
      return keys, {}
    end
    local keys = nkeys == 0 and {} or {io_read(unpack(lens, 1, nkeys))}
    local args = {io_read(unpack(lens, nkeys + 1, count + 1))}
    args[nargs + 1] = nil
    return keys, args
  end
  local lens = {}
  for i = 1, count do
    local b1, b2, b3, b4 = byte(io_read(4), 1, 4)
    lens[i] = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
  end
  local keys, args = {}, {}
  for i = 1, nkeys do
    local len = lens[i]
    keys[i] = (len == 0) and "" or io_read(len)
  end
  for i = 1, nargs do
    local len = lens[nkeys + i]
    args[i] = (len == 0) and "" or io_read(len)
  end
  io_read("*l")
  return keys, args
end

local function read_array()
  local n = text_number(io_read("*l"))
  local a = {}
  for i = 1, n do
    local len = text_number(io_read("*l"))
    a[i] = (len == 0) and "" or io_read(len)
  end
  return a
end

local function compile(name)
  local len = text_number(io_read("*l"))
  local body = (len == 0) and "" or io_read(len)
  local f, e
  if byte(body, 1) == 27 then
    e = binary_chunk_error("@user_script")
  else
    f, e = loadstring(body, "@user_script")
  end
  if not f then
    io_write("-" .. "ERR Error compiling script (new function): " .. e)
    io_flush()
    return
  end
  setfenv(f, env)
  functions[name] = f
  io_write("+")
  io_flush()
end

-- name_shown(name) is the name errors report; only an error needs it, so a success skips it.
-- Redis names an EVAL script's function f_<sha> but reports the script by its SHA.
local function eval_name_shown(name) return name:match("^f_(.*)$") or name end

local result_out = {}  -- finish's parts of a result, the same table every call
local function finish(name, ok, result, name_shown)
  if ok then
    local out = result_out
    emit(out, result)
    local count = #out
    write_parts(out, count)
    -- Emptied for the next result (emit appends at #out + 1); a large one's table is dropped.
    if count > ${WRITE_PARTS_MAX} then result_out = {}
    else for i = 1, count do out[i] = nil end end
    io_flush()
    return
  end
  local out = {}
  if name_shown then name = name_shown(name) end
  if type(result) ~= "table" then
    local msg = type(result) == "string" and result or "execution failure"
    write_string(out, "-", "ERR Error running script " .. name .. ", " .. sub(msg, 1, 100) .. " ")
  else
    local msg = tostring(result.err)
    local source, line = result.source, result.line
    if source ~= nil and line ~= nil then
      msg = msg .. " script: " .. name .. ", on " .. tostring(source) .. ":" .. tostring(line) .. "."
    end
    write_string(out, result.ignore_error_stats_update == true and "!" or "-", msg)
  end
  io_write(concat(out))
  io_flush()
end

${LIBRARY_LUA}
-- FCALL's function and arguments, for fcall_body: one closure for every call, not one per call.
local fcall_f, fcall_keys, fcall_args
local function fcall_body() return fcall_f(fcall_keys, fcall_args) end

-- mode "eval": KEYS/ARGV become globals, the function gets no arguments (EVAL);
-- mode "fcall": the function gets (keys, args) as arguments (FCALL).
local function call(name, mode)
  local keys, args = read_keys_args()
  local f = functions[name]
  if mode == "fcall" then f = library_functions[name] or f end
  if f == nil then
    finish(name, false, {err = "ERR resplica: no compiled function " .. name})
    return
  end
  if mode == "eval" then
    rawset(G, "KEYS", keys)
    rawset(G, "ARGV", args)
  end
  running, resp = true, 2
  dbg.sethook(interrupt_hook, "", ${hookInstructionCount})
  local ok, result
  if mode == "eval" then
    ok, result = xpcall(f, err_handler)
  else
    fcall_f, fcall_keys, fcall_args = f, keys, args
    ok, result = xpcall(fcall_body, err_handler)
    fcall_f, fcall_keys, fcall_args = nil, nil, nil
  end
  dbg.sethook()
  gc_count = gc_count + 1
  if gc_count == GC_CYCLE_PERIOD then
    collectgarbage("step", GC_CYCLE_PERIOD)
    gc_count = 0
  end
  library_calls = library_calls + 1
  if library_calls == LIBRARY_IDLE_CALLS then
    release_idle_libraries()
    library_calls = 0
  end
  finish(name, ok, result, mode == "eval" and eval_name_shown or nil)
  running = false
end

-- Once no EVAL script is left (SCRIPT FLUSH, where Redis starts a new Lua state), the tables
-- that only grow start again empty (a Lua table keeps its size when emptied), cjson and
-- cmsgpack are let go, and a full collection returns the memory at once.
local function forget(name)
  functions[name] = nil
  if next(functions) == nil then
    functions = {}
    text_of_count, number_of_text, number_texts = {[0] = "0"}, {}, 0
    request_parts, result_out, batch_lens = {}, {}, {}
    release_idle_libraries()
    collectgarbage("collect")
  end
end

-- Bytes Lua has allocated (collectgarbage("count") is in KB), as Redis's used_memory_lua.
local function memory()
  io_write(format("%.0f", collectgarbage("count") * 1024))
  io_flush()
end

local entries = {compile = compile, eval = function(n) call(n, "eval") end,
  fcall = function(n) call(n, "fcall") end, forget = forget, loadlib = loadlib, libfns = libfns,
  memory = memory}
dbg.getregistry()["${ENTRY_REGISTRY_KEY}"] = function(op)
  dbg.sethook()
  running = false
  return entries[op](io_read("*l"))
end

-- ---------------------------------------------------------------- final globals
G.io, G.os, G.package, G.module, G.require = nil, nil, nil, nil, nil
-- Gone from the registry's list of loaded modules too, so the collector frees them.
local loaded = dbg.getregistry()._LOADED
loaded.os, loaded.package = nil, nil
G.print, G.dofile, G.loadfile, G.debug = nil, nil, nil, nil
setmetatable(G, {__index = function(_, k)
  if type(k) ~= "string" and type(k) ~= "number" then
    error("Second argument to luaProtectedTableError must be a string or number", 0)
  end
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end})
env = protect(G)
rawset(G, "_G", env)
`;
}
