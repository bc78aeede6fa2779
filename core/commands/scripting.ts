// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (LOAD, EXISTS, FLUSH, KILL, DEBUG, HELP), as
// Redis 7.0's eval.c. A body is cached by its SHA1 (core/scripting/scripts.ts) and compiled once
// into the server's LuaEngine as `f_<sha>`; running it is core/commands/_script_run.ts's job,
// shared with FCALL. Nothing here propagates: the script's writes go to replicas and the AOF as
// the commands it ran, and SCRIPT LOAD / FLUSH are not propagated in 7.0 (each node has its
// own cache; a replica given EVALSHA would never see one anyway under effects replication).

import { fail } from "../errors.ts";
import { isCWord } from "../bytes.ts";
import {
  type CachedScript,
  normalizeSha,
  parseShebang,
  scriptSha1Hex,
} from "../scripting/scripts.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { int64Arg } from "./_args.ts";
import { writeHelp } from "./_help.ts";
import { killBusyScript, luaEngineOf, runScript } from "./_script_run.ts";

/** Redis's shared.noscripterr. */
const ERR_NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

/**
 * The cached script for `body`, compiling and caching it first if needed (luaCreateFunction);
 * throws the error reply for a bad shebang or a compile error.
 */
function scriptForBody(ctx: CommandContext, body: Uint8Array): CachedScript {
  const lua = luaEngineOf(ctx);
  const sha = scriptSha1Hex(body);
  const cached = ctx.server.scripts.get(sha);
  if (cached !== undefined) return cached;
  const shebang = parseShebang(body);
  if ("error" in shebang) fail(`ERR ${shebang.error}`);
  const script = { functionName: `f_${sha}` };
  // The shebang line is skipped, its line feed kept: line numbers stay the user's.
  const compileError = lua.compile(script.functionName, body.subarray(shebang.shebangLenBytes));
  if (compileError !== null) fail(compileError.error);
  return ctx.server.scripts.add(sha, body, shebang.flags, shebang.compatMode);
}

/**
 * EVAL script numkeys [key ...] [arg ...] (and EVALSHA sha1 …, and their _RO forms). Replies
 * what the script returns, or: NOSCRIPT (EVALSHA of an unknown or malformed SHA), a numkeys
 * error, a shebang or compile error, a refusal before the run (flags), the script's error.
 */
