// The string pipeline's shell half: when a client pipelines plain GETs and SETs, the
// connection hands the engine the request bytes themselves (Engine.runStringPipeline, which
// parses and runs them in one call) instead of parsing, dispatching and running each command
// here. That is where most of a pipelined request's cost was: an argv of views, a context, the
// dispatcher's checks and one engine call per command (bench/PROFILE.md).
//
// Everything the full path would do around those commands must either be unnecessary or done
// here in bulk, so the pipeline runs only while nothing else applies: the checks below are the
// dispatcher's (core/commands/dispatch.ts) in the state where each of them is a no-op: an
// authenticated client with an unrestricted user, outside MULTI, CLIENT REPLY, tracking and a
// RESP2 subscription, on a master that is not loading, running a busy script, paused, failing
// over, short of replicas or memory-limited, with no MONITOR, no keyspace notifications, no
// precise slow log or latency monitor, and GET and SET under their own names. SET runs only
// when a write has no one to tell: no replica or AOF to propagate to, no running snapshot to
// side-save for, no WATCHed key and no blocked client. Anything else, and every command the
// engine declines, goes through the dispatcher as before. What the dispatcher counts per
// command is counted here per run: commandstats calls (and usec, the run's duration shared
// out), keyspace hits and misses, dirty, the client's last command and interaction time.

import { PIPELINE_RESP3, PIPELINE_WRITES } from "../engine/abi.ts";
import type { ClientState } from "../sessions/client.ts";
import type { RespReader } from "../resp/mod.ts";
import type { ServerState } from "../state/server_state.ts";
import type { CommandTable } from "./context.ts";
import { recordCallLatency } from "../state/command_latency.ts";
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

/** The request bytes `*2\r\n$3\r\n` / `*3\r\n$3\r\n` that open a GET or a SET. */
function opensGetOrSet(bytes: Uint8Array): boolean {
  return bytes.length >= 14 && bytes[0] === 0x2a && (bytes[1] === 0x32 || bytes[1] === 0x33) &&
    bytes[4] === 0x24 && bytes[5] === 0x33 && (bytes[9] | 0x20) === 0x65 &&
    (bytes[10] | 0x20) === 0x74;
}

/**
 * Whether the dispatcher's checks are all no-ops for `client` now (GET may run), and with
 * `PIPELINE_WRITES` whether a SET needs nothing beyond the engine's write. PIPELINE_CLOSED
 * when the pipeline must not run at all.
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
    server.keyspaceEvents.flags !== 0 ||
    server.callTiming.watching && server.callTiming.everyCall ||
    monitorsActive()
  ) return PIPELINE_CLOSED;
  if (table.currentName("get") !== "get" || table.currentName("set") !== "set") {
    return PIPELINE_CLOSED;
  }
  let flags = client.protocol === 3 ? PIPELINE_RESP3 : 0;
  if (
    server.propagationListeners.length === 0 && !server.saver.snapshotRunning &&
    !server.hasWatchedKeys && server.blocking.blockedCount === 0
  ) flags |= PIPELINE_WRITES;
  return flags;
}

/**
 * Runs the plain GETs and SETs at the head of `reader`'s unparsed bytes in the engine,
 * appending their replies to the client's writer. Returns how many commands ran (0: the next
 * command is for the dispatcher).
 */
export function runStringPipeline(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  reader: RespReader,
): number {
  const pending = reader.unparsedRequestBytes(PIPELINE_WINDOW_BYTES);
  if (!opensGetOrSet(pending)) return 0;
  const flags = pipelineFlags(table, server, client);
  if (flags === PIPELINE_CLOSED) return 0;
  const nowMs = Date.now();
  // Timed one run in USEC_SAMPLE_ONE_IN, as the dispatcher times its calls: a precise clock
  // read costs as much as a whole GET here.
  const stats = server.stats;
  const getStat = stats.commandStat("get");
  const setStat = stats.commandStat("set");
  // latency-tracking shows a command after its first call, as Redis: time a run until both
  // commands have a histogram.
  const tracking = server.callTiming.latencyTracking;
  const timed = Math.random() * USEC_SAMPLE_ONE_IN < 1 ||
    tracking && (getStat.latencyHistogram === null || setStat.latencyHistogram === null);
  const startedMs = timed ? performance.now() : 0;
  const engine = server.engine;
  const consumed = engine.runStringPipeline(
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
  const commandCount = result.gets + result.sets;
  const runUs = timed ? (performance.now() - startedMs) * USEC_PER_MS : 0;
  // commandstats usec: sampled runs stand for USEC_SAMPLE_ONE_IN runs (dispatch.ts's rule).
  const usecPerCommand = runUs * USEC_SAMPLE_ONE_IN / commandCount;
  stats.commandsProcessed += commandCount;
  if (result.gets > 0) {
    getStat.calls += result.gets;
    stats.keyspaceHits += result.hits;
    stats.keyspaceMisses += result.gets - result.hits;
  }
  if (result.sets > 0) {
    setStat.calls += result.sets;
    server.dirty += result.sets;
  }
  if (timed) {
    getStat.usec += Math.round(usecPerCommand * result.gets);
    setStat.usec += Math.round(usecPerCommand * result.sets);
    if (tracking) {
      // Each command of the run is recorded at the run's average: one clock pair for all.
      const perCommandUs = runUs / commandCount;
      for (let i = 0; i < result.gets; i++) recordCallLatency(getStat, perCommandUs);
      for (let i = 0; i < result.sets; i++) recordCallLatency(setStat, perCommandUs);
    }
  }
  client.lastCommand = result.lastIsSet ? "set" : "get";
  client.lastInteractionMs = nowMs;
  // A GET may have met an expired key: counted and notified as after any command.
  server.absorbExpired();
  return commandCount;
}
