// The request pipeline's shell half: when a client pipelines the commands the engine can run
// from request bytes (GET, SET, INCR, DECR, LPUSH, RPUSH, LPOP, RPOP, LRANGE, SADD, HSET, ZADD in
// their plain forms;
// wasm/assembly/pipeline.ts), the connection hands the engine the bytes themselves
// (Engine.runPipeline parses and runs many in one call) instead of parsing, dispatching and
// running each command here. That is where most of a pipelined request's cost was: an argv of
// views, a context, the dispatcher's checks and one engine call per command (bench/PROFILE.md).
//
// Everything the full path would do around those commands must either be unnecessary or done
// here in bulk, so the pipeline runs only while nothing else applies: the checks below are the
// dispatcher's (core/commands/dispatch.ts) in the state where each of them is a no-op: an
// authenticated client with an unrestricted user, outside MULTI, CLIENT REPLY, tracking and a
// RESP2 subscription, on a master that is not loading, running a busy script, paused, failing
// over, short of replicas or memory-limited, with no MONITOR, no keyspace notifications, no
// precise slow log or latency monitor, and the commands under their own names. Writes run only
// when a write has no one to tell: no replica or AOF to propagate to, no running snapshot to
// side-save for, no WATCHed key and no blocked client. Anything else, and every command the
// engine declines, goes through the dispatcher as before. What the dispatcher counts per
// command is counted here per run: commandstats calls (and usec, the run's duration shared
// out), latency histograms, keyspace hits and misses, dirty, the client's last command and
// interaction time.

import { PIPELINE_CMD_COUNT, PIPELINE_RESP3, PIPELINE_WRITES } from "../engine/abi.ts";
import type { ClientState } from "../sessions/client.ts";
import type { RespReader } from "../resp/mod.ts";
import { recordCallLatency, recordFirstCallEstimate } from "../state/command_latency.ts";
import type { ServerState } from "../state/server_state.ts";
import type { CommandTable } from "./context.ts";
import { monitorsActive } from "./monitor.ts";

/** Most commands one engine call runs: bounds the work between two looks at the event loop. */
const PIPELINE_COMMANDS_MAX = 1024;
/** Most request bytes copied to the engine per call; a longer run continues in the next call. */
const PIPELINE_WINDOW_BYTES = 8 * 1024;
/** Replies past this size end the call (the connection flushes at 256 KiB). */
const PIPELINE_REPLY_MAX_BYTES = 64 * 1024;
/** pipelineFlags when the pipeline must not run. */
const PIPELINE_CLOSED = -1;
/** commandstats usec comes from one run in this many, scaled (dispatch.ts does the same). */
const USEC_SAMPLE_ONE_IN = 8;
/** Microseconds per millisecond. */
const USEC_PER_MS = 1000;

/** Command names by pipeline id (abi.ts PIPELINE_CMD_*), as commandstats names them. */
const PIPELINE_COMMAND_NAMES: readonly string[] = [
  "get",
  "set",
  "lpush",
  "rpush",
  "lpop",
  "rpop",
  "sadd",
  "hset",
  "incr",
  "decr",
  "lrange",
  "zadd",
];
if (PIPELINE_COMMAND_NAMES.length !== PIPELINE_CMD_COUNT) {
  throw new Error("PIPELINE_COMMAND_NAMES must name every PIPELINE_CMD_* id");
}

/** ASCII letters with bit 5 set: the lower-case form a name is compared in. */
const ASCII_CASE_BIT = 0x20;

/**
 * Whether the unparsed bytes open with `*<argc>\r\n$<n>\r\n<name>` for one of the pipeline's
 * commands (any case): a cheap look before copying anything to the engine.
 */
function opensPipelinedCommand(reader: RespReader): boolean {
  if (reader.unparsedByteAt(0) !== 0x2a) return false; // *
  // `*N\r\n` with one or two digits, then `$L\r\n` with L of 3 to 6.
  let at = 2;
  if (reader.unparsedByteAt(at) !== 0x0d) at++;
  if (reader.unparsedByteAt(at) !== 0x0d || reader.unparsedByteAt(at + 2) !== 0x24) return false;
  const nameLen = reader.unparsedByteAt(at + 3) - 0x30;
  if (nameLen < 3 || nameLen > 6 || reader.unparsedByteAt(at + 4) !== 0x0d) return false;
  const name = at + 6;
  const c0 = reader.unparsedByteAt(name) | ASCII_CASE_BIT;
  const c1 = reader.unparsedByteAt(name + 1) | ASCII_CASE_BIT;
  const c2 = reader.unparsedByteAt(name + 2) | ASCII_CASE_BIT;
  if (nameLen === 3) return (c0 === 0x67 || c0 === 0x73) && c1 === 0x65 && c2 === 0x74; // get set
  // lpop rpop lpush rpush lrange sadd hset incr decr zadd: the engine checks the rest.
  return c0 === 0x6c || c0 === 0x72 || c0 === 0x73 || c0 === 0x68 || c0 === 0x69 ||
    c0 === 0x64 || c0 === 0x7a;
}

