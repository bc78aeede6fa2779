// The command dispatcher: from one parsed argv to one reply, applying the checks Redis applies
// before a handler runs, in Redis's order: lookup (unknown command), arity, authentication, ACL
// permissions (sessions/acl.ts), MULTI queuing. Handlers can then assume a well-formed call.
// Engine errors (wrong type, out of memory) surface here as error replies, so no handler needs
// its own try/catch.

import { latin1 } from "../bytes.ts";
import { OutOfMemoryError, WrongTypeError } from "../engine/mod.ts";
import {
  busyErrorText,
  CommandError,
  ERR_LOADING,
  ERR_MASTERDOWN,
  ERR_NOAUTH,
  ERR_NOREPLICAS,
  ERR_OOM,
  ERR_READONLY,
  ERR_WRONGTYPE,
  wrongArity,
} from "../errors.ts";
import { AclDenial, type AclLogContext, type AclUser } from "../sessions/acl.ts";
import { ClientState, TrackingFlag } from "../sessions/client.ts";
import { commandKeys } from "../command_meta/keys_of.ts";
import { ReplyWriter, RespReader } from "../resp/mod.ts";
import { CallOutcome, type ServerState } from "../state/server_state.ts";
import { SUBSCRIBE_CONTEXT_COMMANDS } from "./pubsub.ts";
import { type ProtectedConfig, WriteKeysKind } from "../command_meta/spec.ts";
import {
  closeKeyspaceFrame,
  EVICTION_CLIENT_ADDR,
  notifyEvicted,
  openKeyspaceFrame,
} from "./keyspace_events.ts";
import type { CommandContext, CommandSpec, CommandTable } from "./context.ts";
import { heldByPause } from "./client_pause.ts";
import { feedMonitorsAfterRun, feedMonitorsBeforeRun, monitorsActive } from "./monitor.ts";
import {
  recordCallLatency,
  recordFirstCallEstimate,
  watchLatencyTracking,
} from "../state/command_latency.ts";
import { observeCall } from "./slowlog.ts";
import { wrongTypeCountsHit } from "./_keyspace_stats.ts";

/** Commands that run immediately even inside MULTI. */
/** The command flag that lets a command run while a script is busy (Redis's CMD_ALLOW_BUSY). */
const ALLOW_BUSY_FLAG = "allow_busy";
const MULTI_CONTROL_COMMANDS = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);
function arityOk(spec: CommandSpec, argc: number): boolean {
  return spec.arity > 0 ? argc === spec.arity : argc >= -spec.arity;
}

/**
 * The table each server's commands were last dispatched through, for code that runs commands
 * on its own from inside a handler (a script's redis.call, core/commands/_script_run.ts).
 */
const serverTables = new WeakMap<ServerState, CommandTable>();

/** The command table `server` runs commands through; undefined before its first command. */
export function commandTableOf(server: ServerState): CommandTable | undefined {
  return serverTables.get(server);
}

/**
 * Executes one command for `client`, writing its reply into client.writer. Returns a promise
 * only for commands that wait (DEBUG SLEEP, SHUTDOWN); the hot path stays synchronous.
 */
export function executeCommand(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  argv: Uint8Array[],
): void | Promise<void> {
  // Redis's processCommand keeps the CLIENT TRACKING table within tracking-table-max-keys.
  if (server.tracking.clientCount > 0) server.tracking.limitKeys();
  const result = !client.repliesOff && !client.skipNextReply
    ? executeOne(table, server, client, argv)
    : executeSilenced(table, server, client, argv);
  if (client.trackingFlags === 0 && client.trackingPending === null) return result;
  if (result instanceof Promise) return result.then(() => afterTrackedCommand(server, client));
  afterTrackedCommand(server, client);
}

/**
 * After a command of a client with tracking on: CLIENT CACHING lasts for one command (or one
 * transaction; CLIENT subcommands keep it), and the invalidations its command caused for
 * itself go out after its reply (Redis's resetClient, trackingHandlePendingKeyInvalidations).
 */
