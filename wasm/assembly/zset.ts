// zset.ts — sorted set values: a packed "listpack" for small sets, a skiplist with a member hash
// for large ones, converting at Redis 7.0's default thresholds so OBJECT ENCODING agrees.
//
// Elements are ordered by (score, member bytes); scores are IEEE doubles stored as 8 raw bytes.
// The keyspace entry's valueLen carries the element count and the encoding bit, so ZCARD and
// OBJECT ENCODING never touch the value, and COPY (which copies valueLen) keeps both.
//
//   entry valueLen (u32)
//   ┌───┬────────────────────────────────────┐
//   │ S │ element count (31 bits)             │   S = 1: skiplist, 0: listpack
//   └───┴────────────────────────────────────┘
//
// Listpack (≤ LP_ENTRIES_MAX elements, every member ≤ LP_MEMBER_MAX_BYTES): one allocation,
// elements in order, so a million small zsets cost a million small blocks and no pointers.
//
//   ┌────────────┬─────────────────────────────┬─────────────────────────────┬───
//   │bytesUsed u32│score f64│len u8│member bytes│score f64│len u8│member bytes│ …
//   └────────────┴─────────────────────────────┴─────────────────────────────┴───
//    0            4         12     13
//   A command indexes the entries once (lpIndex → lpOffsets, at most 128 + 1 offsets), then
//   addresses them by rank. Scores stored here lose the sign of zero, as Redis's listpack
//   (which keeps scores as text and "-0" as the integer 0) does.
//
// Skiplist (Pugh, with Redis's span counts so rank ↔ node is O(log n)), plus a chained hash
// from member to node. One allocation per element: the node holds the member bytes and its
// hash chain link, so there is no separate dict entry or string.
//
//   header (ZS_HEADER_SIZE_BYTES; shaped like a node whose levels start at NODE_LEVELS)
//   ┌─────────┬─────────┬────────┬────────────┬────────────┬──────────┬────────────────────────┐
//   │count u32│level u32│tail u32│buckets u32 │bucketMask  │ reserved │ 32 × (forward u32,     │
//   │         │         │        │(u32 array) │u32         │ 8 B      │        span u32)       │
//   └─────────┴─────────┴────────┴────────────┴────────────┴──────────┴────────────────────────┘
//    0         4         8        12           16           20         28
//
//   node (28 + 8 × levelCount + memberLen bytes)
//   ┌──────────┬─────────┬─────────┬────────────┬───────────┬───────────┬──────────────┬────────┐
//   │score f64 │hashNext │hash u32 │backward u32│memberLen  │levelCount │ levelCount × │ member │
//   │          │u32      │         │(0 = first) │u32        │u32        │ (fwd, span)  │ bytes  │
//   └──────────┴─────────┴─────────┴────────────┴───────────┴───────────┴──────────────┴────────┘
//    0          8         12        16           20          24          28
//   span(x, i) = how many level-0 steps forward(x, i) is ahead of x. The header's spans at
//   levels ≥ level are unused. The hash has a power-of-two bucket count ≥ count (grown before
//   an insert, shrunk below 1/8 use) and is rebuilt in one pass over level 0 when resized
//   (amortised O(1) per insert); ZSCAN walks its buckets in reverse-binary order like SCAN.
//
// Every mutating export allocates all it needs first (ZADD pre-allocates the nodes of the
// members it may add, and of the whole listpack if it may convert), so STATUS_OOM leaves the
// key unchanged. A command that empties the set deletes the key (colDelete). Replies with many
// elements go through the out buffer: a member record, then (with scores) an 8-byte f64 record.

import { alloc, free, usableSize } from "./pages";
import {
  bytesEqual,
  entryValueLen,
  entryValuePtr,
  hashBytes,
  reverseIncrement,
  setEntryValue,
  TYPE_ZSET,
} from "./dict";
import {
  colArgsPtr,
  colDelete,
  colLastStatus,
  colOpenRead,
  colOpenWrite,
  delKey,
  outPush,
  outPushF64,
  outReset,
} from "./index";

const STATUS_MISSING: i32 = -1;
const STATUS_WRONGTYPE: i32 = -2;
const STATUS_OOM: i32 = -3;
/** ZADD INCR produced NaN (inf + -inf): "resulting score is not a number (NaN)". */
const STATUS_NAN: i32 = -4;

const SKIPLIST_FLAG: u32 = 0x80000000;
const COUNT_MASK: u32 = 0x7fffffff;

/** Redis 7.0 defaults: zset-max-listpack-entries 128, zset-max-listpack-value 64. */
const LP_ENTRIES_MAX: u32 = 128;
const LP_MEMBER_MAX_BYTES: u32 = 64;
const LP_HEADER_SIZE_BYTES: usize = 4;
const LP_ENTRY_OVERHEAD_BYTES: usize = 9;
const LP_ENTRY_MEMBER_LEN: usize = 8;
/** A listpack block keeps up to this much beyond twice its used bytes after removals. */
const LP_SHRINK_SLACK_BYTES: usize = 32;
/** Largest listpack: the conversion rules bound it. */
const LP_MAX_BYTES: usize = LP_HEADER_SIZE_BYTES +
  <usize>LP_ENTRIES_MAX * (LP_ENTRY_OVERHEAD_BYTES + <usize>LP_MEMBER_MAX_BYTES);

const ZS_COUNT: usize = 0;
const ZS_LEVEL: usize = 4;
const ZS_TAIL: usize = 8;
const ZS_BUCKETS: usize = 12;
const ZS_BUCKET_MASK: usize = 16;
const NODE_SCORE: usize = 0;
const NODE_HASH_NEXT: usize = 8;
const NODE_HASH: usize = 12;
const NODE_BACKWARD: usize = 16;
const NODE_MEMBER_LEN: usize = 20;
const NODE_LEVEL_COUNT: usize = 24;
const NODE_LEVELS: usize = 28;
const ZS_LEVEL_MAX: u32 = 32;
const ZS_HEADER_SIZE_BYTES: usize = NODE_LEVELS + <usize>ZS_LEVEL_MAX * 8;
const ZS_BUCKETS_MIN: u32 = 4;
/** P(level ≥ k+1 | level ≥ k) = 1/4, as Redis's ZSKIPLIST_P. */
const ZS_LEVEL_UP_BELOW: u32 = 0x4000;

// zsetAdd flags (mirrored in core/engine/zset.ts).
const ZADD_NX: u32 = 1;
const ZADD_XX: u32 = 2;
const ZADD_GT: u32 = 4;
const ZADD_LT: u32 = 8;
const ZADD_INCR: u32 = 16;
const ZADD_CH: u32 = 32;

// zsetRange operations, kinds and flags (mirrored in core/engine/zset.ts).
const OP_EMIT: u32 = 0;
const OP_COUNT: u32 = 1;
const OP_DELETE: u32 = 2;
const KIND_RANK: u32 = 0;
const KIND_SCORE: u32 = 1;
const KIND_LEX: u32 = 2;
const RANGE_REV: u32 = 1;
const RANGE_WITHSCORES: u32 = 2;
const RANGE_MINEX: u32 = 4;
const RANGE_MAXEX: u32 = 8;

// Lex bound kinds: the first byte of a staged bound.
const LEX_INCLUSIVE: u8 = 0;
const LEX_EXCLUSIVE: u8 = 1;
const LEX_MIN: u8 = 2;
const LEX_MAX: u8 = 3;

/** Pairs whose bookkeeping fits the static scratch; larger ZADDs allocate it. */
const PAIR_SCRATCH_COUNT: u32 = 64;

// ── State ───────────────────────────────────────────────────────────────────────────────

/** xorshift64 state: skiplist levels, ZRANDMEMBER. */
let randomState: u64 = 0x9e3779b97f4a7c15;
/** ZADD INCR's resulting score (zsetResultScore). */
let resultScore: f64 = 0;
/** ZADD's added + updated count, whatever the reply counts (zsetResultChanged). */
let resultChanged: u32 = 0;
/** ZSCAN's next cursor (zsetResultCursor). */
let resultCursor: u32 = 0;
/** Offsets of the indexed listpack's entries, plus its end (valid within one call). */
const lpOffsets: usize = memory.data(<i32>(LP_ENTRIES_MAX + 2) * 4, 4);
/** Skiplist search path: predecessor per level and its rank. */
const updateNodes: usize = memory.data(<i32>ZS_LEVEL_MAX * 4, 4);
const updateRanks: usize = memory.data(<i32>ZS_LEVEL_MAX * 4, 4);
/** Nodes pre-allocated for a listpack's elements when ZADD converts it. */
const convNodes: usize = memory.data(<i32>LP_ENTRIES_MAX * 4, 4);
/** ZADD per-pair scratch: [argPtr u32][candidate node u32]. */
const pairScratch: usize = memory.data(<i32>PAIR_SCRATCH_COUNT * 8, 4);
/** Parsed lex bounds of the current call. */
let lexMinKind: u8 = 0;
let lexMinPtr: usize = 0;
let lexMinLen: u32 = 0;
let lexMaxKind: u8 = 0;
let lexMaxPtr: usize = 0;
let lexMaxLen: u32 = 0;

