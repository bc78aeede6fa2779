// set_table.ts — the scalable set encoding (tag abi.ts SET_ENC_TABLE): a chained hash table
// with one node per member.
//
//   header ┌───────────┬──────────┬────────────────┬──────────┐
//          │ count u32 │ mask u32 │ bucketsPtr u32 │ reserved │   16 bytes
//          └───────────┴──────────┴────────────────┴──────────┘
//   node   ┌──────────┬──────────┬─────────┬──────────────┐
//          │ next u32 │ hash u32 │ len u32 │ member bytes │   len's high bit: NODE_DRAWN_BIT
//          └──────────┴──────────┴─────────┴──────────────┘
//
// The bucket array is a power of two (bytes.ts bucketCountFor) of node pointers, separate from
// the header so a resize never moves the header the entry points at. The hash is cached in the
// node, so a resize never rehashes bytes. Load factor ≤ 1 after a grow; a table under 1/8 full
// shrinks. Resizes are done at once (not incrementally as Redis's dict does); a resize that
// cannot allocate is skipped, so growing and shrinking never fail.

import { STATUS_OOM } from "./abi";
import { frameBytes, frameLen, frameNext } from "./boundary";
import { BUCKET_COUNT_MIN, bucketCountFor, hashBytes } from "./bytes";
import {
  CHAIN_HASH,
  CHAIN_LEN,
  CHAIN_NEXT,
  chainFindLink,
  chainPush,
  chainsFree,
  chainsMove,
} from "./chain";
import { alloc, free } from "./pages";
import { randomBelow } from "./random";

const TABLE_COUNT: usize = 0;
const TABLE_MASK: usize = 4;
const TABLE_BUCKETS: usize = 8;
const TABLE_RESERVED: usize = 12;
const TABLE_HEADER_BYTES: usize = 16;
const NODE_NEXT: usize = CHAIN_NEXT;
const NODE_HASH: usize = CHAIN_HASH;
const NODE_LEN: usize = CHAIN_LEN;
const NODE_HEADER_BYTES: usize = 12;
/** High bit of a node's len marks it as already drawn during a unique random sample. */
const NODE_DRAWN_BIT: u32 = 0x80000000;

/** Random bucket probes before a random pick falls back to a walk. */
const RANDOM_PROBES_MAX: u32 = 1 << 16;
/** Positions drawn per probed bucket (see tableRandomNode). */
const RANDOM_CHAIN_SLOTS: u32 = 4;

// ── Accessors ───────────────────────────────────────────────────────────────────────────

@inline function tableCount(ptr: usize): u32 {
  return load<u32>(ptr, TABLE_COUNT);
}
@inline export function tableMask(ptr: usize): u32 {
  return load<u32>(ptr, TABLE_MASK);
}
@inline export function tableBuckets(ptr: usize): usize {
  return <usize>load<u32>(ptr, TABLE_BUCKETS);
}
@inline export function nodeNext(node: usize): usize {
  return <usize>load<u32>(node, NODE_NEXT);
}
@inline function nodeHash(node: usize): u32 {
  return load<u32>(node, NODE_HASH);
}
@inline export function nodeLen(node: usize): u32 {
  return load<u32>(node, NODE_LEN) & ~NODE_DRAWN_BIT;
}
@inline export function nodeBytes(node: usize): usize {
  return node + NODE_HEADER_BYTES;
}
@inline function setTableCount(ptr: usize, count: u32): void {
  store<u32>(ptr, count, TABLE_COUNT);
}
@inline function bucketOf(ptr: usize, hash: u32): usize {
  return tableBuckets(ptr) + (<usize>(hash & tableMask(ptr)) << 2);
}

// ── Drawn marks (a unique random sample over the nodes) ─────────────────────────────────

