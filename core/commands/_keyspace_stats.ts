// Keyspace hits and misses (INFO stats keyspace_hits / keyspace_misses), counted as Redis 7.0's
// lookupKeyRead counts them (db.c lookupKey): every read lookup of a key is a hit when the key
// exists, whatever its type, or a miss; write lookups count nothing, and a key of the wrong type
// is a hit before the WRONGTYPE error.
//
// Counting is per handler, at the point where it looks a key up for reading: where the engine's
// answer already says whether the key exists (a value or null, -2 for TTL, a type tag) the count
// is one field increment and no extra engine call. Only where the answer cannot tell (HGET of a
// missing field, an empty LRANGE) does the handler ask the engine once more (countReadOf).
// The alternative, a counter inside the engine's key lookup read back by the shell after every
// command, costs an engine read (and a read/write mode switch) on every command, writes
// included, and cannot tell one read lookup from the several internal lookups a command makes.
// A WRONGTYPE thrown by a read lookup is counted once by the dispatcher (wrongTypeCountsHit).

import type { ServerState } from "../state/server_state.ts";
import type { CommandContext, CommandSpec } from "./context.ts";

/** Counts one read lookup: a hit if the key was found (of any type), else a miss. */
export function countRead(server: ServerState, found: boolean): void {
  if (found) server.stats.keyspaceHits++;
  else server.stats.keyspaceMisses++;
}

/**
 * Counts one read lookup of `key` by asking the engine whether it exists, for a handler whose
 * result does not tell (an empty range, a missing field). Call it after the read, so a
 * WRONGTYPE thrown by the read is left to the dispatcher.
 */
export function countReadOf(ctx: CommandContext, key: Uint8Array): void {
  countRead(ctx.server, ctx.server.engine.exists(ctx.client.db, key, ctx.nowMs));
}

/**
 * Counts the read lookups of argv[first … end) (a multi-key read: SINTER, SUNIONSTORE's
 * sources …), one engine question per key: after the read (a WRONGTYPE is then left to the
 * dispatcher), or, for SINTERSTORE / SUNIONSTORE / SDIFFSTORE, before the write, a source of
 * another type being counted here (so they are not among READ_LOOKUP_WRITES).
 */
export function countReadsOf(
  ctx: CommandContext,
  argv: readonly Uint8Array[],
  first: number,
  end: number,
): void {
  for (let i = first; i < end; i++) countReadOf(ctx, argv[i]);
}

/**
 * Write commands whose WRONGTYPE comes from a read lookup of a source key (Redis looks their
 * sources up with lookupKeyRead): GETDEL, GETEX, GETSET and SET … GET read the old value;
 * the STORE variants read their sources. Their destination lookups are writes and never fail
 * on type (the destination is overwritten).
 */
const READ_LOOKUP_WRITES = new Set([
  "getdel",
  "getex",
  "getset",
  "set",
  "zunionstore",
  "zinterstore",
  "zdiffstore",
  "zrangestore",
  "bitop",
  "georadius",
  "georadiusbymember",
  "geosearchstore",
]);

/** Read commands that count their WRONGTYPE lookups themselves (hyperloglog.ts, sort.ts). */
const SELF_COUNTING_READS = new Set(["pfcount", "sort_ro"]);

/**
 * Whether a WRONGTYPE error `spec` threw came from a read lookup, which Redis counts as a hit.
 * Runs on the error path only.
 */
export function wrongTypeCountsHit(spec: CommandSpec): boolean {
  if (SELF_COUNTING_READS.has(spec.fullName)) return false;
  return spec.flags.includes("readonly") || READ_LOOKUP_WRITES.has(spec.fullName);
}