// ── Small helpers ───────────────────────────────────────────────────────────────────────

@inline function nextRandom(): u64 {
  let x = randomState;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  randomState = x;
  return x;
}

@inline function randomBelow(n: u32): u32 {
  return <u32>((nextRandom() >> 32) % <u64>n);
}

@inline function isSkiplist(valueLen: u32): bool {
  return (valueLen & SKIPLIST_FLAG) != 0;
}

@inline function countOf(valueLen: u32): u32 {
  return valueLen & COUNT_MASK;
}

/** Framed argument: [u32 len][bytes]. */
@inline function argLen(p: usize): u32 {
  return load<u32>(p);
}
@inline function argData(p: usize): usize {
  return p + 4;
}
@inline function argNext(p: usize): usize {
  return p + 4 + <usize>load<u32>(p);
}

/** memcmp order, a proper prefix first. */
function compareBytes(a: usize, aLen: u32, b: usize, bLen: u32): i32 {
  const n = aLen < bLen ? aLen : bLen;
  const c = n == 0 ? 0 : memory.compare(a, b, <usize>n);
  if (c != 0) return c;
  return aLen < bLen ? -1 : aLen > bLen ? 1 : 0;
}

/** Order of (aScore, a) against (bScore, b). */
@inline function compareElements(aScore: f64, a: usize, aLen: u32, bScore: f64, b: usize, bLen: u32): i32 {
  if (aScore < bScore) return -1;
  if (aScore > bScore) return 1;
  return compareBytes(a, aLen, b, bLen);
}

@inline function nextPowerOfTwo(n: u32): u32 {
  if (n <= ZS_BUCKETS_MIN) return ZS_BUCKETS_MIN;
  return <u32>1 << (32 - clz<u32>(n - 1));
}

function statusOfFailedOpen(): i32 {
  return colLastStatus();
}

// ── Listpack ────────────────────────────────────────────────────────────────────────────

@inline function lpBytesUsed(lp: usize): usize {
  return <usize>load<u32>(lp);
}
@inline function lpAt(rank: u32): usize {
  return <usize>load<u32>(lpOffsets + (<usize>rank << 2));
}
@inline function lpScore(at: usize): f64 {
  return load<f64>(at);
}
@inline function lpMemberLen(at: usize): u32 {
  return <u32>load<u8>(at, LP_ENTRY_MEMBER_LEN);
}
@inline function lpMember(at: usize): usize {
  return at + LP_ENTRY_OVERHEAD_BYTES;
}

/** Fills lpOffsets for the count entries of lp (and the end offset at index count). */
function lpIndex(lp: usize, count: u32): void {
  assert(count <= LP_ENTRIES_MAX, "listpack above its entry limit");
  let at = lp + LP_HEADER_SIZE_BYTES;
  for (let i: u32 = 0; i < count; i++) {
    store<u32>(lpOffsets + (<usize>i << 2), <u32>at);
    at += LP_ENTRY_OVERHEAD_BYTES + <usize>lpMemberLen(at);
  }
  store<u32>(lpOffsets + (<usize>count << 2), <u32>at);
  assert(at == lp + lpBytesUsed(lp), "listpack length disagrees with its entries");
}

/** Rank of member in the indexed listpack, or -1. */
function lpFind(count: u32, member: usize, memberLen: u32): i32 {
  for (let i: u32 = 0; i < count; i++) {
    const at = lpAt(i);
    if (lpMemberLen(at) == memberLen && bytesEqual(lpMember(at), member, memberLen)) return <i32>i;
  }
  return -1;
}

/** Inserts in order into the indexed listpack (capacity ensured by the caller); re-indexes. */
function lpInsert(lp: usize, count: u32, score: f64, member: usize, memberLen: u32): void {
  let pos = count;
  for (let i: u32 = 0; i < count; i++) {
    const at = lpAt(i);
    if (compareElements(lpScore(at), lpMember(at), lpMemberLen(at), score, member, memberLen) > 0) {
      pos = i;
      break;
    }
  }
  const at = lpAt(pos);
  const end = lpAt(count);
  const sizeBytes = LP_ENTRY_OVERHEAD_BYTES + <usize>memberLen;
  assert(lpBytesUsed(lp) + sizeBytes <= usableSize(lp), "listpack insert beyond capacity");
  if (end > at) memory.copy(at + sizeBytes, at, end - at);
  store<f64>(at, score == 0 ? 0.0 : score); // the listpack keeps no negative zero
  store<u8>(at, <u8>memberLen, LP_ENTRY_MEMBER_LEN);
  if (memberLen != 0) memory.copy(at + LP_ENTRY_OVERHEAD_BYTES, member, memberLen);
  store<u32>(lp, <u32>(lpBytesUsed(lp) + sizeBytes));
  lpIndex(lp, count + 1);
}

/** Removes ranks lo..hi of the indexed listpack; re-indexes. */
function lpDeleteRange(lp: usize, count: u32, lo: u32, hi: u32): void {
  assert(lo <= hi && hi < count);
  const from = lpAt(lo);
  const to = lpAt(hi + 1);
  const end = lpAt(count);
  if (end > to) memory.copy(from, to, end - to);
  store<u32>(lp, <u32>(lpBytesUsed(lp) - (to - from)));
  lpIndex(lp, count - (hi - lo + 1));
}

// ── Skiplist nodes ──────────────────────────────────────────────────────────────────────

@inline function forward(x: usize, level: u32): usize {
  return <usize>load<u32>(x + NODE_LEVELS + (<usize>level << 3));
}
@inline function setForward(x: usize, level: u32, node: usize): void {
  store<u32>(x + NODE_LEVELS + (<usize>level << 3), <u32>node);
}
@inline function span(x: usize, level: u32): u32 {
  return load<u32>(x + NODE_LEVELS + (<usize>level << 3), 4);
}
@inline function setSpan(x: usize, level: u32, value: u32): void {
  store<u32>(x + NODE_LEVELS + (<usize>level << 3), value, 4);
}
@inline function nodeScore(n: usize): f64 {
  return load<f64>(n, NODE_SCORE);
}
@inline function nodeMemberLen(n: usize): u32 {
  return load<u32>(n, NODE_MEMBER_LEN);
}
@inline function nodeLevelCount(n: usize): u32 {
  return load<u32>(n, NODE_LEVEL_COUNT);
}
@inline function nodeMember(n: usize): usize {
  return n + NODE_LEVELS + (<usize>nodeLevelCount(n) << 3);
}
@inline function nodeBackward(n: usize): usize {
  return <usize>load<u32>(n, NODE_BACKWARD);
}
@inline function zsCount(zs: usize): u32 {
  return load<u32>(zs, ZS_COUNT);
}
@inline function zsLevel(zs: usize): u32 {
  return load<u32>(zs, ZS_LEVEL);
}
@inline function zsTail(zs: usize): usize {
  return <usize>load<u32>(zs, ZS_TAIL);
}
@inline function updateAt(i: u32): usize {
  return <usize>load<u32>(updateNodes + (<usize>i << 2));
}
@inline function setUpdateAt(i: u32, x: usize): void {
  store<u32>(updateNodes + (<usize>i << 2), <u32>x);
}
@inline function rankAt(i: u32): u32 {
  return load<u32>(updateRanks + (<usize>i << 2));
}
@inline function setRankAt(i: u32, rank: u32): void {
  store<u32>(updateRanks + (<usize>i << 2), rank);
}

function randomLevel(): u32 {
  let level: u32 = 1;
  while (level < ZS_LEVEL_MAX && <u32>(nextRandom() & 0xffff) < ZS_LEVEL_UP_BELOW) level++;
  return level;
}