function afterTrackedCommand(server: ServerState, client: ClientState): void {
  if (!client.inMulti && !client.lastCommand.startsWith("client|")) {
    client.trackingFlags &= ~TrackingFlag.Caching;
  }
  server.tracking.deliverHeld(client);
}

/** The outermost command running (a script's caller), whose keys a script's reads track. */
let outermostSpec: CommandSpec | null = null;
let outermostArgv: Uint8Array[] = [];

/** Read-only commands that track nothing themselves: the reads their scripts run do. */
const UNTRACKED_SCRIPT_COMMANDS = new Set(["eval_ro", "evalsha_ro", "fcall_ro"]);

/**
 * Before a handler runs: the outermost run becomes the tracking registry's current client
 * (Redis's server.current_client). True when this run is the outermost.
 */
function enterRun(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
): boolean {
  if (server.tracking.current !== null) return false;
  server.tracking.current = client;
  outermostSpec = spec;
  outermostArgv = argv;
  return true;
}

/**
 * After a handler ran (its synchronous part): a read-only command's client may now cache the
 * keys it named, and a command run by a script counts as a read of the script's declared keys
 * by the script's caller (Redis's call()).
 */
function leaveRun(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
  outermost: boolean,
): void {
  if (server.tracking.clientCount > 0 && spec.flags.includes("readonly")) {
    rememberReadKeys(server, client, spec, argv);
  }
  if (!outermost) return;
  server.tracking.current = null;
  outermostSpec = null;
  outermostArgv = [];
}

function rememberReadKeys(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
): void {
  if (UNTRACKED_SCRIPT_COMMANDS.has(spec.fullName)) return;
  let reader = client;
  let readSpec = spec;
  let readArgv = argv;
  const current = server.tracking.current;
  if (current !== null && current !== client && outermostSpec !== null) {
    reader = current;
    readSpec = outermostSpec;
    readArgv = outermostArgv;
  }
  if ((reader.trackingFlags & TrackingFlag.On) === 0) return;
  // Shard channels are keys to COMMAND but nothing a client caches (Redis's CMD_PUBSUB).
  if (readSpec.flags.includes("pubsub")) return;
  const keys = commandKeys(readSpec, readArgv).map((index) => readArgv[index]);
  if (keys.length > 0) server.tracking.rememberKeys(reader, keys);
}

/**
 * A command run under CLIENT REPLY OFF or SKIP: its reply is dropped, except Pub/Sub
 * confirmations (pushes in Redis, sent regardless) and the +OK of CLIENT REPLY ON. A reply
 * that comes later (a command that waited) is left alone: the buffer may have been sent.
 */
function executeSilenced(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  argv: Uint8Array[],
): void | Promise<void> {
  const skipping = client.skipNextReply;
  client.skipNextReply = false;
  const mark = client.writer.mark();
  const result = executeOne(table, server, client, argv);
  if (result instanceof Promise) return result;
  const resolved = table.resolve(argv);
  // CLIENT REPLY ON clears OFF and SKIP before it answers, so its +OK goes out (Redis).
  const isPush = typeof resolved !== "string" &&
    (resolved.fullName === "client|reply" ||
      SUBSCRIBE_CONTEXT_COMMANDS.has(resolved.fullName) &&
        resolved.fullName.includes("subscribe"));
  if ((client.repliesOff || skipping) && !isPush && client.writer.lengthBytes >= mark) {
    client.writer.truncate(mark);
  }
}

