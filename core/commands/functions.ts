// FUNCTION (LOAD, DELETE, FLUSH, LIST, DUMP, RESTORE, STATS, KILL, HELP), FCALL and FCALL_RO:
// Redis 7.0's functions (functions.c) over the server's FunctionRegistry
// (core/scripting/functions.ts) and LuaEngine, replies and error texts as redis-server 7.0.15.
//
// LOAD, DELETE, FLUSH and RESTORE are writes that change no key: each bumps `dirty`, so the
// dispatcher propagates the command itself to replicas and the AOF, as Redis does. DUMP and
// RESTORE payloads are the RDB codec's (core/rdb/function_payload.ts), byte-compatible with
// redis-server's. FCALL runs through the script runner shared with EVAL (_script_run.ts).
//
// The server's Lua state is created asynchronously after start-up has loaded its files; an AOF
// replayed before it exists (an internal client) has its FUNCTION LOAD / RESTORE kept as code,
// compiled at the first functions command (FunctionRegistry.settle).

import { globMatch, isWord, latin1, parseInt64 } from "../bytes.ts";
import { busyErrorText, fail } from "../errors.ts";
import { decodeFunctionPayload, encodeFunctionPayload } from "../rdb/mod.ts";
import {
  FUNCTION_LOAD_TIMEOUT_MS,
  type FunctionInfo,
  type LibraryInfo,
  type RestorePolicy,
} from "../scripting/functions.ts";
import { LUA_ENGINE_NAME } from "../scripting/functions_meta.ts";
import { LUA_FUNCTION_FLAG_NAMES, type LuaEngine } from "../scripting/lua/mod.ts";
import { writeHelp } from "./_help.ts";
import { killBusyScript, luaEngineOf, runScript, type ScriptFlags } from "./_script_run.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

const FUNCTION_HELP = [
  "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Create a new library with the given library name and code.",
  "DELETE <LIBRARY NAME>",
  "    Delete the given library.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Return general information on all the libraries:",
  "    * Library name",
  "    * The engine used to run the Library",
  "    * Library description",
  "    * Functions list",
  "    * Library code (if WITHCODE is given)",
  "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
  "STATS",
  "    Return information about the current function running:",
  "    * Function name",
  "    * Command used to run the function",
  "    * Duration in MS that the function is running",
  "    If no function is running, return nil",
  "    In addition, returns a list of available engines.",
  "KILL",
  "    Kill the current running function.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete all the libraries.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the libraries.",
  "    * SYNC: Synchronously flush the libraries.",
  "DUMP",
  "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
  "    control how to handle existing libraries (default APPEND):",
  "    * FLUSH: delete all existing libraries.",
  "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
  "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
  "      libraries with the new libraries (notice that even on this option there is a chance of failure",
  "      in case of functions name collision with another library).",
  "HELP",
  "    Prints this help.",
];

/** addReplySubcommandSyntaxError, naming the subcommand as the client typed it. */
function subcommandSyntaxError(ctx: CommandContext): never {
  fail(
    `ERR unknown subcommand or wrong number of arguments for '${
      latin1(ctx.argv[1]).slice(0, 128)
    }'. Try FUNCTION HELP.`,
  );
}

/** The engine, with any libraries adopted before it existed compiled first. */
function settledEngine(ctx: CommandContext): LuaEngine {
  const lua = luaEngineOf(ctx);
  const error = ctx.server.functions.settle(lua);
  if (error !== null) fail(error);
  return lua;
}

/** Redis's mustObeyClient: the master's stream and the AOF replay (internal clients, id 0). */
function isTrusted(ctx: CommandContext): boolean {
  return ctx.client.isMaster || ctx.client.id === 0;
}

/** FUNCTION LOAD's time limit: none for a client Redis must obey. */
function loadTimeoutMs(ctx: CommandContext): number {
  return isTrusted(ctx) ? 0 : FUNCTION_LOAD_TIMEOUT_MS;
}

/** FUNCTION LOAD [REPLACE] code → the library's name. */
function functionLoadCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  let replace = false;
  let index = 2;
  for (; index < argv.length - 1; index++) {
    if (isWord(argv[index], "replace")) replace = true;
    else fail(`ERR Unknown option given: ${latin1(argv[index])}`);
  }
  const { server } = ctx;
  if (server.lua === null && isTrusted(ctx)) {
    const error = server.functions.loadUncompiled([argv[index]], replace ? "replace" : "append");
    if (error !== null) fail(error);
    server.dirty++;
    ctx.out.simple("OK");
    return;
  }
  const lua = luaEngineOf(ctx);
  const result = server.functions.load(argv[index], replace, lua, loadTimeoutMs(ctx));
  if ("error" in result) fail(result.error);
  server.dirty++;
  ctx.out.bulkString(result.name);
}