/** A detached node holding member (score set at insert), or 0 on OOM. */
function nodeAlloc(levelCount: u32, member: usize, memberLen: u32, hash: u32): usize {
  const n = alloc(NODE_LEVELS + (<usize>levelCount << 3) + <usize>memberLen);
  if (n == 0) return 0;
  store<f64>(n, 0, NODE_SCORE);
  store<u32>(n, 0, NODE_HASH_NEXT);
  store<u32>(n, hash, NODE_HASH);
  store<u32>(n, 0, NODE_BACKWARD);
  store<u32>(n, memberLen, NODE_MEMBER_LEN);
  store<u32>(n, levelCount, NODE_LEVEL_COUNT);
  if (memberLen != 0) memory.copy(nodeMember(n), member, memberLen);
  return n;
}

/** An empty skiplist with bucketCount (a power of two) buckets, or 0 on OOM. */
function zsCreate(bucketCount: u32): usize {
  const zs = alloc(ZS_HEADER_SIZE_BYTES);
  if (zs == 0) return 0;
  const buckets = alloc(<usize>bucketCount << 2);
  if (buckets == 0) {
    free(zs);
    return 0;
  }
  memory.fill(zs, 0, ZS_HEADER_SIZE_BYTES);
  memory.fill(buckets, 0, <usize>bucketCount << 2);
  store<u32>(zs, 1, ZS_LEVEL);
  store<u32>(zs, <u32>buckets, ZS_BUCKETS);
  store<u32>(zs, bucketCount - 1, ZS_BUCKET_MASK);
  return zs;
}

function zsFree(zs: usize): void {
  let x = forward(zs, 0);
  while (x != 0) {
    const next = forward(x, 0);
    free(x);
    x = next;
  }
  free(<usize>load<u32>(zs, ZS_BUCKETS));
  free(zs);
}

// ── Skiplist order ──────────────────────────────────────────────────────────────────────

/** Links node (score set) into the order. Its level count was fixed at allocation. */
function zsInsertNode(zs: usize, node: usize): void {
  const score = nodeScore(node);
  const member = nodeMember(node);
  const memberLen = nodeMemberLen(node);
  const levelNow = zsLevel(zs);
  let x = zs;
  for (let i = <i32>levelNow - 1; i >= 0; i--) {
    const level = <u32>i;
    setRankAt(level, level == levelNow - 1 ? 0 : rankAt(level + 1));
    let f = forward(x, level);
    while (
      f != 0 &&
      compareElements(nodeScore(f), nodeMember(f), nodeMemberLen(f), score, member, memberLen) < 0
    ) {
      setRankAt(level, rankAt(level) + span(x, level));
      x = f;
      f = forward(x, level);
    }
    setUpdateAt(level, x);
  }
  const count = zsCount(zs);
  const levelCount = nodeLevelCount(node);
  if (levelCount > levelNow) {
    for (let level = levelNow; level < levelCount; level++) {
      setRankAt(level, 0);
      setUpdateAt(level, zs);
      setForward(zs, level, 0);
      setSpan(zs, level, count);
    }
    store<u32>(zs, levelCount, ZS_LEVEL);
  }
  const rank0 = rankAt(0);
  for (let level: u32 = 0; level < levelCount; level++) {
    const u = updateAt(level);
    setForward(node, level, forward(u, level));
    setForward(u, level, node);
    setSpan(node, level, span(u, level) - (rank0 - rankAt(level)));
    setSpan(u, level, rank0 - rankAt(level) + 1);
  }
  const levelTop = zsLevel(zs);
  for (let level = levelCount; level < levelTop; level++) {
    const u = updateAt(level);
    setSpan(u, level, span(u, level) + 1);
  }
  const before = updateAt(0);
  store<u32>(node, before == zs ? 0 : <u32>before, NODE_BACKWARD);
  const after = forward(node, 0);
  if (after != 0) store<u32>(after, <u32>node, NODE_BACKWARD);
  else store<u32>(zs, <u32>node, ZS_TAIL);
  store<u32>(zs, count + 1, ZS_COUNT);
}

/** Unlinks x given the search path in updateNodes (x = forward(update[0], 0)). */
function zsDeleteNode(zs: usize, x: usize): void {
  const levelTop = zsLevel(zs);
  for (let level: u32 = 0; level < levelTop; level++) {
    const u = updateAt(level);
    if (forward(u, level) == x) {
      setSpan(u, level, span(u, level) + span(x, level) - 1);
      setForward(u, level, forward(x, level));
    } else {
      setSpan(u, level, span(u, level) - 1);
    }
  }
  const after = forward(x, 0);
  if (after != 0) store<u32>(after, <u32>nodeBackward(x), NODE_BACKWARD);
  else store<u32>(zs, <u32>nodeBackward(x), ZS_TAIL);
  let level = zsLevel(zs);
  while (level > 1 && forward(zs, level - 1) == 0) level--;
  store<u32>(zs, level, ZS_LEVEL);
  store<u32>(zs, zsCount(zs) - 1, ZS_COUNT);
}

/** Unlinks node from the order (it stays allocated and hashed). */
function zsUnlink(zs: usize, node: usize): void {
  const score = nodeScore(node);
  const member = nodeMember(node);
  const memberLen = nodeMemberLen(node);
  let x = zs;
  for (let i = <i32>zsLevel(zs) - 1; i >= 0; i--) {
    const level = <u32>i;
    let f = forward(x, level);
    while (
      f != 0 &&
      compareElements(nodeScore(f), nodeMember(f), nodeMemberLen(f), score, member, memberLen) < 0
    ) {
      x = f;
      f = forward(x, level);
    }
    setUpdateAt(level, x);
  }
  assert(forward(updateAt(0), 0) == node, "skiplist node not found at its own score");
  zsDeleteNode(zs, node);
}

/** Node at 1-based rank, or 0. */
function zsNodeAtRank(zs: usize, rank1: u32): usize {
  let x = zs;
  let traversed: u32 = 0;
  for (let i = <i32>zsLevel(zs) - 1; i >= 0; i--) {
    const level = <u32>i;
    while (forward(x, level) != 0 && traversed + span(x, level) <= rank1) {
      traversed += span(x, level);
      x = forward(x, level);
    }
    if (traversed == rank1) return x == zs ? 0 : x;
  }
  return 0;
}

/** 1-based rank of the element (score, member), which must be present. */
function zsRankOf(zs: usize, score: f64, member: usize, memberLen: u32): u32 {
  let x = zs;
  let rank: u32 = 0;
  for (let i = <i32>zsLevel(zs) - 1; i >= 0; i--) {
    const level = <u32>i;
    let f = forward(x, level);
    while (
      f != 0 &&
      compareElements(nodeScore(f), nodeMember(f), nodeMemberLen(f), score, member, memberLen) <= 0
    ) {
      rank += span(x, level);
      x = f;
      f = forward(x, level);
    }
  }
  assert(x != zs, "rank of an absent element");
  return rank;
}

/** Elements with score < bound (or ≤ bound when orEqual). */
function zsCountBelow(zs: usize, bound: f64, orEqual: bool): u32 {
  let x = zs;
  let rank: u32 = 0;
  for (let i = <i32>zsLevel(zs) - 1; i >= 0; i--) {
    const level = <u32>i;
    let f = forward(x, level);
    while (f != 0 && (orEqual ? nodeScore(f) <= bound : nodeScore(f) < bound)) {
      rank += span(x, level);
      x = f;
      f = forward(x, level);
    }
  }
  return rank;
}

/** Removes 0-based ranks lo..hi from order and hash, freeing the nodes. */
function zsDeleteRankRange(zs: usize, lo: u32, hi: u32): void {
  let x = zs;
  let traversed: u32 = 0;
  for (let i = <i32>zsLevel(zs) - 1; i >= 0; i--) {
    const level = <u32>i;
    while (forward(x, level) != 0 && traversed + span(x, level) <= lo) {
      traversed += span(x, level);
      x = forward(x, level);
    }
    setUpdateAt(level, x);
  }
  x = forward(x, 0);
  for (let k = lo; k <= hi; k++) {
    assert(x != 0, "skiplist shorter than its count");
    const next = forward(x, 0);
    zsDeleteNode(zs, x);
    zsHashRemove(zs, x);
    free(x);
    x = next;
  }
}

// ── Skiplist member hash ────────────────────────────────────────────────────────────────

@inline function zsBucket(zs: usize, hash: u32): usize {
  return <usize>load<u32>(zs, ZS_BUCKETS) + (<usize>(hash & load<u32>(zs, ZS_BUCKET_MASK)) << 2);
}

function zsHashFind(zs: usize, member: usize, memberLen: u32, hash: u32): usize {
  let n = <usize>load<u32>(zsBucket(zs, hash));
  while (n != 0) {
    if (
      load<u32>(n, NODE_HASH) == hash && nodeMemberLen(n) == memberLen &&
      bytesEqual(nodeMember(n), member, memberLen)
    ) {
      return n;
    }
    n = <usize>load<u32>(n, NODE_HASH_NEXT);
  }
  return 0;
}

