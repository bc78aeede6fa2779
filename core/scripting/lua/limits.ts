// The Lua engine's limits and the Redis facts it reports, as named constants in one place so the
// shell (INFO, config) and the tests read the same numbers.

/** redis.REDIS_VERSION: the Redis whose scripting behaviour the engine reproduces. */
export const REDIS_VERSION = "7.0.15";
/** redis.REDIS_VERSION_NUM: (major << 16) | (minor << 8) | patch. */
export const REDIS_VERSION_NUM = 0x0007000f;

/**
 * Lua instructions between two calls of the interrupt hook (host.checkInterrupt). Redis uses
 * 100000 for its count hook (script_lua.c luaCallFunction).
 */
export const HOOK_INSTRUCTION_COUNT = 100_000;

/**
 * The WebAssembly heap holding the Lua state is never grown past this: allocations beyond it
 * fail and Lua raises "not enough memory" inside the script, which becomes an error reply.
 * Redis itself sets no cap; this keeps one runaway script from taking the process down.
 */
export const LUA_HEAP_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * How deep a script's result may nest before the value at that depth is replaced by the error
 * "reached lua stack limit". Redis's luaReplyToRedisReply keeps one Lua stack slot per level and
 * fails lua_checkstack at LUAI_MAXCSTACK (8000) slots, so its limit is near 8000 levels. Ours is
 * lower because the host reads and writes a reply recursively, one JS frame per level, and V8's
 * stack ends before 8000 of them: a known difference that only a result nested this deep shows
 * (a self-referencing table gets the same shape of reply, just shorter).
 */
export const LUA_REPLY_DEPTH_MAX = 1000;