function executeOne(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  argv: Uint8Array[],
): void | Promise<void> {
  if (serverTables.get(server) !== table) {
    // Once per server: the hot path then reads latency-tracking from a field.
    if (!serverTables.has(server)) watchLatencyTracking(server.config, server.callTiming);
    serverTables.set(server, table);
  }
  const out = client.writer;
  const nowMs = Date.now();
  client.lastInteractionMs = nowMs;
  server.stats.commandsProcessed++;
  const resolved = table.resolve(argv);
  if (typeof resolved === "string") {
    flagMultiError(client);
    return replyError(server, client, resolved);
  }
  const spec = resolved;
  client.lastCommand = spec.fullName;
  if (!arityOk(spec, argv.length)) {
    return rejectCommand(server, client, spec, wrongArity(spec.fullName).message);
  }
  // DEBUG and MODULE LOAD / LOADEX / UNLOAD are protected (Redis's CMD_PROTECTED, checked right
  // after arity): their config (enable-debug-command, enable-module-command) "no" refuses them,
  // "local" lets only loopback clients run them. One null test for every other command.
  // Internal clients (no user) and scripts (which never pass through here, as Redis's
  // scriptCall) are not checked.
  const protectedBy = spec.protectedBy;
  if (
    protectedBy !== null && client.user !== null && !protectedAllowed(server, client, protectedBy)
  ) {
    return rejectCommand(server, client, spec, protectedRefusal(protectedBy));
  }
  // As Redis's authRequired: a client that never authenticated is let through once the
  // default user needs no password (CONFIG SET requirepass "" after it connected).
  if (!client.authenticated && !spec.noAuth && !server.acl.defaultUserNeedsNoAuth()) {
    return rejectCommand(server, client, spec, ERR_NOAUTH);
  }
  // SAVE, SHUTDOWN, SYNC, PSYNC cannot be queued: refused, and EXEC then aborts.
  if (client.inMulti && spec.flags.includes("no_multi")) {
    return rejectCommand(server, client, spec, "ERR Command not allowed inside a transaction");
  }
  // ACL: one boolean for a user allowed everything (the default user); internal clients
  // (the master link, AOF replay, an embedded store) have no user and are never checked.
  const user = client.user;
  if (user !== null && !user.unrestricted) {
    const denial = server.acl.checkCommand(user, spec, argv);
    if (denial !== AclDenial.None) {
      const context = client.inMulti ? "multi" : "toplevel";
      logDenial(server, client, user, denial, context, spec, argv, nowMs);
      return rejectCommand(server, client, spec, denialText(denial, spec));
    }
  }
  if (
    client.protocol === 2 && client.subscriptionCount > 0 &&
    !SUBSCRIBE_CONTEXT_COMMANDS.has(spec.fullName)
  ) {
    return rejectCommand(
      server,
      client,
      spec,
      `ERR Can't execute '${spec.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
  }
  if (server.isReplica && !client.isMaster) {
    const refusal = replicaRefusal(table, server, client, spec);
    if (refusal !== null) return rejectCommand(server, client, spec, refusal);
  }
  // A script past busy-reply-threshold lets other clients in only for the allow_busy commands
  // (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, AUTH, HELLO, MULTI …): the rest get -BUSY.
  const busy = server.busyScript;
  if (busy !== null && !spec.flags.includes(ALLOW_BUSY_FLAG)) {
    return rejectCommand(server, client, spec, busyErrorText(busy.isEval));
  }
  // FAILOVER pauses client writes (and EXEC) until the switch is done; they run afterwards,
  // as whatever this server has become. argv stays valid: the connection reads nothing more
  // while a command is pending.
  const paused = server.failover.writesPaused;
  if (paused !== null && (spec.isWrite || spec.fullName === "exec") && !client.isMaster) {
    server.stats.commandsProcessed--;
    return paused.then(() => executeCommand(table, server, client, argv));
  }
  // Before queueing, as Redis: a write refused inside MULTI makes EXEC abort.
  if (
    server.minReplicasToWrite > 0 && !client.isMaster &&
    (spec.isWrite || (spec.fullName === "exec" && queuedWrite(table, client)))
  ) {
    if (!server.replication.enoughGoodReplicas(nowMs)) {
      return rejectCommand(server, client, spec, ERR_NOREPLICAS);
    }
  }
  // maxmemory before queueing, as Redis's processCommand: inside MULTI every command but
  // EXEC, DISCARD, QUIT and RESET is refused when out of memory (queueing takes memory), and
  // EXEC is refused when it holds a command that is.
  if (
    server.maxmemoryBytes > 0 && !client.isMaster && !server.loading && server.busyScript === null
  ) {
    // A CLIENT PAUSE keeps the dataset still: no eviction, and so no refusal (Redis's
    // isSafeToPerformEvictions).
    if (
      !server.clientPause.refresh(nowMs) && !evictForCommand(table, server, nowMs) &&
      rejectedOnOom(table, client, spec)
    ) {
      return rejectCommand(server, client, spec, ERR_OOM);
    }
  }
  // CLIENT PAUSE (core/commands/client_pause.ts): the command waits, before it would be
  // queued, and runs (or waits again) once the pause ends or relaxes.
  if (server.clientPause.active && heldByPause(table, server, client, spec, argv)) {
    server.stats.commandsProcessed--;
    const copied = argv.map((arg) => arg.slice());
    // A client killed meanwhile (CLIENT KILL) never runs it, as Redis frees it while paused.
    return server.clientPause.postpone(() =>
      client.closeNow ? undefined : executeCommand(table, server, client, copied)
    );
  }
  if (client.inMulti && !MULTI_CONTROL_COMMANDS.has(spec.fullName)) {
    client.queued.push({ argv: argv.map((a) => a.slice()) });
    out.simple("QUEUED");
    return;
  }
  return runHandler(server, client, spec, argv, nowMs);
}

/** Redis's refusal of a protected command whose config does not allow the caller. */
function protectedRefusal(config: ProtectedConfig): string {
  const command = config === "enable-debug-command" ? "DEBUG" : "MODULE";
  return `ERR ${command} command not allowed. If the ${config} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`;
}

/** Redis's allowProtectedAction: the config is yes, or local and the client a local peer. */
function protectedAllowed(
  server: ServerState,
  client: ClientState,
  config: ProtectedConfig,
): boolean {
  const setting = server.config.getString(config);
  return setting === "yes" || (setting === "local" && client.isLocalPeer);
}

/** True if the transaction `client` has open holds a write (EXEC then counts as one). */
function queuedWrite(table: CommandTable, client: ClientState): boolean {
  if (!client.inMulti) return false;
  for (const { argv } of client.queued) {
    const queued = table.resolve(argv);
    if (typeof queued !== "string" && queued.isWrite) return true;
  }
  return false;
}

/** Commands an out-of-memory server still runs inside MULTI. */
const OOM_EXEMPT_IN_MULTI = new Set(["exec", "discard", "quit", "reset"]);

/** Whether `spec` is refused while memory stays above maxmemory (Redis's reject_cmd_on_oom). */
function rejectedOnOom(table: CommandTable, client: ClientState, spec: CommandSpec): boolean {
  if (spec.denyOom) return true;
  if (client.inMulti && !OOM_EXEMPT_IN_MULTI.has(spec.fullName)) return true;
  if (spec.fullName !== "exec" || !client.inMulti) return false;
  for (const { argv } of client.queued) {
    const queued = table.resolve(argv);
    if (typeof queued !== "string" && queued.denyOom) return true;
  }
  return false;
}

/** Records an ACL denial in ACL LOG, naming the command, key or channel as Redis does. */
export function logDenial(
  server: ServerState,
  client: ClientState,
  user: AclUser,
  denial: AclDenial,
  context: AclLogContext,
  spec: CommandSpec,
  argv: Uint8Array[],
  nowMs: number,
): void {
  const object = denial === AclDenial.Command
    ? spec.fullName
    : latin1(argv[server.acl.deniedArgIndex]);
  server.acl.addLogEntry(client, denial, context, object, user.name, nowMs);
}

/** The -NOPERM reply for a command refused before it was queued or run (Redis's processCommand). */
function denialText(denial: AclDenial, spec: CommandSpec): string {
  if (denial === AclDenial.Command) {
    return `NOPERM this user has no permissions to run the '${spec.fullName}' command`;
  }
  if (denial === AclDenial.Key) {
    return "NOPERM this user has no permissions to access one of the keys used as arguments";
  }
  return "NOPERM this user has no permissions to access one of the channels used as arguments";
}

/**
 * Why a replica refuses a client's command before it runs, in Redis's order: -LOADING while
 * the master's snapshot loads, -MASTERDOWN while the link is down and
 * replica-serve-stale-data is no, -READONLY for writes under replica-read-only; else null.
 * EXEC is judged by what it queued too (Redis's mstate.cmd_flags / cmd_inv_flags): the server
 * may have become a stale or read-only replica after the commands were queued.
 */
function replicaRefusal(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
): string | null {
  const isExec = spec.fullName === "exec" && client.inMulti;
  const lacksFlag = (flag: string) =>
    !spec.flags.includes(flag) ||
    (isExec && queuedAny(table, client, (queued) => !queued.flags.includes(flag)));
  if (server.loading && lacksFlag("loading")) return ERR_LOADING;
  if (
    !(server.replicaLink?.linkUp ?? false) && !server.config.getBool("replica-serve-stale-data") &&
    lacksFlag("stale")
  ) return ERR_MASTERDOWN;
  const isWrite = spec.isWrite || (isExec && queuedWrite(table, client));
  if (isWrite && server.config.getBool("replica-read-only")) return ERR_READONLY;
  return null;
}

/** True if a command queued in `client`'s open transaction satisfies `predicate`. */
function queuedAny(
  table: CommandTable,
  client: ClientState,
  predicate: (queued: CommandSpec) => boolean,
): boolean {
  for (const { argv } of client.queued) {
    const queued = table.resolve(argv);
    if (typeof queued !== "string" && predicate(queued)) return true;
  }
  return false;
}

/**
 * What every handler run starts with: its context, and — a running BGSAVE side-saves the keys
 * a write may change before it changes them — the snapshot's pre-write hook.
 */
function prepareRun(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
  nowMs: number,
): CommandContext {
  if (spec.writeKeys.kind !== WriteKeysKind.None && server.saver.snapshotRunning) {
    server.saver.beforeCommand(client.db, spec, argv);
  }
  const ctx = { server, client, argv, out: client.writer, spec, nowMs, propagateAs: null };
  if (monitorsActive()) feedMonitorsBeforeRun(server, client, spec, argv);
  if (server.keyspaceEvents.flags !== 0 && server.keyspaceEvents.enabled) openKeyspaceFrame(ctx);
  return ctx;
}

/** Runs a resolved command's handler, turning thrown errors into replies. */
export function runHandler(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
  nowMs: number,
): void | Promise<void> {
  const outermost = enterRun(server, client, spec, argv);
  try {
    return runUntracked(server, client, spec, argv, nowMs);
  } finally {
    leaveRun(server, client, spec, argv, outermost);
  }
}

function runUntracked(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
  nowMs: number,
): void | Promise<void> {
  const ctx = prepareRun(server, client, spec, argv, nowMs);
  const dirtyBefore = server.dirty;
  const db = client.db;
  const startedMs = beginCall(server, nowMs);
  let result: void | Promise<void> = undefined;
  callDepth++;
  try {
    result = spec.handler!(ctx);
  } catch (error) {
    handleError(server, client, spec, error);
  }
  callDepth--;
  if (result instanceof Promise) {
    // A command that blocked (BLPOP …) is charged its own run, not the wait, as Redis's
    // updateStatsOnUnblock: the time until it parked, taken now.
    const blockedAfterUs = client.blocked ? elapsedUs(startedMs, nowMs) : -1;
    const settle = () => {
      const durationUs = blockedAfterUs >= 0 ? blockedAfterUs : elapsedUs(startedMs, nowMs);
      endCall(server, ctx, startedMs, nowMs, durationUs);
      afterCommand(server, ctx, db, dirtyBefore, spec.isWrite);
    };
    return result.then(settle, (error) => {
      handleError(server, client, spec, error);
      settle();
    });
  }
  endCall(server, ctx, startedMs, nowMs, DURATION_UNKNOWN);
  afterCommand(server, ctx, db, dirtyBefore, spec.isWrite);
}

/** Microseconds per millisecond, for commandstats' usec. */
const USEC_PER_MS = 1000;
/**
 * commandstats' usec is estimated from one call in this many, chosen at random: a clock read
 * costs ~95 ns here, two a call would add a fifth to a pipelined GET. Random (not every n-th)
 * so commands that alternate in a pipeline are sampled alike; usec_per_call stays unbiased.
 * Under a small slowlog / latency threshold every call is timed instead (CallTiming,
 * core/state/command_latency.ts).
 */
const USEC_SAMPLE_ONE_IN = 8;
/** beginCall's answer for a call whose time is not sampled. */
const NOT_TIMED = -1;
/** endCall's durationUs when the call ended synchronously: endCall reads the clock itself. */
const DURATION_UNKNOWN = -1;

/**
 * The start of a handler's run (Redis's call()): errors sent before it are attributed, so only
 * the handler's own count against it. Returns the start time for endCall, or NOT_TIMED.
 */
function beginCall(server: ServerState, nowMs: number): number {
  server.stats.attributeErrors(null, CallOutcome.Ran);
  if (deferredCtx !== null) settleDeferred(nowMs);
  return server.callTiming.everyCall || Math.random() * USEC_SAMPLE_ONE_IN < 1
    ? performance.now()
    : NOT_TIMED;
}

/** Time since beginCall: precise when it was timed, else from the ms clock the call began at. */
function elapsedUs(startedMs: number, nowMs: number): number {
  return startedMs !== NOT_TIMED
    ? (performance.now() - startedMs) * USEC_PER_MS
    : (Date.now() - nowMs) * USEC_PER_MS;
}

/**
 * The end of a handler's run: commandstats' calls and usec, the latency histogram, the slow
 * log and the latency monitor, and failed_calls when it sent an error reply that no command it
 * ran (a script's redis.call) was charged with already. `durationUs` is known for a call that
 * settled later (DURATION_UNKNOWN otherwise); `nowMs` is the Date.now() the call began at.
 */
function endCall(
  server: ServerState,
  ctx: CommandContext,
  startedMs: number,
  nowMs: number,
  durationUs: number,
): void {
  const spec = ctx.spec;
  const stat = server.stats.commandStat(spec.fullName);
  stat.calls++;
  const timing = server.callTiming;
  if (startedMs !== NOT_TIMED || durationUs !== DURATION_UNKNOWN) {
    const us = durationUs !== DURATION_UNKNOWN ? durationUs : elapsedUs(startedMs, nowMs);
    const exact = startedMs !== NOT_TIMED;
    if (exact) {
      stat.usec += Math.round(us * (timing.everyCall ? 1 : USEC_SAMPLE_ONE_IN));
      if (timing.latencyTracking) recordCallLatency(stat, us);
    } else if (timing.latencyTracking && stat.latencyHistogram === null) {
      recordFirstCallEstimate(stat, us);
    }
    if (timing.watching) observeCall(server, ctx.client, spec, ctx.argv, us);
  } else {
    if (timing.coarseThresholdUs !== Infinity) {
      if (callDepth === 0) deferCoarseCheck(ctx, nowMs);
      else {
        const us = (Date.now() - nowMs) * USEC_PER_MS;
        if (us >= timing.coarseThresholdUs) observeCall(server, ctx.client, spec, ctx.argv, us);
      }
    }
    // A command's first call since CONFIG RESETSTAT is estimated by the ms clock when not
    // sampled, so INFO latencystats lists every command that ran, as Redis's does.
    if (timing.latencyTracking && stat.latencyHistogram === null) {
      recordFirstCallEstimate(stat, (Date.now() - nowMs) * USEC_PER_MS);
    }
  }
  server.stats.attributeErrors(stat, CallOutcome.Ran);
}

/**
 * Handlers running now: 0 between top-level calls, more inside EXEC or a script. Only a
 * top-level call's coarse check is deferred (a nested one ends inside its parent's run).
 */
let callDepth = 0;

/**
 * A top-level call timed coarsely, waiting for its end time: the next call's start (read
 * anyway, as its nowMs) or, when none follows in the same synchronous run (the last command
 * of a pipeline, before the connection awaits its socket), one Date.now() in a microtask. So
 * a pipeline of N commands pays one clock read, not N. Its argv views are still intact then:
 * the connection loop reads into its buffer only after an await, which runs the microtask (a
 * caller refilling a reader between two synchronous commands would garble only the argv text
 * of a slow entry).
 * One reference and one typed-array slot: they are written on every call.
 */
let deferredCtx: CommandContext | null = null;
/** [0]: the deferred call's start (Date.now()); a typed slot, so storing it allocates nothing. */
const deferredStartedMs = new Float64Array(1);
let deferredFlushQueued = false;

function deferCoarseCheck(ctx: CommandContext, startedMs: number): void {
  if (deferredCtx !== null) settleDeferred(Date.now());
  deferredCtx = ctx;
  deferredStartedMs[0] = startedMs;
  if (!deferredFlushQueued) {
    deferredFlushQueued = true;
    queueMicrotask(flushDeferred);
  }
}

/** The deferred call ended by `endMs` (an upper bound: it includes the reply's writing). */
function settleDeferred(endMs: number): void {
  const ctx = deferredCtx!;
  deferredCtx = null;
  const durationUs = (endMs - deferredStartedMs[0]) * USEC_PER_MS;
  if (durationUs < ctx.server.callTiming.coarseThresholdUs) return;
  observeCall(ctx.server, ctx.client, ctx.spec, ctx.argv, durationUs);
}

function flushDeferred(): void {
  deferredFlushQueued = false;
  if (deferredCtx !== null) settleDeferred(Date.now());
}

/**
 * Runs a resolved command's handler to its end before returning, for a script's redis.call
 * (Redis's scripts never wait). A handler that answered and returned a settled promise (a
 * blocking command that timed out at once, since `client.executingMulti` is set) is done; one
 * that would wait is answered with an error instead, and whatever it does later is dropped.
 */
export function runHandlerSync(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
  nowMs: number,
): void {
  const outermost = enterRun(server, client, spec, argv);
  try {
    runSyncUntracked(server, client, spec, argv, nowMs);
  } finally {
    leaveRun(server, client, spec, argv, outermost);
  }
}

function runSyncUntracked(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
  nowMs: number,
): void {
  const ctx = prepareRun(server, client, spec, argv, nowMs);
  const dirtyBefore = server.dirty;
  const db = client.db;
  const replyStart = client.writer.lengthBytes;
  const startedWallMs = server.callTiming.coarseThresholdUs !== Infinity ? Date.now() : nowMs;
  const startedMs = beginCall(server, startedWallMs);
  callDepth++;
  try {
    const result = spec.handler!(ctx);
    if (result instanceof Promise) {
      result.catch(() => {});
      if (client.writer.lengthBytes === replyStart) {
        replyError(
          server,
          client,
          `ERR resplica: '${spec.fullName}' cannot complete synchronously inside a script`,
        );
      }
    }
  } catch (error) {
    handleError(server, client, spec, error);
  }
  callDepth--;
  // A script's clock (nowMs) stands still while it runs: the ms clock is read afresh.
  endCall(server, ctx, startedMs, startedWallMs, DURATION_UNKNOWN);
  afterCommand(server, ctx, db, dirtyBefore, spec.isWrite);
}

/** Bookkeeping after every command: expired keys, propagation, waking blocked clients. */
function afterCommand(
  server: ServerState,
  ctx: CommandContext,
  db: number,
  dirtyBefore: number,
  isWrite: boolean,
): void {
  // Expired keys go out as DELs first (absorbExpired), then the command's own effect: the
  // argv of a write command that changed something, or what it asked to propagate instead.
  const dirtyAfterCommand = server.dirty;
  if (monitorsActive()) feedMonitorsAfterRun(server, ctx.client, ctx.spec, ctx.argv);
  server.absorbExpired();
  if (server.keyspaceEvents.hasOpenFrames) closeKeyspaceFrame(ctx);
  // As Redis's CONFIG SET maxmemory: a lower limit evicts at once, not before the next command.
  if (ctx.spec.fullName === "config|set" && server.maxmemoryBytes > 0) {
    const table = serverTables.get(server);
    if (table !== undefined) evictForCommand(table, server, ctx.nowMs);
  }
  if (server.propagationListeners.length > 0 && dirtyAfterCommand !== dirtyBefore) {
    if (ctx.propagateAs !== null) {
      for (const argv of ctx.propagateAs) server.propagate(db, argv);
    } else if (isWrite) server.propagate(db, ctx.argv);
    ctx.client.replWriteOffset = server.replication.masterReplOffset;
  }
  // Inside EXEC, blocked clients wait for the whole transaction: EXEC's own end serves them;
  // while a script is busy they wait for the script (an allow_busy command runs meanwhile).
  if (server.blocking.hasReady && !ctx.client.executingMulti && server.busyScript === null) {
    server.blocking.serveReady();
  }
}

function handleError(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  error: unknown,
): void {
  if (error instanceof CommandError || error instanceof OutOfMemoryError) {
    replyError(server, client, error.message);
  } else if (error instanceof WrongTypeError) {
    // Redis's lookupKeyRead counted the key, found of another type, as a hit.
    if (wrongTypeCountsHit(spec)) server.stats.keyspaceHits++;
    replyError(server, client, ERR_WRONGTYPE);
  } else {
    const text = error instanceof Error ? error.stack ?? error.message : String(error);
    server.log.warning(`Internal error executing command: ${text}`);
    replyError(
      server,
      client,
      `ERR internal error: ${error instanceof Error ? error.message : error}`,
    );
  }
}

function replyError(server: ServerState, client: ClientState, text: string): void {
  server.stats.countErrorReply(text);
  client.writer.error(text);
}

/** The private client evictions run their DELs as, one per server. */
const evictionClients = new WeakMap<ServerState, ClientState>();

/**
 * Past maxmemory, evicts under the policy (core/state/eviction.ts) before the command runs,
 * each key deleted by a DEL run as a command (snapshot hook, WATCH, replicas, AOF). A replica
 * leaves that to its master (replica-ignore-maxmemory). False when memory is still over.
 */
function evictForCommand(table: CommandTable, server: ServerState, nowMs: number): boolean {
  if (server.isReplica && server.config.getBool("replica-ignore-maxmemory")) {
    return server.engine.usedMemoryBytes() <= server.maxmemoryBytes;
  }
  return server.evictor.evictUntilUnder(
    server.maxmemoryBytes,
    nowMs,
    server.lazyFree,
    (db, key) => {
      let client = evictionClients.get(server);
      if (client === undefined) {
        client = new ClientState(
          0,
          EVICTION_CLIENT_ADDR,
          "eviction",
          new RespReader(),
          new ReplyWriter(),
          true,
          nowMs,
        );
        evictionClients.set(server, client);
      }
      client.db = db;
      // By its original name: an eviction is not a client's DEL, rename-command does not apply.
      // Under lazyfree-lazy-eviction it is an UNLINK (Redis propagates UNLINK then too).
      const lazy = server.config.getBool("lazyfree-lazy-eviction");
      const spec = table.originalCommands.get(lazy ? "unlink" : "del")!;
      void runHandler(server, client, spec, [lazy ? UNLINK_NAME : DEL_NAME, key], nowMs);
      client.writer.reset();
      notifyEvicted(server, db, key);
    },
  );
}

const DEL_NAME = new TextEncoder().encode("DEL");
const UNLINK_NAME = new TextEncoder().encode("UNLINK");

/**
 * Refuses a command before it runs. Inside MULTI the transaction is flagged; a refused EXEC
 * (even outside MULTI) answers EXECABORT with the reason and drops any transaction, as Redis 7.
 */
function rejectCommand(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  text: string,
): void {
  // rejected_calls counts every refusal, as Redis's rejectCommand (the error counts apart).
  server.stats.commandStat(spec.fullName).rejectedCalls++;
  if (spec.fullName === "exec") {
    client.inMulti = false;
    client.queued = [];
    client.multiError = false;
    server.unwatchAll(client);
    const reason = text.startsWith("ERR ") ? text.slice(4) : text;
    return replyError(server, client, `EXECABORT Transaction discarded because of: ${reason}`);
  }
  flagMultiError(client);
  replyError(server, client, text);
}

function flagMultiError(client: ClientState): void {
  if (client.inMulti) client.multiError = true;
}
