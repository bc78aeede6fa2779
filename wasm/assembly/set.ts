// set.ts — Redis sets: three encodings behind one value, every SET command's engine half.
//
// A set value is (valuePtr, valueLen) in its keyspace entry; valueLen holds the ENCODING TAG
// and valuePtr one block whose layout the tag selects. Every layout starts with the member
// count as u32, so SCARD never looks further.
//
//   INT16 / INT32 / INT64 (tag 1, 2, 3) — Redis 7.0's intset: every member is the canonical
//   decimal text of an int64 (string2ll rules: no '+', no leading zeros, no "-0"); members are
//   kept sorted ascending as fixed-width little-endian integers; the width only ever grows.
//   ┌───────────┬──────────┬──────────┬─────┬────────────────┐
//   │ count u32 │ value 0  │ value 1  │ …   │ value count-1  │   value: i16 / i32 / i64
//   └───────────┴──────────┴──────────┴─────┴────────────────┘
//    0           4          4+w
//
//   PACKED (tag 4) — a small set that is not all integers. Redis 7.0 has no listpack for
//   sets and reports such a set as "hashtable" from its first member, so we do too; but one
//   block of length-prefixed members costs a fraction of a hash table (membership is a linear
//   scan, bounded by PACKED_COUNT_MAX members of at most PACKED_MEMBER_MAX_BYTES each —
//   Redis 7.2's listpack limits — so a scan touches at most ~8 KiB).
//   ┌───────────┬────────────────┬────────┬──────────┬────────┬──────────┬─────┐
//   │ count u32 │ usedBytes u32  │ len u8 │ bytes    │ len u8 │ bytes    │ …   │
//   └───────────┴────────────────┴────────┴──────────┴────────┴──────────┴─────┘
//    0           4                8        usedBytes counts the header too
//
//   TABLE (tag 5) — the scalable encoding: a 16-byte header, a power-of-two bucket array of
//   node pointers, one node per member chained through `next` (hash cached in the node, so a
//   resize never rehashes bytes). Load factor ≤ 1 after a grow; a table under 1/8 full
//   shrinks. Resizes are done at once (not incrementally as Redis's dict does).
//   header ┌───────────┬──────────┬────────────────┬──────────┐
//          │ count u32 │ mask u32 │ bucketsPtr u32 │ reserved │
//          └───────────┴──────────┴────────────────┴──────────┘
//   node   ┌──────────┬──────────┬─────────┬──────────────┐
//          │ next u32 │ hash u32 │ len u32 │ member bytes │
//          └──────────┴──────────┴─────────┴──────────────┘
//
// Transitions follow Redis 7.0 where it is observable (OBJECT ENCODING, SMEMBERS order): a
// set is created as intset when its first member is an integer; an intset turns into a
// hashtable (PACKED or TABLE) on its first non-integer member or when it would exceed
// SET_MAX_INTSET_ENTRIES (512) members; PACKED turns into TABLE past its limits. Nothing ever
// converts back (Redis neither), except that a STORE builds its result from scratch.
//
// Memory failure: every mutating export leaves the key exactly as it was when it returns
// STATUS_OOM. Single-member changes are atomic by construction (a conversion builds the new
// block, the new member included, before freeing the old one); a multi-member SADD edits a
// clone of a small value, or pre-allocates every new node of a table before linking any.
// Removal never allocates (shrinking is best effort).
//
// Arguments: the key is staged bare, then [u32 len][bytes] frames (core/engine/set.ts).
// Replies with members go through the out buffer (outPush); integers are formatted there.

import { alloc, free, usableSize } from "./pages";
import {
  bytesEqual,
  dbRecord,
  entryValueLen,
  entryValuePtr,
  findEntry,
  freeEntryValue,
  hashBytes,
  reverseIncrement,
  setEntryExpire,
  setEntryFlags,
  setEntryValue,
  TYPE_SET,
} from "./dict";
import {
  colArgsPtr,
  colDelete,
  colLastStatus,
  colOpenRead,
  colOpenWrite,
  outPush,
  outReset,
  resultCellsPtr,
} from "./index";

// ── Constants ───────────────────────────────────────────────────────────────────────────

const STATUS_MISSING: i32 = -1;
const STATUS_WRONGTYPE: i32 = -2;
const STATUS_OOM: i32 = -3;

const SET_ENC_INT16: u32 = 1;
const SET_ENC_INT32: u32 = 2;
const SET_ENC_INT64: u32 = 3;
const SET_ENC_PACKED: u32 = 4;
const SET_ENC_TABLE: u32 = 5;

/** Redis 7.0's set-max-intset-entries default. */
const SET_MAX_INTSET_ENTRIES: u32 = 512;
/** PACKED limits (Redis 7.2's set-max-listpack-entries / -value defaults). */
const PACKED_COUNT_MAX: u32 = 128;
const PACKED_MEMBER_MAX_BYTES: u32 = 64;

const COUNT_OFFSET: usize = 0;
const INTSET_HEADER_BYTES: usize = 4;
const PACKED_USED_OFFSET: usize = 4;
const PACKED_HEADER_BYTES: usize = 8;
const TABLE_MASK_OFFSET: usize = 4;
const TABLE_BUCKETS_OFFSET: usize = 8;
const TABLE_HEADER_BYTES: usize = 16;
const TABLE_SIZE_MIN: u32 = 4;
const NODE_NEXT_OFFSET: usize = 0;
const NODE_HASH_OFFSET: usize = 4;
const NODE_LEN_OFFSET: usize = 8;
const NODE_HEADER_BYTES: usize = 12;
/** High bit of a node's len marks it as already drawn during a unique random sample. */
const NODE_DRAWN_BIT: u32 = 0x80000000;

/** Out-buffer cells in index.ts's result cells (RESULT_OUT_PTR / RESULT_OUT_LEN there). */
const RESULT_OUT_PTR_OFFSET: usize = 20;
const RESULT_OUT_LEN_OFFSET: usize = 24;

/** setAdd outcomes of one member. */
const ADDED: i32 = 1;
const PRESENT: i32 = 0;

/** setOp operations. */
const OP_INTER: u32 = 0;
const OP_UNION: u32 = 1;
const OP_DIFF: u32 = 2;
const OP_INTERCARD: u32 = 3;

/** SPOP rebuilds the remainder when remaining · this ≤ popped (Redis's constant). */
const SPOP_MOVE_STRATEGY_MUL: u64 = 5;

/** Random bucket probes before a table pick falls back to a walk. */
const RANDOM_PROBES_MAX: u32 = 1 << 16;
/** Positions drawn per probed bucket (see pickRandom). */
const RANDOM_CHAIN_SLOTS: u32 = 4;

// ── Small helpers ───────────────────────────────────────────────────────────────────────

@inline function countOf(ptr: usize): u32 {
  return ptr == 0 ? 0 : load<u32>(ptr, COUNT_OFFSET);
}
@inline function isIntset(enc: u32): bool {
  return enc >= SET_ENC_INT16 && enc <= SET_ENC_INT64;
}
@inline function intWidth(enc: u32): usize {
  return enc == SET_ENC_INT16 ? 2 : enc == SET_ENC_INT32 ? 4 : 8;
}
@inline function intsetBytes(enc: u32, count: u32): usize {
  return INTSET_HEADER_BYTES + intWidth(enc) * <usize>count;
}
@inline function intsetGet(ptr: usize, enc: u32, index: u32): i64 {
  const at = ptr + INTSET_HEADER_BYTES + <usize>index * intWidth(enc);
  if (enc == SET_ENC_INT16) return <i64>load<i16>(at);
  if (enc == SET_ENC_INT32) return <i64>load<i32>(at);
  return load<i64>(at);
}
@inline function intsetPut(ptr: usize, enc: u32, index: u32, value: i64): void {
  const at = ptr + INTSET_HEADER_BYTES + <usize>index * intWidth(enc);
  if (enc == SET_ENC_INT16) store<i16>(at, <i16>value);
  else if (enc == SET_ENC_INT32) store<i32>(at, <i32>value);
  else store<i64>(at, value);
}
/** Narrowest intset encoding holding value. */
@inline function encodingForInt(value: i64): u32 {
  if (value >= -32768 && value <= 32767) return SET_ENC_INT16;
  if (value >= -2147483648 && value <= 2147483647) return SET_ENC_INT32;
  return SET_ENC_INT64;
}
@inline function tableMask(ptr: usize): u32 {
  return load<u32>(ptr, TABLE_MASK_OFFSET);
}
@inline function tableBuckets(ptr: usize): usize {
  return <usize>load<u32>(ptr, TABLE_BUCKETS_OFFSET);
}
@inline function nodeNext(node: usize): usize {
  return <usize>load<u32>(node, NODE_NEXT_OFFSET);
}
@inline function nodeLen(node: usize): u32 {
  return load<u32>(node, NODE_LEN_OFFSET) & ~NODE_DRAWN_BIT;
}
@inline function nodeBytes(node: usize): usize {
  return node + NODE_HEADER_BYTES;
}

