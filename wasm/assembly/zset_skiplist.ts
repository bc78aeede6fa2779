// zset_skiplist.ts — the large sorted-set encoding ("skiplist"): Pugh's skiplist with Redis's
// span counts, so rank ↔ node is O(log n), plus a chained hash from member to node.
//
// One allocation per element: the node holds the member bytes and its hash chain link, so
// there is no separate dict entry or string.
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
//
// span(x, i) = how many level-0 steps forward(x, i) is ahead of x. The header's spans at
// levels ≥ level are unused. Levels are drawn with P(level ≥ k+1 | level ≥ k) = 1/4 (Redis's
// ZSKIPLIST_P) from random.ts. The hash has a power-of-two bucket count ≥ count (grown before
// an insert, shrunk below 1/8 use) and is rebuilt in one pass over level 0 when resized
// (amortised O(1) per insert); ZSCAN walks its buckets in reverse-binary order like SCAN.

import { BUCKET_COUNT_MIN, bucketCountFor, bytesEqual } from "./bytes";
import { alloc, free } from "./pages";
import { nextRandom } from "./random";
import { compareElements } from "./zset_listpack";

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
/** P(level ≥ k+1 | level ≥ k) = 1/4, as Redis's ZSKIPLIST_P (compared with 16 random bits). */
const ZS_LEVEL_UP_BELOW: u32 = 0x4000;

/** Skiplist search path: predecessor per level and its rank. */
const updateNodes: usize = memory.data(<i32>ZS_LEVEL_MAX * 4, 4);
const updateRanks: usize = memory.data(<i32>ZS_LEVEL_MAX * 4, 4);

// ── Nodes ───────────────────────────────────────────────────────────────────────────────

