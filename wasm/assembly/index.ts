// index.ts — the keyspace engine's exported face: every WASM export, one per command family,
// numeric on both sides. It defines init and the memory statistics and re-exports the command
// modules; nothing imports it.
//
// The host (core/engine/engine.ts) copies argument bytes into the staging region, calls one
// export with numbers (db, lengths, times as f64 milliseconds), and reads results back from
// the result cells or from engine memory the cells point at (boundary.ts draws both). Every
// number with a meaning on both sides — status codes, type tags, flags, cell offsets — is in
// abi.ts, mirrored by core/engine/abi.ts. Return codes: ≥ 0 results, STATUS_MISSING (-1),
// STATUS_WRONGTYPE (-2), STATUS_OOM (-3); every mutating export allocates everything it needs
// before changing anything, so OOM leaves the keyspace as it was.
//
// Layers, bottom to top. A module imports only what its row allows: whole layers below its
// own, and the modules its row names; no import cycles, and no module imports index.ts.
//
//   layer  module            may import
//   ─────  ────────────────  ───────────────────────────────────────────────────────────────
//   0      pages.ts          nothing                  (allocator: pages, slabs, runs)
//   0      abi.ts            nothing                  (every number shared with the host)
//   0      random.ts         nothing                  (the one PRNG)
//   0      decimal.ts        nothing                  (int64 ↔ canonical decimal text)
//   0      bytes.ts          nothing                  (seeded hash, compare, bucket sizing)
//   0      entry.ts          nothing                  (keyspace entry layout)
//   0      limits.ts         nothing                  (live encoding thresholds)
//   1      boundary.ts       layer 0                  (staging, result cells, host buffers)
//   1      access.ts         layer 0                  (LRU / LFU stamps)
//   1      chain.ts          layer 0                  (chain walks of hash_/set_table)
//   2      dict.ts           layers 0–1               (databases, buckets, TTL index)
//   3      hash_listpack.ts  layers 0–1               (value encodings: they know no keys)
//   3      hash_table.ts     layers 0–1; hash_listpack
//   3      hash_value.ts     layers 0–1; hash_listpack, hash_table
//   3      list_quicklist.ts layers 0–1
//   3      set_intset.ts     layers 0–1
//   3      set_packed.ts     layers 0–1
//   3      set_table.ts      layers 0–1
//   3      set_value.ts      layers 0–1; set_intset, set_packed, set_table
//   3      zset_listpack.ts  layers 0–1
//   3      zset_skiplist.ts  layers 0–1; zset_listpack
//   3      zset_value.ts     layers 0–1; zset_listpack, zset_skiplist
//   4      values.ts         layers 0–1; hash_value, list_quicklist, set_value, zset_value
//   5      lazyfree.ts       layers 0–4               (the lazy-free queue: detached memory
//                                                     freed in bounded steps)
//   5      keyspace.ts       layers 0–2, 4; lazyfree  (lookups, expiry, deletion, colOpen*)
//   6      strings.ts        layers 0–5               (the command modules: each takes what
//   6      keys.ts           layers 0–5                it needs from below, never from
//   6      eviction.ts       layers 0–5                another module of layer 6)
//   6      hash.ts           layers 0–5
//   6      list.ts           layers 0–5
//   6      set.ts            layers 0–5
//   6      zset.ts           layers 0–5
//   6      snapshot.ts       layers 0–5
//   6      snapshot_load.ts  layers 0–5
//   6      backlog.ts        layers 0–5
//   6      stream.ts         layers 0–5               (stream keys: host handles)
//   7      pipeline.ts       layers 0–6               (pipelined commands run from request
//                                                     bytes, through the command modules)
//   8      index.ts          layers 0–7
//
// The cut between 3 and 5 is what keeps the graph acyclic: freeing a key's value must reach
// every type (lazy expiry can delete any key), so the value encodings, which never see keys or
// the staging region's key, sit below the keyspace; the command halves of each type, which
// open keys, sit above it.

import { initStaging } from "./boundary";
import { setHashSeed } from "./bytes";
import { initDatabases } from "./dict";
import { LISTPACK_ENTRIES_MAX, LISTPACK_USED_MAX_BYTES } from "./hash_listpack";
import { storeEncodingLimits } from "./limits";
import {
  getFreePageCount,
  getHeapPageCount,
  getUsedBytes,
  initPages,
  setMaxHeapPageCount,
} from "./pages";
import { seedRandom } from "./random";
import { INTSET_ENTRIES_CAP } from "./set_intset";
import { LP_ENTRIES_MAX, LP_SAFETY_MAX_BYTES } from "./zset_listpack";

/** Initialises the engine; returns 1, or 0 if memory could not be set up. */
export function init(seedLow: u32, seedHigh: u32): i32 {
  if (!initPages()) return 0;
  initDatabases();
  const seed = (<u64>seedHigh << 32) | <u64>seedLow;
  setHashSeed(seed ^ 0x6a09e667f3bcc909);
  seedRandom(seed);
  return initStaging();
}

// ── Memory statistics and limits ────────────────────────────────────────────────────────

export function usedMemoryBytes(): f64 {
  return <f64>getUsedBytes();
}

export function pageCount(): u32 {
  return getHeapPageCount();
}

export function freePageCount(): u32 {
  return getFreePageCount();
}

export function setMaxPages(pageCountMax: u32): void {
  setMaxHeapPageCount(pageCountMax);
}

// ── Encoding thresholds ─────────────────────────────────────────────────────────────────

@inline function clampLimit(value: f64, cap: u32): u32 {
  return value >= <f64>cap ? cap : value <= 0 ? 0 : <u32>value;
}

/**
 * Sets the thresholds past which a write converts a value to its large encoding (limits.ts):
 * hash-max-listpack-entries / -value, set-max-intset-entries, zset-max-listpack-entries /
 * -value. Each is clamped to what its small encoding can hold; above that bound a value
 * converts at the bound (OBJECT ENCODING then differs from Redis, the data does not).
 */
export function setEncodingLimits(
  hashEntries: f64,
  hashValueBytes: f64,
  setIntsetEntries: f64,
  zsetEntries: f64,
  zsetValueBytes: f64,
): void {
  storeEncodingLimits(
    clampLimit(hashEntries, LISTPACK_ENTRIES_MAX),
    clampLimit(hashValueBytes, LISTPACK_USED_MAX_BYTES),
    clampLimit(setIntsetEntries, INTSET_ENTRIES_CAP),
    clampLimit(zsetEntries, LP_ENTRIES_MAX),
    clampLimit(zsetValueBytes, <u32>LP_SAFETY_MAX_BYTES),
  );
}

// ── The command modules ─────────────────────────────────────────────────────────────────

export { resultCellsPtr, reserveStaging, shrinkStaging, stagingCapacity } from "./boundary";
export { expiredLogInfo, expiredLogReset, setExpireDeletes } from "./keyspace";
export { setAccessMode, setTouchSuppressed } from "./access";
export * from "./strings";
export * from "./pipeline";
export * from "./keys";
export * from "./eviction";
export * from "./hash";
export * from "./list";
export * from "./set";
export * from "./zset";
export * from "./snapshot";
export * from "./snapshot_load";
export * from "./backlog";
export * from "./stream";
export {
  lazyFreedObjects,
  lazyFreePendingObjects,
  lazyFreeStep,
  setLazyFreeModes,
} from "./lazyfree";
