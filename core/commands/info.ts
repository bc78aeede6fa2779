// INFO: the server's state as "field:value" lines in Redis's sections and field names, because
// monitoring tools, redis-cli and Sentinel parse them by name. Figures we do not have yet
// are reported with Redis's neutral value rather than left out, so parsers find every field.

import { DB_COUNT } from "../engine/mod.ts";
import type { ServerState } from "../state/server_state.ts";
import { REDIS_COMPAT_VERSION, RESPLICA_VERSION } from "../version.ts";
import { replicaIp } from "../replication/identity.ts";
import { replicaStateName } from "../sessions/replica_state.ts";
import { failoverStateName } from "../replication/failover.ts";
import { formatPercentile, parsePercentiles } from "../config/table.ts";
import { latencyPercentileUs } from "../state/command_latency.ts";
import { migrateCachedSocketCount } from "./migrate.ts";

type Section = (server: ServerState, nowMs: number) => string[];

function serverSection(server: ServerState, nowMs: number): string[] {
  const uptimeS = Math.floor((nowMs - server.startedAtMs) / 1000);
  return [
    `redis_version:${REDIS_COMPAT_VERSION}`,
    `resplica_version:${RESPLICA_VERSION}`,
    "redis_git_sha1:00000000",
    "redis_git_dirty:0",
    "redis_build_id:0",
    "redis_mode:standalone",
    `os:${Deno.build.os} ${Deno.build.arch}`,
    "arch_bits:64",
    "monotonic_clock:POSIX clock_gettime",
    "multiplexing_api:deno",
    "atomicvar_api:c11-builtin",
    `deno_version:${Deno.version.deno}`,
    `process_id:${Deno.pid}`,
    "process_supervised:no",
    `run_id:${server.runId}`,
    `tcp_port:${server.port}`,
    `server_time_usec:${nowMs * 1000}`,
    `uptime_in_seconds:${uptimeS}`,
    `uptime_in_days:${Math.floor(uptimeS / 86400)}`,
    `hz:${server.config.getNumber("hz")}`,
    `configured_hz:${server.config.getNumber("hz")}`,
    `lru_clock:${Math.floor(nowMs / 1000) & 0xffffff}`,
    "executable:deno",
    `config_file:${server.config.configFilePath}`,
    "io_threads_active:0",
  ];
}

function clientsSection(server: ServerState): string[] {
  let maxInput = 0;
  for (const c of server.clients.values()) maxInput = Math.max(maxInput, c.reader.bufferedBytes);
  return [
    `connected_clients:${server.clients.size}`,
    "cluster_connections:0",
    `maxclients:${server.config.getNumber("maxclients")}`,
    "client_recent_max_input_buffer:" + maxInput,
    "client_recent_max_output_buffer:0",
    `blocked_clients:${server.blocking.blockedCount + server.clientPause.postponedCount}`,
    `tracking_clients:${server.tracking.clientCount}`,
    "clients_in_timeout_table:0",
  ];
}

function humanBytes(bytes: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(2)}${units[unit]}`;
}

function memorySection(server: ServerState): string[] {
  const used = server.engine.usedMemoryBytes();
  const wasm = server.engine.totalMemoryBytes();
  let rss = 0;
  try {
    rss = Deno.memoryUsage().rss;
  } catch {
    rss = 0;
  }
  const maxmemory = server.config.getNumber("maxmemory");
  return [
    `used_memory:${used}`,
    `used_memory_human:${humanBytes(used)}`,
    `used_memory_rss:${rss}`,
    `used_memory_rss_human:${humanBytes(rss)}`,
    `used_memory_peak:${wasm}`,
    `used_memory_peak_human:${humanBytes(wasm)}`,
    `used_memory_dataset:${used}`,
    ...scriptingMemoryLines(server),
    `wasm_memory_bytes:${wasm}`,
    `wasm_pages:${server.engine.pageCount()}`,
    `wasm_free_pages:${server.engine.freePageCount()}`,
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${humanBytes(maxmemory)}`,
    `maxmemory_policy:${server.config.getString("maxmemory-policy")}`,
    // Eviction measures the engine's memory alone: nothing used is left out of it.
    "mem_not_counted_for_evict:0",
    `mem_fragmentation_ratio:${used > 0 ? (wasm / used).toFixed(2) : "1.00"}`,
    "mem_allocator:resplica-pages",
    // The engine's lazy-free queue (core/state/lazyfree_queue.ts): still waiting, and freed.
    `lazyfree_pending_objects:${server.lazyFree.pendingObjects}`,
    `lazyfreed_objects:${server.stats.lazyfreedObjects}`,
  ];
}