function zsHashAdd(zs: usize, node: usize): void {
  const bucket = zsBucket(zs, load<u32>(node, NODE_HASH));
  store<u32>(node, load<u32>(bucket), NODE_HASH_NEXT);
  store<u32>(bucket, <u32>node);
}

function zsHashRemove(zs: usize, node: usize): void {
  let link = zsBucket(zs, load<u32>(node, NODE_HASH));
  while (true) {
    const n = <usize>load<u32>(link);
    assert(n != 0, "skiplist node missing from its hash chain");
    if (n == node) {
      store<u32>(link, load<u32>(node, NODE_HASH_NEXT));
      return;
    }
    link = n + NODE_HASH_NEXT;
  }
}

/** Rebuilds the hash with bucketCount buckets; false on OOM (hash unchanged). */
function zsResize(zs: usize, bucketCount: u32): bool {
  const buckets = alloc(<usize>bucketCount << 2);
  if (buckets == 0) return false;
  memory.fill(buckets, 0, <usize>bucketCount << 2);
  free(<usize>load<u32>(zs, ZS_BUCKETS));
  store<u32>(zs, <u32>buckets, ZS_BUCKETS);
  store<u32>(zs, bucketCount - 1, ZS_BUCKET_MASK);
  for (let n = forward(zs, 0); n != 0; n = forward(n, 0)) zsHashAdd(zs, n);
  return true;
}

/** Grows the hash to hold count elements; false on OOM. */
function zsReserve(zs: usize, count: u32): bool {
  const bucketCount = load<u32>(zs, ZS_BUCKET_MASK) + 1;
  if (count <= bucketCount) return true;
  return zsResize(zs, nextPowerOfTwo(count));
}

/** Shrinks a hash used below 1/8 (best effort). */
function zsMaybeShrink(zs: usize): void {
  const bucketCount = load<u32>(zs, ZS_BUCKET_MASK) + 1;
  const count = zsCount(zs);
  if (bucketCount > ZS_BUCKETS_MIN && <u64>count * 8 < <u64>bucketCount) {
    zsResize(zs, nextPowerOfTwo(count));
  }
}

// ── Values ──────────────────────────────────────────────────────────────────────────────

/** Frees every block the value owns. */
export function zsetFreeValue(valuePtr: usize, valueLen: u32): void {
  if (valuePtr == 0) return; // a key created by colOpenWrite and not yet given a value
  if (isSkiplist(valueLen)) zsFree(valuePtr);
  else free(valuePtr);
}

/** Deep copy; the new valuePtr, or 0 on OOM (nothing allocated). */
export function zsetCopyValue(valuePtr: usize, valueLen: u32): usize {
  assert(valuePtr != 0, "copy of an empty zset");
  if (!isSkiplist(valueLen)) {
    const sizeBytes = lpBytesUsed(valuePtr);
    const fresh = alloc(sizeBytes);
    if (fresh == 0) return 0;
    memory.copy(fresh, valuePtr, sizeBytes);
    return fresh;
  }
  const count = zsCount(valuePtr);
  const zs = zsCreate(nextPowerOfTwo(count));
  if (zs == 0) return 0;
  for (let n = forward(valuePtr, 0); n != 0; n = forward(n, 0)) {
    const copy = nodeAlloc(nodeLevelCount(n), nodeMember(n), nodeMemberLen(n), load<u32>(n, NODE_HASH));
    if (copy == 0) {
      zsFree(zs);
      return 0;
    }
    store<f64>(copy, nodeScore(n), NODE_SCORE);
    zsInsertNode(zs, copy);
    zsHashAdd(zs, copy);
  }
  return zs;
}

/** Stores the value back into the entry (count and encoding in valueLen). */
function saveValue(e: usize, valuePtr: usize, skiplist: bool, count: u32): void {
  setEntryValue(e, valuePtr, skiplist ? (count | SKIPLIST_FLAG) : count, TYPE_ZSET);
}

/**
 * After removals: deletes the key when empty, else records the count and gives memory back
 * (a listpack moves to a block its size when it uses under half of its block; best effort).
 */
function finishRemoval(db: u32, e: usize, valuePtr: usize, skiplist: bool, count: u32): void {
  saveValue(e, valuePtr, skiplist, count);
  if (count == 0) colDelete(db, e);
  else if (skiplist) zsMaybeShrink(valuePtr);
  else {
    const usedBytes = lpBytesUsed(valuePtr);
    if (usableSize(valuePtr) > usedBytes * 2 + LP_SHRINK_SLACK_BYTES) {
      const fresh = alloc(usedBytes);
      if (fresh != 0) {
        memory.copy(fresh, valuePtr, usedBytes);
        free(valuePtr);
        saveValue(e, fresh, false, count);
      }
    }
  }
}

/** Element at rank of the value (listpack indexed); writes its member and score to out. */
function emitRank(valuePtr: usize, skiplist: bool, rank: u32, withScores: bool): bool {
  if (skiplist) {
    const n = zsNodeAtRank(valuePtr, rank + 1);
    assert(n != 0);
    if (!outPush(nodeMember(n), nodeMemberLen(n))) return false;
    return !withScores || outPushF64(nodeScore(n));
  }
  const at = lpAt(rank);
  if (!outPush(lpMember(at), lpMemberLen(at))) return false;
  return !withScores || outPushF64(lpScore(at));
}

/** Emits n elements from rank `first`, ascending or descending. False on OOM. */
function emitRun(valuePtr: usize, skiplist: bool, first: u32, n: u32, reverse: bool, withScores: bool): bool {
  if (n == 0) return true;
  if (!skiplist) {
    for (let k: u32 = 0; k < n; k++) {
      const at = lpAt(reverse ? first - k : first + k);
      if (!outPush(lpMember(at), lpMemberLen(at))) return false;
      if (withScores && !outPushF64(lpScore(at))) return false;
    }
    return true;
  }
  let x = zsNodeAtRank(valuePtr, first + 1);
  for (let k: u32 = 0; k < n; k++) {
    assert(x != 0, "skiplist shorter than its count");
    if (!outPush(nodeMember(x), nodeMemberLen(x))) return false;
    if (withScores && !outPushF64(nodeScore(x))) return false;
    x = reverse ? nodeBackward(x) : forward(x, 0);
  }
  return true;
}

/** Removes ranks lo..hi (listpack indexed). */
function deleteRanks(valuePtr: usize, skiplist: bool, count: u32, lo: u32, hi: u32): void {
  if (skiplist) zsDeleteRankRange(valuePtr, lo, hi);
  else lpDeleteRange(valuePtr, count, lo, hi);
}

// ── ZADD / ZINCRBY ──────────────────────────────────────────────────────────────────────

@inline function pairArg(scratch: usize, j: u32): usize {
  return <usize>load<u32>(scratch + (<usize>j << 3));
}
@inline function pairNode(scratch: usize, j: u32): usize {
  return <usize>load<u32>(scratch + (<usize>j << 3), 4);
}
@inline function setPairNode(scratch: usize, j: u32, node: usize): void {
  store<u32>(scratch + (<usize>j << 3), <u32>node, 4);
}

/** Releases ZADD's scratch: unused candidate nodes, and the scratch if it was allocated. */
function releaseScratch(scratch: usize, pairCount: u32): void {
  for (let j: u32 = 0; j < pairCount; j++) free(pairNode(scratch, j));
  if (scratch != pairScratch) free(scratch);
}

/**
 * Distinct members among the candidate pairs (node slot marked 1 by the caller), counted
 * with a temporary open-addressing set of pair indexes. -1 on OOM.
 */
function countDistinctCandidates(scratch: usize, pairCount: u32, candidateCount: u32): i32 {
  if (candidateCount <= 1) return <i32>candidateCount;
  const slotCount = nextPowerOfTwo(candidateCount * 2);
  const slots = alloc(<usize>slotCount << 2);
  if (slots == 0) return -1;
  memory.fill(slots, 0, <usize>slotCount << 2);
  const mask = slotCount - 1;
  let distinct: i32 = 0;
  for (let j: u32 = 0; j < pairCount; j++) {
    if (pairNode(scratch, j) == 0) continue;
    const memberArg = argNext(pairArg(scratch, j));
    const member = argData(memberArg);
    const memberLen = argLen(memberArg);
    let slot = hashBytes(member, memberLen) & mask;
    while (true) {
      const held = load<u32>(slots + (<usize>slot << 2));
      if (held == 0) {
        store<u32>(slots + (<usize>slot << 2), j + 1);
        distinct++;
        break;
      }
      const otherArg = argNext(pairArg(scratch, held - 1));
      if (argLen(otherArg) == memberLen && bytesEqual(argData(otherArg), member, memberLen)) break;
      slot = (slot + 1) & mask;
    }
  }
  free(slots);
  return distinct;
}