/** Frame walk over staged arguments: [u32 len][bytes]. */
@inline function frameLen(frame: usize): u32 {
  return load<u32>(frame);
}
@inline function frameBytes(frame: usize): usize {
  return frame + 4;
}
@inline function frameNext(frame: usize): usize {
  return frame + 4 + <usize>load<u32>(frame);
}

// ── Integer text (Redis's string2ll / ll2string) ────────────────────────────────────────

/** Set by parseCanonicalInt. */
let parsedInt: i64 = 0;

/**
 * True when bytes are exactly the canonical decimal text of an int64 (what Redis's
 * string2ll accepts: optional '-', no leading zeros, no "-0", in range); sets parsedInt.
 */
function parseCanonicalInt(src: usize, len: u32): bool {
  if (len == 0 || len > 20) return false;
  if (len == 1 && load<u8>(src) == 48) {
    parsedInt = 0;
    return true;
  }
  let i: u32 = 0;
  const negative = load<u8>(src) == 45;
  if (negative) {
    if (len == 1) return false;
    i = 1;
  }
  const first = load<u8>(src + i);
  if (first < 49 || first > 57) return false;
  let magnitude: u64 = 0;
  for (; i < len; i++) {
    const c = load<u8>(src + i);
    if (c < 48 || c > 57) return false;
    const digit = <u64>(c - 48);
    if (magnitude > (<u64>0xffffffffffffffff - digit) / 10) return false;
    magnitude = magnitude * 10 + digit;
  }
  if (negative) {
    if (magnitude > <u64>0x8000000000000000) return false;
    parsedInt = <i64>(<u64>0 - magnitude);
  } else {
    if (magnitude > <u64>0x7fffffffffffffff) return false;
    parsedInt = <i64>magnitude;
  }
  return true;
}

const INT_TEXT_BYTES: i32 = 24;
/** Scratch for formatInt (conversions, out buffer). */
const intText: usize = memory.data(INT_TEXT_BYTES);
/** Scratch owned by the iterator, so formatting elsewhere never clobbers its current member. */
const iterText: usize = memory.data(INT_TEXT_BYTES);
/** Scratch for a random pick. */
const pickText: usize = memory.data(INT_TEXT_BYTES);
let formattedLen: u32 = 0;

