// hash.ts — Redis hashes: a packed pair list for small hashes, a chained hash table for large
// ones, converting at Redis 7.0's default thresholds so OBJECT ENCODING answers as Redis does.
//
// Small hashes dominate real keyspaces (the target is a million of them within 1.5× of
// redis-server's memory), so the small encoding is one allocation of packed bytes with no
// header at all: its byte length and pair count live in the keyspace entry's valueLen.
// Thresholds are redis-server 7.0.15's live defaults: hash-max-listpack-entries 512 (not 128,
// which is the zset default) and hash-max-listpack-value 64.
// Field and value lengths are at most LISTPACK_VALUE_MAX_BYTES (64) there, so each length is
// one byte. Order is insertion order, as Redis's listpack, so HGETALL on a small hash matches
// redis-server byte for byte.
//
// Small encoding ("listpack"): entry.valuePtr → one block, pairs back to back
//
//   ┌────────┬────────────┬────────┬────────────┬────────┬─────────┬─────
//   │fieldLen│ field bytes│valueLen│ value bytes│fieldLen│ field … │ …
//   │u8 ≤ 64 │            │u8 ≤ 64 │            │        │         │
//   └────────┴────────────┴────────┴────────────┴────────┴─────────┴─────
//   entry.valueLen: bit 31 = 0 (small) │ bits 17..26 pair count ≤ 512 │ bits 0..16 used bytes
//   (≤ 512 × 130 = 66,560, fits 17 bits). The block's capacity is usableSize(valuePtr).
//
// Large encoding ("hashtable"): entry.valuePtr → one block, header then buckets; entry.valueLen
// = TABLE_FLAG. Nodes are single allocations chained through `next`.
//
//   table block                                   node
//   ┌──────────┬──────────┬────────┬────────┬─    ┌──────┬──────┬────────┬────────┬──────┬──────┐
//   │count u32 │mask u32  │bucket 0│bucket 1│…    │next  │hash  │fieldLen│valueLen│field │value │
//   │pairs     │buckets-1 │u32 node│        │     │u32   │u32   │u32     │u32     │bytes │bytes │
//   └──────────┴──────────┴────────┴────────┴─    └──────┴──────┴────────┴────────┴──────┴──────┘
//    0          4          8                       0      4      8        12       16
//   Buckets are a power of two, grown to hold every pair (load ≤ 1) and shrunk below 1/8 full.
//   A resize rehashes at once (amortised O(1) per insert): unlike the keyspace, a hash is one
//   value whose commands are already O(N) at worst, so incremental rehashing buys little here.
//   HSCAN walks buckets in reverse-binary cursor order, so fields present for a whole scan are
//   returned at least once across resizes (Redis's dictScan guarantee).
//
// Conversion (Redis 7.0, t_hash.c): a write whose fields or values include one longer than
// hash-max-listpack-value (64) converts first; a write that leaves more than
// hash-max-listpack-entries (512) pairs converts after the pair that crossed (7.0 has no
// up-front conversion by argument count: 600 pairs repeating one field stay a listpack). Hashes never
// convert back. HSETNX on an existing field converts nothing.
//
// Failure: every write allocates what it needs before changing the value (a scratch copy,
// preallocated nodes, the resized table), so STATUS_OOM leaves the hash exactly as it was. A
// key created for the write is removed again on failure.

import { alloc, free, realloc, usableSize } from "./pages";
import {
  entryValueLen,
  entryValuePtr,
  hashBytes,
  reverseIncrement,
  setEntryValue,
  TYPE_HASH,
} from "./dict";
import {
  colArgsPtr,
  colDelete,
  colLastStatus,
  colOpenRead,
  colOpenWrite,
  outPush,
  outReset,
} from "./index";

const STATUS_MISSING: i32 = -1;
const STATUS_OOM: i32 = -3;

/** Redis 7.0 defaults: hash-max-listpack-entries, hash-max-listpack-value. */
const LISTPACK_ENTRIES_MAX: u32 = 512;
const LISTPACK_VALUE_MAX_BYTES: u32 = 64;
/** Largest pair in the small encoding: two length bytes and two 64-byte strings. */
const LISTPACK_PAIR_MAX_BYTES: u32 = 2 + 2 * LISTPACK_VALUE_MAX_BYTES;
/** Room for the transient 513th pair that triggers conversion. */
const LISTPACK_SCRATCH_MAX_BYTES: u32 = (LISTPACK_ENTRIES_MAX + 1) * LISTPACK_PAIR_MAX_BYTES;

