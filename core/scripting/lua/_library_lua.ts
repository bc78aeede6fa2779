// The Lua side of Redis 7.0 function libraries (function_lua.c), spliced into the prelude
// (_prelude_lua.ts) so it shares the prelude's locals: the channel, `raise`, the readonly proxies
// and the scripts' globals `env`.
//
// Loading a library runs its body once with a globals table whose lookups go to the *library API*
// ({redis = {register_function, log, LOG_*, REDIS_VERSION*}}, everything else a "nonexistent
// global variable" error) while it loads, and to the scripts' globals afterwards: the callbacks it
// registers are closures over that same table, so at FCALL time they see redis.call, string, math
// … exactly as Redis switches the __index of its globals' metatable around luaEngineCreate.
//
// Registrations are staged, not live: the shell decides (name collisions with other libraries,
// REPLACE, a RESTORE of several libraries that must succeed or fail as one) and then commits with
// "libfns", which drops the callbacks of the libraries that go and installs the staged ones.
// FCALL looks its function up among the live callbacks (mode "fcall").
//
// Ops (read after the entry's first line, which is their argument):
//   loadlib <timeout ms, 0 = none>  <body>   → "-<error>" or an array: per function its name,
//                                              "1"/"0" has a description, the description, flags
//   libfns  <"1" install staged / "0" drop>  <names to drop> → "+"

