// hash_listpack.ts — the small hash encoding ("listpack"): pairs packed back to back in one
// block with no header, its byte length (and, while small, its pair count) kept in the keyspace
// entry's valueLen.
//
// Small hashes dominate real keyspaces (the target is a million of them within 1.5× of
// redis-server's memory), so this encoding costs one allocation of packed bytes and nothing
// else. Each field and value carries a length prefix (length_prefix.ts): one byte below 128
// bytes, four above, so a hash stays here for any hash-max-listpack-value, as Redis's listpack
// does. Order is insertion order, as Redis's listpack, so HGETALL on a small hash matches
// redis-server byte for byte. The limits are redis-server 7.0.15's live defaults:
// hash-max-listpack-entries 512 (not 128, which is the zset default) and
// hash-max-listpack-value 64 (limits.ts holds the configured ones); hash_value.ts converts past
// them, and past LISTPACK_USED_MAX_BYTES, as Redis past its listpack's 1 GiB safety size.
//
//   entry.valuePtr → one block, pairs back to back
//   ┌──────────┬────────────┬──────────┬────────────┬──────────┬─────────┬─────
//   │fieldLen  │ field bytes│valueLen  │ value bytes│fieldLen  │ field … │ …
//   │1 or 4 B  │            │1 or 4 B  │            │          │         │
//   └──────────┴────────────┴──────────┴────────────┴──────────┴─────────┴─────
//
//   entry.valueLen, narrow form (used bytes < 2^17: every default-sized hash)
//   ┌───┬───┬────────┬──────────────────────┬──────────────────────────┐
//   │ T │ 0 │ unused │ pair count (10 bits) │ used bytes (17 bits)     │
//   └───┴───┴────────┴──────────────────────┴──────────────────────────┘
//   entry.valueLen, wide form (used bytes ≥ 2^17, long values under a raised threshold)
//   ┌───┬───┬──────────────────────────────────────────────────────────┐
//   │ T │ 1 │ used bytes (30 bits)                                     │
//   └───┴───┴──────────────────────────────────────────────────────────┘
//   T (bit 31) = 1: the hashtable holds it (hash_table.ts). W (bit 30) = 1: wide. A wide
//   listpack's pair count is found by walking it (at most 512 pairs, each at least 128 KiB / 512
//   bytes on average, so the walk is cheap beside the bytes). The block's capacity is
//   usableSize(valuePtr).

import { bytesEqual } from "./bytes";
import { prefixLenAt, prefixSizeAt, prefixSizeFor, storePrefix } from "./length_prefix";
import { realloc, usableSize } from "./pages";

/** Most pairs whatever hash-max-listpack-entries says (Redis 7.0's default; 10 count bits). */
export const LISTPACK_ENTRIES_MAX: u32 = 512;
/**
 * Most bytes a small hash may hold (Redis: LISTPACK_MAX_SAFETY_SIZE, 1 GiB); a write that
 * would pass it converts first. The wide valueLen form holds up to this.
 */
export const LISTPACK_USED_MAX_BYTES: u32 = 0x3fffffff;

/** valueLen of a hash held by the hashtable encoding (hash_table.ts). */
export const TABLE_FLAG: u32 = 0x80000000;
const LP_WIDE_FLAG: u32 = 0x40000000;
const LP_COUNT_SHIFT: u32 = 17;
const LP_USED_MASK: u32 = 0x1ffff;
const LP_COUNT_MASK: u32 = 0x3ff;

// ── The valueLen word and pair accessors ────────────────────────────────────────────────