@inline export function isDrawn(node: usize): bool {
  return (load<u32>(node, NODE_LEN) & NODE_DRAWN_BIT) != 0;
}
@inline export function setDrawn(node: usize, drawn: bool): void {
  const lenWord = load<u32>(node, NODE_LEN);
  store<u32>(node, drawn ? lenWord | NODE_DRAWN_BIT : lenWord & ~NODE_DRAWN_BIT, NODE_LEN);
}

// ── Nodes and lookup ────────────────────────────────────────────────────────────────────

/** The link (bucket slot or a node's next word) pointing at member's node, or 0. */
@inline function tableFindLink(ptr: usize, src: usize, len: u32, hash: u32): usize {
  return chainFindLink(bucketOf(ptr, hash), src, len, hash, NODE_HEADER_BYTES, ~NODE_DRAWN_BIT);
}

/** The node holding member, or 0. */
export function tableFind(ptr: usize, src: usize, len: u32, hash: u32): usize {
  const link = tableFindLink(ptr, src, len, hash);
  return link == 0 ? 0 : <usize>load<u32>(link);
}

/** A node holding a copy of member (next unset), or 0 on OOM. */
function newNode(src: usize, len: u32, hash: u32): usize {
  const node = alloc(NODE_HEADER_BYTES + <usize>len);
  if (node == 0) return 0;
  store<u32>(node, 0, NODE_NEXT);
  store<u32>(node, hash, NODE_HASH);
  store<u32>(node, len, NODE_LEN);
  memory.copy(nodeBytes(node), src, len);
  return node;
}

/** Links a node whose member is absent; the caller counts it. */
@inline function tableLink(ptr: usize, node: usize): void {
  chainPush(bucketOf(ptr, nodeHash(node)), node);
}

// ── Whole tables ────────────────────────────────────────────────────────────────────────

/** An empty table with room for sizeHint members, or 0 on OOM. */
export function tableCreate(sizeHint: u32): usize {
  const size = bucketCountFor(sizeHint);
  const ptr = alloc(TABLE_HEADER_BYTES);
  if (ptr == 0) return 0;
  const buckets = alloc(<usize>size << 2);
  if (buckets == 0) {
    free(ptr);
    return 0;
  }
  memory.fill(buckets, 0, <usize>size << 2);
  store<u32>(ptr, 0, TABLE_COUNT);
  store<u32>(ptr, size - 1, TABLE_MASK);
  store<u32>(ptr, <u32>buckets, TABLE_BUCKETS);
  store<u32>(ptr, 0, TABLE_RESERVED);
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
  chainsMove(old, oldSize, fresh, newMask);
  free(old);
  store<u32>(ptr, newMask, TABLE_MASK);
  store<u32>(ptr, <u32>fresh, TABLE_BUCKETS);
}

@inline function tableMaybeGrow(ptr: usize): void {
  const count = tableCount(ptr);
  if (count > tableMask(ptr) + 1) tableResize(ptr, bucketCountFor(count));
}

@inline function tableMaybeShrink(ptr: usize): void {
  const size = tableMask(ptr) + 1;
  const count = tableCount(ptr);
  if (size > BUCKET_COUNT_MIN && count < (size >> 3)) tableResize(ptr, bucketCountFor(count));
}

export function tableFree(ptr: usize): void {
  const buckets = tableBuckets(ptr);
  chainsFree(buckets, tableMask(ptr) + 1);
  free(buckets);
  free(ptr);
}

/** Deep copy (same bucket count), or 0 on OOM (nothing left allocated). */
export function tableCopy(ptr: usize): usize {
  const count = tableCount(ptr);
  const fresh = tableCreate(tableMask(ptr) + 1);
  if (fresh == 0) return 0;
  const buckets = tableBuckets(ptr);
  const size = tableMask(ptr) + 1;
  for (let i: u32 = 0; i < size; i++) {
    let node = <usize>load<u32>(buckets + (<usize>i << 2));
    while (node != 0) {
      const copy = newNode(nodeBytes(node), nodeLen(node), nodeHash(node));
      if (copy == 0) {
        tableFree(fresh);
        return 0;
      }
      tableLink(fresh, copy);
      setTableCount(fresh, tableCount(fresh) + 1);
      node = nodeNext(node);
    }
  }
  assert(tableCount(fresh) == count);
  return fresh;
}

