// MEMORY (Redis 7.0, object.c memoryCommand): USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP.
//
// MEMORY USAGE answers an estimate, as Redis's does (objectComputeSize samples a few elements
// and extrapolates), but from the key's element count and encoding alone: O(1), with a fixed
// cost per element for each encoding, close to what redis-server 7.0 reports for short
// elements. The engine's pages are not attributed to keys, so this is no exact measure of
// either server; SAMPLES is accepted and checked, and changes nothing.
//
// MEMORY STATS has Redis 7.0's fields in Redis's order and types, filled from what resplica
// measures. Where a field means something else here, this is what it holds:
//
//   total.allocated        the engine's live allocations (INFO used_memory, what maxmemory
//                          counts): keys, values, the keyspace tables, the backlog ring
//   peak.allocated         the engine's WebAssembly memory size (INFO used_memory_peak): it
//                          only grows, so it is the high-water mark of what the engine obtained
//   startup.allocated      what a fresh engine holds before any key: its staging region
//   replication.backlog    the backlog ring's capacity (repl-backlog-size), allocated whole
//                          in engine memory when the backlog is created
//   clients.slaves         replicas' pending output plus their sync spools held in memory
//   clients.normal         other clients' pending output and unparsed input (host memory)
//   cluster.links          0: no cluster bus
//   aof.buffer             0: appended writes are handed to the file before replies leave,
//                          and the bytes between are not counted
//   lua.caches             EVAL scripts' source kept by the script cache (host memory)
//   functions.caches       FUNCTION libraries' code (host memory)
//   db.N overhead.*        from the engine's layout: 40 bytes of entry header per key plus
//                          a 4-byte bucket per slot of the table (a power of two ≥ the key
//                          count, not the live size while a rehash runs); 4 bytes of TTL index
//                          per key with a TTL; slot-to-keys 0 (no cluster)
//   overhead.total         startup + backlog + the db tables: the parts of total.allocated
//                          that are not data. Client buffers and script caches live in the JS
//                          heap, outside total.allocated, so they are listed but not summed
//   dataset.bytes          total.allocated - overhead.total
//   allocator.allocated    the engine's live allocations (= total.allocated)
//   allocator.active       the engine's pages in use (obtained and not free), in bytes
//   allocator.resident     the engine's WebAssembly memory size
//   rss-overhead.*         the process RSS beside the engine's memory: V8's heap, Lua, Deno
//   fragmentation          process RSS / total.allocated
//
// MEMORY DOCTOR looks at the same figures (thresholds as Redis's: an almost empty instance,
// a peak 1.5× current use, fragmentation past 1.4 or 1.1 and 10 MB, big client or replica
// buffers, many cached scripts) and words its own report. MEMORY PURGE gives back what the
// server holds but no longer needs: the staging region a big command grew and the streams no
// key refers to any more. MEMORY MALLOC-STATS describes the engine's page allocator and the
// host's heap.

import { isWord, parseInt64 } from "../bytes.ts";
import { collectionEncoding } from "../engine/collections.ts";
import { hashLength } from "../engine/hash.ts";
import { listLength } from "../engine/list.ts";
import { DB_COUNT, ValueType } from "../engine/mod.ts";
import { setCardinality } from "../engine/set.ts";
import { zsetCard } from "../engine/zset.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, fail } from "../errors.ts";
import { ReplicaState } from "../sessions/replica_state.ts";
import type { ServerState } from "../state/server_state.ts";
import { writeHelp } from "./_help.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

/** A key's fixed cost: its dict entry, the object header and the key's sds header. */
const KEY_OVERHEAD_BYTES = 24 + 16 + 3;
/** A collection's fixed cost besides its elements (a listpack header, a dict, a skiplist). */
const COLLECTION_OVERHEAD_BYTES = 64;
/** A stream without counting its entries: rax, listpack node, group tables. */
const STREAM_ESTIMATE_BYTES = 640;
/** Bytes per element (per pair for a hash) by encoding, for elements of a few bytes. */
const ELEMENT_BYTES: Record<string, number> = {
  "hash:listpack": 8,
  "hash:hashtable": 72,
  "set:intset": 8,
  "set:hashtable": 48,
  "zset:listpack": 12,
  "zset:skiplist": 88,
  "list:listpack": 6,
  "list:quicklist": 6,
};