const TABLE_FLAG: u32 = 0x80000000;
const LP_COUNT_SHIFT: u32 = 17;
const LP_USED_MASK: u32 = 0x1ffff;
const LP_COUNT_MASK: u32 = 0x3ff;

const TABLE_COUNT: usize = 0;
const TABLE_MASK: usize = 4;
const TABLE_HEADER_SIZE_BYTES: usize = 8;
const TABLE_BUCKETS_MIN: u32 = 4;

const NODE_NEXT: usize = 0;
const NODE_HASH: usize = 4;
const NODE_FIELD_LEN: usize = 8;
const NODE_VALUE_LEN: usize = 12;
const NODE_HEADER_SIZE_BYTES: usize = 16;

/** hashSetFields flag: set only a field that does not exist (HSETNX). */
const SET_NX: u32 = 1;

/** hashReadAll selectors. */
const READ_FIELDS: u32 = 1;
const READ_VALUES: u32 = 2;

/** Random bucket probes before HRANDFIELD falls back to a walk (very sparse tables). */
const RANDOM_BUCKET_PROBES_MAX: u32 = 1000;

/**
 * Result cells for the host (u32 each): 0 value ptr (hashGetField), 4 next cursor
 * (hashScanFields).
 */
const hashCells: usize = memory.data(16, 16);
const CELL_VALUE_PTR: usize = 0;
const CELL_CURSOR: usize = 4;

/** Addresses of a small hash's pairs, for random picks (count ≤ 512 by invariant). */
const pairOffsets: usize = memory.data(<i32>(LISTPACK_ENTRIES_MAX + 1) * 4, 4);
/** Node slot for the common single-pair write (saves an allocation per HSET). */
const singleNodeCell: usize = memory.data(4, 4);

/** xorshift64* state for HRANDFIELD. */
let randomState: u64 = 0x853c49e6748fea9b;

// ── Small encoding accessors ────────────────────────────────────────────────────────────

@inline function isTable(valueLen: u32): bool {
  return (valueLen & TABLE_FLAG) != 0;
}
@inline function lpUsedBytes(valueLen: u32): u32 {
  return valueLen & LP_USED_MASK;
}
@inline function lpCount(valueLen: u32): u32 {
  return (valueLen >> LP_COUNT_SHIFT) & LP_COUNT_MASK;
}
@inline function lpValueLen(usedBytes: u32, count: u32): u32 {
  assert(usedBytes <= LP_USED_MASK);
  assert(count <= LISTPACK_ENTRIES_MAX);
  return usedBytes | (count << LP_COUNT_SHIFT);
}
@inline function lpFieldLen(pair: usize): u32 {
  return <u32>load<u8>(pair);
}
@inline function lpFieldPtr(pair: usize): usize {
  return pair + 1;
}
@inline function lpValueLenAt(pair: usize): u32 {
  return <u32>load<u8>(pair + 1 + <usize>lpFieldLen(pair));
}
@inline function lpValuePtr(pair: usize): usize {
  return pair + 2 + <usize>lpFieldLen(pair);
}
@inline function lpPairBytes(pair: usize): u32 {
  return 2 + lpFieldLen(pair) + lpValueLenAt(pair);
}

// ── Table accessors ─────────────────────────────────────────────────────────────────────

@inline function tableCount(t: usize): u32 {
  return load<u32>(t, TABLE_COUNT);
}
@inline function tableMask(t: usize): u32 {
  return load<u32>(t, TABLE_MASK);
}
@inline function tableBucket(t: usize, index: u32): usize {
  return t + TABLE_HEADER_SIZE_BYTES + (<usize>index << 2);
}
@inline function nodeNext(node: usize): usize {
  return <usize>load<u32>(node, NODE_NEXT);
}
@inline function nodeFieldLen(node: usize): u32 {
  return load<u32>(node, NODE_FIELD_LEN);
}
@inline function nodeValueLen(node: usize): u32 {
  return load<u32>(node, NODE_VALUE_LEN);
}
@inline function nodeFieldPtr(node: usize): usize {
  return node + NODE_HEADER_SIZE_BYTES;
}
@inline function nodeValuePtr(node: usize): usize {
  return node + NODE_HEADER_SIZE_BYTES + <usize>nodeFieldLen(node);
}

// ── Staged arguments: [u32 len][bytes] frames after the key ─────────────────────────────

