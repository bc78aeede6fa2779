// DUMP and RESTORE (cluster.c dumpCommand, restoreCommand): one key's value as Redis's
// serialized payload and back. The payload is the key's RDB record without the key, then the
// RDB version and a CRC64 (core/rdb/dump_payload.ts), so a payload moves between resplica and
// redis-server 7.0 in either direction.
//
// DUMP writes the record type the value's encoding calls for (a hash still a listpack → 16, one
// converted to a hashtable → 4), so its bytes equal redis-server's wherever the element order is
// Redis's too: strings, lists, sets as intsets, zsets, small hashes and streams. A hashtable hash
// or set lists its elements in the engine's order, which Redis's dict order (seeded at random
// per process) does not follow; such payloads restore the same value, byte-different.
//
// RESTORE-ASKING is RESTORE: without a cluster there is no ASKING state to honour.

import { isWord } from "../bytes.ts";
import { collectionEncoding } from "../engine/collections.ts";
import { OutOfMemoryError, ValueType } from "../engine/mod.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import { readValue, writeEntry } from "../persistence/keyspace_records.ts";
import { decodeDumpPayload, encodeDumpPayload } from "../rdb/mod.ts";
import { int64Arg } from "./_args.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

const ERR_BUSYKEY = "BUSYKEY Target key name already exists.";
const ERR_TTL_NEGATIVE = "ERR Invalid TTL value, must be >= 0";
const ERR_IDLETIME_NEGATIVE = "ERR Invalid IDLETIME value, must be >= 0";
const ERR_FREQ_RANGE = "ERR Invalid FREQ value, must be >= 0 and <= 255";
const FREQ_MAX = 255n;
/** Encodings that RDB records as the large type of their collection (4, 2, 5). */
const LARGE_ENCODINGS = new Set(["hashtable", "skiplist"]);

/**
 * The DUMP payload of `key` in `db` as DUMP replies it, or null when the key does not exist.
 * Shared with MIGRATE (migrate.ts), which sends the same bytes in its RESTORE commands.
 */
export function dumpPayload(
  server: CommandContext["server"],
  db: number,
  key: Uint8Array,
  nowMs: number,
): Uint8Array | null {
  const tag = server.engine.typeOf(db, key, nowMs);
  const value = tag < 0 ? null : readValue(server.engine, db, key, nowMs);
  if (value === null) return null;
  const collection = tag === ValueType.Hash || tag === ValueType.Set || tag === ValueType.Zset;
  const largeEncoding = collection
    ? LARGE_ENCODINGS.has(collectionEncoding(server.engine, tag, db, key, nowMs))
    : undefined;
  const { config } = server;
  return encodeDumpPayload(value, {
    compression: config.getBool("rdbcompression"),
    streamNodeMaxBytes: config.getNumber("stream-node-max-bytes"),
    streamNodeMaxEntries: config.getNumber("stream-node-max-entries"),
    largeEncoding,
  });
}

/**
 * DUMP key
 *
 * Replies the key's payload as a bulk string, or a null bulk when the key does not exist.
 */
function dumpCommand(ctx: CommandContext): void {
  const payload = dumpPayload(ctx.server, ctx.client.db, ctx.argv[1], ctx.nowMs);
  if (payload === null) return ctx.out.nullBulk();
  ctx.out.bulk(payload);
}

/** What RESTORE's options after the payload asked for. */
interface RestoreOptions {
  replace: boolean;
  absTtl: boolean;
  /** IDLETIME seconds, or -1 when not given. */
  idleS: number;
  /** FREQ counter, or -1 when not given. */
  freq: number;
}

/**
 * Parses `[REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]` from argv[4] on, as restoreCommand does:
 * IDLETIME and FREQ exclude each other (the second one is a syntax error), and each value is
 * checked where it is read.
 */
function restoreOptions(argv: Uint8Array[]): RestoreOptions {
  const options = { replace: false, absTtl: false, idleS: -1, freq: -1 };
  let idleGiven = false;
  let freqGiven = false;
  for (let i = 4; i < argv.length; i++) {
    const hasValue = i + 1 < argv.length;
    if (isWord(argv[i], "replace")) {
      options.replace = true;
    } else if (isWord(argv[i], "absttl")) {
      options.absTtl = true;
    } else if (isWord(argv[i], "idletime") && hasValue && !freqGiven) {
      const idleS = int64Arg(argv[i + 1]);
      if (idleS < 0n) fail(ERR_IDLETIME_NEGATIVE);
      options.idleS = Number(idleS);
      idleGiven = true;
      i++;
    } else if (isWord(argv[i], "freq") && hasValue && !idleGiven) {
      const freq = int64Arg(argv[i + 1]);
      if (freq < 0n || freq > FREQ_MAX) fail(ERR_FREQ_RANGE);
      options.freq = Number(freq);
      freqGiven = true;
      i++;
    } else {
      fail(ERR_SYNTAX);
    }
  }
  return options;
}