const MEMORY_HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Report what looks wrong with the server's memory, if anything.",
  "MALLOC-STATS",
  "    Describe the engine's page allocator and the host heap.",
  "PURGE",
  "    Give back memory held but no longer needed (a grown staging region, unreferenced",
  "    streams).",
  "STATS",
  "    Return the server's memory use, broken down as Redis 7.0's MEMORY STATS.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

/** The engine's page size (wasm/assembly/pages.ts PAGE_SIZE_BYTES). */
const ENGINE_PAGE_SIZE_BYTES = 65536;
/** A fresh engine's allocations: its staging region (wasm/assembly/boundary.ts). */
const ENGINE_STARTUP_BYTES = 4096;
/** A key's entry header in the engine (wasm/assembly/entry.ts ENTRY_HEADER_SIZE_BYTES). */
const ENTRY_HEADER_SIZE_BYTES = 40;
/** One bucket of a keyspace table, or one slot of the TTL index: a u32 entry address. */
const TABLE_SLOT_SIZE_BYTES = 4;
/** Smallest keyspace table (wasm/assembly/bytes.ts BUCKET_COUNT_MIN). */
const TABLE_BUCKET_COUNT_MIN = 4;

// MEMORY DOCTOR's thresholds (the same as Redis's getMemoryDoctorReport).
/** Below this much allocated, the instance is too empty to judge. */
const DOCTOR_EMPTY_BELOW_BYTES = 5 * 1024 * 1024;
/** A peak this many times the current use is reported. */
const DOCTOR_PEAK_RATIO_MAX = 1.5;
/** Process RSS over allocations past this ratio (and DOCTOR_EXCESS_MIN_BYTES) is reported. */
const DOCTOR_RSS_RATIO_MAX = 1.4;
/** Page-level waste or RSS beside the engine past this ratio (and the bytes below). */
const DOCTOR_ALLOCATOR_RATIO_MAX = 1.1;
/** An excess smaller than this is never reported, whatever its ratio. */
const DOCTOR_EXCESS_MIN_BYTES = 10 * 1024 * 1024;
/** Average pending bytes per normal client above which buffers are reported. */
const DOCTOR_CLIENT_BUFFER_MAX_BYTES = 200 * 1024;
/** Replica buffers (all replicas) above which they are reported. */
const DOCTOR_REPLICA_BUFFER_MAX_BYTES = 10 * 1024 * 1024;
/** Cached EVAL scripts above which the cache is reported. */
const DOCTOR_SCRIPTS_MAX = 1000;

/** One database's table overhead, as MEMORY STATS's db.N map. */
interface DbOverhead {
  db: number;
  mainBytes: number;
  expiresBytes: number;
}

/** The figures MEMORY STATS and MEMORY DOCTOR share (see the table at the top). */
interface MemoryOverhead {
  peakBytes: number;
  totalBytes: number;
  startupBytes: number;
  backlogBytes: number;
  replicaClientsBytes: number;
  normalClientsBytes: number;
  normalClientCount: number;
  replicaCount: number;
  luaCachesBytes: number;
  functionsBytes: number;
  dbs: DbOverhead[];
  overheadBytes: number;
  keyCount: number;
  bytesPerKey: number;
  datasetBytes: number;
  datasetPercent: number;
  peakPercent: number;
  activeBytes: number;
  residentBytes: number;
  rssBytes: number;
}

function processRssBytes(): number {
  try {
    return Deno.memoryUsage().rss;
  } catch {
    return 0;
  }
}

/** A ratio, 0 when the divisor is (Redis would print inf or nan there; neither helps). */
function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : 0;
}