/**
 * Redis 7.0's scripting lines of the memory section. EVAL scripts and function libraries share
 * one Lua state here, so what it allocated is reported as the eval VM's (the functions VM's is
 * 0); used_memory_functions counts the libraries' code.
 */
function scriptingMemoryLines(server: ServerState): string[] {
  const vmBytes = server.lua?.usedMemoryBytes ?? 0;
  const scriptsBytes = server.scripts.memoryBytes;
  let functionsBytes = 0;
  for (const library of server.functions.libraries) functionsBytes += library.code.length;
  return [
    `used_memory_lua:${vmBytes}`,
    `used_memory_vm_eval:${vmBytes}`,
    `used_memory_lua_human:${humanBytes(vmBytes)}`,
    `used_memory_scripts_eval:${scriptsBytes}`,
    `number_of_cached_scripts:${server.scripts.size}`,
    `number_of_functions:${server.functions.functionCount}`,
    `number_of_libraries:${server.functions.libraryCount}`,
    "used_memory_vm_functions:0",
    `used_memory_vm_total:${vmBytes}`,
    `used_memory_vm_total_human:${humanBytes(vmBytes)}`,
    `used_memory_functions:${functionsBytes}`,
    `used_memory_scripts:${scriptsBytes + functionsBytes}`,
    `used_memory_scripts_human:${humanBytes(scriptsBytes + functionsBytes)}`,
  ];
}

function persistenceSection(server: ServerState, nowMs: number): string[] {
  const saver = server.saver;
  const link = server.replicaLink;
  return [
    `loading:${server.loading ? 1 : 0}`,
    `async_loading:${link?.asyncLoading === true ? 1 : 0}`,
    // resplica's own, during a repl-diskless-load swapdb load: the two datasets' memory.
    ...(link?.loadInfoLines() ?? []),
    `rdb_changes_since_last_save:${saver.changesSinceLastSave}`,
    `rdb_bgsave_in_progress:${saver.bgsaveInProgress ? 1 : 0}`,
    `rdb_last_save_time:${Math.floor(saver.lastSaveMs / 1000)}`,
    `rdb_last_bgsave_status:${saver.lastSaveOk ? "ok" : "err"}`,
    `rdb_last_bgsave_time_sec:${saver.lastBgsaveDurationS}`,
    `rdb_current_bgsave_time_sec:${
      saver.bgsaveInProgress ? Math.floor((nowMs - saver.bgsaveStartedMs) / 1000) : -1
    }`,
    `current_cow_size:${saver.currentCowSizeBytes}`,
    `current_save_keys_processed:${saver.currentKeysProcessed}`,
    `current_save_keys_total:${saver.currentKeysTotal}`,
    `rdb_last_cow_size:${saver.lastCowSizeBytes}`,
    `aof_enabled:${server.aof ? 1 : 0}`,
    `aof_rewrite_in_progress:${server.aofRewriter.inProgress ? 1 : 0}`,
    `aof_rewrite_scheduled:${server.aofRewriter.scheduled ? 1 : 0}`,
    `aof_last_bgrewrite_status:${server.aofRewriter.lastOk ? "ok" : "err"}`,
    `aof_last_write_status:${server.aof?.lastWriteOk === false ? "err" : "ok"}`,
    ...(server.aof ? [`aof_current_size:${server.aof.sizeBytes}`] : []),
  ];
}

