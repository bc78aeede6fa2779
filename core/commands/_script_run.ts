// The script runner shared by EVAL (core/commands/scripting.ts) and FCALL (functions.ts): Redis
// 7.0's script.c around the LuaEngine. It owns the three things between a script and the server:
//
//   caller ── runScript ──► checks before the run (scriptPrepareForRun: stale, write flag on a
//     │                     read-only replica or under *_RO, min-replicas, allow-oom)
//     │                 ──► LuaEngine.call(functionName, keys, args, host, mode)
//     │                         │ redis.call / redis.pcall
//     │                         ▼
//     │                     host.call: scriptCall's checks in its order (lookup and arity,
//     │                     noscript, stale, ACL, read-only script, replica, min-replicas, OOM),
//     │                     then the handler, run synchronously by the dispatcher
//     │                     (runHandlerSync) as the server's script client: the caller's user and
//     │                     db, RESP as redis.setresp chose, blocking commands time out at once
//     │                 ◄── the reply bytes, parsed back into a LuaReply
//     ▼
//   the script's result, encoded for the caller; then its writes, captured while it ran
//   (ServerState.propagationCapture), go to the AOF and replicas as the commands themselves,
//   wrapped in MULTI … EXEC when more than one (Redis 7.0's effects replication; EVAL itself is
//   never propagated), each to the targets redis.set_repl chose.
//
// Busy scripts, as Redis 7.0 (script.c scriptInterrupt): a script runs with no other client in
// between until it passes busy-reply-threshold. From then on the engine's interrupt hook pauses
// it every HOOK_INSTRUCTION_COUNT instructions (the Lua module unwinds its stack: _wasm_lua.ts)
// and the handler goes on as a promise, one event-loop turn per pause: other clients get -BUSY
// except for the allow_busy commands (dispatch.ts), SCRIPT KILL / FUNCTION KILL set the stop
// the next check returns, SHUTDOWN NOSAVE abandons the script, and cron, the master link and
// blocked clients wait for it (ServerState.busyScript). A run whose caller cannot wait (inside
// EXEC, from the master link, while loading) never pauses; such a run is stopped past
// busy-script-kill-threshold (resplica-native, 0 = never) since nothing else could reach it. A
// stopped script keeps what it wrote and its effects are propagated, as Redis propagates those
// of a script that failed midway.

import { busyErrorText, ERR_NOREPLICAS, ERR_OOM, ERR_READONLY, fail } from "../errors.ts";
import type { LuaEngine, LuaHost, LuaReply } from "../scripting/lua/mod.ts";
import { isErrorReply, LuaPausedCall, PAUSE_LUA } from "../scripting/lua/mod.ts";
import type { ScriptFlags } from "../scripting/scripts.ts";
import { ReplyWriter, RespReader } from "../resp/mod.ts";
import { AclDenial } from "../sessions/acl.ts";
import { ClientState } from "../sessions/client.ts";
import {
  type BusyScript,
  CallOutcome,
  type CapturedWrite,
  PROPAGATE_ALL,
  type ServerState,
} from "../state/server_state.ts";
import type { CommandContext, CommandSpec, CommandTable } from "./context.ts";
import { commandTableOf, logDenial, runHandlerSync } from "./dispatch.ts";

export type { ScriptFlags };

/** One script invocation, as EVAL* and FCALL* describe it to the runner. */
export interface ScriptCall {
  /** The name the function has in the LuaEngine. */
  functionName: string;
  keys: Uint8Array[];
  args: Uint8Array[];
  /** LuaEngine.call mode. */
  mode: "eval" | "fcall";
  /** EVAL_RO / EVALSHA_RO / FCALL_RO, or the no-writes flag: write commands are refused. */
  readOnly: boolean;
  flags: ScriptFlags;
  /**
   * An EVAL body without a shebang (SCRIPT_FLAG_EVAL_COMPAT_MODE): the flags are ignored and
   * the pre-7.0 rules apply. @default false
   */
  evalCompatMode?: boolean;
  /** The command was EVAL_RO / EVALSHA_RO / FCALL_RO (not just a no-writes script). @default readOnly && !flags.noWrites */
  roCommand?: boolean;
  /** The name FUNCTION STATS and the slow-script log give the script. @default functionName */
  displayName?: string;
}