/** Gathers MEMORY STATS's figures: O(clients + databases). */
function memoryOverhead(server: ServerState): MemoryOverhead {
  const { engine } = server;
  const totalBytes = engine.usedMemoryBytes();
  const residentBytes = engine.totalMemoryBytes();
  const activeBytes = (engine.pageCount() - engine.freePageCount()) * ENGINE_PAGE_SIZE_BYTES;
  const backlogBytes = server.replication.backlog?.sizeBytes ?? 0;
  let replicaClientsBytes = server.replication.spoolStats().memoryBytes;
  let normalClientsBytes = 0;
  let normalClientCount = 0;
  let replicaCount = 0;
  for (const client of server.clients.values()) {
    const pendingBytes = client.writer.lengthBytes + client.reader.bufferedBytes;
    if (client.replState !== ReplicaState.None) {
      replicaCount++;
      replicaClientsBytes += pendingBytes;
    } else {
      normalClientCount++;
      normalClientsBytes += pendingBytes;
    }
  }
  let functionsBytes = 0;
  for (const library of server.functions.libraries) functionsBytes += library.code.length;
  const dbs: DbOverhead[] = [];
  let keyCount = 0;
  let overheadBytes = ENGINE_STARTUP_BYTES + backlogBytes;
  for (let db = 0; db < DB_COUNT; db++) {
    const keys = engine.dbSize(db);
    if (keys === 0) continue;
    keyCount += keys;
    let buckets = TABLE_BUCKET_COUNT_MIN;
    while (buckets < keys) buckets *= 2;
    const mainBytes = keys * ENTRY_HEADER_SIZE_BYTES + buckets * TABLE_SLOT_SIZE_BYTES;
    const expiresBytes = engine.expiresCount(db) * TABLE_SLOT_SIZE_BYTES;
    overheadBytes += mainBytes + expiresBytes;
    dbs.push({ db, mainBytes, expiresBytes });
  }
  // The estimate may pass a nearly empty engine's allocations; data is never negative.
  overheadBytes = Math.min(overheadBytes, totalBytes);
  const datasetBytes = totalBytes - overheadBytes;
  const netBytes = totalBytes > ENGINE_STARTUP_BYTES ? totalBytes - ENGINE_STARTUP_BYTES : 1;
  return {
    peakBytes: residentBytes,
    totalBytes,
    startupBytes: ENGINE_STARTUP_BYTES,
    backlogBytes,
    replicaClientsBytes,
    normalClientsBytes,
    normalClientCount,
    replicaCount,
    luaCachesBytes: server.scripts.memoryBytes,
    functionsBytes,
    dbs,
    overheadBytes,
    keyCount,
    bytesPerKey: keyCount > 0 ? Math.floor(netBytes / keyCount) : 0,
    datasetBytes,
    datasetPercent: datasetBytes * 100 / netBytes,
    peakPercent: ratio(totalBytes * 100, residentBytes),
    activeBytes,
    residentBytes,
    rssBytes: processRssBytes(),
  };
}