/** Writes value's decimal text ending at buffer + INT_TEXT_BYTES; returns its first byte. */
function formatInt(buffer: usize, value: i64): usize {
  let at = buffer + <usize>INT_TEXT_BYTES;
  const negative = value < 0;
  let magnitude: u64 = negative ? <u64>0 - <u64>value : <u64>value;
  do {
    at--;
    store<u8>(at, <u8>(48 + <u32>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) {
    at--;
    store<u8>(at, 45);
  }
  formattedLen = <u32>(buffer + <usize>INT_TEXT_BYTES - at);
  return at;
}

// ── Random numbers (xorshift64*) ────────────────────────────────────────────────────────

let randomState: u64 = 0x853c49e6748fea9b;

/** Seeds SRANDMEMBER / SPOP's generator (the host seeds it once per engine). */
export function setRandomSeed(seedLow: u32, seedHigh: u32): void {
  const seed = (<u64>seedHigh << 32) | <u64>seedLow;
  randomState = seed == 0 ? 0x853c49e6748fea9b : seed;
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
  assert(n > 0);
  return <u32>((nextRandom() >> 32) % <u64>n);
}

// ── Intset ──────────────────────────────────────────────────────────────────────────────

/** Index of value, or -(insertion index + 1). */
function intsetSearch(ptr: usize, enc: u32, value: i64): i32 {
  let low: i32 = 0;
  let high: i32 = <i32>countOf(ptr) - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = intsetGet(ptr, enc, <u32>mid);
    if (at < value) low = mid + 1;
    else if (at > value) high = mid - 1;
    else return mid;
  }
  return -(low + 1);
}

// ── Packed ──────────────────────────────────────────────────────────────────────────────

@inline function packedUsed(ptr: usize): usize {
  return <usize>load<u32>(ptr, PACKED_USED_OFFSET);
}

/** Offset of member's length byte within the block, or 0 when absent. */
function packedFind(ptr: usize, src: usize, len: u32): usize {
  const end = packedUsed(ptr);
  let at = PACKED_HEADER_BYTES;
  while (at < end) {
    const memberLen = <u32>load<u8>(ptr + at);
    if (memberLen == len && bytesEqual(ptr + at + 1, src, len)) return at;
    at += 1 + <usize>memberLen;
  }
  return 0;
}

// ── Table ───────────────────────────────────────────────────────────────────────────────

@inline function bucketOf(ptr: usize, hash: u32): usize {
  return tableBuckets(ptr) + (<usize>(hash & tableMask(ptr)) << 2);
}

/** The node holding member, or 0. */
function tableFind(ptr: usize, src: usize, len: u32, hash: u32): usize {
  let node = <usize>load<u32>(bucketOf(ptr, hash));
  while (node != 0) {
    if (load<u32>(node, NODE_HASH_OFFSET) == hash && nodeLen(node) == len &&
      bytesEqual(nodeBytes(node), src, len)) return node;
    node = nodeNext(node);
  }
  return 0;
}

/** A node holding a copy of member (next unset), or 0 on OOM. */
function newNode(src: usize, len: u32, hash: u32): usize {
  const node = alloc(NODE_HEADER_BYTES + <usize>len);
  if (node == 0) return 0;
  store<u32>(node, 0, NODE_NEXT_OFFSET);
  store<u32>(node, hash, NODE_HASH_OFFSET);
  store<u32>(node, len, NODE_LEN_OFFSET);
  memory.copy(nodeBytes(node), src, len);
  return node;
}

/** Links a node whose member is absent; the caller counts it. */
@inline function tableLink(ptr: usize, node: usize): void {
  const bucket = bucketOf(ptr, load<u32>(node, NODE_HASH_OFFSET));
  store<u32>(node, load<u32>(bucket), NODE_NEXT_OFFSET);
  store<u32>(bucket, <u32>node);
}

@inline function nextPowerOfTwo(n: u32): u32 {
  if (n <= TABLE_SIZE_MIN) return TABLE_SIZE_MIN;
  if (n > 0x40000000) return 0x40000000;
  return <u32>1 << (32 - clz<u32>(n - 1));
}

/** An empty table with room for sizeHint members, or 0 on OOM. */
function tableCreate(sizeHint: u32): usize {
  const size = nextPowerOfTwo(sizeHint);
  const ptr = alloc(TABLE_HEADER_BYTES);
  if (ptr == 0) return 0;
  const buckets = alloc(<usize>size << 2);
  if (buckets == 0) {
    free(ptr);
    return 0;
  }
  memory.fill(buckets, 0, <usize>size << 2);
  store<u32>(ptr, 0, COUNT_OFFSET);
  store<u32>(ptr, size - 1, TABLE_MASK_OFFSET);
  store<u32>(ptr, <u32>buckets, TABLE_BUCKETS_OFFSET);
  store<u32>(ptr, 0, 12);
  return ptr;
}

/** Re-buckets every node into a table of newSize buckets; silently kept as is on OOM. */
function tableResize(ptr: usize, newSize: u32): void {
  const oldSize = tableMask(ptr) + 1;
  if (newSize == oldSize) return;
  const fresh = alloc(<usize>newSize << 2);
  if (fresh == 0) return;
  memory.fill(fresh, 0, <usize>newSize << 2);
  const old = tableBuckets(ptr);
  const newMask = newSize - 1;
  for (let i: u32 = 0; i < oldSize; i++) {
    let node = <usize>load<u32>(old + (<usize>i << 2));
    while (node != 0) {
      const next = nodeNext(node);
      const bucket = fresh + (<usize>(load<u32>(node, NODE_HASH_OFFSET) & newMask) << 2);
      store<u32>(node, load<u32>(bucket), NODE_NEXT_OFFSET);
      store<u32>(bucket, <u32>node);
      node = next;
    }
  }
  free(old);
  store<u32>(ptr, newMask, TABLE_MASK_OFFSET);
  store<u32>(ptr, <u32>fresh, TABLE_BUCKETS_OFFSET);
}

@inline function tableMaybeGrow(ptr: usize): void {
  const count = countOf(ptr);
  if (count > tableMask(ptr) + 1) tableResize(ptr, nextPowerOfTwo(count));
}

@inline function tableMaybeShrink(ptr: usize): void {
  const size = tableMask(ptr) + 1;
  const count = countOf(ptr);
  if (size > TABLE_SIZE_MIN && count < (size >> 3)) tableResize(ptr, nextPowerOfTwo(count));
}

function tableFree(ptr: usize): void {
  const buckets = tableBuckets(ptr);
  const size = tableMask(ptr) + 1;
  for (let i: u32 = 0; i < size; i++) {
    let node = <usize>load<u32>(buckets + (<usize>i << 2));
    while (node != 0) {
      const next = nodeNext(node);
      free(node);
      node = next;
    }
  }
  free(buckets);
  free(ptr);
}

// ── Whole values: free, copy ────────────────────────────────────────────────────────────

/** Frees every block the value owns. */
export function setFreeValue(valuePtr: usize, valueLen: u32): void {
  if (valuePtr == 0) return;
  if (valueLen == SET_ENC_TABLE) tableFree(valuePtr);
  else {
    assert(isIntset(valueLen) || valueLen == SET_ENC_PACKED, "set: unknown encoding");
    free(valuePtr);
  }
}

/** Bytes of a single-block (intset / packed) value. */
@inline function smallBytes(ptr: usize, enc: u32): usize {
  return enc == SET_ENC_PACKED ? packedUsed(ptr) : intsetBytes(enc, countOf(ptr));
}

/** Deep copy; the new valuePtr, or 0 on OOM (nothing allocated). */
export function setCopyValue(valuePtr: usize, valueLen: u32): usize {
  if (valuePtr == 0) return 0;
  if (valueLen != SET_ENC_TABLE) {
    const sizeBytes = smallBytes(valuePtr, valueLen);
    const fresh = alloc(sizeBytes);
    if (fresh == 0) return 0;
    memory.copy(fresh, valuePtr, sizeBytes);
    return fresh;
  }
  const count = countOf(valuePtr);
  const fresh = tableCreate(tableMask(valuePtr) + 1);
  if (fresh == 0) return 0;
  const buckets = tableBuckets(valuePtr);
  const size = tableMask(valuePtr) + 1;
  for (let i: u32 = 0; i < size; i++) {
    let node = <usize>load<u32>(buckets + (<usize>i << 2));
    while (node != 0) {
      const copy = newNode(nodeBytes(node), nodeLen(node), load<u32>(node, NODE_HASH_OFFSET));
      if (copy == 0) {
        tableFree(fresh);
        return 0;
      }
      tableLink(fresh, copy);
      store<u32>(fresh, countOf(fresh) + 1, COUNT_OFFSET);
      node = nodeNext(node);
    }
  }
  assert(countOf(fresh) == count);
  return fresh;
}

// ── Membership and iteration over any encoding ──────────────────────────────────────────

function hasMember(ptr: usize, enc: u32, src: usize, len: u32): bool {
  if (ptr == 0) return false;
  if (isIntset(enc)) return parseCanonicalInt(src, len) && intsetSearch(ptr, enc, parsedInt) >= 0;
  if (enc == SET_ENC_PACKED) return packedFind(ptr, src, len) != 0;
  return tableFind(ptr, src, len, hashBytes(src, len)) != 0;
}

// The iterator: one at a time (no command nests two). iterSrc/iterLen name the current
// member, valid until the next iterNext (intset members are formatted into iterText).
let iterPtr: usize = 0;
let iterEnc: u32 = 0;
let iterIndex: u32 = 0;
let iterOffset: usize = 0;
let iterBucket: u32 = 0;
let iterNode: usize = 0;
let iterSrc: usize = 0;
let iterLen: u32 = 0;

function iterStart(ptr: usize, enc: u32): void {
  iterPtr = ptr;
  iterEnc = enc;
  iterIndex = 0;
  iterOffset = PACKED_HEADER_BYTES;
  iterBucket = 0;
  iterNode = 0;
}

function iterNext(): bool {
  const ptr = iterPtr;
  if (ptr == 0) return false;
  const enc = iterEnc;
  if (isIntset(enc)) {
    if (iterIndex >= countOf(ptr)) return false;
    iterSrc = formatInt(iterText, intsetGet(ptr, enc, iterIndex));
    iterLen = formattedLen;
    iterIndex++;
    return true;
  }
  if (enc == SET_ENC_PACKED) {
    if (iterOffset >= packedUsed(ptr)) return false;
    iterLen = <u32>load<u8>(ptr + iterOffset);
    iterSrc = ptr + iterOffset + 1;
    iterOffset += 1 + <usize>iterLen;
    return true;
  }
  if (iterNode != 0) iterNode = nodeNext(iterNode);
  const size = tableMask(ptr) + 1;
  const buckets = tableBuckets(ptr);
  while (iterNode == 0) {
    if (iterBucket >= size) return false;
    iterNode = <usize>load<u32>(buckets + (<usize>iterBucket << 2));
    iterBucket++;
  }
  iterSrc = nodeBytes(iterNode);
  iterLen = nodeLen(iterNode);
  return true;
}

// ── The working value: additions and removals ───────────────────────────────────────────
//
// Mutations act on (workPtr, workEnc); the exports load them from an entry (or start from an
// empty builder) and store them back.

let workPtr: usize = 0;
let workEnc: u32 = 0;

/** A new intset holding just value, or 0. */
function intsetCreate(value: i64): usize {
  const enc = encodingForInt(value);
  const ptr = alloc(intsetBytes(enc, 1));
  if (ptr == 0) return 0;
  store<u32>(ptr, 1, COUNT_OFFSET);
  intsetPut(ptr, enc, 0, value);
  workEnc = enc;
  return ptr;
}

/** A new packed value holding just member, or 0. */
function packedCreate(src: usize, len: u32): usize {
  const used = PACKED_HEADER_BYTES + 1 + <usize>len;
  const ptr = alloc(used);
  if (ptr == 0) return 0;
  store<u32>(ptr, 1, COUNT_OFFSET);
  store<u32>(ptr, <u32>used, PACKED_USED_OFFSET);
  store<u8>(ptr + PACKED_HEADER_BYTES, <u8>len);
  memory.copy(ptr + PACKED_HEADER_BYTES + 1, src, len);
  return ptr;
}

/** Starts the working value (empty) with its first member, choosing Redis's encoding. */
function createWith(src: usize, len: u32): i32 {
  let ptr: usize = 0;
  if (parseCanonicalInt(src, len)) {
    ptr = intsetCreate(parsedInt);
  } else if (len <= PACKED_MEMBER_MAX_BYTES) {
    ptr = packedCreate(src, len);
    workEnc = SET_ENC_PACKED;
  } else {
    ptr = tableCreate(TABLE_SIZE_MIN);
    if (ptr != 0) {
      const node = newNode(src, len, hashBytes(src, len));
      if (node == 0) {
        tableFree(ptr);
        return STATUS_OOM;
      }
      tableLink(ptr, node);
      store<u32>(ptr, 1, COUNT_OFFSET);
    }
    workEnc = SET_ENC_TABLE;
  }
  if (ptr == 0) return STATUS_OOM;
  workPtr = ptr;
  return ADDED;
}

/**
 * Converts the working value to TABLE with one more member (src, len) in the same step; on
 * OOM everything built is freed and the working value is untouched.
 */
function convertToTable(src: usize, len: u32): i32 {
  const oldPtr = workPtr;
  const oldEnc = workEnc;
  const count = countOf(oldPtr);
  const table = tableCreate(count + 1);
  if (table == 0) return STATUS_OOM;
  // Walked by hand, not with the iterator: a STORE may be iterating a source right now.
  let packedAt = PACKED_HEADER_BYTES;
  for (let i: u32 = 0; i <= count; i++) {
    let memberSrc = src;
    let memberLen = len;
    if (i < count && isIntset(oldEnc)) {
      memberSrc = formatInt(intText, intsetGet(oldPtr, oldEnc, i));
      memberLen = formattedLen;
    } else if (i < count) {
      memberLen = <u32>load<u8>(oldPtr + packedAt);
      memberSrc = oldPtr + packedAt + 1;
      packedAt += 1 + <usize>memberLen;
    }
    const node = newNode(memberSrc, memberLen, hashBytes(memberSrc, memberLen));
    if (node == 0) {
      store<u32>(table, i, COUNT_OFFSET);
      tableFree(table);
      return STATUS_OOM;
    }
    tableLink(table, node);
  }
  store<u32>(table, count + 1, COUNT_OFFSET);
  setFreeValue(oldPtr, oldEnc);
  workPtr = table;
  workEnc = SET_ENC_TABLE;
  return ADDED;
}

/** Converts the working intset to PACKED with one more (non-integer) member; atomic. */
function convertIntsetToPacked(src: usize, len: u32): i32 {
  const oldPtr = workPtr;
  const oldEnc = workEnc;
  const count = countOf(oldPtr);
  // Upper bound: 20 digits + sign per integer.
  let used: usize = PACKED_HEADER_BYTES;
  for (let i: u32 = 0; i < count; i++) {
    formatInt(intText, intsetGet(oldPtr, oldEnc, i));
    used += 1 + <usize>formattedLen;
  }
  used += 1 + <usize>len;
  const ptr = alloc(used);
  if (ptr == 0) return STATUS_OOM;
  let at = ptr + PACKED_HEADER_BYTES;
  for (let i: u32 = 0; i < count; i++) {
    const text = formatInt(intText, intsetGet(oldPtr, oldEnc, i));
    store<u8>(at, <u8>formattedLen);
    memory.copy(at + 1, text, formattedLen);
    at += 1 + <usize>formattedLen;
  }
  store<u8>(at, <u8>len);
  memory.copy(at + 1, src, len);
  store<u32>(ptr, count + 1, COUNT_OFFSET);
  store<u32>(ptr, <u32>used, PACKED_USED_OFFSET);
  free(oldPtr);
  workPtr = ptr;
  workEnc = SET_ENC_PACKED;
  return ADDED;
}

/** Inserts value into the working intset (absent, within SET_MAX_INTSET_ENTRIES); atomic. */
function intsetInsert(value: i64, searchResult: i32): i32 {
  const ptr = workPtr;
  const enc = workEnc;
  const count = countOf(ptr);
  const valueEnc = encodingForInt(value);
  if (valueEnc > enc) {
    // Upgrade: value is outside the old width's range, so it goes first or last.
    const fresh = alloc(intsetBytes(valueEnc, count + 1));
    if (fresh == 0) return STATUS_OOM;
    const shift: u32 = value < 0 ? 1 : 0;
    for (let i: u32 = 0; i < count; i++) {
      intsetPut(fresh, valueEnc, i + shift, intsetGet(ptr, enc, i));
    }
    intsetPut(fresh, valueEnc, value < 0 ? 0 : count, value);
    store<u32>(fresh, count + 1, COUNT_OFFSET);
    free(ptr);
    workPtr = fresh;
    workEnc = valueEnc;
    return ADDED;
  }
  const position = <u32>(-searchResult - 1);
  const width = intWidth(enc);
  const needBytes = intsetBytes(enc, count + 1);
  const tailBytes = <usize>(count - position) * width;
  const positionAt = INTSET_HEADER_BYTES + <usize>position * width;
  let target = ptr;
  if (needBytes > usableSize(ptr)) {
    target = alloc(needBytes);
    if (target == 0) return STATUS_OOM;
    memory.copy(target, ptr, positionAt);
    memory.copy(target + positionAt + width, ptr + positionAt, tailBytes);
    free(ptr);
  } else {
    memory.copy(ptr + positionAt + width, ptr + positionAt, tailBytes);
  }
  intsetPut(target, enc, position, value);
  store<u32>(target, count + 1, COUNT_OFFSET);
  workPtr = target;
  return ADDED;
}

/** Appends an absent member to the working packed value (within limits); atomic. */
function packedAppend(src: usize, len: u32): i32 {
  const ptr = workPtr;
  const used = packedUsed(ptr);
  const needBytes = used + 1 + <usize>len;
  let target = ptr;
  if (needBytes > usableSize(ptr)) {
    target = alloc(needBytes);
    if (target == 0) return STATUS_OOM;
    memory.copy(target, ptr, used);
    free(ptr);
  }
  store<u8>(target + used, <u8>len);
  memory.copy(target + used + 1, src, len);
  store<u32>(target, countOf(target) + 1, COUNT_OFFSET);
  store<u32>(target, <u32>needBytes, PACKED_USED_OFFSET);
  workPtr = target;
  return ADDED;
}

/** Adds one member to the working value: ADDED, PRESENT, or STATUS_OOM (value untouched). */
function addMember(src: usize, len: u32): i32 {
  if (workPtr == 0) return createWith(src, len);
  const enc = workEnc;
  const count = countOf(workPtr);
  if (isIntset(enc)) {
    if (parseCanonicalInt(src, len)) {
      const value = parsedInt;
      const found = intsetSearch(workPtr, enc, value);
      if (found >= 0) return PRESENT;
      if (count + 1 > SET_MAX_INTSET_ENTRIES) return convertToTable(src, len);
      return intsetInsert(value, found);
    }
    if (count + 1 <= PACKED_COUNT_MAX && len <= PACKED_MEMBER_MAX_BYTES) {
      return convertIntsetToPacked(src, len);
    }
    return convertToTable(src, len);
  }
  if (enc == SET_ENC_PACKED) {
    if (packedFind(workPtr, src, len) != 0) return PRESENT;
    if (count + 1 > PACKED_COUNT_MAX || len > PACKED_MEMBER_MAX_BYTES) {
      return convertToTable(src, len);
    }
    return packedAppend(src, len);
  }
  const hash = hashBytes(src, len);
  if (tableFind(workPtr, src, len, hash) != 0) return PRESENT;
  const node = newNode(src, len, hash);
  if (node == 0) return STATUS_OOM;
  tableLink(workPtr, node);
  store<u32>(workPtr, count + 1, COUNT_OFFSET);
  tableMaybeGrow(workPtr);
  return ADDED;
}

/** Moves a single-block value to a tighter block when it wastes over half (best effort). */
function maybeShrinkBlock(needBytes: usize): void {
  const usable = usableSize(workPtr);
  if (usable <= 64 || usable < needBytes << 1) return;
  const fresh = alloc(needBytes);
  if (fresh == 0) return;
  memory.copy(fresh, workPtr, needBytes);
  free(workPtr);
  workPtr = fresh;
}

/** Removes one member from the working value (never allocates). True if it was there. */
function removeMember(src: usize, len: u32): bool {
  const ptr = workPtr;
  if (ptr == 0) return false;
  const enc = workEnc;
  const count = countOf(ptr);
  if (isIntset(enc)) {
    if (!parseCanonicalInt(src, len)) return false;
    const found = intsetSearch(ptr, enc, parsedInt);
    if (found < 0) return false;
    const width = intWidth(enc);
    const at = ptr + INTSET_HEADER_BYTES + <usize>found * width;
    memory.copy(at, at + width, <usize>(count - 1 - <u32>found) * width);
    store<u32>(ptr, count - 1, COUNT_OFFSET);
    maybeShrinkBlock(intsetBytes(enc, count - 1));
    return true;
  }
  if (enc == SET_ENC_PACKED) {
    const at = packedFind(ptr, src, len);
    if (at == 0) return false;
    const used = packedUsed(ptr);
    const entryBytes: usize = 1 + <usize>len;
    memory.copy(ptr + at, ptr + at + entryBytes, used - at - entryBytes);
    store<u32>(ptr, count - 1, COUNT_OFFSET);
    store<u32>(ptr, <u32>(used - entryBytes), PACKED_USED_OFFSET);
    maybeShrinkBlock(used - entryBytes);
    return true;
  }
  const hash = hashBytes(src, len);
  let link = bucketOf(ptr, hash);
  let node = <usize>load<u32>(link);
  while (node != 0) {
    if (load<u32>(node, NODE_HASH_OFFSET) == hash && nodeLen(node) == len &&
      bytesEqual(nodeBytes(node), src, len)) {
      store<u32>(link, load<u32>(node, NODE_NEXT_OFFSET));
      free(node);
      store<u32>(ptr, count - 1, COUNT_OFFSET);
      tableMaybeShrink(ptr);
      return true;
    }
    link = node + NODE_NEXT_OFFSET;
    node = nodeNext(node);
  }
  return false;
}

/** Adds framed members to the working value; members added, or STATUS_OOM part way. */
function addFramed(frame: usize, memberCount: u32): i32 {
  let added: i32 = 0;
  for (let i: u32 = 0; i < memberCount; i++) {
    const status = addMember(frameBytes(frame), frameLen(frame));
    if (status < 0) return status;
    added += status;
    frame = frameNext(frame);
  }
  return added;
}

/**
 * SADD of several members into a TABLE, all or nothing: every node a new member needs is
 * allocated first (chained through `next`), then linked; a duplicate argument frees its node.
 */
function tableAddFramed(frame: usize, memberCount: u32): i32 {
  const ptr = workPtr;
  let pending: usize = 0;
  for (let i: u32 = 0; i < memberCount; i++) {
    const src = frameBytes(frame);
    const len = frameLen(frame);
    const hash = hashBytes(src, len);
    if (tableFind(ptr, src, len, hash) == 0) {
      const node = newNode(src, len, hash);
      if (node == 0) {
        while (pending != 0) {
          const next = nodeNext(pending);
          free(pending);
          pending = next;
        }
        return STATUS_OOM;
      }
      store<u32>(node, <u32>pending, NODE_NEXT_OFFSET);
      pending = node;
    }
    frame = frameNext(frame);
  }
  let added: i32 = 0;
  while (pending != 0) {
    const next = nodeNext(pending);
    if (tableFind(ptr, nodeBytes(pending), nodeLen(pending), load<u32>(pending, NODE_HASH_OFFSET)) != 0) {
      free(pending); // the same member twice among the arguments
    } else {
      tableLink(ptr, pending);
      added++;
    }
    pending = next;
  }
  store<u32>(ptr, countOf(ptr) + <u32>added, COUNT_OFFSET);
  tableMaybeGrow(ptr);
  return added;
}

@inline function loadWork(e: usize): void {
  workPtr = entryValuePtr(e);
  workEnc = entryValueLen(e);
}

@inline function storeWork(e: usize): void {
  setEntryValue(e, workPtr, workEnc, TYPE_SET);
}

/** Stores the working value back, deleting the key when it became empty. */
function storeWorkOrDelete(db: u32, e: usize): bool {
  if (countOf(workPtr) == 0) {
    setFreeValue(workPtr, workEnc);
    setEntryValue(e, 0, 0, TYPE_SET);
    colDelete(db, e);
    return true;
  }
  storeWork(e);
  return false;
}

// ── Single-key commands ─────────────────────────────────────────────────────────────────

/** Entry of a set for reading; 0 with the status in colLastStatus(). */
@inline function openRead(db: u32, keyLen: u32, nowMs: f64): usize {
  return colOpenRead(db, keyLen, nowMs, TYPE_SET);
}

/**
 * SADD key member…: members framed after the key. Members added, STATUS_WRONGTYPE, or
 * STATUS_OOM (key unchanged; a key created for the call is removed again).
 */
export function setAdd(db: u32, keyLen: u32, nowMs: f64, memberCount: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_SET, true);
  if (e == 0) return colLastStatus();
  const frame = colArgsPtr(keyLen);
  const originalPtr = entryValuePtr(e);
  const originalEnc = entryValueLen(e);
  if (originalPtr == 0) {
    workPtr = 0;
    workEnc = 0;
    const added = addFramed(frame, memberCount);
    if (added < 0) {
      setFreeValue(workPtr, workEnc);
      colDelete(db, e);
      return added;
    }
    storeWork(e);
    return added;
  }
  loadWork(e);
  if (memberCount == 1) {
    const status = addMember(frameBytes(frame), frameLen(frame));
    if (status >= 0) storeWork(e);
    return status;
  }
  if (originalEnc == SET_ENC_TABLE) return tableAddFramed(frame, memberCount);
  // A small value and several members: edit a clone, keep the original until it succeeds.
  const clone = setCopyValue(originalPtr, originalEnc);
  if (clone == 0) return STATUS_OOM;
  workPtr = clone;
  const added = addFramed(frame, memberCount);
  if (added < 0) {
    setFreeValue(workPtr, workEnc);
    return added;
  }
  setFreeValue(originalPtr, originalEnc);
  storeWork(e);
  return added;
}