/**
 * ZADD / ZINCRBY: key then pairCount × ([8] f64 score, [n] member) framed in staging.
 * Returns added (plus changed with ZADD_CH); with ZADD_INCR, 1 if the element was written
 * (its score in zsetResultScore) or 0 if NX/XX/GT/LT prevented it. 0 when XX finds no key.
 * STATUS_WRONGTYPE, STATUS_OOM (key unchanged), STATUS_NAN (INCR gave NaN; key unchanged).
 */
export function zsetAdd(db: u32, keyLen: u32, nowMs: f64, pairCount: u32, flags: u32): i32 {
  const nx = (flags & ZADD_NX) != 0;
  const xx = (flags & ZADD_XX) != 0;
  const gt = (flags & ZADD_GT) != 0;
  const lt = (flags & ZADD_LT) != 0;
  const incr = (flags & ZADD_INCR) != 0;
  assert(pairCount > 0);
  resultChanged = 0;
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, !xx);
  if (e == 0) {
    const status = statusOfFailedOpen();
    return status == STATUS_MISSING ? 0 : status;
  }
  let valuePtr = entryValuePtr(e);
  let skiplist = isSkiplist(entryValueLen(e));
  let count = countOf(entryValueLen(e));
  const created = valuePtr == 0;
  if (!skiplist && !created) lpIndex(valuePtr, count);
  // Whether Redis would still hold the set as a listpack at the current pair: it converts at
  // the first added member that breaks a limit, and a listpack drops the sign of zero, so
  // scores written before that point lose it even when this call converted up front.
  let packed = !skiplist;

  // Phase 1, nothing changes: find the members that may be added, allocate what they need.
  let scratch = pairScratch;
  if (pairCount > PAIR_SCRATCH_COUNT) {
    scratch = alloc(<usize>pairCount << 3);
    if (scratch == 0) return failAdd(db, e, created, scratch, 0);
  }
  let p = colArgsPtr(keyLen);
  let candidateCount: u32 = 0;
  let candidateBytes: usize = 0;
  let anyLongMember = false;
  for (let j: u32 = 0; j < pairCount; j++) {
    store<u32>(scratch + (<usize>j << 3), <u32>p);
    assert(argLen(p) == 8, "zset score argument is not 8 bytes");
    const memberArg = argNext(p);
    const member = argData(memberArg);
    const memberLen = argLen(memberArg);
    let present = false;
    if (!created) {
      present = skiplist
        ? zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen)) != 0
        : lpFind(count, member, memberLen) >= 0;
    }
    const candidate = !present && !xx;
    setPairNode(scratch, j, candidate ? 1 : 0); // marks candidates for the distinct count
    if (candidate) {
      candidateCount++;
      candidateBytes += LP_ENTRY_OVERHEAD_BYTES + <usize>memberLen;
      if (memberLen > LP_MEMBER_MAX_BYTES) anyLongMember = true;
    }
    p = argNext(memberArg);
  }
  const distinct = countDistinctCandidates(scratch, pairCount, candidateCount);
  if (distinct < 0) {
    for (let j: u32 = 0; j < pairCount; j++) setPairNode(scratch, j, 0);
    return failAdd(db, e, created, scratch, pairCount);
  }
  const convert = !skiplist && (anyLongMember || count + <u32>distinct > LP_ENTRIES_MAX);
  if (!skiplist && !convert) {
    for (let j: u32 = 0; j < pairCount; j++) setPairNode(scratch, j, 0);
    const usedBytes = created ? LP_HEADER_SIZE_BYTES : lpBytesUsed(valuePtr);
    let needBytes = usedBytes + candidateBytes;
    if (needBytes > LP_MAX_BYTES) needBytes = LP_MAX_BYTES;
    if (created || needBytes > usableSize(valuePtr)) {
      const fresh = alloc(needBytes);
      if (fresh == 0) return failAdd(db, e, created, scratch, pairCount);
      if (created) store<u32>(fresh, <u32>LP_HEADER_SIZE_BYTES);
      else {
        memory.copy(fresh, valuePtr, usedBytes);
        free(valuePtr);
      }
      valuePtr = fresh;
      saveValue(e, valuePtr, false, count); // same contents, larger block
      lpIndex(valuePtr, count);
    }
  } else {
    // Nodes for every candidate pair (duplicates' spares are freed at the end).
    for (let j: u32 = 0; j < pairCount; j++) {
      if (pairNode(scratch, j) == 0) continue;
      setPairNode(scratch, j, 0);
      const memberArg = argNext(pairArg(scratch, j));
      const member = argData(memberArg);
      const memberLen = argLen(memberArg);
      const node = nodeAlloc(randomLevel(), member, memberLen, hashBytes(member, memberLen));
      if (node == 0) {
        for (let k = j + 1; k < pairCount; k++) setPairNode(scratch, k, 0); // drop the marks
        return failAdd(db, e, created, scratch, pairCount);
      }
      setPairNode(scratch, j, node);
    }
    if (convert) {
      const zs = zsCreate(nextPowerOfTwo(count + <u32>distinct));
      if (zs == 0) return failAdd(db, e, created, scratch, pairCount);
      for (let i: u32 = 0; i < count; i++) {
        const at = lpAt(i);
        const member = lpMember(at);
        const memberLen = lpMemberLen(at);
        const node = nodeAlloc(randomLevel(), member, memberLen, hashBytes(member, memberLen));
        if (node == 0) {
          for (let k: u32 = 0; k < i; k++) free(<usize>load<u32>(convNodes + (<usize>k << 2)));
          zsFree(zs);
          return failAdd(db, e, created, scratch, pairCount);
        }
        store<f64>(node, lpScore(at), NODE_SCORE);
        store<u32>(convNodes + (<usize>i << 2), <u32>node);
      }
      // Commit the conversion: listpack order is skiplist order.
      for (let i: u32 = 0; i < count; i++) {
        const node = <usize>load<u32>(convNodes + (<usize>i << 2));
        zsInsertNode(zs, node);
        zsHashAdd(zs, node);
      }
      free(valuePtr); // 0 when created
      valuePtr = zs;
      skiplist = true;
      saveValue(e, valuePtr, true, count);
    } else if (!zsReserve(valuePtr, count + <u32>distinct)) {
      return failAdd(db, e, created, scratch, pairCount);
    }
  }

  // INCR's NaN check precedes every change (INCR takes a single pair).
  if (incr) {
    const scoreArg = pairArg(scratch, 0);
    const memberArg = argNext(scoreArg);
    const member = argData(memberArg);
    const memberLen = argLen(memberArg);
    const increment = load<f64>(argData(scoreArg));
    let current: f64 = 0;
    let present = false;
    if (skiplist) {
      const node = zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen));
      if (node != 0) {
        present = true;
        current = nodeScore(node);
      }
    } else {
      const rank = lpFind(count, member, memberLen);
      if (rank >= 0) {
        present = true;
        current = lpScore(lpAt(<u32>rank));
      }
    }
    if (present && !nx && isNaN(increment + current)) {
      releaseScratch(scratch, pairCount);
      return STATUS_NAN;
    }
  }

  // Phase 2: apply the pairs in order.
  let added: u32 = 0;
  let updated: u32 = 0;
  let processed: u32 = 0;
  for (let j: u32 = 0; j < pairCount; j++) {
    const scoreArg = pairArg(scratch, j);
    const memberArg = argNext(scoreArg);
    const member = argData(memberArg);
    const memberLen = argLen(memberArg);
    let score = load<f64>(argData(scoreArg));
    if (skiplist) {
      const hash = hashBytes(member, memberLen);
      const node = zsHashFind(valuePtr, member, memberLen, hash);
      if (node != 0) {
        if (nx) continue;
        const current = nodeScore(node);
        if (incr) score += current;
        if ((lt && score >= current) || (gt && score <= current)) continue;
        processed++;
        resultScore = score;
        if (score != current) {
          zsUnlink(valuePtr, node);
          store<f64>(node, packed && score == 0 ? 0.0 : score, NODE_SCORE);
          zsInsertNode(valuePtr, node);
          updated++;
        }
      } else {
        if (xx) continue;
        const fresh = pairNode(scratch, j);
        assert(fresh != 0, "zadd added a member phase 1 did not reserve");
        setPairNode(scratch, j, 0);
        if (packed && (count + 1 > LP_ENTRIES_MAX || memberLen > LP_MEMBER_MAX_BYTES)) packed = false;
        store<f64>(fresh, packed && score == 0 ? 0.0 : score, NODE_SCORE);
        zsInsertNode(valuePtr, fresh);
        zsHashAdd(valuePtr, fresh);
        added++;
        processed++;
        resultScore = score;
        count++;
      }
    } else {
      const rank = lpFind(count, member, memberLen);
      if (rank >= 0) {
        if (nx) continue;
        const current = lpScore(lpAt(<u32>rank));
        if (incr) score += current;
        if ((lt && score >= current) || (gt && score <= current)) continue;
        processed++;
        resultScore = score;
        if (score != current) {
          lpDeleteRange(valuePtr, count, <u32>rank, <u32>rank);
          lpInsert(valuePtr, count - 1, score, member, memberLen);
          updated++;
        }
      } else {
        if (xx) continue;
        lpInsert(valuePtr, count, score, member, memberLen);
        count++;
        added++;
        processed++;
        resultScore = score;
      }
    }
  }
  releaseScratch(scratch, pairCount);
  resultChanged = added + updated;
  if (skiplist) assert(zsCount(valuePtr) == count, "skiplist count drifted");
  saveValue(e, valuePtr, skiplist, count);
  if (count == 0) colDelete(db, e);
  if (incr) return <i32>processed;
  return <i32>((flags & ZADD_CH) != 0 ? added + updated : added);
}

