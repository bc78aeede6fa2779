// hash_table.ts — the large hash encoding ("hashtable"): a chained hash table of field/value
// nodes, and its conversion from the small encoding (hash_listpack.ts).
//
// entry.valuePtr → one block, header then buckets; entry.valueLen = TABLE_FLAG. Nodes are
// single allocations chained through `next`.
//
//   table block                                   node
//   ┌──────────┬──────────┬────────┬────────┬─    ┌──────┬──────┬────────┬────────┬──────┬──────┐
//   │count u32 │mask u32  │bucket 0│bucket 1│…    │next  │hash  │fieldLen│valueLen│field │value │
//   │pairs     │buckets-1 │u32 node│        │     │u32   │u32   │u32     │u32     │bytes │bytes │
//   └──────────┴──────────┴────────┴────────┴─    └──────┴──────┴────────┴────────┴──────┴──────┘
//    0          4          8                       0      4      8        12       16
//
// Buckets are a power of two, grown to hold every pair (load ≤ 1) and shrunk below 1/8 full.
// A resize rehashes at once (amortised O(1) per insert): unlike the keyspace, a hash is one
// value whose commands are already O(N) at worst, so incremental rehashing buys little here.
// HSCAN walks buckets in reverse-binary cursor order (bytes.ts reverseIncrement), so fields
// present for a whole scan are returned at least once across resizes (Redis's dictScan
// guarantee). Every write allocates its nodes and any larger bucket array before it links
// anything, so a failed write leaves the table as it was.

import { STATUS_OOM } from "./abi";
import { frameBytes, frameLen, frameNext } from "./boundary";
import { BUCKET_COUNT_MIN, bucketCountFor, hashBytes } from "./bytes";
import {
  CHAIN_HASH,
  CHAIN_LEN,
  CHAIN_NEXT,
  chainFindLink,
  chainHash,
  chainPush,
  chainsFree,
  chainsMove,
} from "./chain";
import {
  lpFieldLen,
  lpFieldPtr,
  lpNextPair,
  lpValueLenAt,
  lpValuePtr,
} from "./hash_listpack";
import { alloc, free } from "./pages";
import { nextRandom, randomBelow } from "./random";

const TABLE_COUNT: usize = 0;
const TABLE_MASK: usize = 4;
const TABLE_HEADER_SIZE_BYTES: usize = 8;

const NODE_NEXT: usize = CHAIN_NEXT;
const NODE_HASH: usize = CHAIN_HASH;
const NODE_FIELD_LEN: usize = CHAIN_LEN;
const NODE_VALUE_LEN: usize = 12;
const NODE_HEADER_SIZE_BYTES: usize = 16;

/** Random bucket probes before HRANDFIELD falls back to a walk (very sparse tables). */
const RANDOM_BUCKET_PROBES_MAX: u32 = 1 << 16;
/** Positions drawn per probed bucket (see tableRandomNode). */
const RANDOM_CHAIN_SLOTS: u32 = 4;

/** Node slot for the common single-pair write (saves an allocation per HSET). */
const singleNodeCell: usize = memory.data(4, 4);

// ── Accessors ───────────────────────────────────────────────────────────────────────────

@inline export function tableCount(t: usize): u32 {
  return load<u32>(t, TABLE_COUNT);
}
@inline export function tableMask(t: usize): u32 {
  return load<u32>(t, TABLE_MASK);
}
@inline export function tableBucket(t: usize, index: u32): usize {
  return t + TABLE_HEADER_SIZE_BYTES + (<usize>index << 2);
}
@inline export function nodeNext(node: usize): usize {
  return <usize>load<u32>(node, NODE_NEXT);
}
@inline export function nodeFieldLen(node: usize): u32 {
  return load<u32>(node, NODE_FIELD_LEN);
}
@inline export function nodeValueLen(node: usize): u32 {
  return load<u32>(node, NODE_VALUE_LEN);
}
@inline export function nodeFieldPtr(node: usize): usize {
  return node + NODE_HEADER_SIZE_BYTES;
}
@inline export function nodeValuePtr(node: usize): usize {
  return node + NODE_HEADER_SIZE_BYTES + <usize>nodeFieldLen(node);
}

// ── Operations ──────────────────────────────────────────────────────────────────────────

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
  chainPush(tableBucket(t, chainHash(node) & tableMask(t)), node);
}

/** Address of the u32 link pointing at the node for field (bucket slot or a node's next), or 0. */
@inline function tableFindLink(t: usize, fieldPtr: usize, fieldLen: u32, hash: u32): usize {
  const bucket = tableBucket(t, hash & tableMask(t));
  return chainFindLink(bucket, fieldPtr, fieldLen, hash, NODE_HEADER_SIZE_BYTES, 0xffffffff);
}