/** SREM key member…: members removed (the key goes when emptied), or STATUS_WRONGTYPE. */
export function setRem(db: u32, keyLen: u32, nowMs: f64, memberCount: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_SET, false);
  if (e == 0) {
    const status = colLastStatus();
    return status == STATUS_MISSING ? 0 : status;
  }
  loadWork(e);
  let frame = colArgsPtr(keyLen);
  let removed: i32 = 0;
  for (let i: u32 = 0; i < memberCount; i++) {
    if (removeMember(frameBytes(frame), frameLen(frame))) removed++;
    if (countOf(workPtr) == 0) break;
    frame = frameNext(frame);
  }
  storeWorkOrDelete(db, e);
  return removed;
}

/** One-byte out records for SMISMEMBER. */
const flagCell: usize = memory.data(4);

/**
 * SISMEMBER / SMISMEMBER: how many of the framed members are in the set (a missing key has
 * none); with writeFlags, one out record per member holding the byte 1 or 0.
 */
export function setContains(
  db: u32,
  keyLen: u32,
  nowMs: f64,
  memberCount: u32,
  writeFlags: u32,
): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0 && colLastStatus() == STATUS_WRONGTYPE) return STATUS_WRONGTYPE;
  const ptr: usize = e == 0 ? 0 : entryValuePtr(e);
  const enc: u32 = e == 0 ? 0 : entryValueLen(e);
  if (writeFlags != 0) outReset();
  let frame = colArgsPtr(keyLen);
  let found: i32 = 0;
  for (let i: u32 = 0; i < memberCount; i++) {
    const isMember = hasMember(ptr, enc, frameBytes(frame), frameLen(frame));
    if (isMember) found++;
    if (writeFlags != 0) {
      store<u8>(flagCell, isMember ? 1 : 0);
      if (!outPush(flagCell, 1)) return STATUS_OOM;
    }
    frame = frameNext(frame);
  }
  return found;
}