/** MEMORY STATS → a map of Redis 7.0's 27 fields plus one db.N map per non-empty database. */
function memoryStatsCommand(ctx: CommandContext): void {
  const m = memoryOverhead(ctx.server);
  const out = ctx.out;
  const integer = (name: string, value: number) => {
    out.bulkString(name);
    out.integer(Math.max(0, Math.round(value)));
  };
  const signedInteger = (name: string, value: number) => {
    out.bulkString(name);
    out.integer(Math.round(value));
  };
  const double = (name: string, value: number) => {
    out.bulkString(name);
    out.double(value);
  };
  out.mapHeader(27 + m.dbs.length);
  integer("peak.allocated", m.peakBytes);
  integer("total.allocated", m.totalBytes);
  integer("startup.allocated", m.startupBytes);
  integer("replication.backlog", m.backlogBytes);
  integer("clients.slaves", m.replicaClientsBytes);
  integer("clients.normal", m.normalClientsBytes);
  integer("cluster.links", 0);
  integer("aof.buffer", 0);
  integer("lua.caches", m.luaCachesBytes);
  integer("functions.caches", m.functionsBytes);
  for (const db of m.dbs) {
    out.bulkString(`db.${db.db}`);
    out.mapHeader(3);
    integer("overhead.hashtable.main", db.mainBytes);
    integer("overhead.hashtable.expires", db.expiresBytes);
    integer("overhead.hashtable.slot-to-keys", 0);
  }
  integer("overhead.total", m.overheadBytes);
  integer("keys.count", m.keyCount);
  integer("keys.bytes-per-key", m.bytesPerKey);
  integer("dataset.bytes", m.datasetBytes);
  double("dataset.percentage", m.datasetPercent);
  double("peak.percentage", m.peakPercent);
  integer("allocator.allocated", m.totalBytes);
  integer("allocator.active", m.activeBytes);
  integer("allocator.resident", m.residentBytes);
  double("allocator-fragmentation.ratio", ratio(m.activeBytes, m.totalBytes));
  signedInteger("allocator-fragmentation.bytes", m.activeBytes - m.totalBytes);
  double("allocator-rss.ratio", ratio(m.residentBytes, m.activeBytes));
  signedInteger("allocator-rss.bytes", m.residentBytes - m.activeBytes);
  double("rss-overhead.ratio", ratio(m.rssBytes, m.residentBytes));
  signedInteger("rss-overhead.bytes", m.rssBytes - m.residentBytes);
  double("fragmentation", ratio(m.rssBytes, m.totalBytes));
  signedInteger("fragmentation.bytes", m.rssBytes - m.totalBytes);
}

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

/**
 * MEMORY DOCTOR's report: a one-line verdict when nothing stands out (or the instance holds too
 * little to judge), else one paragraph per finding. Plain text, verbatim in RESP3.
 */
export function memoryDoctorReport(server: ServerState): string {
  const m = memoryOverhead(server);
  if (m.totalBytes < DOCTOR_EMPTY_BELOW_BYTES) {
    return `Memory doctor: the engine holds only ${mib(m.totalBytes)}, too little for its ` +
      "ratios to mean anything. Ask again once the dataset has grown.\n";
  }
  const findings: string[] = [];
  if (ratio(m.peakBytes, m.totalBytes) > DOCTOR_PEAK_RATIO_MAX) {
    findings.push(
      `Past peak: the engine's memory grew to ${mib(m.peakBytes)} and now holds ` +
        `${mib(m.totalBytes)} of live data. WebAssembly memory never shrinks, so the ` +
        "difference stays reserved; new data reuses it before the memory grows again. Only a " +
        "restart gives it back to the system.",
    );
  }
  const rssExcessBytes = m.rssBytes - m.totalBytes;
  if (
    ratio(m.rssBytes, m.totalBytes) > DOCTOR_RSS_RATIO_MAX &&
    rssExcessBytes > DOCTOR_EXCESS_MIN_BYTES
  ) {
    findings.push(
      `Process size: the process uses ${mib(m.rssBytes)} of RAM for ${mib(m.totalBytes)} of ` +
        "engine allocations. Part of that is fixed (Deno, V8, the Lua VM); the rest follows a " +
        "past peak or client buffers (see the other findings).",
    );
  }
  const pageWasteBytes = m.activeBytes - m.totalBytes;
  if (
    ratio(m.activeBytes, m.totalBytes) > DOCTOR_ALLOCATOR_RATIO_MAX &&
    pageWasteBytes > DOCTOR_EXCESS_MIN_BYTES
  ) {
    findings.push(
      `Page fragmentation: the engine's pages in use hold ${mib(m.activeBytes)} for ` +
        `${mib(m.totalBytes)} of allocations: many pages are partly empty after deletions. ` +
        "They fill again as keys are written.",
    );
  }
  const freePagesBytes = m.residentBytes - m.activeBytes;
  if (
    ratio(m.residentBytes, m.activeBytes) > DOCTOR_ALLOCATOR_RATIO_MAX &&
    freePagesBytes > DOCTOR_EXCESS_MIN_BYTES
  ) {
    findings.push(
      `Free pages: ${mib(freePagesBytes)} of the engine's memory is in free pages, kept for ` +
        "reuse. MEMORY PURGE returns what the server holds beyond that, not these pages.",
    );
  }
  const hostBytes = m.rssBytes - m.residentBytes;
  if (
    ratio(m.rssBytes, m.residentBytes) > DOCTOR_ALLOCATOR_RATIO_MAX &&
    hostBytes > DOCTOR_EXCESS_MIN_BYTES
  ) {
    findings.push(
      `Host memory: ${mib(hostBytes)} of the process lies outside the engine (V8's heap, the ` +
        "Lua VM, client buffers, stream structures). Check clients.normal and lua.caches in " +
        "MEMORY STATS.",
    );
  }
  if (ratio(m.normalClientsBytes, m.normalClientCount) > DOCTOR_CLIENT_BUFFER_MAX_BYTES) {
    findings.push(
      `Client buffers: clients hold ${mib(m.normalClientsBytes)} of pending input and output, ` +
        "over 200 KiB each on average: slow readers (Pub/Sub subscribers, big replies) or " +
        "long pipelines. CLIENT LIST shows each client's qbuf and omem.",
    );
  }
  if (m.replicaCount > 0 && m.replicaClientsBytes > DOCTOR_REPLICA_BUFFER_MAX_BYTES) {
    findings.push(
      `Replica buffers: ${mib(m.replicaClientsBytes)} of the stream waits in memory for ` +
        `${m.replicaCount} replica(s), which take it slower than it is written. INFO ` +
        "replication shows each replica's lag_bytes.",
    );
  }
  if (server.scripts.size > DOCTOR_SCRIPTS_MAX) {
    findings.push(
      `Script cache: ${server.scripts.size} scripts are cached. Scripts built with their ` +
        "values inline never repeat; pass values in KEYS and ARGV and call EVALSHA, or run " +
        "SCRIPT FLUSH from time to time.",
    );
  }
  if (findings.length === 0) {
    return `Memory doctor: nothing stands out. The engine holds ${mib(m.totalBytes)}, its ` +
      "peak, pages, process size and buffers are all within bounds.\n";
  }
  return `Memory doctor: ${findings.length} finding(s).\n\n` +
    findings.map((finding) => ` * ${finding}\n\n`).join("") +
    "Each figure is in MEMORY STATS and INFO memory.\n";
}