function evalGeneric(
  ctx: CommandContext,
  bySha: boolean,
  roCommand: boolean,
): void | Promise<void> {
  const { argv } = ctx;
  luaEngineOf(ctx);
  // evalShaCommand: a SHA of the wrong length cannot match, answered before anything else.
  const sha = bySha ? normalizeSha(argv[1]) : null;
  if (bySha && sha === null) fail(ERR_NOSCRIPT);
  const numkeys = int64Arg(argv[2]);
  if (numkeys > BigInt(argv.length - 3)) {
    fail("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0n) fail("ERR Number of keys can't be negative");
  let script: CachedScript;
  if (sha !== null) {
    const cached = ctx.server.scripts.get(sha);
    if (cached === undefined) fail(ERR_NOSCRIPT);
    script = cached;
  } else {
    script = scriptForBody(ctx, argv[1]);
  }
  const keyEnd = 3 + Number(numkeys);
  return runScript(ctx, {
    functionName: script.functionName,
    keys: argv.slice(3, keyEnd),
    args: argv.slice(keyEnd),
    mode: "eval",
    readOnly: roCommand || (!script.compatMode && script.flags.noWrites),
    flags: { ...script.flags },
    evalCompatMode: script.compatMode,
    roCommand,
  });
}

function evalCommand(ctx: CommandContext): void | Promise<void> {
  return evalGeneric(ctx, false, false);
}

function evalShaCommand(ctx: CommandContext): void | Promise<void> {
  return evalGeneric(ctx, true, false);
}

function evalRoCommand(ctx: CommandContext): void | Promise<void> {
  return evalGeneric(ctx, false, true);
}

function evalShaRoCommand(ctx: CommandContext): void | Promise<void> {
  return evalGeneric(ctx, true, true);
}

/** SCRIPT LOAD script: compiles and caches it; replies its SHA1. */
function scriptLoadCommand(ctx: CommandContext): void {
  const script = scriptForBody(ctx, ctx.argv[2]);
  ctx.out.bulkString(script.sha);
}

/** SCRIPT EXISTS sha1 [sha1 ...]: 1 or 0 per SHA (compared without case, as Redis's dict). */
function scriptExistsCommand(ctx: CommandContext): void {
  const { argv, out, server } = ctx;
  out.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    out.integer(server.scripts.has(latin1Decoder.decode(argv[i])) ? 1 : 0);
  }
}

const latin1Decoder = new TextDecoder("latin1");

/**
 * SCRIPT FLUSH [ASYNC|SYNC]: empties the cache and drops the compiled functions. Both modes
 * are synchronous here (the cache holds bodies only; nothing is worth a background free).
 */
function scriptFlushCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  const lua = luaEngineOf(ctx);
  const modeOk = argv.length === 2 ||
    (argv.length === 3 && (isCWord(argv[2], "sync") || isCWord(argv[2], "async")));
  if (!modeOk) fail("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  for (const script of ctx.server.scripts.flush()) lua.forget(script.functionName);
  ctx.out.simple("OK");
}

/**
 * SCRIPT KILL: stops the busy EVAL script at its next interrupt check, unless it wrote (a
 * script from the master never pauses, so it is never the busy one: see _script_run.ts).
 */
function scriptKillCommand(ctx: CommandContext): void {
  killBusyScript(ctx, true);
}

/** SCRIPT DEBUG YES|SYNC|NO: the Lua debugger is not available; NO (its default) is accepted. */
function scriptDebugCommand(ctx: CommandContext): void {
  const mode = ctx.argv[2];
  if (isCWord(mode, "no")) return ctx.out.simple("OK");
  if (isCWord(mode, "yes") || isCWord(mode, "sync")) {
    fail("ERR resplica: the Lua debugger (SCRIPT DEBUG YES|SYNC) is not supported");
  }
  fail("ERR Use SCRIPT DEBUG YES/SYNC/NO");
}

/** SCRIPT HELP: Redis 7.0's text. */
const SCRIPT_HELP_LINES = [
  "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DEBUG (YES|SYNC|NO)",
  "    Set the debug mode for subsequent scripts executed.",
  "EXISTS <sha1> [<sha1> ...]",
  "    Return information about the existence of the scripts in the script cache.",
  "FLUSH [ASYNC|SYNC]",
  "    Flush the Lua scripts cache. Very dangerous on replicas.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the scripts cache.",
  "    * SYNC: Synchronously flush the scripts cache.",
  "KILL",
  "    Kill the currently executing Lua script.",
  "LOAD <script>",
  "    Load a script into the scripts cache without executing it.",
  "HELP",
  "    Prints this help.",
];

function scriptHelpCommand(ctx: CommandContext): void {
  writeHelp(ctx.out, SCRIPT_HELP_LINES);
}

const EVAL_FLAGS = [
  "noscript",
  "skip_monitor",
  "may_replicate",
  "no_mandatory_keys",
  "stale",
  "movablekeys",
];
const EVAL_RO_FLAGS = [
  "noscript",
  "skip_monitor",
  "no_mandatory_keys",
  "stale",
  "readonly",
  "movablekeys",
];
const EVAL_COMPLEXITY = "Depends on the script that is executed.";

export const SCRIPTING_COMMANDS: CommandDefinition[] = [
  {
    name: "eval",
    arity: -3,
    flags: EVAL_FLAGS,
    categories: ["slow", "scripting"],
    group: "scripting",
    summary: "Execute a Lua script server side",
    since: "2.6.0",
    complexity: EVAL_COMPLEXITY,
    handler: evalCommand,
  },
  {
    name: "evalsha",
    arity: -3,
    flags: EVAL_FLAGS,
    categories: ["slow", "scripting"],
    group: "scripting",
    summary: "Execute a Lua script server side",
    since: "2.6.0",
    complexity: EVAL_COMPLEXITY,
    handler: evalShaCommand,
  },
  {
    name: "eval_ro",
    arity: -3,
    flags: EVAL_RO_FLAGS,
    categories: ["slow", "scripting"],
    group: "scripting",
    summary: "Execute a read-only Lua script server side",
    since: "7.0.0",
    complexity: EVAL_COMPLEXITY,
    handler: evalRoCommand,
  },
  {
    name: "evalsha_ro",
    arity: -3,
    flags: EVAL_RO_FLAGS,
    categories: ["slow", "scripting"],
    group: "scripting",
    summary: "Execute a read-only Lua script server side",
    since: "7.0.0",
    complexity: EVAL_COMPLEXITY,
    handler: evalShaRoCommand,
  },
  {
    name: "script",
    arity: -2,
    group: "scripting",
    summary: "A container for Lua scripts management commands",
    since: "2.6.0",
    complexity: "Depends on subcommand.",
    categories: ["slow"],
    subcommands: [
      {
        name: "debug",
        arity: 3,
        flags: ["noscript"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Set the debug mode for executed scripts.",
        since: "3.2.0",
        handler: scriptDebugCommand,
      },
      {
        name: "exists",
        arity: -3,
        flags: ["noscript"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Check existence of scripts in the script cache.",
        since: "2.6.0",
        complexity: "O(N) with N being the number of scripts to check (so checking a single " +
          "script is an O(1) operation).",
        tips: ["request_policy:all_shards", "response_policy:agg_logical_and"],
        handler: scriptExistsCommand,
      },
      {
        name: "flush",
        arity: -2,
        flags: ["noscript"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Remove all the scripts from the script cache.",
        since: "2.6.0",
        complexity: "O(N) with N being the number of scripts in cache",
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: scriptFlushCommand,
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Show helpful text about the different subcommands",
        since: "5.0.0",
        handler: scriptHelpCommand,
      },
      {
        name: "kill",
        arity: 2,
        flags: ["noscript", "allow_busy"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Kill the script currently in execution.",
        since: "2.6.0",
        tips: ["request_policy:all_shards", "response_policy:one_succeeded"],
        handler: scriptKillCommand,
      },
      {
        name: "load",
        arity: 3,
        flags: ["noscript", "stale"],
        categories: ["slow", "scripting"],
        group: "scripting",
        summary: "Load the specified Lua script into the script cache.",
        since: "2.6.0",
        complexity: "O(N) with N being the length in bytes of the script body.",
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: scriptLoadCommand,
      },
    ],
  },
];