/** SCARD: members, 0 for a missing key, or STATUS_WRONGTYPE. */
export function setCard(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) {
    const status = colLastStatus();
    return status == STATUS_MISSING ? 0 : status;
  }
  return <i32>countOf(entryValuePtr(e));
}

/** OBJECT ENCODING source: the encoding tag (SET_ENC_*), STATUS_MISSING or WRONGTYPE. */
export function setEncodingOf(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colLastStatus();
  return <i32>entryValueLen(e);
}

/** Pushes every member of (ptr, enc) to the out buffer in iteration order; false on OOM. */
function pushAll(ptr: usize, enc: u32): bool {
  iterStart(ptr, enc);
  while (iterNext()) {
    if (!outPush(iterSrc, iterLen)) return false;
  }
  return true;
}

/**
 * SMEMBERS: every member into the out buffer (ascending for an intset, as Redis); the
 * count, -1 for a missing key, STATUS_WRONGTYPE or STATUS_OOM.
 */
export function setMembers(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colLastStatus();
  outReset();
  if (!pushAll(entryValuePtr(e), entryValueLen(e))) return STATUS_OOM;
  return <i32>countOf(entryValuePtr(e));
}

// ── Random members ──────────────────────────────────────────────────────────────────────

let pickSrc: usize = 0;
let pickLen: u32 = 0;
let pickNode: usize = 0;