@inline function frameLen(frame: usize): u32 {
  return load<u32>(frame);
}
@inline function frameBytes(frame: usize): usize {
  return frame + 4;
}
@inline function nextFrame(frame: usize): usize {
  return frame + 4 + <usize>load<u32>(frame);
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────

@inline function bytesEqual(a: usize, b: usize, len: u32): bool {
  return memory.compare(a, b, <usize>len) == 0;
}

@inline function nextRandom(): u64 {
  let x = randomState;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  randomState = x;
  return x * 0x2545f4914f6cdd1d;
}

@inline function randomBelow(n: u32): u32 {
  return <u32>((nextRandom() >> 32) % <u64>n);
}

@inline function nextPowerOfTwo(n: u32): u32 {
  if (n <= TABLE_BUCKETS_MIN) return TABLE_BUCKETS_MIN;
  if (n > 0x40000000) return 0x40000000;
  return <u32>1 << (32 - clz<u32>(n - 1));
}

// ── Small encoding operations ───────────────────────────────────────────────────────────

/** Address of the pair whose field equals (fieldPtr, fieldLen), or 0. */
function lpFind(block: usize, usedBytes: u32, fieldPtr: usize, fieldLen: u32): usize {
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
let lpPutUsedBytes: u32 = 0;

/**
 * Sets field to value in a small block whose capacity already covers usedBytes + the pair's
 * worst case (2 + fieldLen + valueLen). An existing field keeps its position (as listpack's
 * in-place replace); a new one is appended. Returns true if the field was added.
 */
function lpPut(
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
function lpTrim(block: usize, usedBytes: u32): usize {
  if (usableSize(block) <= <usize>usedBytes + (<usize>usedBytes >> 1) + 16) return block;
  const fresh = realloc(block, <usize>usedBytes, <usize>usedBytes);
  return fresh == 0 ? block : fresh; // failing to shrink is harmless
}

// ── Table operations ────────────────────────────────────────────────────────────────────

/** A table with bucketCount (power of two) empty buckets, or 0 on OOM. */
function tableAlloc(bucketCount: u32): usize {
  assert(popcnt<u32>(bucketCount) == 1);
  const sizeBytes = TABLE_HEADER_SIZE_BYTES + (<usize>bucketCount << 2);
  const t = alloc(sizeBytes);
  if (t == 0) return 0;
  memory.fill(t, 0, sizeBytes);
  store<u32>(t, bucketCount - 1, TABLE_MASK);
  return t;
}

/** A node holding copies of field and value, or 0 on OOM. next is left for the linker. */
function nodeAlloc(fieldPtr: usize, fieldLen: u32, valuePtr: usize, valueLen: u32): usize {
  const node = alloc(NODE_HEADER_SIZE_BYTES + <usize>fieldLen + <usize>valueLen);
  if (node == 0) return 0;
  store<u32>(node, 0, NODE_NEXT);
  store<u32>(node, hashBytes(fieldPtr, fieldLen), NODE_HASH);
  store<u32>(node, fieldLen, NODE_FIELD_LEN);
  store<u32>(node, valueLen, NODE_VALUE_LEN);
  memory.copy(node + NODE_HEADER_SIZE_BYTES, fieldPtr, fieldLen);
  memory.copy(node + NODE_HEADER_SIZE_BYTES + <usize>fieldLen, valuePtr, valueLen);
  return node;
}

/** Pushes node on its bucket's chain (count unchanged). */
@inline function tableLink(t: usize, node: usize): void {
  const bucket = tableBucket(t, load<u32>(node, NODE_HASH) & tableMask(t));
  store<u32>(node, load<u32>(bucket), NODE_NEXT);
  store<u32>(bucket, <u32>node);
}

/** Address of the u32 link pointing at the node for field (bucket slot or a node's next), or 0. */
function tableFindLink(t: usize, fieldPtr: usize, fieldLen: u32, hash: u32): usize {
  let link = tableBucket(t, hash & tableMask(t));
  let node = <usize>load<u32>(link);
  while (node != 0) {
    if (
      load<u32>(node, NODE_HASH) == hash && nodeFieldLen(node) == fieldLen &&
      bytesEqual(nodeFieldPtr(node), fieldPtr, fieldLen)
    ) {
      return link;
    }
    link = node + NODE_NEXT;
    node = <usize>load<u32>(link);
  }
  return 0;
}

function tableFind(t: usize, fieldPtr: usize, fieldLen: u32): usize {
  const link = tableFindLink(t, fieldPtr, fieldLen, hashBytes(fieldPtr, fieldLen));
  return link == 0 ? 0 : <usize>load<u32>(link);
}

/** Frees every node and the table. */
function tableFree(t: usize): void {
  const mask = tableMask(t);
  for (let i: u32 = 0; i <= mask; i++) {
    let node = <usize>load<u32>(tableBucket(t, i));
    while (node != 0) {
      const next = nodeNext(node);
      free(node);
      node = next;
    }
  }
  free(t);
}

/** Moves every node of t into a new table of bucketCount buckets; frees t. 0 on OOM (t kept). */
function tableResize(t: usize, bucketCount: u32): usize {
  const fresh = tableAlloc(bucketCount);
  if (fresh == 0) return 0;
  const mask = tableMask(t);
  for (let i: u32 = 0; i <= mask; i++) {
    let node = <usize>load<u32>(tableBucket(t, i));
    while (node != 0) {
      const next = nodeNext(node);
      tableLink(fresh, node);
      node = next;
    }
  }
  store<u32>(fresh, tableCount(t), TABLE_COUNT);
  free(t);
  return fresh;
}

/** A table holding copies of a small block's pairs, or 0 on OOM (nothing kept). */
function tableFromListpack(block: usize, usedBytes: u32, count: u32): usize {
  const t = tableAlloc(nextPowerOfTwo(count));
  if (t == 0) return 0;
  const end = block + <usize>usedBytes;
  let pair = block;
  let linked: u32 = 0;
  while (pair < end) {
    const node = nodeAlloc(
      lpFieldPtr(pair),
      lpFieldLen(pair),
      lpValuePtr(pair),
      lpValueLenAt(pair),
    );
    if (node == 0) {
      tableFree(t);
      return 0;
    }
    tableLink(t, node);
    linked++;
    pair += <usize>lpPairBytes(pair);
  }
  assert(linked == count);
  store<u32>(t, count, TABLE_COUNT);
  return t;
}

/** Outcome of tableSetPairs: the table after the write (it may have been resized). */
let tableSetResult: usize = 0;

/**
 * Sets pairCount staged pairs (frames from `frame`) in table t. All nodes and any larger
 * bucket array are allocated first, so on STATUS_OOM t is untouched. Returns fields added; the
 * table to keep is in tableSetResult (t itself unless it grew).
 */
function tableSetPairs(t: usize, frame: usize, pairCount: u32): i32 {
  const nodes = pairCount == 1 ? singleNodeCell : alloc(<usize>pairCount << 2);
  if (nodes == 0) return STATUS_OOM;
  let freshCount: u32 = 0;
  let at = frame;
  for (let i: u32 = 0; i < pairCount; i++) {
    const fieldAt = at;
    const valueAt = nextFrame(fieldAt);
    at = nextFrame(valueAt);
    const node = nodeAlloc(
      frameBytes(fieldAt),
      frameLen(fieldAt),
      frameBytes(valueAt),
      frameLen(valueAt),
    );
    if (node == 0) {
      for (let j: u32 = 0; j < i; j++) free(<usize>load<u32>(nodes + (<usize>j << 2)));
      if (nodes != singleNodeCell) free(nodes);
      return STATUS_OOM;
    }
    store<u32>(nodes + (<usize>i << 2), <u32>node);
    const hash = load<u32>(node, NODE_HASH);
    if (tableFindLink(t, nodeFieldPtr(node), nodeFieldLen(node), hash) == 0) freshCount++;
  }
  // Buckets for the worst case (every field not yet present is new; repeats only overcount).
  const needCount = tableCount(t) + freshCount;
  let table = t;
  if (needCount > tableMask(t) + 1) {
    const grown = tableResize(t, nextPowerOfTwo(needCount));
    if (grown == 0) {
      for (let j: u32 = 0; j < pairCount; j++) free(<usize>load<u32>(nodes + (<usize>j << 2)));
      if (nodes != singleNodeCell) free(nodes);
      return STATUS_OOM;
    }
    table = grown;
  }
  // Nothing below allocates.
  let added: u32 = 0;
  for (let i: u32 = 0; i < pairCount; i++) {
    const node = <usize>load<u32>(nodes + (<usize>i << 2));
    const link = tableFindLink(
      table,
      nodeFieldPtr(node),
      nodeFieldLen(node),
      load<u32>(node, NODE_HASH),
    );
    if (link != 0) {
      const old = <usize>load<u32>(link);
      store<u32>(node, load<u32>(old, NODE_NEXT), NODE_NEXT);
      store<u32>(link, <u32>node);
      free(old);
    } else {
      tableLink(table, node);
      added++;
    }
  }
  store<u32>(table, tableCount(table) + added, TABLE_COUNT);
  assert(tableCount(table) <= tableMask(table) + 1);
  if (nodes != singleNodeCell) free(nodes);
  tableSetResult = table;
  return <i32>added;
}

/** Shrinks t when under 1/8 full; returns the table to keep (t when shrinking fails). */
function tableMaybeShrink(t: usize): usize {
  const bucketCount = tableMask(t) + 1;
  const count = tableCount(t);
  if (bucketCount <= TABLE_BUCKETS_MIN || count >= (bucketCount >> 3)) return t;
  const shrunk = tableResize(t, nextPowerOfTwo(count));
  return shrunk == 0 ? t : shrunk;
}

// ── Writes ──────────────────────────────────────────────────────────────────────────────

/**
 * Sets pairs in a small hash, converting as Redis does. `longestBytes` is the longest staged
 * field or value, `pairBytes` what the pairs would take in the small encoding. Returns fields
 * added or STATUS_OOM (hash unchanged); the entry is updated on success.
 */
function listpackSetPairs(
  e: usize,
  frame: usize,
  pairCount: u32,
  longestBytes: u32,
  pairBytes: u64,
): i32 {
  const block = entryValuePtr(e);
  const valueLen = entryValueLen(e);
  let usedBytes = lpUsedBytes(valueLen);
  let count = lpCount(valueLen);
  if (longestBytes > LISTPACK_VALUE_MAX_BYTES) {
    // Redis converts before writing a field or value over hash-max-listpack-value.
    const t = tableFromListpack(block, usedBytes, count);
    if (t == 0) return STATUS_OOM;
    const added = tableSetPairs(t, frame, pairCount);
    if (added < 0) {
      tableFree(t);
      return added;
    }
    free(block);
    setEntryValue(e, tableSetResult, TABLE_FLAG, TYPE_HASH);
    return added;
  }
  const needBytes64 = <u64>usedBytes + pairBytes;
  let added: u32 = 0;
  let at = frame;
  if (<u64>count + <u64>pairCount <= <u64>LISTPACK_ENTRIES_MAX) {
    // Stays small whatever the pairs are: grow once for the worst case, then write in place.
    let target = block;
    if (needBytes64 > <u64>usableSize(block)) {
      target = realloc(block, <usize>usedBytes, <usize>needBytes64);
      if (target == 0) return STATUS_OOM;
    }
    for (let i: u32 = 0; i < pairCount; i++) {
      const valueAt = nextFrame(at);
      if (lpPut(target, usedBytes, frameBytes(at), frameLen(at), frameBytes(valueAt), frameLen(valueAt))) {
        count++;
        added++;
      }
      usedBytes = lpPutUsedBytes;
      at = nextFrame(valueAt);
    }
    target = lpTrim(target, usedBytes);
    setEntryValue(e, target, lpValueLen(usedBytes, count), TYPE_HASH);
    return <i32>added;
  }
  // May cross the entry limit: write into a scratch copy so a failed conversion leaves the
  // hash as it was. The scratch never holds more than 513 pairs.
  const scratchBytes = needBytes64 < <u64>LISTPACK_SCRATCH_MAX_BYTES
    ? <usize>needBytes64
    : <usize>LISTPACK_SCRATCH_MAX_BYTES;
  const scratch = alloc(scratchBytes);
  if (scratch == 0) return STATUS_OOM;
  if (usedBytes != 0) memory.copy(scratch, block, usedBytes);
  let i: u32 = 0;
  while (i < pairCount && count <= LISTPACK_ENTRIES_MAX) {
    const valueAt = nextFrame(at);
    if (lpPut(scratch, usedBytes, frameBytes(at), frameLen(at), frameBytes(valueAt), frameLen(valueAt))) {
      count++;
      added++;
    }
    usedBytes = lpPutUsedBytes;
    assert(<usize>usedBytes <= scratchBytes);
    at = nextFrame(valueAt);
    i++;
  }
  if (count <= LISTPACK_ENTRIES_MAX) {
    free(block);
    setEntryValue(e, lpTrim(scratch, usedBytes), lpValueLen(usedBytes, count), TYPE_HASH);
    return <i32>added;
  }
  // The pair just written made 513: convert, then write the rest into the table.
  const t = tableFromListpack(scratch, usedBytes, count);
  free(scratch);
  if (t == 0) return STATUS_OOM;
  let table = t;
  if (i < pairCount) {
    const more = tableSetPairs(t, at, pairCount - i);
    if (more < 0) {
      tableFree(t);
      return more;
    }
    added += <u32>more;
    table = tableSetResult;
  }
  free(block);
  setEntryValue(e, table, TABLE_FLAG, TYPE_HASH);
  return <i32>added;
}

/** True if the hash at e has the field. */
function hasField(e: usize, fieldPtr: usize, fieldLen: u32): bool {
  const valueLen = entryValueLen(e);
  if (isTable(valueLen)) return tableFind(entryValuePtr(e), fieldPtr, fieldLen) != 0;
  return lpFind(entryValuePtr(e), lpUsedBytes(valueLen), fieldPtr, fieldLen) != 0;
}

/**
 * HSET / HMSET / HSETNX: key, then pairCount (field, value) frames in staging. Creates the
 * key when missing. With SET_NX (one pair) an existing field is left alone.
 * Returns fields added (HSETNX: 1 set, 0 existed), STATUS_WRONGTYPE or STATUS_OOM (unchanged).
 */
export function hashSetFields(db: u32, keyLen: u32, pairCount: u32, flags: u32, nowMs: f64): i32 {
  assert(pairCount > 0);
  const frame = colArgsPtr(keyLen);
  let longestBytes: u32 = 0;
  let pairBytes: u64 = 0;
  let at = frame;
  for (let i: u32 = 0; i < pairCount * 2; i++) {
    const len = frameLen(at);
    if (len > longestBytes) longestBytes = len;
    pairBytes += 1 + <u64>len;
    at = nextFrame(at);
  }
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_HASH, true);
  if (e == 0) return colLastStatus();
  const created = entryValuePtr(e) == 0;
  if ((flags & SET_NX) != 0) {
    assert(pairCount == 1);
    if (!created && hasField(e, frameBytes(frame), frameLen(frame))) return 0;
  }
  let result: i32;
  const valueLen = entryValueLen(e);
  if (isTable(valueLen)) {
    result = tableSetPairs(entryValuePtr(e), frame, pairCount);
    if (result >= 0) setEntryValue(e, tableSetResult, TABLE_FLAG, TYPE_HASH);
  } else {
    result = listpackSetPairs(e, frame, pairCount, longestBytes, pairBytes);
  }
  if (result < 0 && created) colDelete(db, e);
  return result;
}

/**
 * HDEL: key, then fieldCount field frames. Deletes the key when the hash empties.
 * Returns fields removed, STATUS_MISSING or STATUS_WRONGTYPE.
 */
export function hashDeleteFields(db: u32, keyLen: u32, fieldCount: u32, nowMs: f64): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_HASH, false);
  if (e == 0) return colLastStatus();
  const valueLen = entryValueLen(e);
  let at = colArgsPtr(keyLen);
  let removed: u32 = 0;
  if (isTable(valueLen)) {
    let t = entryValuePtr(e);
    for (let i: u32 = 0; i < fieldCount; i++) {
      const fieldPtr = frameBytes(at);
      const fieldLen = frameLen(at);
      at = nextFrame(at);
      const link = tableFindLink(t, fieldPtr, fieldLen, hashBytes(fieldPtr, fieldLen));
      if (link == 0) continue;
      const node = <usize>load<u32>(link);
      store<u32>(link, load<u32>(node, NODE_NEXT));
      free(node);
      removed++;
    }
    const count = tableCount(t) - removed;
    store<u32>(t, count, TABLE_COUNT);
    if (count == 0) {
      colDelete(db, e);
      return <i32>removed;
    }
    t = tableMaybeShrink(t);
    setEntryValue(e, t, TABLE_FLAG, TYPE_HASH);
    return <i32>removed;
  }
  const block = entryValuePtr(e);
  let usedBytes = lpUsedBytes(valueLen);
  let count = lpCount(valueLen);
  for (let i: u32 = 0; i < fieldCount; i++) {
    const pair = lpFind(block, usedBytes, frameBytes(at), frameLen(at));
    at = nextFrame(at);
    if (pair == 0) continue;
    const pairSize = lpPairBytes(pair);
    const tailAt = pair + <usize>pairSize;
    memory.copy(pair, tailAt, block + <usize>usedBytes - tailAt);
    usedBytes -= pairSize;
    count--;
    removed++;
  }
  if (count == 0) {
    colDelete(db, e);
    return <i32>removed;
  }
  setEntryValue(e, lpTrim(block, usedBytes), lpValueLen(usedBytes, count), TYPE_HASH);
  return <i32>removed;
}