/** The error scripting commands reply when the server has no Lua state. */
export const ERR_NO_SCRIPTING = "ERR scripting is not available on this server";

// Redis's texts (script.c, script_lua.c).
const ERR_UNKNOWN_COMMAND = "ERR Unknown Redis command called from script";
const ERR_WRONG_ARITY = "ERR Wrong number of args calling Redis command from script";
const ERR_NOSCRIPT_COMMAND = "ERR This Redis command is not allowed from script";
const ERR_STALE_COMMAND = "ERR Can not execute the command on a stale replica";
const ERR_READONLY_SCRIPT = "ERR Write commands are not allowed from read-only scripts.";
/** SCRIPT KILL / FUNCTION KILL reached the script (script_lua.c luaMaskCountHook). */
const ERR_KILLED_BY_USER = "ERR Script killed by user with SCRIPT KILL...";
/** resplica's own: a script that cannot pause outran busy-script-kill-threshold. */
const ERR_KILLED_BY_SERVER =
  "ERR Script killed by the server: it ran past busy-script-kill-threshold where no client " +
  "could reach it (inside EXEC, from the master, or while loading)";
/** resplica's own: SHUTDOWN NOSAVE ended the server while the script ran. */
const ERR_KILLED_BY_SHUTDOWN = "ERR Script stopped by SHUTDOWN NOSAVE";
const ACL_DENIAL_TEXTS: Readonly<Record<number, string>> = {
  [AclDenial.Command]: "can't run this command or subcommand",
  [AclDenial.Key]: "can't access at least one of the keys mentioned in the command arguments",
  [AclDenial.Channel]: "can't publish to the channel mentioned in the command",
};

/**
 * Commands Redis 7.0 flags may_replicate that read-only scripts may not call although they are
 * not writes: PUBLISH carries the flag in the table here; PFCOUNT (which may rewrite its cached
 * cardinality) does not, so it is named.
 */
const MAY_REPLICATE_FLAGS = ["may_replicate", "may-replicate"];
const MAY_REPLICATE_COMMANDS = new Set(["pfcount"]);

/** The server's LuaEngine, or throws the error reply used when scripting is unavailable. */
export function luaEngineOf(ctx: CommandContext): LuaEngine {
  const lua = ctx.server.lua;
  if (lua === null) fail(ERR_NO_SCRIPTING);
  return lua;
}

/** What one run keeps between the script's redis.call calls (Redis's scriptRunCtx). */
interface ScriptRun {
  readonly server: ServerState;
  readonly table: CommandTable;
  readonly caller: ClientState;
  readonly client: ClientState;
  readonly nowMs: number;
  readonly readOnly: boolean;
  readonly allowOom: boolean;
  /** Used memory was over maxmemory when the script started (pre_command_oom_state). */
  readonly oomAtStart: boolean;
  /** A write command ran: later writes may no longer be refused (SCRIPT_WRITE_DIRTY). */
  writeDirty: boolean;
}