/** A uniformly drawn index's member (intset, packed) or a random bucket's (table). */
function pickRandom(ptr: usize, enc: u32): void {
  const count = countOf(ptr);
  assert(count > 0);
  if (isIntset(enc)) {
    pickSrc = formatInt(pickText, intsetGet(ptr, enc, randomBelow(count)));
    pickLen = formattedLen;
    return;
  }
  if (enc == SET_ENC_PACKED) {
    let skip = randomBelow(count);
    let at = PACKED_HEADER_BYTES;
    while (skip > 0) {
      at += 1 + <usize>load<u8>(ptr + at);
      skip--;
    }
    pickLen = <u32>load<u8>(ptr + at);
    pickSrc = ptr + at + 1;
    return;
  }
  // Random bucket, then a position below max(chain length, RANDOM_CHAIN_SLOTS): a draw past
  // the chain's end is retried, so a member in a long chain is not rarer than one alone
  // (uniform while chains are at most RANDOM_CHAIN_SLOTS long, which load factor ≤ 1 makes
  // the rule).
  const buckets = tableBuckets(ptr);
  const size = tableMask(ptr) + 1;
  for (let probe: u32 = 0; probe < RANDOM_PROBES_MAX; probe++) {
    const first = <usize>load<u32>(buckets + (<usize>randomBelow(size) << 2));
    if (first == 0) continue;
    let chainLen: u32 = 0;
    for (let node = first; node != 0; node = nodeNext(node)) chainLen++;
    const slot = randomBelow(chainLen > RANDOM_CHAIN_SLOTS ? chainLen : RANDOM_CHAIN_SLOTS);
    if (slot >= chainLen) continue;
    let node = first;
    for (let skip = slot; skip > 0; skip--) node = nodeNext(node);
    setPick(node);
    return;
  }
  // Pathologically sparse table: the first non-empty bucket from a random start.
  let i = randomBelow(size);
  let first: usize = 0;
  while (first == 0) {
    first = <usize>load<u32>(buckets + (<usize>i << 2));
    i = (i + 1) & (size - 1);
  }
  setPick(first);
}

@inline function setPick(node: usize): void {
  pickNode = node;
  pickSrc = nodeBytes(node);
  pickLen = nodeLen(node);
}

/**
 * `count` distinct members (count < size) into the out buffer. Small values and dense
 * requests use selection sampling over one pass (each subset equally likely); a sparse
 * request on a table draws random nodes, marking drawn ones in their len's high bit and
 * clearing the marks afterwards. False on OOM (marks cleared).
 */
function sampleUnique(ptr: usize, enc: u32, count: u32): bool {
  const size = countOf(ptr);
  assert(count < size);
  if (enc != SET_ENC_TABLE || <u64>count * 3 > <u64>size) {
    let needed = count;
    let remaining = size;
    iterStart(ptr, enc);
    while (needed > 0 && iterNext()) {
      if (randomBelow(remaining) < needed) {
        if (!outPush(iterSrc, iterLen)) return false;
        needed--;
      }
      remaining--;
    }
    assert(needed == 0);
    return true;
  }
  const drawn = alloc(<usize>count << 2);
  if (drawn == 0) return false;
  let drawnCount: u32 = 0;
  let ok = true;
  while (drawnCount < count) {
    pickRandom(ptr, enc);
    const lenWord = load<u32>(pickNode, NODE_LEN_OFFSET);
    if ((lenWord & NODE_DRAWN_BIT) != 0) continue;
    if (!outPush(pickSrc, pickLen)) {
      ok = false;
      break;
    }
    store<u32>(pickNode, lenWord | NODE_DRAWN_BIT, NODE_LEN_OFFSET);
    store<u32>(drawn + (<usize>drawnCount << 2), <u32>pickNode);
    drawnCount++;
  }
  for (let i: u32 = 0; i < drawnCount; i++) {
    const node = <usize>load<u32>(drawn + (<usize>i << 2));
    store<u32>(node, load<u32>(node, NODE_LEN_OFFSET) & ~NODE_DRAWN_BIT, NODE_LEN_OFFSET);
  }
  free(drawn);
  return ok;
}

/**
 * SRANDMEMBER: with `unique`, min(count, size) distinct members (the whole set in iteration
 * order when count ≥ size, as Redis); otherwise `count` independent draws. Members go to the
 * out buffer; returns how many, -1 for a missing key, STATUS_WRONGTYPE or STATUS_OOM.
 */
export function setRandomMembers(db: u32, keyLen: u32, nowMs: f64, count: u32, unique: u32): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colLastStatus();
  const ptr = entryValuePtr(e);
  const enc = entryValueLen(e);
  const size = countOf(ptr);
  outReset();
  if (count == 0) return 0;
  if (unique != 0) {
    if (count >= size) return pushAll(ptr, enc) ? <i32>size : STATUS_OOM;
    return sampleUnique(ptr, enc, count) ? <i32>count : STATUS_OOM;
  }
  for (let i: u32 = 0; i < count; i++) {
    pickRandom(ptr, enc);
    if (!outPush(pickSrc, pickLen)) return STATUS_OOM;
  }
  return <i32>count;
}

/**
 * SPOP key [count]: min(count, size) distinct members removed and written to the out buffer
 * (drawn first, removed after, so OOM changes nothing); the key goes when emptied. Popping
 * the whole set replies in the order Redis's union would (an all-integer result of at most
 * 512 members ascending). Returns the count, -1 for a missing key, WRONGTYPE or OOM.
 */
export function setPop(db: u32, keyLen: u32, nowMs: f64, count: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_SET, false);
  if (e == 0) return colLastStatus();
  loadWork(e);
  const ptr = workPtr;
  const enc = workEnc;
  const size = countOf(ptr);
  outReset();
  if (count >= size) {
    if (!pushAsUnion(ptr, enc)) return STATUS_OOM;
    setFreeValue(ptr, enc);
    setEntryValue(e, 0, 0, TYPE_SET);
    colDelete(db, e);
    return <i32>size;
  }
  if (count == 1) {
    pickRandom(workPtr, workEnc);
    if (!outPush(pickSrc, pickLen)) return STATUS_OOM;
  } else if (!sampleUnique(workPtr, workEnc, count)) return STATUS_OOM;
  // Remove what was drawn, reading it back from the out buffer.
  const cells = resultCellsPtr();
  let record = <usize>load<u32>(cells, RESULT_OUT_PTR_OFFSET);
  const end = record + <usize>load<u32>(cells, RESULT_OUT_LEN_OFFSET);
  while (record < end) {
    const len = load<u32>(record);
    const removed = removeMember(record + 4, len);
    assert(removed, "set: popped member vanished");
    record += 4 + ((<usize>len + 3) & ~<usize>3);
  }
  // Redis pops most of a set by rebuilding the few that remain into a fresh set (its
  // SPOP_MOVE_STRATEGY_MUL), which can turn a hashtable back into an intset: do the same so
  // OBJECT ENCODING agrees. A failed rebuild keeps the old value (the members are right).
  if (<u64>(size - count) * SPOP_MOVE_STRATEGY_MUL <= <u64>count) rebuildWork();
  storeWorkOrDelete(db, e);
  return <i32>count;
}

/** Replaces the working value by a fresh set of the same members, if memory allows. */
function rebuildWork(): void {
  const oldPtr = workPtr;
  const oldEnc = workEnc;
  workPtr = 0;
  workEnc = 0;
  iterStart(oldPtr, oldEnc);
  while (iterNext()) {
    if (addMember(iterSrc, iterLen) < 0) {
      setFreeValue(workPtr, workEnc);
      workPtr = oldPtr;
      workEnc = oldEnc;
      return;
    }
  }
  setFreeValue(oldPtr, oldEnc);
}

/** Pushes (ptr, enc) as Redis would reply a one-set SUNION: through a rebuilt set. */
function pushAsUnion(ptr: usize, enc: u32): bool {
  if (isIntset(enc)) return pushAll(ptr, enc);
  workPtr = 0;
  workEnc = 0;
  iterStart(ptr, enc);
  let built = true;
  // Only an all-integer set of ≤ 512 members would come out differently (as an intset).
  while (iterNext()) {
    if (!parseCanonicalInt(iterSrc, iterLen) || countOf(workPtr) >= SET_MAX_INTSET_ENTRIES) {
      built = false;
      break;
    }
    if (addMember(iterSrc, iterLen) < 0) {
      built = false;
      break;
    }
  }
  const ok = built ? pushAll(workPtr, workEnc) : pushAll(ptr, enc);
  setFreeValue(workPtr, workEnc);
  workPtr = 0;
  return ok;
}