function failAdd(db: u32, e: usize, created: bool, scratch: usize, pairCount: u32): i32 {
  if (scratch != 0) releaseScratch(scratch, pairCount);
  if (created && entryValuePtr(e) == 0) colDelete(db, e);
  return STATUS_OOM;
}

/** Elements the last zsetAdd added or re-scored (for WATCH and the dirty count). */
export function zsetResultChanged(): u32 {
  return resultChanged;
}

/** ZADD INCR / ZINCRBY's resulting score. */
export function zsetResultScore(): f64 {
  return resultScore;
}

// ── ZREM ────────────────────────────────────────────────────────────────────────────────

/** ZREM: memberCount framed members. Removed count (key deleted when emptied), or status. */
export function zsetRemove(db: u32, keyLen: u32, nowMs: f64, memberCount: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, false);
  if (e == 0) {
    const status = statusOfFailedOpen();
    return status == STATUS_MISSING ? 0 : status;
  }
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  let count = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, count);
  let removed: i32 = 0;
  let p = colArgsPtr(keyLen);
  for (let j: u32 = 0; j < memberCount && count > 0; j++) {
    const member = argData(p);
    const memberLen = argLen(p);
    p = argNext(p);
    if (skiplist) {
      const node = zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen));
      if (node == 0) continue;
      zsUnlink(valuePtr, node);
      zsHashRemove(valuePtr, node);
      free(node);
    } else {
      const rank = lpFind(count, member, memberLen);
      if (rank < 0) continue;
      lpDeleteRange(valuePtr, count, <u32>rank, <u32>rank);
    }
    count--;
    removed++;
  }
  finishRemoval(db, e, valuePtr, skiplist, count);
  return removed;
}

// ── Reads by member ─────────────────────────────────────────────────────────────────────

/**
 * ZSCORE / ZMSCORE: memberCount framed members. Out: per member an 8-byte score record, or
 * an empty record when absent. memberCount, STATUS_MISSING (no key), STATUS_WRONGTYPE, OOM.
 */
export function zsetScores(db: u32, keyLen: u32, nowMs: f64, memberCount: u32): i32 {
  outReset();
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return statusOfFailedOpen();
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const count = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, count);
  let p = colArgsPtr(keyLen);
  for (let j: u32 = 0; j < memberCount; j++) {
    const member = argData(p);
    const memberLen = argLen(p);
    p = argNext(p);
    let ok: bool;
    if (skiplist) {
      const node = zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen));
      ok = node != 0 ? outPushF64(nodeScore(node)) : outPush(0, 0);
    } else {
      const rank = lpFind(count, member, memberLen);
      ok = rank >= 0 ? outPushF64(lpScore(lpAt(<u32>rank))) : outPush(0, 0);
    }
    if (!ok) return STATUS_OOM;
  }
  return <i32>memberCount;
}

/** ZCARD: element count, 0 when missing, or STATUS_WRONGTYPE. */
export function zsetCard(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) {
    const status = statusOfFailedOpen();
    return status == STATUS_MISSING ? 0 : status;
  }
  return <i32>countOf(entryValueLen(e));
}

/** ZRANK / ZREVRANK: one framed member. 0-based rank, -1 (no key or member), WRONGTYPE. */
export function zsetRank(db: u32, keyLen: u32, nowMs: f64, reverse: u32): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) {
    const status = statusOfFailedOpen();
    return status == STATUS_MISSING ? -1 : status;
  }
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const count = countOf(entryValueLen(e));
  const p = colArgsPtr(keyLen);
  const member = argData(p);
  const memberLen = argLen(p);
  let rank: i32;
  if (skiplist) {
    const node = zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen));
    if (node == 0) return -1;
    rank = <i32>zsRankOf(valuePtr, nodeScore(node), member, memberLen) - 1;
  } else {
    lpIndex(valuePtr, count);
    rank = lpFind(count, member, memberLen);
    if (rank < 0) return -1;
  }
  return reverse != 0 ? <i32>count - 1 - rank : rank;
}

// ── Ranges ──────────────────────────────────────────────────────────────────────────────

/** Elements with score < bound (≤ bound when orEqual), listpack indexed. */
function countBelow(valuePtr: usize, skiplist: bool, count: u32, bound: f64, orEqual: bool): u32 {
  if (skiplist) return zsCountBelow(valuePtr, bound, orEqual);
  let n: u32 = 0;
  while (n < count && (orEqual ? lpScore(lpAt(n)) <= bound : lpScore(lpAt(n)) < bound)) n++;
  return n;
}

/** Reads the two staged lex bounds ([kind u8][bytes], framed) into the lex globals. */
function parseLexBounds(p: usize): void {
  lexMinKind = load<u8>(argData(p));
  lexMinPtr = argData(p) + 1;
  lexMinLen = argLen(p) - 1;
  const q = argNext(p);
  lexMaxKind = load<u8>(argData(q));
  lexMaxPtr = argData(q) + 1;
  lexMaxLen = argLen(q) - 1;
}

function lexGteMin(member: usize, memberLen: u32): bool {
  if (lexMinKind == LEX_MIN) return true;
  if (lexMinKind == LEX_MAX) return false;
  const c = compareBytes(member, memberLen, lexMinPtr, lexMinLen);
  return lexMinKind == LEX_EXCLUSIVE ? c > 0 : c >= 0;
}

function lexLteMax(member: usize, memberLen: u32): bool {
  if (lexMaxKind == LEX_MAX) return true;
  if (lexMaxKind == LEX_MIN) return false;
  const c = compareBytes(member, memberLen, lexMaxPtr, lexMaxLen);
  return lexMaxKind == LEX_EXCLUSIVE ? c < 0 : c <= 0;
}

/** Redis's "always empty" test: min above max, or equal with an exclusive (or -/+) end. */
function lexRangeEmpty(): bool {
  const minRank: i32 = lexMinKind == LEX_MIN ? -1 : lexMinKind == LEX_MAX ? 1 : 0;
  const maxRank: i32 = lexMaxKind == LEX_MIN ? -1 : lexMaxKind == LEX_MAX ? 1 : 0;
  let c: i32;
  if (minRank != 0 || maxRank != 0) c = minRank == maxRank ? 0 : minRank < maxRank ? -1 : 1;
  else c = compareBytes(lexMinPtr, lexMinLen, lexMaxPtr, lexMaxLen);
  const minEx = lexMinKind != LEX_INCLUSIVE;
  const maxEx = lexMaxKind != LEX_INCLUSIVE;
  return c > 0 || (c == 0 && (minEx || maxEx));
}

@inline function memberAt(valuePtr: usize, skiplist: bool, rank: u32): usize {
  return skiplist ? nodeMember(zsNodeAtRank(valuePtr, rank + 1)) : lpMember(lpAt(rank));
}
@inline function memberLenAt(valuePtr: usize, skiplist: bool, rank: u32): u32 {
  return skiplist ? nodeMemberLen(zsNodeAtRank(valuePtr, rank + 1)) : lpMemberLen(lpAt(rank));
}