/** Runs the call, writes its reply to ctx.out, and arranges propagation of its effects. */
export function runScript(ctx: CommandContext, call: ScriptCall): void | Promise<void> {
  const lua = luaEngineOf(ctx);
  const { server } = ctx;
  const table = commandTableOf(server);
  if (table === undefined) fail(ERR_NO_SCRIPTING);
  if (server.propagationCapture !== null) fail("ERR resplica: a script is already running");
  const refusal = refusalBeforeRun(ctx, call);
  if (refusal !== null) fail(refusal);
  const compat = call.evalCompatMode ?? false;
  const run: ScriptRun = {
    server,
    table,
    caller: ctx.client,
    client: scriptClientFor(ctx),
    nowMs: ctx.nowMs,
    readOnly: call.readOnly || (!compat && call.flags.noWrites),
    allowOom: !compat && call.flags.allowOom,
    oomAtStart: server.maxmemoryBytes > 0 &&
      server.engine.usedMemoryBytes() > server.maxmemoryBytes,
    writeDirty: false,
  };
  const watch = new ScriptWatch(ctx, call, run);
  const host: LuaHost = {
    call: (argv) => scriptCommand(run, argv),
    checkInterrupt: () => watch.check(),
    setResp: (resp) => run.client.writer.protocol = resp,
    setRepl: (flags) => server.propagationCaptureTargets = flags & PROPAGATE_ALL,
    log: (level, message) => logFromScript(server, level, message),
    aclCheckCmd: (argv) => aclCheckFromScript(run, argv),
  };
  server.propagationCapture = [];
  server.propagationCaptureTargets = PROPAGATE_ALL;
  let result: LuaReply | LuaPausedCall;
  try {
    result = lua.call(call.functionName, call.keys, call.args, host, call.mode);
  } catch (error) {
    endCapture(run);
    throw error;
  }
  if (result instanceof LuaPausedCall) return runPaused(ctx, run, watch, result);
  finishRun(ctx, run, result, endCapture(run));
}

/** SCRIPT KILL (isEval) / FUNCTION KILL: Redis's scriptKill checks, in its order. */
export function killBusyScript(ctx: CommandContext, isEval: boolean): void {
  const busy = ctx.server.busyScript;
  if (busy === null) fail("NOTBUSY No scripts in execution right now.");
  if (busy.writeDirty) {
    fail(
      "UNKILLABLE Sorry the script already executed write commands against the dataset. You " +
        "can either wait the script termination or kill the server in a hard way using the " +
        "SHUTDOWN NOSAVE command.",
    );
  }
  if (isEval !== busy.isEval) fail(busyErrorText(busy.isEval));
  busy.kill();
  ctx.out.simple("OK");
}

/**
 * Goes on with a script that paused past busy-reply-threshold: one event-loop turn between
 * pauses (other clients get -BUSY, KILL reaches the script), until it ends.
 */
async function runPaused(
  ctx: CommandContext,
  run: ScriptRun,
  watch: ScriptWatch,
  paused: LuaPausedCall,
): Promise<void> {
  let result: LuaReply | LuaPausedCall = paused;
  let captured: CapturedWrite[];
  try {
    try {
      while (result instanceof LuaPausedCall) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        result = result.resume();
      }
    } finally {
      captured = endCapture(run);
      watch.end();
    }
    finishRun(ctx, run, result, watch.abandoned ? [] : captured);
  } finally {
    watch.settle();
  }
}

/** Stops capturing the script's writes and returns them. */
function endCapture(run: ScriptRun): CapturedWrite[] {
  const { server } = run;
  const captured = server.propagationCapture ?? [];
  server.propagationCapture = null;
  server.propagationCaptureTargets = PROPAGATE_ALL;
  run.client.writer.reset();
  return captured;
}

/** The end of a run: the script's result to its caller, its writes to the AOF and replicas. */
function finishRun(
  ctx: CommandContext,
  run: ScriptRun,
  reply: LuaReply,
  captured: readonly CapturedWrite[],
): void {
  const { server } = run;
  if (isErrorReply(reply)) {
    // An error a redis.call raised was counted when that command replied it; the script is
    // still charged with a failed call (afterErrorReply's ERR_REPLY_FLAG_NO_STATS_UPDATE).
    if (reply.statsCounted) server.stats.commandStat(ctx.spec.fullName).failedCalls++;
    else server.stats.countErrorReply(reply.error);
  }
  writeLuaReply(ctx.out, reply);
  // EVAL / FCALL themselves are never propagated: only what the script wrote.
  ctx.propagateAs = [];
  propagateCaptured(server, ctx.client, captured);
}