// ── SMOVE ───────────────────────────────────────────────────────────────────────────────

/**
 * SMOVE src dst member: staged as src, then [len][dst], [len][member]. 0 when src is missing
 * or lacks member, 1 moved (dst gained it), 2 moved (dst had it already; also src == dst
 * holding it), STATUS_WRONGTYPE, STATUS_OOM (nothing changed).
 */
export function setMove(db: u32, srcKeyLen: u32, nowMs: f64): i32 {
  const staging = colArgsPtr(0);
  const dstFrame = colArgsPtr(srcKeyLen);
  const dstLen = frameLen(dstFrame);
  const memberFrame = frameNext(dstFrame);
  const memberSrc = frameBytes(memberFrame);
  const memberLen = frameLen(memberFrame);
  const sameKey = dstLen == srcKeyLen && bytesEqual(staging, frameBytes(dstFrame), dstLen);
  const src = colOpenWrite(db, srcKeyLen, nowMs, TYPE_SET, false);
  if (src == 0) {
    const status = colLastStatus();
    return status == STATUS_MISSING ? 0 : status;
  }
  // The destination key moves to the front of staging, where colOpen* reads keys.
  memory.copy(staging, frameBytes(dstFrame), dstLen);
  let dst = colOpenWrite(db, dstLen, nowMs, TYPE_SET, false);
  if (dst == 0 && colLastStatus() != STATUS_MISSING) return colLastStatus();
  const srcPtr = entryValuePtr(src);
  const srcEnc = entryValueLen(src);
  if (!hasMember(srcPtr, srcEnc, memberSrc, memberLen)) return 0;
  if (sameKey) return 2;
  let outcome: i32 = 2;
  if (dst == 0) {
    dst = colOpenWrite(db, dstLen, nowMs, TYPE_SET, true);
    if (dst == 0) return STATUS_OOM;
    workPtr = 0;
    workEnc = 0;
    if (addMember(memberSrc, memberLen) < 0) {
      colDelete(db, dst);
      return STATUS_OOM;
    }
    storeWork(dst);
    outcome = 1;
  } else {
    loadWork(dst);
    const status = addMember(memberSrc, memberLen);
    if (status < 0) return STATUS_OOM;
    storeWork(dst);
    if (status == ADDED) outcome = 1;
  }
  loadWork(src);
  const removed = removeMember(memberSrc, memberLen);
  assert(removed);
  storeWorkOrDelete(db, src);
  return outcome;
}

// ── SINTER / SUNION / SDIFF (+STORE) / SINTERCARD ───────────────────────────────────────

/** Set by setOp: the STORE destination existed and was deleted (empty result). */
let opDeletedDst: i32 = 0;

export function setOpDeletedDst(): i32 {
  return opDeletedDst;
}

/**
 * Multi-set operation over keyCount keys staged as key0, then [len][key] frames, then (with
 * store) a [len][dst] frame. op: 0 SINTER, 1 SUNION, 2 SDIFF, 3 SINTERCARD (limit 0 = none).
 * Types are checked in key order first (a missing key is an empty set), as Redis 7.0 does.
 * Without store the result goes to the out buffer, in Redis's order where Redis has one (an
 * intset result ascending); returns its size. With store the result replaces dst (any type,
 * TTL cleared) or, when empty, dst is deleted (setOpDeletedDst() tells whether it existed).
 * STATUS_WRONGTYPE / STATUS_OOM leave everything unchanged.
 */
export function setOp(
  db: u32,
  keyLen: u32,
  nowMs: f64,
  op: u32,
  keyCount: u32,
  limit: u32,
  toStore: u32,
): i32 {
  assert(keyCount > 0);
  opDeletedDst = 0;
  const staging = colArgsPtr(0);
  // Sources: (ptr u32, enc u32) per key, ptr 0 for a missing key.
  const sources = alloc(<usize>keyCount << 3);
  if (sources == 0) return STATUS_OOM;
  let frame: usize = 0;
  let missingCount: u32 = 0;
  for (let i: u32 = 0; i < keyCount; i++) {
    let len = keyLen;
    // Read the frame before moving key i to the front of staging: the copy may overwrite it.
    const nextFrame = i == 0 ? colArgsPtr(keyLen) : frameNext(frame);
    if (i > 0) {
      len = frameLen(frame);
      memory.copy(staging, frameBytes(frame), len);
    }
    const e = openRead(db, len, nowMs);
    if (e == 0 && colLastStatus() == STATUS_WRONGTYPE) {
      free(sources);
      return STATUS_WRONGTYPE;
    }
    store<u32>(sources + (<usize>i << 3), e == 0 ? 0 : <u32>entryValuePtr(e));
    store<u32>(sources + (<usize>i << 3), e == 0 ? 0 : entryValueLen(e), 4);
    if (e == 0) missingCount++;
    frame = nextFrame;
  }
  const dstFrame = frame; // valid only with toStore
  let resultSize: i32 = 0;
  workPtr = 0;
  workEnc = 0;
  const toOut = toStore == 0 && op != OP_INTERCARD;
  if (toOut) outReset();
  if (op == OP_INTER || op == OP_INTERCARD) {
    if (missingCount == 0) resultSize = intersect(sources, keyCount, op, limit, toOut);
  } else if (op == OP_UNION) {
    for (let i: u32 = 0; i < keyCount && resultSize >= 0; i++) {
      const ptr = <usize>load<u32>(sources + (<usize>i << 3));
      iterStart(ptr, load<u32>(sources + (<usize>i << 3), 4));
      while (iterNext()) {
        if (addMember(iterSrc, iterLen) < 0) {
          resultSize = STATUS_OOM;
          break;
        }
      }
    }
  } else {
    assert(op == OP_DIFF);
    const firstPtr = <usize>load<u32>(sources);
    if (firstPtr != 0 && diffCopiesFirstSet(sources, keyCount)) {
      resultSize = diffByRemoval(sources, keyCount);
    } else {
      iterStart(firstPtr, load<u32>(sources, 4));
      while (iterNext()) {
        let keep = true;
        for (let j: u32 = 1; j < keyCount && keep; j++) {
          const at = sources + (<usize>j << 3);
          if (hasMember(<usize>load<u32>(at), load<u32>(at, 4), iterSrc, iterLen)) keep = false;
        }
        if (keep && addMember(iterSrc, iterLen) < 0) {
          resultSize = STATUS_OOM;
          break;
        }
      }
    }
  }
  free(sources);
  if (resultSize < 0) {
    setFreeValue(workPtr, workEnc);
    workPtr = 0;
    return resultSize;
  }
  if (op == OP_INTERCARD || (op == OP_INTER && toStore == 0)) return resultSize;
  resultSize = <i32>countOf(workPtr);
  if (toStore == 0) {
    const ok = pushAll(workPtr, workEnc);
    setFreeValue(workPtr, workEnc);
    workPtr = 0;
    return ok ? resultSize : STATUS_OOM;
  }
  return storeResult(db, nowMs, dstFrame, resultSize);
}

/**
 * Redis 7.0 computes SDIFF one of two ways by estimated work (first set's size × sets / 2
 * against the sum of all sizes); the second copies the whole first set into the result and
 * then removes the others' members. The result keeps the encoding that copy reached (an
 * intset grown past 512 members stays a hashtable), which OBJECT ENCODING and the reply
 * order show, so the same choice is made here.
 */
function diffCopiesFirstSet(sources: usize, keyCount: u32): bool {
  const firstSize = <u64>countOf(<usize>load<u32>(sources));
  let algoOneWork: u64 = 0;
  let algoTwoWork: u64 = 0;
  for (let j: u32 = 0; j < keyCount; j++) {
    const ptr = <usize>load<u32>(sources + (<usize>j << 3));
    if (ptr == 0) continue;
    algoOneWork += firstSize;
    algoTwoWork += <u64>countOf(ptr);
  }
  return algoOneWork / 2 > algoTwoWork;
}