@inline export function isTable(valueLen: u32): bool {
  return (valueLen & TABLE_FLAG) != 0;
}
@inline export function lpUsedBytes(valueLen: u32): u32 {
  return (valueLen & LP_WIDE_FLAG) == 0 ? valueLen & LP_USED_MASK : valueLen & LISTPACK_USED_MAX_BYTES;
}
/** Pairs in the small hash at block (a wide one is walked). */
@inline export function lpCount(block: usize, valueLen: u32): u32 {
  if ((valueLen & LP_WIDE_FLAG) == 0) return (valueLen >> LP_COUNT_SHIFT) & LP_COUNT_MASK;
  return lpCountPairs(block, valueLen & LISTPACK_USED_MAX_BYTES);
}
@inline export function lpValueLen(usedBytes: u32, count: u32): u32 {
  assert(count <= LISTPACK_ENTRIES_MAX);
  if (usedBytes <= LP_USED_MASK) return usedBytes | (count << LP_COUNT_SHIFT);
  assert(usedBytes <= LISTPACK_USED_MAX_BYTES);
  return usedBytes | LP_WIDE_FLAG;
}
/** Bytes a pair of these lengths takes. */
@inline export function lpPairSizeFor(fieldLen: u32, valueLen: u32): u64 {
  return <u64>prefixSizeFor(fieldLen) + <u64>fieldLen + <u64>prefixSizeFor(valueLen) + <u64>valueLen;
}
@inline export function lpFieldLen(pair: usize): u32 {
  return prefixLenAt(pair);
}
@inline export function lpFieldPtr(pair: usize): usize {
  return pair + <usize>prefixSizeAt(pair);
}
/** Address of the value's length prefix. */
@inline function lpValuePrefixPtr(pair: usize): usize {
  return lpFieldPtr(pair) + <usize>lpFieldLen(pair);
}
@inline export function lpValueLenAt(pair: usize): u32 {
  return prefixLenAt(lpValuePrefixPtr(pair));
}
@inline export function lpValuePtr(pair: usize): usize {
  const at = lpValuePrefixPtr(pair);
  return at + <usize>prefixSizeAt(at);
}
@inline export function lpPairBytes(pair: usize): u32 {
  return <u32>(lpNextPair(pair) - pair);
}
/** Address just past the pair at `pair`. */
@inline export function lpNextPair(pair: usize): usize {
  const prefixAt = lpValuePrefixPtr(pair);
  return prefixAt + <usize>prefixSizeAt(prefixAt) + <usize>prefixLenAt(prefixAt);
}

/** Pairs in usedBytes of block, by walking them. */
function lpCountPairs(block: usize, usedBytes: u32): u32 {
  const end = block + <usize>usedBytes;
  let count: u32 = 0;
  for (let pair = block; pair < end; pair = lpNextPair(pair)) count++;
  assert(count <= LISTPACK_ENTRIES_MAX);
  return count;
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
    pair = lpNextPair(pair);
  }
  assert(pair == end);
  return 0;
}

/** Outcome of lpPut: the block's used bytes after the write. */
export let lpPutUsedBytes: u32 = 0;

/**
 * Sets field to value in a small block whose capacity already covers usedBytes + the pair's
 * worst case (lpPairSizeFor). An existing field keeps its position (as listpack's in-place
 * replace); a new one is appended. Returns true if the field was added.
 */
export function lpPut(
  block: usize,
  usedBytes: u32,
  fieldPtr: usize,
  fieldLen: u32,
  valuePtr: usize,
  valueLen: u32,
): bool {
  const pair = lpFind(block, usedBytes, fieldPtr, fieldLen);
  if (pair != 0) {
    const prefixAt = lpValuePrefixPtr(pair);
    const oldBytes = prefixSizeAt(prefixAt) + prefixLenAt(prefixAt);
    const newBytes = prefixSizeFor(valueLen) + valueLen;
    const tailAt = prefixAt + <usize>oldBytes;
    const tailBytes = block + <usize>usedBytes - tailAt;
    if (oldBytes != newBytes) memory.copy(prefixAt + <usize>newBytes, tailAt, tailBytes);
    memory.copy(storePrefix(prefixAt, valueLen), valuePtr, valueLen);
    lpPutUsedBytes = usedBytes - oldBytes + newBytes;
    return false;
  }
  let at = storePrefix(block + <usize>usedBytes, fieldLen);
  memory.copy(at, fieldPtr, fieldLen);
  at = storePrefix(at + <usize>fieldLen, valueLen);
  memory.copy(at, valuePtr, valueLen);
  lpPutUsedBytes = <u32>(at + <usize>valueLen - block);
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
