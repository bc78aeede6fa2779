// chain.ts — the chained nodes the two collection hash tables share (hash_table.ts for hash
// fields, set_table.ts for set members): both start a node with the same three words, so the
// walks over chains — find, move to a resized bucket array, free — are written once here.
//
//   node prefix (the rest is the table's own: key bytes at its keyOffset, perhaps a value)
//   ┌──────────┬──────────┬──────────────────────────┬─ ─ ─
//   │ next u32 │ hash u32 │ len u32 (key bytes)      │ …
//   └──────────┴──────────┴──────────────────────────┴─ ─ ─
//    0          4          8
//   A bucket array is a power-of-two array of u32 node addresses (0 = empty chain).
//
// The keyspace (dict.ts, entry.ts) and the sorted-set member hash (zset_skiplist.ts) chain
// through other offsets in larger records, so they keep their own walks.

import { bytesEqual } from "./bytes";
import { free } from "./pages";

export const CHAIN_NEXT: usize = 0;
export const CHAIN_HASH: usize = 4;
export const CHAIN_LEN: usize = 8;

@inline function chainNext(node: usize): usize {
  return <usize>load<u32>(node, CHAIN_NEXT);
}
@inline export function chainHash(node: usize): u32 {
  return load<u32>(node, CHAIN_HASH);
}

/** Pushes node on the chain of `bucket` (a bucket slot's address). */
@inline export function chainPush(bucket: usize, node: usize): void {
  store<u32>(node, load<u32>(bucket), CHAIN_NEXT);
  store<u32>(bucket, <u32>node);
}

/**
 * The u32 link (the bucket slot, or a node's next word) pointing at the node whose key is
 * (src, len) with hash `hash`, or 0. A node's key is len & lenMask bytes at node + keyOffset
 * (lenMask lets a table keep flag bits above the length).
 */
@inline export function chainFindLink(
  bucket: usize,
  src: usize,
  len: u32,
  hash: u32,
  keyOffset: usize,
  lenMask: u32,
): usize {
  let link = bucket;
  let node = <usize>load<u32>(link);
  while (node != 0) {
    if (
      chainHash(node) == hash && (load<u32>(node, CHAIN_LEN) & lenMask) == len &&
      bytesEqual(node + keyOffset, src, len)
    ) {
      return link;
    }
    link = node + CHAIN_NEXT;
    node = <usize>load<u32>(link);
  }
  return 0;
}

/** Moves every node of bucketCount buckets at `from` onto the chains of `to` (mask toMask). */
export function chainsMove(from: usize, bucketCount: u32, to: usize, toMask: u32): void {
  for (let i: u32 = 0; i < bucketCount; i++) {
    let node = <usize>load<u32>(from + (<usize>i << 2));
    while (node != 0) {
      const next = chainNext(node);
      chainPush(to + (<usize>(chainHash(node) & toMask) << 2), node);
      node = next;
    }
  }
}

/** Frees every node chained from bucketCount buckets at `buckets` (not the array itself). */
export function chainsFree(buckets: usize, bucketCount: u32): void {
  for (let i: u32 = 0; i < bucketCount; i++) {
    let node = <usize>load<u32>(buckets + (<usize>i << 2));
    while (node != 0) {
      const next = chainNext(node);
      free(node);
      node = next;
    }
  }
}