/** SDIFF as the copy-then-remove algorithm: the result's size, or STATUS_OOM. */
function diffByRemoval(sources: usize, keyCount: u32): i32 {
  iterStart(<usize>load<u32>(sources), load<u32>(sources, 4));
  while (iterNext()) {
    if (addMember(iterSrc, iterLen) < 0) return STATUS_OOM;
  }
  for (let j: u32 = 1; j < keyCount && countOf(workPtr) > 0; j++) {
    const at = sources + (<usize>j << 3);
    const ptr = <usize>load<u32>(at);
    if (ptr == 0) continue;
    iterStart(ptr, load<u32>(at, 4));
    while (iterNext()) removeMember(iterSrc, iterLen);
  }
  return <i32>countOf(workPtr);
}

/**
 * SINTER core over the sources, smallest first (stable order by size, as Redis's qsort
 * leaves equal sizes): each member of the smallest that every other holds is emitted to the
 * out buffer (toOut), added to the working value (STORE), or only counted (SINTERCARD, up
 * to limit). Returns the count or STATUS_OOM.
 */
function intersect(sources: usize, keyCount: u32, op: u32, limit: u32, toOut: bool): i32 {
  // Insertion sort of the (ptr, enc) pairs by member count; keeps equal sizes in key order.
  for (let i: u32 = 1; i < keyCount; i++) {
    const ptr = load<u32>(sources + (<usize>i << 3));
    const enc = load<u32>(sources + (<usize>i << 3), 4);
    const size = countOf(<usize>ptr);
    let j = i;
    while (j > 0 && countOf(<usize>load<u32>(sources + (<usize>(j - 1) << 3))) > size) {
      store<u64>(sources + (<usize>j << 3), load<u64>(sources + (<usize>(j - 1) << 3)));
      j--;
    }
    store<u32>(sources + (<usize>j << 3), ptr);
    store<u32>(sources + (<usize>j << 3), enc, 4);
  }
  const firstPtr = <usize>load<u32>(sources);
  let count: i32 = 0;
  iterStart(firstPtr, load<u32>(sources, 4));
  while (iterNext()) {
    let inAll = true;
    for (let j: u32 = 1; j < keyCount && inAll; j++) {
      const at = sources + (<usize>j << 3);
      const ptr = <usize>load<u32>(at);
      if (ptr == firstPtr) continue;
      if (!hasMember(ptr, load<u32>(at, 4), iterSrc, iterLen)) inAll = false;
    }
    if (!inAll) continue;
    if (op == OP_INTERCARD) {
      count++;
      if (limit != 0 && <u32>count >= limit) break;
    } else if (toOut) {
      if (!outPush(iterSrc, iterLen)) return STATUS_OOM;
      count++;
    } else {
      if (addMember(iterSrc, iterLen) < 0) return STATUS_OOM;
      count++;
    }
  }
  return count;
}

/** Installs the working value at the dst key (framed at dstFrame); see setOp. */
function storeResult(db: u32, nowMs: f64, dstFrame: usize, resultSize: i32): i32 {
  const staging = colArgsPtr(0);
  const dstLen = frameLen(dstFrame);
  memory.copy(staging, frameBytes(dstFrame), dstLen);
  // A read lookup first, so an expired destination goes the usual lazy-expiry way.
  openRead(db, dstLen, nowMs);
  const d = dbRecord(db);
  const existing = findEntry(d, staging, dstLen, hashBytes(staging, dstLen));
  if (resultSize == 0) {
    setFreeValue(workPtr, workEnc);
    workPtr = 0;
    if (existing != 0) {
      colDelete(db, existing);
      opDeletedDst = 1;
    }
    return 0;
  }
  if (existing != 0) {
    freeEntryValue(existing);
    setEntryValue(existing, workPtr, workEnc, TYPE_SET);
    setEntryFlags(existing, 0);
    setEntryExpire(d, existing, 0);
  } else {
    const e = colOpenWrite(db, dstLen, nowMs, TYPE_SET, true);
    if (e == 0) {
      setFreeValue(workPtr, workEnc);
      workPtr = 0;
      return STATUS_OOM;
    }
    storeWork(e);
  }
  workPtr = 0;
  return resultSize;
}

// ── SSCAN ───────────────────────────────────────────────────────────────────────────────

/**
 * SSCAN: members into the out buffer and the next cursor (as f64), or -1 missing /
 * STATUS_WRONGTYPE / STATUS_OOM. Intset and packed values answer whole with cursor 0 (Redis
 * does so for its compact encodings); a table is walked from `cursor` in reverse-binary
 * bucket order, so members present throughout a scan are returned at least once across
 * resizes, until `count` members or 10·count buckets.
 */
export function setScan(db: u32, keyLen: u32, nowMs: f64, cursor: u32, count: u32): f64 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return <f64>colLastStatus();
  const ptr = entryValuePtr(e);
  const enc = entryValueLen(e);
  outReset();
  if (enc != SET_ENC_TABLE) return pushAll(ptr, enc) ? 0 : <f64>STATUS_OOM;
  const wanted: u32 = count == 0 ? 1 : count;
  let bucketBudget: u64 = <u64>wanted * 10;
  let found: u32 = 0;
  const mask = tableMask(ptr);
  const buckets = tableBuckets(ptr);
  let v = cursor;
  do {
    let node = <usize>load<u32>(buckets + (<usize>(v & mask) << 2));
    while (node != 0) {
      if (!outPush(nodeBytes(node), nodeLen(node))) return <f64>STATUS_OOM;
      found++;
      node = nodeNext(node);
    }
    v = reverseIncrement(v, mask);
    bucketBudget--;
  } while (v != 0 && bucketBudget > 0 && found < wanted);
  return <f64>v;
}

// ── Invariant check (tests) ─────────────────────────────────────────────────────────────

/**
 * Walks the set at key and asserts its layout invariants: intset strictly ascending and
 * within its width, packed lengths summing to usedBytes with no duplicates and within
 * limits, table nodes in their hash's bucket and counted. Returns the member count, or a
 * status for a missing / wrong-type key.
 */
export function setCheck(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colLastStatus();
  const ptr = entryValuePtr(e);
  const enc = entryValueLen(e);
  const count = countOf(ptr);
  assert(ptr != 0, "set: live key without a value");
  assert(count > 0, "set: empty set kept");
  if (isIntset(enc)) {
    assert(count <= SET_MAX_INTSET_ENTRIES, "set: intset too long");
    assert(intsetBytes(enc, count) <= usableSize(ptr), "set: intset overflows its block");
    for (let i: u32 = 1; i < count; i++) {
      assert(intsetGet(ptr, enc, i - 1) < intsetGet(ptr, enc, i), "set: intset not ascending");
    }
  } else if (enc == SET_ENC_PACKED) {
    assert(count <= PACKED_COUNT_MAX, "set: packed too long");
    const used = packedUsed(ptr);
    assert(used <= usableSize(ptr), "set: packed overflows its block");
    let at = PACKED_HEADER_BYTES;
    let seen: u32 = 0;
    while (at < used) {
      const len = <u32>load<u8>(ptr + at);
      assert(len <= PACKED_MEMBER_MAX_BYTES, "set: packed member too long");
      seen++;
      at += 1 + <usize>len;
    }
    assert(at == used, "set: packed lengths do not add up");
    assert(seen == count, "set: packed count mismatch");
  } else {
    assert(enc == SET_ENC_TABLE, "set: unknown encoding");
    const size = tableMask(ptr) + 1;
    assert((size & (size - 1)) == 0, "set: table size not a power of two");
    const buckets = tableBuckets(ptr);
    let seen: u32 = 0;
    for (let i: u32 = 0; i < size; i++) {
      let node = <usize>load<u32>(buckets + (<usize>i << 2));
      while (node != 0) {
        const hash = load<u32>(node, NODE_HASH_OFFSET);
        assert((hash & (size - 1)) == i, "set: node in the wrong bucket");
        assert(hash == hashBytes(nodeBytes(node), nodeLen(node)), "set: stale node hash");
        assert((load<u32>(node, NODE_LEN_OFFSET) & NODE_DRAWN_BIT) == 0, "set: drawn mark left");
        seen++;
        node = nodeNext(node);
      }
    }
    assert(seen == count, "set: table count mismatch");
  }
  return <i32>count;
}