/**
 * RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
 *
 * Outcomes, in Redis's order of checks: a syntax or option error; BUSYKEY when the key exists
 * without REPLACE; a TTL error; "DUMP payload version or checksum are wrong"; "Bad data format".
 * Then +OK: the key holds the value, with the TTL (ms, relative unless ABSTTL; 0 = none).
 * A TTL already past stores nothing: REPLACE's old value is deleted (replicas get DEL), else
 * nothing changes. Replicas get RESTORE with the absolute time and ABSTTL appended.
 */
function restoreCommand(ctx: CommandContext): void {
  const { server, client, argv, nowMs } = ctx;
  const db = client.db;
  const key = argv[1];
  const options = restoreOptions(argv);
  if (!options.replace && server.engine.exists(db, key, nowMs)) fail(ERR_BUSYKEY);
  let ttlMs = int64Arg(argv[2]);
  if (ttlMs < 0n) fail(ERR_TTL_NEGATIVE);
  const decoded = decodeDumpPayload(argv[3]);
  if ("error" in decoded) fail(`ERR ${decoded.error}`);

  const deleted = options.replace && server.engine.del(db, key, nowMs);
  if (ttlMs !== 0n && !options.absTtl) ttlMs += BigInt(nowMs);
  // checkAlreadyExpired: a replica keeps the key, its master's DEL will follow.
  if (ttlMs !== 0n && ttlMs <= BigInt(nowMs) && !server.isReplica) {
    if (deleted) {
      ctx.propagateAs = [["DEL", key]];
      server.keyModified(db, key);
    }
    return ctx.out.simple("OK");
  }
  const entry = {
    db,
    key: key.slice(),
    expireAtMs: Number(ttlMs),
    value: decoded.value,
  };
  try {
    writeEntry(server.engine, entry, nowMs);
  } catch (error) {
    // Out of memory half-way through a collection: leave no partial value behind.
    if (error instanceof OutOfMemoryError) server.engine.del(db, key, nowMs);
    throw error;
  }
  // objectSetLRUOrLFU: IDLETIME counts under an LRU (or no) policy, FREQ under an LFU one.
  const stamp = server.evictor.lfu ? options.freq : options.idleS;
  if (stamp >= 0) server.engine.setAccessInfo(db, key, nowMs, stamp);
  if (ttlMs !== 0n && !options.absTtl) {
    ctx.propagateAs = [[argv[0], key, String(ttlMs), ...argv.slice(3), "ABSTTL"]];
  }
  server.keyModified(db, key);
  ctx.out.simple("OK");
}

const RESTORE_COMPLEXITY = "O(1) to create the new key and additional O(N*M) to reconstruct " +
  "the serialized value, where N is the number of Redis objects composing the value and M " +
  "their average size. For small string values the time complexity is thus O(1)+O(1*M) where " +
  "M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) " +
  "because inserting values into sorted sets is O(log(N)).";

export const DUMP_COMMANDS: CommandDefinition[] = [
  {
    name: "dump",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["keyspace", "read", "slow"],
    group: "generic",
    summary: "Return a serialized version of the value stored at the specified key.",
    since: "2.6.0",
    complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the " +
      "number of Redis objects composing the value and M their average size. For small string " +
      "values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
    tips: ["nondeterministic_output"],
    handler: dumpCommand,
  },
  {
    name: "restore",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    categories: ["keyspace", "write", "slow", "dangerous"],
    group: "generic",
    summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
    since: "2.6.0",
    complexity: RESTORE_COMPLEXITY,
    handler: restoreCommand,
  },
  {
    name: "restore-asking",
    arity: -4,
    flags: ["write", "denyoom", "asking"],
    keys: [1, 1, 1],
    categories: ["keyspace", "write", "slow", "dangerous"],
    group: "server",
    summary: "An internal command for migrating keys in a cluster",
    since: "3.0.0",
    complexity: RESTORE_COMPLEXITY,
    handler: restoreCommand,
  },
];