/** Redis's "is in lex range": the range is not empty, tail ≥ min and head ≤ max. */
function lexRangeTouches(valuePtr: usize, skiplist: bool, count: u32): bool {
  if (count == 0 || lexRangeEmpty()) return false;
  if (skiplist) {
    const tail = zsTail(valuePtr);
    const head = forward(valuePtr, 0);
    return lexGteMin(nodeMember(tail), nodeMemberLen(tail)) &&
      lexLteMax(nodeMember(head), nodeMemberLen(head));
  }
  const last = lpAt(count - 1);
  const first = lpAt(0);
  return lexGteMin(lpMember(last), lpMemberLen(last)) && lexLteMax(lpMember(first), lpMemberLen(first));
}

/** Rank of the first element in the lex range (Redis's FirstInLexRange), or -1. */
function lexFirst(valuePtr: usize, skiplist: bool, count: u32): i32 {
  if (!lexRangeTouches(valuePtr, skiplist, count)) return -1;
  if (!skiplist) {
    for (let i: u32 = 0; i < count; i++) {
      const at = lpAt(i);
      if (lexGteMin(lpMember(at), lpMemberLen(at))) {
        return lexLteMax(lpMember(at), lpMemberLen(at)) ? <i32>i : -1;
      }
    }
    return -1;
  }
  let x = valuePtr;
  let rank: u32 = 0;
  for (let i = <i32>zsLevel(valuePtr) - 1; i >= 0; i--) {
    const level = <u32>i;
    let f = forward(x, level);
    while (f != 0 && !lexGteMin(nodeMember(f), nodeMemberLen(f))) {
      rank += span(x, level);
      x = f;
      f = forward(x, level);
    }
  }
  x = forward(x, 0);
  if (x == 0 || !lexLteMax(nodeMember(x), nodeMemberLen(x))) return -1;
  return <i32>rank;
}

/** Rank of the last element in the lex range (Redis's LastInLexRange), or -1. */
function lexLast(valuePtr: usize, skiplist: bool, count: u32): i32 {
  if (!lexRangeTouches(valuePtr, skiplist, count)) return -1;
  if (!skiplist) {
    for (let i = <i32>count - 1; i >= 0; i--) {
      const at = lpAt(<u32>i);
      if (lexLteMax(lpMember(at), lpMemberLen(at))) {
        return lexGteMin(lpMember(at), lpMemberLen(at)) ? i : -1;
      }
    }
    return -1;
  }
  let x = valuePtr;
  let rank: u32 = 0;
  for (let i = <i32>zsLevel(valuePtr) - 1; i >= 0; i--) {
    const level = <u32>i;
    let f = forward(x, level);
    while (f != 0 && lexLteMax(nodeMember(f), nodeMemberLen(f))) {
      rank += span(x, level);
      x = f;
      f = forward(x, level);
    }
  }
  if (x == valuePtr || !lexGteMin(nodeMember(x), nodeMemberLen(x))) return -1;
  return <i32>rank - 1;
}

/**
 * ZRANGE family, ZCOUNT / ZLEXCOUNT, ZREMRANGEBY*: one range over the key.
 *   op    OP_EMIT (members, with RANGE_WITHSCORES their scores, to out), OP_COUNT, OP_DELETE
 *   kind  KIND_RANK (a..b start/end indexes), KIND_SCORE (a = min, b = max, RANGE_MINEX /
 *         RANGE_MAXEX), KIND_LEX (two staged bounds after the key)
 *   RANGE_REV walks from the high end (for REV ranks, indexes count from the top).
 *   offset / limit (OP_EMIT): skip offset elements (negative: none left), then at most
 *   limit (negative: all) — Redis's LIMIT.
 * Returns the elements emitted / counted / deleted, STATUS_MISSING, STATUS_WRONGTYPE, OOM.
 */
export function zsetRange(
  db: u32,
  keyLen: u32,
  nowMs: f64,
  op: u32,
  kind: u32,
  flags: u32,
  a: f64,
  b: f64,
  offset: f64,
  limit: f64,
): i32 {
  outReset();
  const e = op == OP_DELETE
    ? colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, false)
    : colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return statusOfFailedOpen();
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const count = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, count);
  const reverse = (flags & RANGE_REV) != 0;
  let lo: i64 = 0;
  let hi: i64 = -1;
  if (kind == KIND_RANK) {
    const llen = <i64>count;
    let start = <i64>a;
    let end = <i64>b;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start <= end && start < llen) {
      if (end >= llen) end = llen - 1;
      lo = reverse ? llen - 1 - end : start;
      hi = reverse ? llen - 1 - start : end;
    }
  } else if (kind == KIND_SCORE) {
    lo = <i64>countBelow(valuePtr, skiplist, count, a, (flags & RANGE_MINEX) != 0);
    hi = <i64>countBelow(valuePtr, skiplist, count, b, (flags & RANGE_MAXEX) == 0) - 1;
  } else {
    assert(kind == KIND_LEX);
    parseLexBounds(colArgsPtr(keyLen));
    if (op == OP_COUNT && skiplist) {
      const first = lexFirst(valuePtr, skiplist, count);
      if (first < 0) return 0;
      const last = lexLast(valuePtr, skiplist, count);
      return last >= 0 ? last - first + 1 : <i32>count - first;
    }
    if (!reverse) {
      const first = lexFirst(valuePtr, skiplist, count);
      if (first >= 0) {
        lo = first;
        hi = first;
        while (hi + 1 < <i64>count) {
          const r = <u32>(hi + 1);
          if (!lexLteMax(memberAt(valuePtr, skiplist, r), memberLenAt(valuePtr, skiplist, r))) break;
          hi++;
        }
      }
    } else {
      const last = lexLast(valuePtr, skiplist, count);
      if (last >= 0) {
        hi = last;
        lo = last;
        while (lo > 0) {
          const r = <u32>(lo - 1);
          if (!lexGteMin(memberAt(valuePtr, skiplist, r), memberLenAt(valuePtr, skiplist, r))) break;
          lo--;
        }
      }
    }
  }
  let n: i64 = hi >= lo ? hi - lo + 1 : 0;
  if (op == OP_COUNT) return <i32>n;
  if (op == OP_DELETE) {
    if (n == 0) return 0;
    deleteRanks(valuePtr, skiplist, count, <u32>lo, <u32>hi);
    finishRemoval(db, e, valuePtr, skiplist, count - <u32>n);
    return <i32>n;
  }
  const skip = <i64>offset;
  if (skip < 0 || skip >= n) return 0;
  n -= skip;
  if (limit >= 0 && <i64>limit < n) n = <i64>limit;
  const first = reverse ? hi - skip : lo + skip;
  if (!emitRun(valuePtr, skiplist, <u32>first, <u32>n, reverse, (flags & RANGE_WITHSCORES) != 0)) {
    return STATUS_OOM;
  }
  return <i32>n;
}

// ── Pops, random members, scan ──────────────────────────────────────────────────────────

/**
 * ZPOPMIN / ZPOPMAX (max != 0): removes up to count elements from one end, emitting member
 * and score records in pop order. Popped count (key deleted when emptied), STATUS_MISSING,
 * STATUS_WRONGTYPE, STATUS_OOM (nothing removed).
 */
export function zsetPop(db: u32, keyLen: u32, nowMs: f64, count: f64, max: u32): i32 {
  outReset();
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, false);
  if (e == 0) return statusOfFailedOpen();
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const size = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, size);
  const n: u32 = count >= <f64>size ? size : <u32>count;
  if (n == 0) return 0;
  const lo = max != 0 ? size - n : 0;
  const hi = lo + n - 1;
  if (!emitRun(valuePtr, skiplist, max != 0 ? hi : lo, n, max != 0, true)) return STATUS_OOM;
  deleteRanks(valuePtr, skiplist, size, lo, hi);
  finishRemoval(db, e, valuePtr, skiplist, size - n);
  return <i32>n;
}

/**
 * ZRANDMEMBER: `count` elements; distinct unless `repeats` (then count picks, with
 * replacement). A distinct count ≥ the size emits the whole set, highest first. Emitted count,
 * STATUS_MISSING, STATUS_WRONGTYPE, STATUS_OOM.
 */
