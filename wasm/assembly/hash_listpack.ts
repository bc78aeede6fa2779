// hash_listpack.ts — the small hash encoding ("listpack"): pairs packed back to back in one
// block with no header, its byte length and pair count kept in the keyspace entry's valueLen.
//
// Small hashes dominate real keyspaces (the target is a million of them within 1.5× of
// redis-server's memory), so this encoding costs one allocation of packed bytes and nothing
// else. Field and value lengths are at most LISTPACK_VALUE_MAX_BYTES (64) here, so each length
// is one byte. Order is insertion order, as Redis's listpack, so HGETALL on a small hash
// matches redis-server byte for byte. The limits are redis-server 7.0.15's live defaults:
// hash-max-listpack-entries 512 (not 128, which is the zset default) and
// hash-max-listpack-value 64; hash_value.ts converts past them.
//
//   entry.valuePtr → one block, pairs back to back
//   ┌────────┬────────────┬────────┬────────────┬────────┬─────────┬─────
//   │fieldLen│ field bytes│valueLen│ value bytes│fieldLen│ field … │ …
//   │u8 ≤ 64 │            │u8 ≤ 64 │            │        │         │
//   └────────┴────────────┴────────┴────────────┴────────┴─────────┴─────
//
//   entry.valueLen
//   ┌───┬─────────┬──────────────────────┬──────────────────────────┐
//   │ T │ unused  │ pair count (10 bits) │ used bytes (17 bits)     │   T (bit 31) = 1: the
//   └───┴─────────┴──────────────────────┴──────────────────────────┘   hashtable holds it
//   Used bytes are at most 512 × 130 = 66,560, which fits 17 bits. The block's capacity is
//   usableSize(valuePtr).

import { bytesEqual } from "./bytes";
import { realloc, usableSize } from "./pages";

/** Redis 7.0 defaults: hash-max-listpack-entries, hash-max-listpack-value. */
export const LISTPACK_ENTRIES_MAX: u32 = 512;
export const LISTPACK_VALUE_MAX_BYTES: u32 = 64;
/** Largest pair in the small encoding: two length bytes and two 64-byte strings. */
const LISTPACK_PAIR_MAX_BYTES: u32 = 2 + 2 * LISTPACK_VALUE_MAX_BYTES;
/** Room for the transient 513th pair that triggers conversion. */
export const LISTPACK_SCRATCH_MAX_BYTES: u32 = (LISTPACK_ENTRIES_MAX + 1) * LISTPACK_PAIR_MAX_BYTES;

/** valueLen of a hash held by the hashtable encoding (hash_table.ts). */
export const TABLE_FLAG: u32 = 0x80000000;
const LP_COUNT_SHIFT: u32 = 17;
const LP_USED_MASK: u32 = 0x1ffff;
const LP_COUNT_MASK: u32 = 0x3ff;

// ── The valueLen word and pair accessors ────────────────────────────────────────────────

@inline export function isTable(valueLen: u32): bool {
  return (valueLen & TABLE_FLAG) != 0;
}
@inline export function lpUsedBytes(valueLen: u32): u32 {
  return valueLen & LP_USED_MASK;
}
@inline export function lpCount(valueLen: u32): u32 {
  return (valueLen >> LP_COUNT_SHIFT) & LP_COUNT_MASK;
}
@inline export function lpValueLen(usedBytes: u32, count: u32): u32 {
  assert(usedBytes <= LP_USED_MASK);
  assert(count <= LISTPACK_ENTRIES_MAX);
  return usedBytes | (count << LP_COUNT_SHIFT);
}
@inline export function lpFieldLen(pair: usize): u32 {
  return <u32>load<u8>(pair);
}
@inline export function lpFieldPtr(pair: usize): usize {
  return pair + 1;
}
@inline export function lpValueLenAt(pair: usize): u32 {
  return <u32>load<u8>(pair + 1 + <usize>lpFieldLen(pair));
}
@inline export function lpValuePtr(pair: usize): usize {
  return pair + 2 + <usize>lpFieldLen(pair);
}
@inline export function lpPairBytes(pair: usize): u32 {
  return 2 + lpFieldLen(pair) + lpValueLenAt(pair);
}

// ── Operations ──────────────────────────────────────────────────────────────────────────

/** Address of the pair whose field equals (fieldPtr, fieldLen), or 0. */
export function lpFind(block: usize, usedBytes: u32, fieldPtr: usize, fieldLen: u32): usize {
  const end = block + <usize>usedBytes;
  let pair = block;
  while (pair < end) {
    if (lpFieldLen(pair) == fieldLen && bytesEqual(lpFieldPtr(pair), fieldPtr, fieldLen)) {
      return pair;
    }
    pair += <usize>lpPairBytes(pair);
  }
  assert(pair == end);
  return 0;
}

/** Outcome of lpPut: the block's used bytes after the write. */
export let lpPutUsedBytes: u32 = 0;

/**
 * Sets field to value in a small block whose capacity already covers usedBytes + the pair's
 * worst case (2 + fieldLen + valueLen). An existing field keeps its position (as listpack's
 * in-place replace); a new one is appended. Returns true if the field was added.
 */
export function lpPut(
  block: usize,
  usedBytes: u32,
  fieldPtr: usize,
  fieldLen: u32,
  valuePtr: usize,
  valueLen: u32,
): bool {
  assert(fieldLen <= LISTPACK_VALUE_MAX_BYTES);
  assert(valueLen <= LISTPACK_VALUE_MAX_BYTES);
  const pair = lpFind(block, usedBytes, fieldPtr, fieldLen);
  if (pair != 0) {
    const oldValueLen = lpValueLenAt(pair);
    const valueAt = lpValuePtr(pair);
    const tailAt = valueAt + <usize>oldValueLen;
    const tailBytes = block + <usize>usedBytes - tailAt;
    memory.copy(valueAt + <usize>valueLen, tailAt, tailBytes);
    store<u8>(valueAt - 1, <u8>valueLen);
    memory.copy(valueAt, valuePtr, valueLen);
    lpPutUsedBytes = usedBytes - oldValueLen + valueLen;
    return false;
  }
  const at = block + <usize>usedBytes;
  store<u8>(at, <u8>fieldLen);
  memory.copy(at + 1, fieldPtr, fieldLen);
  store<u8>(at + 1 + <usize>fieldLen, <u8>valueLen);
  memory.copy(at + 2 + <usize>fieldLen, valuePtr, valueLen);
  lpPutUsedBytes = usedBytes + 2 + fieldLen + valueLen;
  return true;
}

/** Gives a small block's slack back when it holds over half again what is used. */
export function lpTrim(block: usize, usedBytes: u32): usize {
  if (usableSize(block) <= <usize>usedBytes + (<usize>usedBytes >> 1) + 16) return block;
  const fresh = realloc(block, <usize>usedBytes, <usize>usedBytes);
  return fresh == 0 ? block : fresh; // failing to shrink is harmless
}

/** Removes the pair at `pair` from a block of usedBytes; returns the used bytes left. */
export function lpRemove(block: usize, usedBytes: u32, pair: usize): u32 {
  const pairSize = lpPairBytes(pair);
  const tailAt = pair + <usize>pairSize;
  memory.copy(pair, tailAt, block + <usize>usedBytes - tailAt);
  return usedBytes - pairSize;
}