/** Lua source of the library ops; needs the prelude's locals in scope. */
export const LIBRARY_LUA = String.raw`
-- ---------------------------------------------------------------- function libraries
local library_functions = {}   -- function name -> callback, what FCALL runs
local staged = {}              -- callbacks of libraries loaded and not yet committed
local load_regs = nil          -- the library being loaded: {list = {...}, map = {name -> cb}}
local loading_api = false      -- globals lookups go to the library API
local clock = os.clock
local INTERNAL_SOURCE = dbg.getinfo(1, "S").source
local lower = string.lower
-- Collector work (KB) done on each commit: a library load leaves far more garbage than a call (a
-- compiled chunk, its closures, the dropped library's), and only calls step the collector
-- otherwise, so a run of FUNCTION LOADs would let it pile up (INFO used_memory_lua).
local LIBRARY_GC_STEP_KB = 10

-- Redis's scripts_flags_def, in its order (FUNCTION LIST shows flags in this order).
local FLAG_NAMES = {"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"}
local FLAG_BITS = {}
for i, n in ipairs(FLAG_NAMES) do FLAG_BITS[n] = 2 ^ (i - 1) end

-- As luaProtectedTableError's luaL_error: the message names the library's line (level 2: the
-- code that indexed, whether it reached this __index directly or through fn_env's).
local function missing_at(k, level)
  if type(k) ~= "string" and type(k) ~= "number" then
    error("Second argument to luaProtectedTableError must be a string or number", level + 1)
  end
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", level + 1)
end
local function missing_global(_, k) missing_at(k, 2) end

local function is_stringish(v) return type(v) == "string" or type(v) == "number" end

-- function names: [a-zA-Z0-9_]+ (functionsVerifyName, whose error names libraries)
local BAD_NAME = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

local function read_flags(t)
  local bits = 0
  local j = 1
  while true do
    local f = t[j]
    if f == nil then break end
    if not is_stringish(f) then return nil end
    local bit = FLAG_BITS[lower(tostring(f))]
    if bit == nil then return nil end
    if bits % (bit * 2) < bit then bits = bits + bit end
    j = j + 1
  end
  return bits
end

local function register_function(...)
  if load_regs == nil then
    raise("redis.register_function can only be called on FUNCTION LOAD command")
  end
  local argc = select("#", ...)
  if argc < 1 or argc > 2 then raise("wrong number of arguments to redis.register_function") end
  local name, desc, cb, flags = nil, nil, nil, 0
  if argc == 1 then
    local t = ...
    if type(t) ~= "table" then
      raise("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
    end
    t = unwrap(t)
    for k, v in next, t do
      if not is_stringish(k) then raise("named argument key given to redis.register_function is not a string") end
      local key = lower(tostring(k))
      if key == "function_name" then
        if not is_stringish(v) then raise("function_name argument given to redis.register_function must be a string") end
        name = tostring(v)
      elseif key == "description" then
        if not is_stringish(v) then raise("description argument given to redis.register_function must be a string") end
        desc = tostring(v)
      elseif key == "callback" then
        if type(v) ~= "function" then raise("callback argument given to redis.register_function must be a function") end
        cb = v
      elseif key == "flags" then
        if type(v) ~= "table" then raise("flags argument to redis.register_function must be a table representing function flags") end
        flags = read_flags(unwrap(v))
        if flags == nil then raise("unknown flag given") end
      else
        raise("unknown argument given to redis.register_function")
      end
    end
    if name == nil then raise("redis.register_function must get a function name argument") end
    if cb == nil then raise("redis.register_function must get a callback argument") end
  else
    local n, f = ...
    if not is_stringish(n) then raise("first argument to redis.register_function must be a string") end
    if type(f) ~= "function" then raise("second argument to redis.register_function must be a function") end
    name, cb = tostring(n), f
  end
  if not find(name, "^[a-zA-Z0-9_]+$") then raise(BAD_NAME) end
  if load_regs.map[name] ~= nil then raise("Function already exists in the library") end
  load_regs.map[name] = cb
  local list = load_regs.list
  list[#list + 1] = name
  list[#list + 1] = desc == nil and "0" or "1"
  list[#list + 1] = desc or ""
  list[#list + 1] = tostring(flags)
end

-- The library API: readonly, and a missing name is an error, as Redis's LIBRARY_API table.
local lib_redis = {register_function = register_function, log = redis.log,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REDIS_VERSION = redis.REDIS_VERSION, REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM}
setmetatable(lib_redis, {__index = missing_global})
-- Readonly like Redis's: a callback that kept a reference to the library's redis table (local
-- lib = redis) must not be able to plant the runtime API in it.
lib_redis = protect(lib_redis)
local lib_api = setmetatable({redis = lib_redis}, {__index = missing_global})

-- The globals of every library (Redis has one globals table for all of them).
local fn_env = {}
setmetatable(fn_env, {
  __index = function(_, k)
    if not loading_api then return env[k] end
    local v = rawget(lib_api, k)
    if v == nil then missing_at(k, 2) end
    return v
  end,
  __newindex = function() error("Attempt to modify a readonly table", 2) end,
  __metatable = false,
})

local LOAD_HOOK_COUNT = 100000
local function loadlib(timeout_line)
  local timeout_s = (tonumber(timeout_line) or 0) / 1000
  local len = tonumber(io_read("*l"))
  local body = (len == 0) and "" or io_read(len)
  local f, e
  if byte(body, 1) == 27 then
    e = binary_chunk_error("@user_function")
  else
    f, e = loadstring(body, "@user_function")
  end
  local out = {}
  if not f then
    write_string(out, "-", "ERR Error compiling function: " .. e)
    io_write(concat(out))
    io_flush()
    return
  end
  setfenv(f, fn_env)
  load_regs = {list = {}, map = {}}
  loading_api = true
  local started = clock()
  -- Raises only in library code: an error in our own frames would escape the pcall.
  local function timeout_hook()
    local where = dbg.getinfo(2, "S")
    if where == nil or where.source == INTERNAL_SOURCE then return end
    if timeout_s > 0 and clock() - started > timeout_s then
      dbg.sethook(timeout_hook, "l")
      error({err = "ERR FUNCTION LOAD timeout"})
    end
  end
  dbg.sethook(timeout_hook, "", LOAD_HOOK_COUNT)
  local ok, err = pcall(f)
  dbg.sethook()
  loading_api = false
  local regs = load_regs
  load_regs = nil
  if not ok then
    local msg = "(null)"
    if is_stringish(err) then msg = "ERR " .. tostring(err) end
    if type(err) == "table" then
      local m = rawget(unwrap(err), "err")
      if is_stringish(m) then msg = tostring(m) end
    end
    write_string(out, "-", "ERR Error registering functions: " .. msg)
  else
    for k, v in next, regs.map do staged[k] = v end
    emit(out, regs.list)
  end
  io_write(concat(out))
  io_flush()
end

local function libfns(install_line)
  local drop = read_array()
  for i = 1, #drop do library_functions[drop[i]] = nil end
  if install_line == "1" then
    for k, v in next, staged do library_functions[k] = v end
  end
  staged = {}
  collectgarbage("step", LIBRARY_GC_STEP_KB)
  io_write("+")
  io_flush()
end
`;