export function tableFind(t: usize, fieldPtr: usize, fieldLen: u32): usize {
  const link = tableFindLink(t, fieldPtr, fieldLen, hashBytes(fieldPtr, fieldLen));
  return link == 0 ? 0 : <usize>load<u32>(link);
}

/** Frees every node and the table. */
export function tableFree(t: usize): void {
  chainsFree(tableBucket(t, 0), tableMask(t) + 1);
  free(t);
}

/** Moves every node of t into a new table of bucketCount buckets; frees t. 0 on OOM (t kept). */
function tableResize(t: usize, bucketCount: u32): usize {
  const fresh = tableAlloc(bucketCount);
  if (fresh == 0) return 0;
  chainsMove(tableBucket(t, 0), tableMask(t) + 1, tableBucket(fresh, 0), bucketCount - 1);
  store<u32>(fresh, tableCount(t), TABLE_COUNT);
  free(t);
  return fresh;
}

/** A table holding copies of a small block's pairs, or 0 on OOM (nothing kept). */
export function tableFromListpack(block: usize, usedBytes: u32, count: u32): usize {
  const t = tableAlloc(bucketCountFor(count));
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
    pair = lpNextPair(pair);
  }
  assert(linked == count);
  store<u32>(t, count, TABLE_COUNT);
  return t;
}

/** Outcome of tableSetPairs: the table after the write (it may have been resized). */
export let tableSetResult: usize = 0;

/**
 * Sets pairCount staged pairs (frames from `frame`) in table t. All nodes and any larger
 * bucket array are allocated first, so on STATUS_OOM t is untouched. Returns fields added; the
 * table to keep is in tableSetResult (t itself unless it grew).
 */
export function tableSetPairs(t: usize, frame: usize, pairCount: u32): i32 {
  const nodes = pairCount == 1 ? singleNodeCell : alloc(<usize>pairCount << 2);
  if (nodes == 0) return STATUS_OOM;
  let freshCount: u32 = 0;
  let at = frame;
  for (let i: u32 = 0; i < pairCount; i++) {
    const fieldAt = at;
    const valueAt = frameNext(fieldAt);
    at = frameNext(valueAt);
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
    const grown = tableResize(t, bucketCountFor(needCount));
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
export function tableMaybeShrink(t: usize): usize {
  const bucketCount = tableMask(t) + 1;
  const count = tableCount(t);
  if (bucketCount <= BUCKET_COUNT_MIN || count >= (bucketCount >> 3)) return t;
  const shrunk = tableResize(t, bucketCountFor(count));
  return shrunk == 0 ? t : shrunk;
}

/** Unlinks and frees the node for field; false when the table has no such field. */
export function tableRemove(t: usize, fieldPtr: usize, fieldLen: u32): bool {
  const link = tableFindLink(t, fieldPtr, fieldLen, hashBytes(fieldPtr, fieldLen));
  if (link == 0) return false;
  const node = <usize>load<u32>(link);
  store<u32>(link, load<u32>(node, NODE_NEXT));
  free(node);
  store<u32>(t, tableCount(t) - 1, TABLE_COUNT);
  return true;
}

/** A random pair of a non-empty table: a random bucket, then a random position in its chain. */
export function tableRandomNode(t: usize): usize {
  const mask = tableMask(t);
  for (let probe: u32 = 0; probe < RANDOM_BUCKET_PROBES_MAX; probe++) {
    const first = <usize>load<u32>(tableBucket(t, <u32>nextRandom() & mask));
    if (first == 0) continue;
    let chainLen: u32 = 0;
    for (let node = first; node != 0; node = nodeNext(node)) chainLen++;
    // A position past the chain's end is retried, so a pair in a long chain is not rarer than
    // one alone (uniform while chains are at most RANDOM_CHAIN_SLOTS long, as set_table.ts).
    const slot = randomBelow(chainLen > RANDOM_CHAIN_SLOTS ? chainLen : RANDOM_CHAIN_SLOTS);
    if (slot >= chainLen) continue;
    let node = first;
    for (let skip = slot; skip > 0; skip--) node = nodeNext(node);
    return node;
  }
  for (let i: u32 = 0; i <= mask; i++) {
    const node = <usize>load<u32>(tableBucket(t, i));
    if (node != 0) return node;
  }
  assert(false, "random pick from an empty hash table");
  return 0;
}

/** Deep copy of table t (same bucket count), or 0 on OOM (nothing left allocated). */
export function tableCopy(t: usize): usize {
  const mask = tableMask(t);
  const copied = tableAlloc(mask + 1);
  if (copied == 0) return 0;
  for (let i: u32 = 0; i <= mask; i++) {
    let node = <usize>load<u32>(tableBucket(t, i));
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
  store<u32>(copied, tableCount(t), TABLE_COUNT);
  return copied;
}