function statsSection(server: ServerState): string[] {
  const s = server.stats;
  return [
    `total_connections_received:${s.connectionsReceived}`,
    `total_commands_processed:${s.commandsProcessed}`,
    "instantaneous_ops_per_sec:0",
    `total_net_input_bytes:${s.netInputBytes}`,
    `total_net_output_bytes:${s.netOutputBytes}`,
    `rejected_connections:${s.connectionsRejected}`,
    `sync_full:${server.replication.syncFullCount}`,
    `sync_partial_ok:${server.replication.syncPartialOkCount}`,
    `sync_partial_err:${server.replication.syncPartialErrCount}`,
    `expired_keys:${s.expiredKeys}`,
    `evicted_keys:${server.evictor.evictedKeys}`,
    `keyspace_hits:${s.keyspaceHits}`,
    `keyspace_misses:${s.keyspaceMisses}`,
    `pubsub_channels:${server.pubsub.channelCount}`,
    `pubsub_patterns:${server.pubsub.patternCount}`,
    // Where Redis prints it: after the fork counters (which resplica, forking nothing, omits).
    `migrate_cached_sockets:${migrateCachedSocketCount(server)}`,
    `tracking_total_keys:${server.tracking.totalKeys}`,
    `tracking_total_items:${server.tracking.totalItems}`,
    `tracking_total_prefixes:${server.tracking.totalPrefixes}`,
    `total_error_replies:${s.errorReplies}`,
  ];
}

function replicationSection(server: ServerState, nowMs: number): string[] {
  const master = server.replication;
  const backlog = master.backlog;
  const link = server.replicaLink;
  const lines = server.isReplica && link !== null
    ? ["role:slave", ...link.infoLines(nowMs)]
    : ["role:master"];
  lines.push(`connected_slaves:${master.replicas.length}`);
  const config = server.config;
  if (
    config.getNumber("min-replicas-to-write") > 0 && config.getNumber("min-replicas-max-lag") > 0
  ) {
    lines.push(`min_slaves_good_slaves:${master.goodReplicaCount(nowMs)}`);
  }
  master.replicas.forEach((replica, index) => {
    const lagS = Math.floor((nowMs - replica.replAckTimeMs) / 1000);
    // Redis's fields, then resplica's: the stream not acknowledged yet in bytes and in ms since
    // the master wrote its oldest byte, and what the replica's full sync spool still owes it.
    const lag = master.lagOf(replica, nowMs);
    lines.push(
      `slave${index}:ip=${replicaIp(replica)},port=${replica.replListeningPort},` +
        `state=${
          replicaStateName(replica.replState)
        },offset=${replica.replAckOffset},lag=${lagS},` +
        `lag_bytes=${lag.bytes},lag_ms=${lag.ms},spool_bytes=${
          master.spoolPendingBytesOf(replica)
        }`,
    );
  });
  lines.push(
    `master_failover_state:${failoverStateName(server.failover.state)}`,
    `master_replid:${master.replId}`,
    `master_replid2:${master.replId2}`,
    `master_repl_offset:${master.masterReplOffset}`,
    `second_repl_offset:${master.secondReplOffset}`,
    `repl_backlog_active:${backlog ? 1 : 0}`,
    `repl_backlog_size:${backlog?.sizeBytes ?? server.config.getNumber("repl-backlog-size")}`,
    `repl_backlog_first_byte_offset:${backlog?.startOffset ?? 0}`,
    `repl_backlog_histlen:${backlog?.histLenBytes ?? 0}`,
  );
  const spools = master.spoolStats();
  lines.push(
    `repl_spool_memory_bytes:${spools.memoryBytes}`,
    `repl_spool_spilled_bytes:${spools.spilledPendingBytes}`,
    `repl_spilled_bytes_total:${spools.spilledTotalBytes}`,
    `repl_replicas_falling_behind:${master.replicasFallingBehind}`,
    `repl_replicas_dropped_behind:${master.replicasDroppedBehind}`,
  );
  // resplica's own: interleaved full syncs in flight (snapshot and stream sent at once, the
  // stream buffered by the replica), the stream bytes sent in their frames, and those completed.
  const interleaved = master.interleavedStats();
  lines.push(
    `repl_interleaved_syncs:${interleaved.syncs}`,
    `repl_interleaved_stream_bytes:${interleaved.streamBytes}`,
    `repl_interleaved_syncs_total:${master.interleavedSyncCount}`,
  );
  return lines;
}

function cpuSection(): string[] {
  return ["used_cpu_sys:0.000000", "used_cpu_user:0.000000"];
}

/**
 * INFO commandstats: one line per command that ran or was refused since the last CONFIG
 * RESETSTAT, as Redis prints them (subcommands as "config|get").
 */