// ── Reads ───────────────────────────────────────────────────────────────────────────────

/** Address of the host's result cells (value ptr, next cursor). */
export function hashCellsPtr(): usize {
  return hashCells;
}

/**
 * HGET / HEXISTS / HSTRLEN: key, then one field frame. Returns the value's length (its address
 * in cell 0, valid until the next engine call), STATUS_MISSING (no key or no field) or
 * STATUS_WRONGTYPE.
 */
export function hashGetField(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  const frame = colArgsPtr(keyLen);
  const fieldPtr = frameBytes(frame);
  const fieldLen = frameLen(frame);
  const valueLen = entryValueLen(e);
  if (isTable(valueLen)) {
    const node = tableFind(entryValuePtr(e), fieldPtr, fieldLen);
    if (node == 0) return STATUS_MISSING;
    store<u32>(hashCells, <u32>nodeValuePtr(node), CELL_VALUE_PTR);
    return <i32>nodeValueLen(node);
  }
  const pair = lpFind(entryValuePtr(e), lpUsedBytes(valueLen), fieldPtr, fieldLen);
  if (pair == 0) return STATUS_MISSING;
  store<u32>(hashCells, <u32>lpValuePtr(pair), CELL_VALUE_PTR);
  return <i32>lpValueLenAt(pair);
}