// ── Adding and removing ─────────────────────────────────────────────────────────────────

/** Adds an absent member (hash = hashBytes of it); true, or false on OOM (table unchanged). */
export function tableAdd(ptr: usize, src: usize, len: u32, hash: u32): bool {
  const node = newNode(src, len, hash);
  if (node == 0) return false;
  tableLink(ptr, node);
  setTableCount(ptr, tableCount(ptr) + 1);
  tableMaybeGrow(ptr);
  return true;
}

/**
 * Adds memberCount framed members, all or nothing: every node a new member needs is
 * allocated first (chained through `next`), then linked; a duplicate argument frees its node.
 * Members added, or STATUS_OOM (table unchanged).
 */
export function tableAddFramed(ptr: usize, frame: usize, memberCount: u32): i32 {
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
      store<u32>(node, <u32>pending, NODE_NEXT);
      pending = node;
    }
    frame = frameNext(frame);
  }
  let added: i32 = 0;
  while (pending != 0) {
    const next = nodeNext(pending);
    if (tableFind(ptr, nodeBytes(pending), nodeLen(pending), nodeHash(pending)) != 0) {
      free(pending); // the same member twice among the arguments
    } else {
      tableLink(ptr, pending);
      added++;
    }
    pending = next;
  }
  setTableCount(ptr, tableCount(ptr) + <u32>added);
  tableMaybeGrow(ptr);
  return added;
}

/** Removes member (never allocates; shrinking is best effort). True if it was there. */
export function tableRemove(ptr: usize, src: usize, len: u32): bool {
  const link = tableFindLink(ptr, src, len, hashBytes(src, len));
  if (link == 0) return false;
  const node = <usize>load<u32>(link);
  store<u32>(link, load<u32>(node, NODE_NEXT));
  free(node);
  setTableCount(ptr, tableCount(ptr) - 1);
  tableMaybeShrink(ptr);
  return true;
}

// ── Random picks ────────────────────────────────────────────────────────────────────────

/**
 * A random node of a non-empty table: a random bucket, then a position below
 * max(chain length, RANDOM_CHAIN_SLOTS); a draw past the chain's end is retried, so a member in
 * a long chain is not rarer than one alone (uniform while chains are at most
 * RANDOM_CHAIN_SLOTS long, which load factor ≤ 1 makes the rule).
 */
export function tableRandomNode(ptr: usize): usize {
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
    return node;
  }
  // Pathologically sparse table: the first non-empty bucket from a random start.
  let i = randomBelow(size);
  let first: usize = 0;
  while (first == 0) {
    first = <usize>load<u32>(buckets + (<usize>i << 2));
    i = (i + 1) & (size - 1);
  }
  return first;
}

// ── Invariants (tests) ──────────────────────────────────────────────────────────────────

/** Asserts nodes sit in their hash's bucket, hashes are current, no drawn mark is left. */
export function tableCheck(ptr: usize): void {
  const size = tableMask(ptr) + 1;
  assert((size & (size - 1)) == 0, "set: table size not a power of two");
  const buckets = tableBuckets(ptr);
  let seen: u32 = 0;
  for (let i: u32 = 0; i < size; i++) {
    let node = <usize>load<u32>(buckets + (<usize>i << 2));
    while (node != 0) {
      const hash = nodeHash(node);
      assert((hash & (size - 1)) == i, "set: node in the wrong bucket");
      assert(hash == hashBytes(nodeBytes(node), nodeLen(node)), "set: stale node hash");
      assert(!isDrawn(node), "set: drawn mark left");
      seen++;
      node = nodeNext(node);
    }
  }
  assert(seen == tableCount(ptr), "set: table count mismatch");
}