/**
 * Watches one run's time (Redis's scriptInterrupt): past busy-reply-threshold it pauses the
 * script at every interrupt check, and the first time it makes the run the server's busy
 * script. Only a run whose caller can wait may pause: not inside EXEC, not from the master link
 * or while loading, where the handler must finish synchronously. Those runs are stopped past
 * busy-script-kill-threshold instead, as nothing else can reach them.
 */
class ScriptWatch implements BusyScript {
  readonly isEval: boolean;
  readonly functionName: string;
  readonly callerArgv: readonly Uint8Array[];
  readonly startedMs = performance.now();
  readonly ended: Promise<void>;
  abandoned = false;
  readonly #server: ServerState;
  readonly #run: ScriptRun;
  readonly #mayPause: boolean;
  readonly #busyAfterMs: number;
  readonly #killAfterMs: number;
  #stopText: string | null = null;
  #settle: () => void = () => {};

  constructor(ctx: CommandContext, call: ScriptCall, run: ScriptRun) {
    const { server, client } = ctx;
    this.#server = server;
    this.#run = run;
    this.isEval = call.mode === "eval";
    this.functionName = call.displayName ?? call.functionName;
    this.callerArgv = ctx.argv;
    this.#mayPause = !client.executingMulti && !client.isMaster && !server.loading;
    this.#busyAfterMs = server.config.getNumber("busy-reply-threshold");
    this.#killAfterMs = server.config.getNumber("busy-script-kill-threshold");
    this.ended = new Promise((resolve) => this.#settle = resolve);
  }

  get writeDirty(): boolean {
    return this.#run.writeDirty;
  }

  kill(): void {
    if (this.#stopText !== null) return;
    this.#server.log.warning("Lua script killed by user with SCRIPT KILL.");
    this.#stopText = ERR_KILLED_BY_USER;
  }

  abandon(): void {
    this.abandoned = true;
    this.#stopText ??= ERR_KILLED_BY_SHUTDOWN;
  }

  /** The host's interrupt check: go on (null), stop (error text), or pause. */
  check(): string | null | typeof PAUSE_LUA {
    if (this.#stopText !== null) return this.#stopText;
    const elapsedMs = performance.now() - this.startedMs;
    if (!this.#mayPause) {
      if (this.#killAfterMs > 0 && elapsedMs > this.#killAfterMs) {
        this.#stopText =
          `${ERR_KILLED_BY_SERVER} (busy-script-kill-threshold is ${this.#killAfterMs} ms)`;
        return this.#stopText;
      }
      return null;
    }
    if (elapsedMs < this.#busyAfterMs) return null;
    if (this.#server.busyScript !== this) {
      this.#server.log.warning(
        `Slow script detected: still in execution after ${Math.round(elapsedMs)} milliseconds. ` +
          `You can try killing the script using the ${
            this.isEval ? "SCRIPT KILL" : "FUNCTION KILL"
          } command. Script name is: ${this.functionName}.`,
      );
      this.#server.busyScript = this;
    }
    return PAUSE_LUA;
  }

  /** The script ended: the server is no longer busy with it. */
  end(): void {
    if (this.#server.busyScript === this) this.#server.busyScript = null;
  }

  /** Its effects went out: whoever waited for it (the master link) may go on. */
  settle(): void {
    this.#settle();
  }
}

/**
 * scriptPrepareForRun's refusals, before the script starts; null when it may run. Scripts in
 * compatibility mode (EVAL without shebang) only meet the stale check.
 */
function refusalBeforeRun(ctx: CommandContext, call: ScriptCall): string | null {
  const { server, client } = ctx;
  const stale = server.isReplica && !(server.replicaLink?.linkUp ?? false) &&
    !server.config.getBool("replica-serve-stale-data");
  if (call.evalCompatMode ?? false) {
    return stale
      ? "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
      : null;
  }
  const flags = call.flags;
  if (stale && !flags.allowStale) {
    return "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' " +
      "and 'allow-stale' flag is not set on the script.";
  }
  if (!flags.noWrites) {
    if (server.isReplica && server.config.getBool("replica-read-only") && !client.isMaster) {
      return "READONLY Can not run script with write flag on readonly replica";
    }
    const roCommand = call.roCommand ?? (call.readOnly && !flags.noWrites);
    if (roCommand) return "ERR Can not execute a script with write flag using *_ro command.";
    if (
      !server.isReplica && server.minReplicasToWrite > 0 &&
      !server.replication.enoughGoodReplicas(ctx.nowMs)
    ) return ERR_NOREPLICAS;
  }
  const overMemory = server.maxmemoryBytes > 0 &&
    server.engine.usedMemoryBytes() > server.maxmemoryBytes;
  if (overMemory && !flags.allowOom && !flags.noWrites) {
    return "OOM allow-oom flag is not set on the script, can not run it when used memory > " +
      "'maxmemory'";
  }
  return null;
}

/** The per-server client scripts run their commands as (Redis's lua_client). */
const scriptClients = new WeakMap<ServerState, ClientState>();

/** True when `client` is the client scripts run their commands as. */
export function isScriptClient(server: ServerState, client: ClientState): boolean {
  return scriptClients.get(server) === client;
}

/**
 * Servers where DEBUG SET-DISABLE-DENY-SCRIPTS 1 lets scripts call commands flagged noscript
 * (Redis's server.script_disable_deny_script; the test suite uses it to reach DEBUG and
 * CLIENT from scripts). Kept here, beside the one check it changes.
 */
const denyScriptsDisabled = new WeakSet<ServerState>();

/** DEBUG SET-DISABLE-DENY-SCRIPTS: `disabled` lets scripts call noscript commands. */
export function setDenyScriptsDisabled(server: ServerState, disabled: boolean): void {
  if (disabled) denyScriptsDisabled.add(server);
  else denyScriptsDisabled.delete(server);
}

/** The script client, set up for a run by `ctx.client`: its user and db, RESP2, no blocking. */
function scriptClientFor(ctx: CommandContext): ClientState {
  const { server, client: caller } = ctx;
  let client = scriptClients.get(server);
  if (client === undefined) {
    client = new ClientState(0, "lua", "lua", new RespReader(), new ReplyWriter(), true, ctx.nowMs);
    client.name = "lua";
    scriptClients.set(server, client);
  }
  client.user = caller.user;
  client.db = caller.db;
  client.authenticated = true;
  client.isMaster = caller.isMaster;
  // Scripts never block: blocking commands answer as if their timeout had passed, and blocked
  // clients a write readies are served after the script, as after EXEC.
  client.executingMulti = true;
  client.writer.reset();
  client.writer.protocol = 2;
  return client;
}

/** redis.call / redis.pcall: scriptCall's checks in Redis's order, then the command. */
function scriptCommand(run: ScriptRun, argv: Uint8Array[]): LuaReply {
  const { server, client } = run;
  const resolved = run.table.resolve(argv);
  if (typeof resolved === "string") {
    return rejected(
      server,
      resolved.startsWith("ERR wrong number") ? ERR_WRONG_ARITY : ERR_UNKNOWN_COMMAND,
    );
  }
  const spec = resolved;
  if (spec.arity > 0 ? argv.length !== spec.arity : argv.length < -spec.arity) {
    return rejected(server, ERR_WRONG_ARITY, spec);
  }
  if (spec.flags.includes("noscript") && !denyScriptsDisabled.has(server)) {
    return rejected(server, ERR_NOSCRIPT_COMMAND, spec);
  }
  if (
    server.isReplica && !(server.replicaLink?.linkUp ?? false) &&
    !server.config.getBool("replica-serve-stale-data") && !spec.flags.includes("stale")
  ) return rejected(server, ERR_STALE_COMMAND, spec);
  const user = client.user;
  if (user !== null && !user.unrestricted) {
    const denial = server.acl.checkCommand(user, spec, argv);
    if (denial !== AclDenial.None) {
      logDenial(server, run.caller, user, denial, "lua", spec, argv, run.nowMs);
      return rejected(
        server,
        `ERR The user executing the script ${ACL_DENIAL_TEXTS[denial]}`,
        spec,
      );
    }
  }
  const writeRefusal = writeRefusalOf(run, spec);
  if (writeRefusal !== null) return rejected(server, writeRefusal, spec);
  if (
    !run.allowOom && server.maxmemoryBytes > 0 && !run.caller.isMaster && !run.writeDirty &&
    run.oomAtStart && spec.denyOom
  ) return rejected(server, ERR_OOM, spec);
  if (spec.isWrite) run.writeDirty = true;
  const blockRefusal = blockOptionRefusal(spec, argv);
  if (blockRefusal !== null) return rejected(server, blockRefusal);
  server.stats.commandsProcessed++;
  client.lastCommand = spec.fullName;
  client.writer.reset();
  runHandlerSync(server, client, spec, argv, run.nowMs);
  const reply = parseReply(client.writer.view());
  client.writer.reset();
  return reply;
}

/** The commands whose BLOCK option Redis refuses in scripts, in their own argument parsing. */
const BLOCK_OPTION_COMMANDS = new Set(["xread", "xreadgroup"]);

/**
 * XREAD / XREADGROUP with BLOCK from a script: Redis refuses it while parsing the options
 * (t_stream.c xreadCommand) rather than answering as if the timeout had passed, as it does for
 * other blocking commands. Null when the command may run.
 */
function blockOptionRefusal(spec: CommandSpec, argv: Uint8Array[]): string | null {
  if (!BLOCK_OPTION_COMMANDS.has(spec.fullName)) return null;
  for (let i = 1; i < argv.length - 1; i++) {
    const option = latin1Decoder.decode(argv[i]).toLowerCase();
    if (option === "streams") break;
    if (option === "count") i++;
    else if (option === "group") i += 2;
    else if (option === "block") {
      return `ERR ${
        latin1Decoder.decode(argv[0])
      } command is not allowed with BLOCK option from scripts`;
    }
  }
  return null;
}

/** Whether Redis 7.0 would flag `spec` may_replicate (see MAY_REPLICATE_FLAGS). */
function mayReplicate(spec: CommandSpec): boolean {
  return MAY_REPLICATE_FLAGS.some((flag) => spec.flags.includes(flag)) ||
    MAY_REPLICATE_COMMANDS.has(spec.fullName);
}

/** scriptVerifyWriteCommandAllow: null when the command may run. */
function writeRefusalOf(run: ScriptRun, spec: CommandSpec): string | null {
  const { server } = run;
  // The flag scan only for read-only scripts: it runs on every redis.call otherwise.
  if (run.readOnly && (spec.isWrite || mayReplicate(spec))) return ERR_READONLY_SCRIPT;
  if (!spec.isWrite || run.writeDirty) return null;
  if (server.isReplica && server.config.getBool("replica-read-only") && !run.caller.isMaster) {
    return ERR_READONLY;
  }
  if (
    !server.isReplica && server.minReplicasToWrite > 0 &&
    !server.replication.enoughGoodReplicas(run.nowMs)
  ) return ERR_NOREPLICAS;
  return null;
}

/**
 * A command refused before it ran: counted as an error reply (afterErrorReply) and against the
 * command's rejected_calls when it is known (scriptCall's incrCommandStatsOnError).
 */
function rejected(server: ServerState, text: string, spec: CommandSpec | null = null): LuaReply {
  server.stats.countErrorReply(text);
  const stat = spec === null ? null : server.stats.commandStat(spec.fullName);
  server.stats.attributeErrors(stat, CallOutcome.Rejected);
  return { error: text };
}

/** redis.acl_check_cmd: whether the caller's user may run argv; null for an unknown command. */
function aclCheckFromScript(run: ScriptRun, argv: Uint8Array[]): boolean | null {
  const resolved = run.table.resolve(argv);
  if (typeof resolved === "string") return null;
  const user = run.client.user;
  if (user === null || user.unrestricted) return true;
  return run.server.acl.checkCommand(user, resolved, argv) === AclDenial.None;
}

const LOG_LEVELS = ["debug", "verbose", "notice", "warning"] as const;
const logDecoder = new TextDecoder();

/** redis.log: to the server log at the script's level. */
function logFromScript(server: ServerState, level: number, message: Uint8Array): void {
  const name = LOG_LEVELS[level] ?? "notice";
  server.log[name](logDecoder.decode(message));
}

/**
 * Sends a script's captured writes on: alone when there is one; else between MULTI and EXEC
 * (SELECT before MULTI, with the first write's db), unless the script ran inside EXEC, whose
 * own MULTI … EXEC already holds them (Redis's propagate_no_multi / nested also_propagate).
 */
function propagateCaptured(
  server: ServerState,
  caller: ClientState,
  captured: readonly CapturedWrite[],
): void {
  if (captured.length === 0) return;
  const wrap = captured.length > 1 && !caller.executingMulti;
  if (wrap) server.propagate(captured[0].db, ["MULTI"]);
  for (const write of captured) server.propagate(write.db, write.argv, write.targets);
  if (wrap) server.propagate(captured[captured.length - 1].db, ["EXEC"]);
  caller.replWriteOffset = server.replication.masterReplOffset;
}

// ---- replies -------------------------------------------------------------------------------

/** Writes a script's result for its caller (luaReplyToRedisReply: RESP3 types fall back). */
export function writeLuaReply(out: ReplyWriter, reply: LuaReply): void {
  if (reply === null) {
    out.nullBulk();
  } else if (typeof reply === "bigint") {
    out.integer(reply);
  } else if (reply instanceof Uint8Array) {
    out.bulk(reply);
  } else if (typeof reply === "boolean") {
    out.boolean(reply);
  } else if (Array.isArray(reply)) {
    out.arrayHeader(reply.length);
    for (const item of reply) writeLuaReply(out, item);
  } else if ("status" in reply) {
    out.simple(reply.status);
  } else if ("error" in reply) {
    out.error(reply.error);
  } else if ("map" in reply) {
    out.mapHeader(reply.map.length);
    for (const [key, value] of reply.map) {
      writeLuaReply(out, key);
      writeLuaReply(out, value);
    }
  } else if ("set" in reply) {
    out.setHeader(reply.set.length);
    for (const item of reply.set) writeLuaReply(out, item);
  } else if ("double" in reply) {
    out.double(reply.double);
  } else if ("bignum" in reply) {
    if (out.protocol === 3) out.raw(encoder.encode(`(${reply.bignum}\r\n`));
    else out.bulkString(reply.bignum);
  } else if (out.protocol === 3) {
    const format = reply.format.padEnd(VERBATIM_FORMAT_LEN_CHARS, " ").slice(0, 3);
    out.raw(
      encoder.encode(`=${reply.verbatim.length + VERBATIM_FORMAT_LEN_CHARS + 1}\r\n${format}:`),
    );
    out.raw(reply.verbatim);
    out.raw(CRLF);
  } else {
    out.bulk(reply.verbatim);
  }
}

const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");
const VERBATIM_FORMAT_LEN_CHARS = 3;
/** Nesting a command reply may have (Redis's own replies nest a few levels at most). */
const REPLY_DEPTH_MAX = 64;

/** Parses one RESP2/RESP3 reply the dispatcher wrote into a LuaReply. */
export function parseReply(bytes: Uint8Array): LuaReply {
  const cursor = { pos: 0 };
  if (bytes.length === 0) return { error: "ERR resplica: the command wrote no reply" };
  return readReply(bytes, cursor, 0);
}

function readLine(bytes: Uint8Array, cursor: { pos: number }): string {
  const start = cursor.pos;
  let end = start;
  while (end + 1 < bytes.length && !(bytes[end] === 0x0d && bytes[end + 1] === 0x0a)) end++;
  if (end + 1 >= bytes.length) throw new RangeError("truncated reply");
  cursor.pos = end + 2;
  // Every redis.call reply has a line ("+OK", ":1", "$5"): short ASCII ones are built here, as
  // a TextDecoder call costs more than they do; the decoder keeps the rest (its "latin1" is
  // windows-1252, which differs from char codes above 0x7f).
  if (end - start > SHORT_LINE_MAX_CHARS) return latin1Decoder.decode(bytes.subarray(start, end));
  let text = "";
  for (let i = start; i < end; i++) {
    if (bytes[i] > ASCII_MAX) return latin1Decoder.decode(bytes.subarray(start, end));
    text += String.fromCharCode(bytes[i]);
  }
  return text;
}

/** Reply lines up to this long are decoded without TextDecoder when ASCII (see readLine). */
const SHORT_LINE_MAX_CHARS = 32;
const ASCII_MAX = 0x7f;

const latin1Decoder = new TextDecoder("latin1");
const utf8Decoder = new TextDecoder();

function readReply(bytes: Uint8Array, cursor: { pos: number }, depth: number): LuaReply {
  if (depth > REPLY_DEPTH_MAX) throw new RangeError("reply nested too deeply");
  const type = bytes[cursor.pos++];
  const line = readLine(bytes, cursor);
  switch (type) {
    case 0x2b /* + */:
      return { status: line };
    case 0x2d /* - */:
      return { error: line, statsCounted: true };
    case 0x3a /* : */:
      return BigInt(line);
    case 0x24 /* $ */:
    case 0x3d /* = */: {
      const length = Number(line);
      if (length < 0) return null;
      const body = bytes.slice(cursor.pos, cursor.pos + length);
      cursor.pos += length + 2;
      if (type === 0x24) return body;
      return {
        verbatim: body.subarray(VERBATIM_FORMAT_LEN_CHARS + 1),
        format: latin1Decoder.decode(body.subarray(0, VERBATIM_FORMAT_LEN_CHARS)),
      };
    }
    case 0x2a /* * */:
    case 0x7e /* ~ */:
    case 0x3e /* > */: {
      const count = Number(line);
      if (count < 0) return null;
      const items: LuaReply[] = [];
      for (let i = 0; i < count; i++) items.push(readReply(bytes, cursor, depth + 1));
      return type === 0x7e ? { set: items } : items;
    }
    case 0x25 /* % */: {
      const map: [LuaReply, LuaReply][] = [];
      for (let i = 0; i < Number(line); i++) {
        const key = readReply(bytes, cursor, depth + 1);
        map.push([key, readReply(bytes, cursor, depth + 1)]);
      }
      return { map };
    }
    case 0x7c /* | */: {
      // An attribute (RESP3) is not a value: scripts see the reply that follows it, as Redis's
      // redisProtocolToLuaType skips attributes.
      for (let i = 0; i < Number(line) * 2; i++) readReply(bytes, cursor, depth + 1);
      return readReply(bytes, cursor, depth);
    }
    case 0x5f /* _ */:
      return null;
    case 0x23 /* # */:
      return line === "t";
    case 0x2c /* , */:
      return { double: parseDouble(line) };
    case 0x28 /* ( */:
      return { bignum: line };
    default:
      return {
        error: `ERR resplica: unexpected reply type ${utf8Decoder.decode(new Uint8Array([type]))}`,
      };
  }
}

function parseDouble(text: string): number {
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (text === "nan" || text === "-nan") return NaN;
  return Number(text);
}
