// The Lua engine layer for Redis scripting: a Lua 5.1.5 state (WebAssembly) with Redis 7.0.15's
// scripting environment, and the reply tree it exchanges with the shell. EVAL/FCALL and SCRIPT /
// FUNCTION commands are built on this API; nothing here knows about the keyspace or clients.
//
// @module

export { LUA_FUNCTION_FLAG_NAMES, LuaEngine, LuaPausedCall, PAUSE_LUA } from "./engine.ts";
export type {
  LuaCallMode,
  LuaEngineOptions,
  LuaHost,
  LuaLibraryFunction,
  LuaLogLevel,
} from "./engine.ts";
export { isErrorReply } from "./reply.ts";
export type { LuaReply } from "./reply.ts";
export { formatLuaErrorText } from "./_errors.ts";
export {
  HOOK_INSTRUCTION_COUNT,
  LUA_HEAP_MAX_BYTES,
  REDIS_VERSION,
  REDIS_VERSION_NUM,
} from "./limits.ts";