/** MEMORY MALLOC-STATS: the engine's page allocator and the host heap, as plain text. */
export function mallocStatsReport(server: ServerState): string {
  const { engine } = server;
  const pageCount = engine.pageCount();
  const freePageCount = engine.freePageCount();
  const usedPagesBytes = (pageCount - freePageCount) * ENGINE_PAGE_SIZE_BYTES;
  const allocatedBytes = engine.usedMemoryBytes();
  let host = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 };
  try {
    host = Deno.memoryUsage();
  } catch {
    // No figures for the host: zeros.
  }
  return [
    "resplica allocator statistics",
    "",
    "engine: WebAssembly linear memory, 64 KiB pages; small values in 36 slab size classes,",
    "large ones in runs of whole pages",
    `  memory.bytes:          ${engine.totalMemoryBytes()}`,
    `  pages.obtained:        ${pageCount}`,
    `  pages.free:            ${freePageCount}`,
    `  pages.in-use:          ${pageCount - freePageCount}`,
    `  pages.in-use.bytes:    ${usedPagesBytes}`,
    `  allocated.bytes:       ${allocatedBytes}`,
    `  pages.utilization:     ${(ratio(allocatedBytes, usedPagesBytes) * 100).toFixed(2)}%`,
    "",
    "host: V8 heap (Deno.memoryUsage)",
    `  rss.bytes:             ${host.rss}`,
    `  heap.total.bytes:      ${host.heapTotal}`,
    `  heap.used.bytes:       ${host.heapUsed}`,
    `  external.bytes:        ${host.external}`,
    "",
    "lua: the scripting VM's own WebAssembly memory",
    `  used.bytes:            ${server.lua?.usedMemoryBytes ?? 0}`,
    "",
  ].join("\n");
}

/**
 * MEMORY PURGE → +OK: gives back the staging region a big command grew (as the cron would
 * later) and sweeps streams no key refers to any more. The engine's free pages stay reserved
 * (WebAssembly memory cannot shrink).
 */