/** HLEN: pairs in the hash, STATUS_MISSING or STATUS_WRONGTYPE. */
export function hashLength(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  const valueLen = entryValueLen(e);
  return <i32>(isTable(valueLen) ? tableCount(entryValuePtr(e)) : lpCount(valueLen));
}

/** OBJECT ENCODING: 1 listpack, 2 hashtable, STATUS_MISSING or STATUS_WRONGTYPE. */
export function hashEncodingOf(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  return isTable(entryValueLen(e)) ? 2 : 1;
}

@inline function pushPair(fieldPtr: usize, fieldLen: u32, valuePtr: usize, valueLen: u32, what: u32): bool {
  if ((what & READ_FIELDS) != 0 && !outPush(fieldPtr, fieldLen)) return false;
  if ((what & READ_VALUES) != 0 && !outPush(valuePtr, valueLen)) return false;
  return true;
}

/**
 * HKEYS / HVALS / HGETALL: pushes fields, values or both (per pair, field first) to the out
 * buffer, small hashes in insertion order. Returns pairs, STATUS_MISSING, STATUS_WRONGTYPE or
 * STATUS_OOM.
 */
export function hashReadAll(db: u32, keyLen: u32, what: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  outReset();
  const valueLen = entryValueLen(e);
  if (isTable(valueLen)) {
    const t = entryValuePtr(e);
    const mask = tableMask(t);
    for (let i: u32 = 0; i <= mask; i++) {
      let node = <usize>load<u32>(tableBucket(t, i));
      while (node != 0) {
        if (!pushPair(nodeFieldPtr(node), nodeFieldLen(node), nodeValuePtr(node), nodeValueLen(node), what)) {
          return STATUS_OOM;
        }
        node = nodeNext(node);
      }
    }
    return <i32>tableCount(t);
  }
  const block = entryValuePtr(e);
  const end = block + <usize>lpUsedBytes(valueLen);
  for (let pair = block; pair < end; pair += <usize>lpPairBytes(pair)) {
    if (!pushPair(lpFieldPtr(pair), lpFieldLen(pair), lpValuePtr(pair), lpValueLenAt(pair), what)) {
      return STATUS_OOM;
    }
  }
  return <i32>lpCount(valueLen);
}