@inline export function forward(x: usize, level: u32): usize {
  return <usize>load<u32>(x + NODE_LEVELS + (<usize>level << 3));
}
@inline function setForward(x: usize, level: u32, node: usize): void {
  store<u32>(x + NODE_LEVELS + (<usize>level << 3), <u32>node);
}
@inline export function span(x: usize, level: u32): u32 {
  return load<u32>(x + NODE_LEVELS + (<usize>level << 3), 4);
}
@inline function setSpan(x: usize, level: u32, value: u32): void {
  store<u32>(x + NODE_LEVELS + (<usize>level << 3), value, 4);
}
@inline export function nodeScore(n: usize): f64 {
  return load<f64>(n, NODE_SCORE);
}
@inline export function nodeMemberLen(n: usize): u32 {
  return load<u32>(n, NODE_MEMBER_LEN);
}
@inline function nodeLevelCount(n: usize): u32 {
  return load<u32>(n, NODE_LEVEL_COUNT);
}
@inline export function nodeMember(n: usize): usize {
  return n + NODE_LEVELS + (<usize>nodeLevelCount(n) << 3);
}
@inline export function nodeBackward(n: usize): usize {
  return <usize>load<u32>(n, NODE_BACKWARD);
}
@inline export function zsCount(zs: usize): u32 {
  return load<u32>(zs, ZS_COUNT);
}
@inline export function zsLevel(zs: usize): u32 {
  return load<u32>(zs, ZS_LEVEL);
}
@inline export function zsTail(zs: usize): usize {
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

export function randomLevel(): u32 {
  let level: u32 = 1;
  while (level < ZS_LEVEL_MAX && <u32>(nextRandom() >> 48) < ZS_LEVEL_UP_BELOW) level++;
  return level;
}

/** A detached node holding member (score set at insert), or 0 on OOM. */
export function nodeAlloc(levelCount: u32, member: usize, memberLen: u32, hash: u32): usize {
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
export function zsCreate(bucketCount: u32): usize {
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

export function zsFree(zs: usize): void {
  let x = forward(zs, 0);
  while (x != 0) {
    const next = forward(x, 0);
    free(x);
    x = next;
  }
  free(<usize>load<u32>(zs, ZS_BUCKETS));
  free(zs);
}

/**
 * Frees up to `budget` nodes from the front of a skiplist that left its key (lazyfree.ts) and
 * re-points the header's level-0 link at the rest; returns the nodes freed. Only the level-0
 * chain stays valid, which is all zsFree reads: call it once forward(zs, 0) is 0.
 */
export function zsFreeFront(zs: usize, budget: u32): u32 {
  let x = forward(zs, 0);
  let freedCount: u32 = 0;
  while (x != 0 && freedCount < budget) {
    const next = forward(x, 0);
    free(x);
    x = next;
    freedCount++;
  }
  setForward(zs, 0, x);
  return freedCount;
}

// ── Skiplist order ──────────────────────────────────────────────────────────────────────

/** Links node (score set) into the order. Its level count was fixed at allocation. */
export function zsInsertNode(zs: usize, node: usize): void {
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
export function zsUnlink(zs: usize, node: usize): void {
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
export function zsNodeAtRank(zs: usize, rank1: u32): usize {
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
export function zsRankOf(zs: usize, score: f64, member: usize, memberLen: u32): u32 {
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
export function zsCountBelow(zs: usize, bound: f64, orEqual: bool): u32 {
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
export function zsDeleteRankRange(zs: usize, lo: u32, hi: u32): void {
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

export function zsHashFind(zs: usize, member: usize, memberLen: u32, hash: u32): usize {
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

export function zsHashAdd(zs: usize, node: usize): void {
  const bucket = zsBucket(zs, load<u32>(node, NODE_HASH));
  store<u32>(node, load<u32>(bucket), NODE_HASH_NEXT);
  store<u32>(bucket, <u32>node);
}

export function zsHashRemove(zs: usize, node: usize): void {
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
export function zsReserve(zs: usize, count: u32): bool {
  const bucketCount = load<u32>(zs, ZS_BUCKET_MASK) + 1;
  if (count <= bucketCount) return true;
  return zsResize(zs, bucketCountFor(count));
}

/** Shrinks a hash used below 1/8 (best effort). */
export function zsMaybeShrink(zs: usize): void {
  const bucketCount = load<u32>(zs, ZS_BUCKET_MASK) + 1;
  const count = zsCount(zs);
  if (bucketCount > BUCKET_COUNT_MIN && <u64>count * 8 < <u64>bucketCount) {
    zsResize(zs, bucketCountFor(count));
  }
}

@inline function nodeHash(n: usize): u32 {
  return load<u32>(n, NODE_HASH);
}
@inline export function nodeHashNext(n: usize): usize {
  return <usize>load<u32>(n, NODE_HASH_NEXT);
}
@inline export function setNodeScore(n: usize, score: f64): void {
  store<f64>(n, score, NODE_SCORE);
}
/** The member hash's bucket array and mask (ZSCAN walks it). */
@inline export function zsBuckets(zs: usize): usize {
  return <usize>load<u32>(zs, ZS_BUCKETS);
}
@inline export function zsBucketMask(zs: usize): u32 {
  return load<u32>(zs, ZS_BUCKET_MASK);
}

/** Deep copy, or 0 on OOM (nothing left allocated). */
export function zsCopy(src: usize): usize {
  const zs = zsCreate(bucketCountFor(zsCount(src)));
  if (zs == 0) return 0;
  for (let n = forward(src, 0); n != 0; n = forward(n, 0)) {
    const copy = nodeAlloc(nodeLevelCount(n), nodeMember(n), nodeMemberLen(n), nodeHash(n));
    if (copy == 0) {
      zsFree(zs);
      return 0;
    }
    setNodeScore(copy, nodeScore(n));
    zsInsertNode(zs, copy);
    zsHashAdd(zs, copy);
  }
  return zs;
}

/**
 * Asserts every invariant (order, spans, backward links, tail, count, hash membership) of a
 * skiplist that should hold count elements. O(n log n), for tests.
 */
export function zsCheck(zs: usize, count: u32): void {
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
    assert(zsHashFind(zs, nodeMember(n), nodeMemberLen(n), nodeHash(n)) == n, "node not hashed");
    assert(zsRankOf(zs, nodeScore(n), nodeMember(n), nodeMemberLen(n)) == seen, "skiplist span wrong");
    prev = n;
  }
  assert(seen == count, "skiplist length differs from its count");
  assert(zsTail(zs) == prev, "skiplist tail wrong");
  assert(zsBucketMask(zs) + 1 >= count, "hash smaller than the set");
}