function memoryPurgeCommand(ctx: CommandContext): void {
  ctx.server.engine.trimStaging();
  ctx.server.engine.reclaimHostValues(ctx.nowMs, true);
  ctx.out.simple("OK");
}

/**
 * MEMORY USAGE key [SAMPLES count] → the estimated bytes of the key and its value, or a null
 * bulk when the key does not exist. A SAMPLES that is no integer is an error, a negative one
 * a syntax error (object.c).
 */
function memoryUsageCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  for (let i = 3; i < argv.length; i += 2) {
    if (!isWord(argv[i], "samples") || i + 1 >= argv.length) fail(ERR_SYNTAX);
    const samples = parseInt64(argv[i + 1]);
    if (samples === null) fail(ERR_NOT_INTEGER);
    if (samples < 0n) fail(ERR_SYNTAX);
  }
  const { engine } = server;
  const key = argv[2];
  const tag = engine.typeOf(client.db, key, ctx.nowMs);
  if (tag < 0) return ctx.out.nullBulk();
  let valueBytes: number;
  if (tag === ValueType.String) {
    valueBytes = 16 + (engine.getString(client.db, key, ctx.nowMs)?.length ?? 0);
  } else if (tag === ValueType.Stream) {
    valueBytes = STREAM_ESTIMATE_BYTES;
  } else {
    const count = tag === ValueType.Hash
      ? hashLength(engine, client.db, key, ctx.nowMs)
      : tag === ValueType.Set
      ? setCardinality(engine, client.db, key, ctx.nowMs)
      : tag === ValueType.Zset
      ? zsetCard(engine, client.db, key, ctx.nowMs)
      : listLength(engine, client.db, key, ctx.nowMs);
    const typeName = tag === ValueType.Hash
      ? "hash"
      : tag === ValueType.Set
      ? "set"
      : tag === ValueType.Zset
      ? "zset"
      : "list";
    const encoding = collectionEncoding(engine, tag, client.db, key, ctx.nowMs);
    valueBytes = COLLECTION_OVERHEAD_BYTES +
      count * (ELEMENT_BYTES[`${typeName}:${encoding}`] ?? 16);
  }
  ctx.out.integer(KEY_OVERHEAD_BYTES + key.length + valueBytes);
}

export const MEMORY_COMMANDS: CommandDefinition[] = [
  {
    name: "memory",
    arity: -2,
    group: "server",
    summary: "A container for memory diagnostics commands.",
    since: "4.0.0",
    categories: ["slow"],
    subcommands: [
      {
        name: "usage",
        arity: -3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        categories: ["read", "slow"],
        group: "server",
        summary: "Estimates the memory usage of a key.",
        since: "4.0.0",
        handler: memoryUsageCommand,
      },
      {
        name: "stats",
        arity: 2,
        flags: [],
        categories: ["slow"],
        group: "server",
        summary: "Returns details about memory usage.",
        since: "4.0.0",
        handler: memoryStatsCommand,
      },
      {
        name: "doctor",
        arity: 2,
        flags: [],
        categories: ["slow"],
        group: "server",
        summary: "Outputs a memory problems report.",
        since: "4.0.0",
        handler: (ctx) => ctx.out.verbatim(memoryDoctorReport(ctx.server)),
      },
      {
        name: "malloc-stats",
        arity: 2,
        flags: [],
        categories: ["slow"],
        group: "server",
        summary: "Returns the allocator statistics.",
        since: "4.0.0",
        handler: (ctx) => ctx.out.verbatim(mallocStatsReport(ctx.server)),
      },
      {
        name: "purge",
        arity: 2,
        flags: [],
        categories: ["slow"],
        group: "server",
        summary: "Asks the allocator to release memory.",
        since: "4.0.0",
        handler: memoryPurgeCommand,
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow"],
        group: "server",
        summary: "Returns helpful text about the different subcommands.",
        since: "4.0.0",
        handler: (ctx) => writeHelp(ctx.out, MEMORY_HELP),
      },
    ],
  },
];