/**
 * HSCAN step: pushes (field, value) records to the out buffer and writes the next cursor to
 * cell 1. A small hash is returned whole with cursor 0 (as Redis does for listpacks); a table
 * visits buckets from `cursor` in reverse-binary order until `count` pairs or 10·count
 * buckets. Returns pairs pushed, STATUS_MISSING, STATUS_WRONGTYPE or STATUS_OOM.
 */
export function hashScanFields(db: u32, keyLen: u32, cursor: u32, count: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  const valueLen = entryValueLen(e);
  if (!isTable(valueLen)) {
    store<u32>(hashCells, 0, CELL_CURSOR);
    return hashReadAll(db, keyLen, READ_FIELDS | READ_VALUES, nowMs);
  }
  outReset();
  const t = entryValuePtr(e);
  const mask = tableMask(t);
  const wanted: u32 = count == 0 ? 1 : count;
  let bucketBudget: u64 = <u64>wanted * 10;
  let found: u32 = 0;
  let v = cursor;
  do {
    let node = <usize>load<u32>(tableBucket(t, v & mask));
    while (node != 0) {
      if (!pushPair(nodeFieldPtr(node), nodeFieldLen(node), nodeValuePtr(node), nodeValueLen(node), READ_FIELDS | READ_VALUES)) {
        return STATUS_OOM;
      }
      found++;
      node = nodeNext(node);
    }
    v = reverseIncrement(v, mask);
    bucketBudget--;
  } while (v != 0 && bucketBudget > 0 && found < wanted);
  store<u32>(hashCells, v, CELL_CURSOR);
  return <i32>found;
}