function commandstatsSection(server: ServerState): string[] {
  const lines: string[] = [];
  for (const [name, stat] of server.stats.commandStats) {
    if (stat.calls === 0 && stat.rejectedCalls === 0 && stat.failedCalls === 0) continue;
    const usecPerCall = stat.calls === 0 ? 0 : stat.usec / stat.calls;
    lines.push(
      `cmdstat_${name}:calls=${stat.calls},usec=${stat.usec},` +
        `usec_per_call=${usecPerCall.toFixed(2)},rejected_calls=${stat.rejectedCalls},` +
        `failed_calls=${stat.failedCalls}`,
    );
  }
  return lines;
}

/** INFO errorstats: error replies by code, in Redis's (byte-wise sorted) order. */
function errorstatsSection(server: ServerState): string[] {
  const codes = [...server.stats.errorCounts.keys()].sort();
  return codes.map((code) => `errorstat_${code}:count=${server.stats.errorCounts.get(code)}`);
}

/**
 * INFO latencystats: for each command with a latency histogram (it ran since the last CONFIG
 * RESETSTAT while latency-tracking was on), the latency-tracking-info-percentiles of its
 * recorded calls in µs, as Redis prints them. Empty while latency-tracking is off.
 */
function latencystatsSection(server: ServerState): string[] {
  if (!server.config.getBool("latency-tracking")) return [];
  const percentiles =
    parsePercentiles(server.config.getString("latency-tracking-info-percentiles")) ??
      [];
  const lines: string[] = [];
  for (const [name, stat] of server.stats.commandStats) {
    if (stat.latencyHistogram === null) continue;
    const fields = percentiles.map((p) =>
      `p${formatPercentile(p)}=${(latencyPercentileUs(stat, p) ?? 0).toFixed(3)}`
    );
    lines.push(`latency_percentiles_usec_${name}:${fields.join(",")}`);
  }
  return lines;
}

function keyspaceSection(server: ServerState, nowMs: number): string[] {
  const lines: string[] = [];
  for (let db = 0; db < DB_COUNT; db++) {
    const keys = server.engine.dbSize(db);
    if (keys === 0) continue;
    lines.push(`db${db}:keys=${keys},expires=${server.engine.expiresCount(db)},avg_ttl=0`);
  }
  void nowMs;
  return lines;
}

const SECTIONS: [name: string, section: Section][] = [
  ["server", serverSection],
  ["clients", clientsSection],
  ["memory", memorySection],
  ["persistence", persistenceSection],
  ["stats", statsSection],
  ["replication", replicationSection],
  ["cpu", cpuSection],
  ["commandstats", commandstatsSection],
  ["errorstats", errorstatsSection],
  ["latencystats", latencystatsSection],
  ["keyspace", keyspaceSection],
];

/** Sections only "all", "everything" or their own name print, as Redis's. */
const NON_DEFAULT_SECTIONS = new Set(["commandstats", "errorstats", "latencystats"]);
/** Sections INFO prints with no argument or "default". */
const DEFAULT_SECTIONS = new Set(
  SECTIONS.map(([name]) => name).filter((name) => !NON_DEFAULT_SECTIONS.has(name)),
);
/** Sections "all" and "everything" print. */
const ALL_SECTIONS = new Set(SECTIONS.map(([name]) => name));

/** Renders INFO for the requested section names (lower-case; empty = default). */
export function renderInfo(server: ServerState, requested: string[], nowMs: number): string {
  const wanted = new Set<string>();
  if (requested.length === 0) { for (const s of DEFAULT_SECTIONS) wanted.add(s); }
  for (const name of requested) {
    if (name === "all" || name === "everything") {
      for (const s of ALL_SECTIONS) wanted.add(s);
    } else if (name === "default") {
      for (const s of DEFAULT_SECTIONS) wanted.add(s);
    } else wanted.add(name);
  }
  const parts: string[] = [];
  for (const [name, section] of SECTIONS) {
    if (!wanted.has(name)) continue;
    const title = name[0].toUpperCase() + name.slice(1);
    parts.push([`# ${title}`, ...section(server, nowMs)].join("\r\n"));
  }
  return parts.length === 0 ? "" : parts.join("\r\n\r\n") + "\r\n";
}