/** FUNCTION DELETE library-name */
function functionDeleteCommand(ctx: CommandContext): void {
  const lua = ctx.server.lua === null && isTrusted(ctx) ? null : settledEngine(ctx);
  if (!ctx.server.functions.delete(latin1(ctx.argv[2]), lua)) fail("ERR Library not found");
  ctx.server.dirty++;
  ctx.out.simple("OK");
}

/** FUNCTION FLUSH [ASYNC|SYNC] */
function functionFlushCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  if (argv.length > 3) subcommandSyntaxError(ctx);
  if (argv.length === 3 && !isWord(argv[2], "sync") && !isWord(argv[2], "async")) {
    fail("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  ctx.server.functions.flush(ctx.server.lua);
  ctx.server.dirty++;
  ctx.out.simple("OK");
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] */
function functionListCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  let withCode = false;
  let pattern: Uint8Array | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!withCode && isWord(argv[i], "withcode")) {
      withCode = true;
      continue;
    }
    if (pattern === null && isWord(argv[i], "libraryname")) {
      if (i >= argv.length - 1) fail("ERR library name argument was not given");
      pattern = argv[++i];
      continue;
    }
    fail(`ERR Unknown argument ${latin1(argv[i])}`);
  }
  settledEngine(ctx);
  const encoder = new TextEncoder();
  const libraries = [...ctx.server.functions.libraries].filter((library) =>
    pattern === null || globMatch(pattern, encoder.encode(library.name), true)
  );
  out.arrayHeader(libraries.length);
  for (const library of libraries) writeLibrary(ctx, library, withCode);
}

function writeLibrary(ctx: CommandContext, library: LibraryInfo, withCode: boolean): void {
  const { out } = ctx;
  out.mapHeader(withCode ? 4 : 3);
  out.bulkString("library_name");
  out.bulkString(library.name);
  out.bulkString("engine");
  out.bulkString(library.engine);
  out.bulkString("functions");
  out.arrayHeader(library.functions.length);
  for (const fn of library.functions) writeFunction(ctx, fn);
  if (withCode) {
    out.bulkString("library_code");
    out.bulk(library.code);
  }
}

function writeFunction(ctx: CommandContext, fn: FunctionInfo): void {
  const { out } = ctx;
  out.mapHeader(3);
  out.bulkString("name");
  out.bulkString(fn.name);
  out.bulkString("description");
  if (fn.description === null) out.nullBulk();
  else out.bulk(fn.description);
  out.bulkString("flags");
  const names = LUA_FUNCTION_FLAG_NAMES.filter((_, bit) => (fn.flags & (1 << bit)) !== 0);
  out.setHeader(names.length);
  for (const name of names) out.simple(name);
}