/** A uniformly chosen bucket's random chain member of a non-empty table. */
function tableRandomNode(t: usize): usize {
  const mask = tableMask(t);
  for (let probe: u32 = 0; probe < RANDOM_BUCKET_PROBES_MAX; probe++) {
    const first = <usize>load<u32>(tableBucket(t, <u32>nextRandom() & mask));
    if (first == 0) continue;
    let chainLen: u32 = 0;
    for (let node = first; node != 0; node = nodeNext(node)) chainLen++;
    let node = first;
    for (let skip = randomBelow(chainLen); skip > 0; skip--) node = nodeNext(node);
    return node;
  }
  for (let i: u32 = 0; i <= mask; i++) {
    const node = <usize>load<u32>(tableBucket(t, i));
    if (node != 0) return node;
  }
  assert(false, "random pick from an empty hash table");
  return 0;
}

/**
 * HRANDFIELD sampling: pushes `pickCount` random (field, value) pairs, with repetition, to
 * the out buffer. The host builds Redis's distinct-count cases on top. Returns pickCount,
 * STATUS_MISSING, STATUS_WRONGTYPE or STATUS_OOM.
 */
export function hashRandomFields(db: u32, keyLen: u32, pickCount: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  randomState ^= <u64>nowMs;
  if (randomState == 0) randomState = 0x853c49e6748fea9b;
  outReset();
  const valueLen = entryValueLen(e);
  if (isTable(valueLen)) {
    const t = entryValuePtr(e);
    for (let n: u32 = 0; n < pickCount; n++) {
      const node = tableRandomNode(t);
      if (!pushPair(nodeFieldPtr(node), nodeFieldLen(node), nodeValuePtr(node), nodeValueLen(node), READ_FIELDS | READ_VALUES)) {
        return STATUS_OOM;
      }
    }
    return <i32>pickCount;
  }
  const block = entryValuePtr(e);
  const count = lpCount(valueLen);
  const end = block + <usize>lpUsedBytes(valueLen);
  let index: u32 = 0;
  for (let pair = block; pair < end; pair += <usize>lpPairBytes(pair)) {
    store<u32>(pairOffsets + (<usize>index << 2), <u32>pair);
    index++;
  }
  assert(index == count);
  for (let n: u32 = 0; n < pickCount; n++) {
    const pair = <usize>load<u32>(pairOffsets + (<usize>randomBelow(count) << 2));
    if (!pushPair(lpFieldPtr(pair), lpFieldLen(pair), lpValuePtr(pair), lpValueLenAt(pair), READ_FIELDS | READ_VALUES)) {
      return STATUS_OOM;
    }
  }
  return <i32>pickCount;
}