/**
 * Whether the dispatcher's checks are all no-ops for `client` now (reads may run), and with
 * `PIPELINE_WRITES` whether a write needs nothing beyond the engine's. PIPELINE_CLOSED when
 * the pipeline must not run at all.
 */
function pipelineFlags(table: CommandTable, server: ServerState, client: ClientState): number {
  if (
    !client.authenticated || client.inMulti || client.repliesOff || client.skipNextReply ||
    client.trackingFlags !== 0 || client.trackingPending !== null || client.isMaster ||
    client.subscriptionCount > 0 || (client.user !== null && !client.user.unrestricted)
  ) return PIPELINE_CLOSED;
  if (
    server.isReplica || server.loading || server.busyScript !== null ||
    server.failover.writesPaused !== null || server.minReplicasToWrite > 0 ||
    server.maxmemoryBytes > 0 || server.clientPause.active || server.tracking.clientCount > 0 ||
    server.keyspaceEvents.flags !== 0 || server.callTiming.everyCall || monitorsActive()
  ) return PIPELINE_CLOSED;
  if (table.renamedAny) return PIPELINE_CLOSED;
  let flags = client.protocol === 3 ? PIPELINE_RESP3 : 0;
  if (
    server.propagationListeners.length === 0 && !server.saver.snapshotRunning &&
    !server.hasWatchedKeys && server.blocking.blockedCount === 0
  ) flags |= PIPELINE_WRITES;
  return flags;
}

/**
 * Runs the pipelined commands at the head of `reader`'s unparsed bytes in the engine, appending
 * their replies to the client's writer. Returns how many commands ran (0: the next command is
 * for the dispatcher).
 */
export function runRequestPipeline(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  reader: RespReader,
): number {
  if (!opensPipelinedCommand(reader)) return 0;
  const flags = pipelineFlags(table, server, client);
  if (flags === PIPELINE_CLOSED) return 0;
  const pending = reader.unparsedRequestBytes(PIPELINE_WINDOW_BYTES);
  const nowMs = Date.now();
  const stats = server.stats;
  const tracking = server.callTiming.latencyTracking;
  // Timed one run in USEC_SAMPLE_ONE_IN, as the dispatcher times its calls: a precise clock
  // read costs as much as a whole GET here.
  const timed = Math.random() * USEC_SAMPLE_ONE_IN < 1;
  const startedMs = timed ? performance.now() : 0;
  const engine = server.engine;
  const consumed = engine.runPipeline(
    client.db,
    pending,
    nowMs,
    flags,
    PIPELINE_COMMANDS_MAX,
    PIPELINE_REPLY_MAX_BYTES,
  );
  if (consumed === 0) return 0;
  const result = engine.pipelineResult;
  client.writer.raw(result.replies);
  reader.consumeRequestBytes(consumed);
  const runUs = timed ? (performance.now() - startedMs) * USEC_PER_MS : 0;
  let commandCount = 0;
  for (let id = 0; id < PIPELINE_CMD_COUNT; id++) commandCount += result.calls[id];
  // commandstats usec: a sampled run stands for USEC_SAMPLE_ONE_IN runs (dispatch.ts's rule).
  const usecPerCommand = runUs * USEC_SAMPLE_ONE_IN / commandCount;
  const perCommandUs = runUs / commandCount;
  for (let id = 0; id < PIPELINE_CMD_COUNT; id++) {
    const calls = result.calls[id];
    if (calls === 0) continue;
    const stat = stats.commandStat(PIPELINE_COMMAND_NAMES[id]);
    stat.calls += calls;
    if (!timed) {
      // latency-tracking shows a command after its first call, as Redis: an estimate from the
      // ms clock until a timed run measures it (the dispatcher's rule too).
      if (tracking && stat.latencyHistogram === null) {
        recordFirstCallEstimate(stat, (Date.now() - nowMs) * USEC_PER_MS);
      }
      continue;
    }
    stat.usec += Math.round(usecPerCommand * calls);
    // Each command of the run is recorded at the run's average: one clock pair for all.
    if (tracking) { for (let i = 0; i < calls; i++) recordCallLatency(stat, perCommandUs); }
  }
  stats.commandsProcessed += commandCount;
  stats.keyspaceHits += result.hits;
  stats.keyspaceMisses += result.misses;
  server.dirty += result.dirty;
  client.lastCommand = PIPELINE_COMMAND_NAMES[result.lastCommand];
  client.lastInteractionMs = nowMs;
  // A command may have met an expired key: counted and notified as after any command.
  server.absorbExpired();
  return commandCount;
}
