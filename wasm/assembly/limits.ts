// limits.ts — the live encoding thresholds: Redis's hash-max-listpack-entries / -value,
// set-max-intset-entries and zset-max-listpack-entries / -value, as the host last set them
// (index.ts setEncodingLimits, which clamps each to what its small encoding's layout can hold).
//
// Every write that may convert a value from its small encoding reads these, never a constant,
// so a CONFIG SET applies to the next write as in Redis. Lowering a threshold converts nothing
// by itself: values already small stay small until a write crosses the new limit (Redis 7.0
// likewise). The initial values are Redis 7.0.15's defaults (config.c).
//
//   threshold                     default  clamped to (layout)
//   ────────────────────────────  ───────  ─────────────────────────────────────────────
//   hashListpackEntriesMax            512  hash_listpack.ts LISTPACK_ENTRIES_MAX (512)
//   hashListpackValueMaxBytes          64  hash_listpack.ts LISTPACK_USED_MAX_BYTES (1 GiB - 1)
//   setIntsetEntriesMax               512  set_intset.ts INTSET_ENTRIES_CAP (2^30, as Redis)
//   zsetListpackEntriesMax            128  zset_listpack.ts LP_ENTRIES_MAX (1024)
//   zsetListpackValueMaxBytes          64  zset_listpack.ts LP_SAFETY_MAX_BYTES (1 GiB)

/** A hash converts to the hashtable once it holds more pairs than this. */
export let hashListpackEntriesMax: u32 = 512;
/** A hash converts before it would hold a field or value longer than this. */
export let hashListpackValueMaxBytes: u32 = 64;
/** An intset converts once it holds more members than this. */
export let setIntsetEntriesMax: u32 = 512;
/** A sorted set converts to the skiplist once it holds more elements than this. */
export let zsetListpackEntriesMax: u32 = 128;
/** A sorted set converts before it would hold a member longer than this. */
export let zsetListpackValueMaxBytes: u32 = 64;

/** Stores the thresholds; the caller has clamped each to its layout's bound. */
export function storeEncodingLimits(
  hashEntries: u32,
  hashValueBytes: u32,
  setIntsetEntries: u32,
  zsetEntries: u32,
  zsetValueBytes: u32,
): void {
  hashListpackEntriesMax = hashEntries;
  hashListpackValueMaxBytes = hashValueBytes;
  setIntsetEntriesMax = setIntsetEntries;
  zsetListpackEntriesMax = zsetEntries;
  zsetListpackValueMaxBytes = zsetValueBytes;
}