// ── Value lifecycle (called through values.ts) ──────────────────────────────────────────

/** Frees every block the value owns. */
export function hashFreeValue(valuePtr: usize, valueLen: u32): void {
  if (valuePtr == 0) return; // a key created for a write that failed before taking a value
  if (isTable(valueLen)) tableFree(valuePtr);
  else free(valuePtr);
}

/** Deep copy; the new valuePtr (valueLen is kept by the caller), or 0 on OOM. */
export function hashCopyValue(valuePtr: usize, valueLen: u32): usize {
  assert(valuePtr != 0);
  if (!isTable(valueLen)) {
    const usedBytes = lpUsedBytes(valueLen);
    assert(usedBytes > 0);
    const copied = alloc(<usize>usedBytes);
    if (copied == 0) return 0;
    memory.copy(copied, valuePtr, usedBytes);
    return copied;
  }
  const mask = tableMask(valuePtr);
  const copied = tableAlloc(mask + 1);
  if (copied == 0) return 0;
  for (let i: u32 = 0; i <= mask; i++) {
    let node = <usize>load<u32>(tableBucket(valuePtr, i));
    while (node != 0) {
      const sizeBytes = NODE_HEADER_SIZE_BYTES + <usize>nodeFieldLen(node) + <usize>nodeValueLen(node);
      const twin = alloc(sizeBytes);
      if (twin == 0) {
        tableFree(copied);
        return 0;
      }
      memory.copy(twin, node, sizeBytes);
      tableLink(copied, twin);
      node = nodeNext(node);
    }
  }
  store<u32>(copied, tableCount(valuePtr), TABLE_COUNT);
  return copied;
}