export function zsetRandom(db: u32, keyLen: u32, nowMs: f64, count: f64, repeats: u32, withScores: u32): i32 {
  outReset();
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return statusOfFailedOpen();
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const size = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, size);
  const scores = withScores != 0;
  if (repeats != 0) {
    const picks = <u32>count;
    for (let k: u32 = 0; k < picks; k++) {
      if (!emitRank(valuePtr, skiplist, randomBelow(size), scores)) return STATUS_OOM;
    }
    return <i32>picks;
  }
  if (count >= <f64>size) {
    // The whole set, highest first (the order redis-server 7.0 replies in).
    return emitRun(valuePtr, skiplist, size - 1, size, true, scores) ? <i32>size : STATUS_OOM;
  }
  // Floyd's sampling: count distinct ranks, one bitmap bit per rank.
  const picks = <u32>count;
  const bitmapBytes = <usize>((size + 7) >> 3);
  const bitmap = alloc(bitmapBytes);
  if (bitmap == 0) return STATUS_OOM;
  memory.fill(bitmap, 0, bitmapBytes);
  for (let j = size - picks; j < size; j++) {
    let t = randomBelow(j + 1);
    if ((load<u8>(bitmap + (<usize>t >> 3)) & (<u8>1 << <u8>(t & 7))) != 0) t = j;
    store<u8>(bitmap + (<usize>t >> 3), load<u8>(bitmap + (<usize>t >> 3)) | (<u8>1 << <u8>(t & 7)));
    if (!emitRank(valuePtr, skiplist, t, scores)) {
      free(bitmap);
      return STATUS_OOM;
    }
  }
  free(bitmap);
  return <i32>picks;
}

/**
 * ZSCAN step: a listpack answers whole (next cursor 0); a skiplist visits hash buckets from
 * `cursor` in reverse-binary order until `count` elements or 10 × count buckets. Emits member
 * and score records; next cursor in zsetResultCursor. Pairs emitted, or status.
 */
export function zsetScan(db: u32, keyLen: u32, nowMs: f64, cursor: u32, count: u32): i32 {
  outReset();
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return statusOfFailedOpen();
  const valuePtr = entryValuePtr(e);
  const size = countOf(entryValueLen(e));
  if (!isSkiplist(entryValueLen(e))) {
    lpIndex(valuePtr, size);
    resultCursor = 0;
    return emitRun(valuePtr, false, 0, size, false, true) ? <i32>size : STATUS_OOM;
  }
  const mask = load<u32>(valuePtr, ZS_BUCKET_MASK);
  const buckets = <usize>load<u32>(valuePtr, ZS_BUCKETS);
  const wanted: u32 = count == 0 ? 1 : count;
  let budget: u64 = <u64>wanted * 10;
  let emitted: u32 = 0;
  let v = cursor;
  do {
    let n = <usize>load<u32>(buckets + (<usize>(v & mask) << 2));
    while (n != 0) {
      if (!outPush(nodeMember(n), nodeMemberLen(n)) || !outPushF64(nodeScore(n))) return STATUS_OOM;
      emitted++;
      n = <usize>load<u32>(n, NODE_HASH_NEXT);
    }
    v = reverseIncrement(v, mask);
    budget--;
  } while (v != 0 && budget > 0 && emitted < wanted);
  resultCursor = v;
  return <i32>emitted;
}

/** ZSCAN's next cursor. */
export function zsetResultCursor(): u32 {
  return resultCursor;
}

// ── Stores and introspection ────────────────────────────────────────────────────────────

/**
 * ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE result: pairCount ([8] score, [n] member) framed
 * pairs, distinct and in (score, member) order, replace the key whatever it held (its TTL
 * goes too). pairCount must be > 0 (an empty result is a DEL). The count, or STATUS_OOM with
 * the key unchanged.
 */
export function zsetStore(db: u32, keyLen: u32, nowMs: f64, pairCount: u32): i32 {
  assert(pairCount > 0);
  let p = colArgsPtr(keyLen);
  let memberLenMax: u32 = 0;
  let lpBytes: usize = LP_HEADER_SIZE_BYTES;
  for (let j: u32 = 0; j < pairCount; j++) {
    const memberArg = argNext(p);
    const memberLen = argLen(memberArg);
    if (memberLen > memberLenMax) memberLenMax = memberLen;
    lpBytes += LP_ENTRY_OVERHEAD_BYTES + <usize>memberLen;
    p = argNext(memberArg);
  }
  const skiplist = pairCount > LP_ENTRIES_MAX || memberLenMax > LP_MEMBER_MAX_BYTES;
  let valuePtr: usize;
  p = colArgsPtr(keyLen);
  if (!skiplist) {
    valuePtr = alloc(lpBytes);
    if (valuePtr == 0) return STATUS_OOM;
    let at = valuePtr + LP_HEADER_SIZE_BYTES;
    for (let j: u32 = 0; j < pairCount; j++) {
      const score = load<f64>(argData(p));
      const memberArg = argNext(p);
      const memberLen = argLen(memberArg);
      store<f64>(at, score == 0 ? 0.0 : score);
      store<u8>(at, <u8>memberLen, LP_ENTRY_MEMBER_LEN);
      if (memberLen != 0) memory.copy(at + LP_ENTRY_OVERHEAD_BYTES, argData(memberArg), memberLen);
      at += LP_ENTRY_OVERHEAD_BYTES + <usize>memberLen;
      p = argNext(memberArg);
    }
    store<u32>(valuePtr, <u32>lpBytes);
  } else {
    valuePtr = zsCreate(nextPowerOfTwo(pairCount));
    if (valuePtr == 0) return STATUS_OOM;
    for (let j: u32 = 0; j < pairCount; j++) {
      const score = load<f64>(argData(p));
      const memberArg = argNext(p);
      const member = argData(memberArg);
      const memberLen = argLen(memberArg);
      const node = nodeAlloc(randomLevel(), member, memberLen, hashBytes(member, memberLen));
      if (node == 0) {
        zsFree(valuePtr);
        return STATUS_OOM;
      }
      store<f64>(node, score, NODE_SCORE);
      zsInsertNode(valuePtr, node);
      zsHashAdd(valuePtr, node);
      p = argNext(memberArg);
    }
  }
  delKey(db, keyLen, nowMs);
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, true);
  if (e == 0) {
    zsetFreeValue(valuePtr, skiplist ? SKIPLIST_FLAG : 0);
    return STATUS_OOM;
  }
  saveValue(e, valuePtr, skiplist, pairCount);
  return <i32>pairCount;
}

/** OBJECT ENCODING: 0 listpack, 1 skiplist, STATUS_MISSING, STATUS_WRONGTYPE. */
export function zsetEncodingOf(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return statusOfFailedOpen();
  return isSkiplist(entryValueLen(e)) ? 1 : 0;
}

/**
 * Checks every invariant of the value at key (order, spans, backward links, tail, counts,
 * hash membership, listpack bounds) and traps on a violation. Element count, or status.
 * For tests: O(n log n).
 */
export function zsetVerify(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return statusOfFailedOpen();
  const valuePtr = entryValuePtr(e);
  const count = countOf(entryValueLen(e));
  assert(count > 0, "an empty zset was left in the keyspace");
  if (!isSkiplist(entryValueLen(e))) {
    lpIndex(valuePtr, count);
    for (let i: u32 = 0; i < count; i++) {
      const at = lpAt(i);
      assert(lpMemberLen(at) <= LP_MEMBER_MAX_BYTES, "listpack member above the limit");
      if (i > 0) {
        const prev = lpAt(i - 1);
        assert(
          compareElements(lpScore(prev), lpMember(prev), lpMemberLen(prev), lpScore(at), lpMember(at), lpMemberLen(at)) < 0,
          "listpack out of order",
        );
      }
    }
    return <i32>count;
  }
  const zs = valuePtr;
  assert(zsCount(zs) == count, "skiplist count differs from the entry's");
  let prev: usize = 0;
  let seen: u32 = 0;
  for (let n = forward(zs, 0); n != 0; n = forward(n, 0)) {
    seen++;
    assert(nodeBackward(n) == prev, "skiplist backward link broken");
    if (prev != 0) {
      assert(
        compareElements(nodeScore(prev), nodeMember(prev), nodeMemberLen(prev), nodeScore(n), nodeMember(n), nodeMemberLen(n)) < 0,
        "skiplist out of order",
      );
    }
    assert(zsHashFind(zs, nodeMember(n), nodeMemberLen(n), load<u32>(n, NODE_HASH)) == n, "node not hashed");
    assert(zsRankOf(zs, nodeScore(n), nodeMember(n), nodeMemberLen(n)) == seen, "skiplist span wrong");
    prev = n;
  }
  assert(seen == count, "skiplist length differs from its count");
  assert(zsTail(zs) == prev, "skiplist tail wrong");
  assert(load<u32>(zs, ZS_BUCKET_MASK) + 1 >= count, "hash smaller than the set");
  return <i32>count;
}