/** FUNCTION DUMP → the payload FUNCTION RESTORE takes (redis-server's format). */
function functionDumpCommand(ctx: CommandContext): void {
  const compression = ctx.server.config.getBool("rdbcompression");
  ctx.out.bulk(encodeFunctionPayload(ctx.server.functions.codes(), compression));
}

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] */
function functionRestoreCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  if (argv.length > 4) subcommandSyntaxError(ctx);
  let policy: RestorePolicy = "append";
  if (argv.length === 4) {
    const word = latin1(argv[3]).toLowerCase();
    if (word !== "append" && word !== "replace" && word !== "flush") {
      fail("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
    policy = word;
  }
  const decoded = decodeFunctionPayload(argv[2]);
  if ("error" in decoded) fail("ERR " + decoded.error);
  const error = ctx.server.lua === null && isTrusted(ctx)
    ? ctx.server.functions.loadUncompiled(decoded.codes, policy)
    : ctx.server.functions.restore(decoded.codes, policy, luaEngineOf(ctx));
  if (error !== null) fail(error);
  ctx.server.dirty++;
  ctx.out.simple("OK");
}

/** FUNCTION STATS: the busy function (if any), and the libraries and functions loaded. */
function functionStatsCommand(ctx: CommandContext): void {
  const { out, server } = ctx;
  const busy = server.busyScript;
  if (busy !== null && busy.isEval) fail(busyErrorText(true));
  settledEngine(ctx);
  const registry = server.functions;
  out.mapHeader(2);
  out.bulkString("running_script");
  if (busy === null) {
    out.nullBulk();
  } else {
    out.mapHeader(3);
    out.bulkString("name");
    out.bulkString(busy.functionName);
    out.bulkString("command");
    out.arrayHeader(busy.callerArgv.length);
    for (const arg of busy.callerArgv) out.bulk(arg);
    out.bulkString("duration_ms");
    out.integer(Math.floor(performance.now() - busy.startedMs));
  }
  out.bulkString("engines");
  out.mapHeader(1);
  out.bulkString(LUA_ENGINE_NAME);
  out.mapHeader(2);
  out.bulkString("libraries_count");
  out.integer(registry.libraryCount);
  out.bulkString("functions_count");
  out.integer(registry.functionCount);
}

/** FUNCTION KILL: stops the busy function at its next interrupt check, unless it wrote. */
function functionKillCommand(ctx: CommandContext): void {
  killBusyScript(ctx, false);
}

function scriptFlagsOf(bits: number): ScriptFlags {
  return {
    noWrites: (bits & 1) !== 0,
    allowOom: (bits & 2) !== 0,
    allowStale: (bits & 4) !== 0,
    noCluster: (bits & 8) !== 0,
    allowCrossSlotKeys: (bits & 16) !== 0,
  };
}

/** FCALL / FCALL_RO function numkeys [key …] [arg …] */
function fcallGeneric(ctx: CommandContext, readOnly: boolean): void | Promise<void> {
  const { argv } = ctx;
  settledEngine(ctx);
  const fn = ctx.server.functions.findFunction(latin1(argv[1]));
  if (fn === undefined) fail("ERR Function not found");
  const numkeys = parseInt64(argv[2]);
  if (numkeys === null) fail("ERR Bad number of keys provided");
  if (numkeys > BigInt(argv.length - 3)) {
    fail("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0n) fail("ERR Number of keys can't be negative");
  const keyCount = Number(numkeys);
  const flags = scriptFlagsOf(fn.flags);
  return runScript(ctx, {
    functionName: fn.name,
    keys: argv.slice(3, 3 + keyCount),
    args: argv.slice(3 + keyCount),
    mode: "fcall",
    readOnly: readOnly || flags.noWrites,
    flags,
    roCommand: readOnly,
  });
}

const SCRIPTING = ["scripting"];

export const FUNCTION_COMMANDS: CommandDefinition[] = [
  {
    name: "function",
    arity: -2,
    group: "scripting",
    summary: "A container for function commands.",
    since: "7.0.0",
    categories: ["slow"],
    subcommands: [
      {
        name: "load",
        arity: -3,
        flags: ["write", "denyoom", "noscript"],
        categories: ["write", "slow", "scripting"],
        group: "scripting",
        summary: "Creates a library.",
        since: "7.0.0",
        complexity: "O(1) (considering compilation time is redundant)",
        handler: functionLoadCommand,
      },
      {
        name: "delete",
        arity: 3,
        flags: ["write", "noscript"],
        categories: ["write", "slow", "scripting"],
        group: "scripting",
        summary: "Deletes a library and its functions.",
        since: "7.0.0",
        handler: functionDeleteCommand,
      },
      {
        name: "flush",
        arity: -2,
        flags: ["write", "noscript"],
        categories: ["write", "slow", "scripting"],
        group: "scripting",
        summary: "Deletes all libraries and functions.",
        since: "7.0.0",
        complexity: "O(N) where N is the number of functions deleted",
        handler: functionFlushCommand,
      },
      {
        name: "list",
        arity: -2,
        flags: ["noscript"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Returns information about all libraries.",
        since: "7.0.0",
        complexity: "O(N) where N is the number of functions",
        tips: ["nondeterministic_output_order"],
        handler: functionListCommand,
      },
      {
        name: "dump",
        arity: 2,
        flags: ["noscript"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Dumps all libraries into a serialized binary payload.",
        since: "7.0.0",
        complexity: "O(N) where N is the number of functions",
        handler: functionDumpCommand,
      },
      {
        name: "restore",
        arity: -3,
        flags: ["write", "denyoom", "noscript"],
        categories: ["write", "slow", "scripting"],
        group: "scripting",
        summary: "Restores all libraries from a payload.",
        since: "7.0.0",
        complexity: "O(N) where N is the number of functions on the payload",
        handler: functionRestoreCommand,
      },
      {
        name: "stats",
        arity: 2,
        flags: ["noscript", "allow_busy"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Returns information about a function during execution.",
        since: "7.0.0",
        tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        handler: functionStatsCommand,
      },
      {
        name: "kill",
        arity: 2,
        flags: ["noscript", "allow_busy"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Terminates a function during execution.",
        since: "7.0.0",
        handler: functionKillCommand,
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Returns helpful text about the different subcommands.",
        since: "7.0.0",
        handler: (ctx) => writeHelp(ctx.out, FUNCTION_HELP),
      },
    ],
  },
  {
    name: "fcall",
    arity: -3,
    flags: [
      "noscript",
      "skip_monitor",
      "may_replicate",
      "no_mandatory_keys",
      "stale",
      "movablekeys",
    ],
    categories: SCRIPTING,
    group: "scripting",
    summary: "Invokes a function.",
    since: "7.0.0",
    complexity: "Depends on the function that is executed.",
    handler: (ctx) => fcallGeneric(ctx, false),
  },
  {
    name: "fcall_ro",
    arity: -3,
    flags: ["readonly", "noscript", "skip_monitor", "no_mandatory_keys", "stale", "movablekeys"],
    categories: SCRIPTING,
    group: "scripting",
    summary: "Invokes a read-only function.",
    since: "7.0.0",
    complexity: "Depends on the function that is executed.",
    handler: (ctx) => fcallGeneric(ctx, true),
  },
];
