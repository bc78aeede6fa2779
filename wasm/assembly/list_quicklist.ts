// list_quicklist.ts — the list encoding: a quicklist-like chain of packed nodes, and every
// operation on it that knows its bytes (the commands, list.ts, only walk and call).
//
// Redis 7.0 stores every list as a quicklist (OBJECT ENCODING answers "quicklist" for all of
// them): a doubly linked list of listpack nodes, each at most 8 KB (list-max-listpack-size -2).
// We keep that shape because it gives both properties the commands need: O(1) push and pop at
// either end (only the end node is touched, at most one realloc) and compact memory (an element
// costs its bytes plus two length bytes, a small list is a single allocation). There is no
// second encoding to convert to: Redis 7.0 reports "quicklist" at every size, and so do we.
//
// The value in the keyspace entry (no separate list header: the entry's two value words are it)
//
//   entry.valuePtr ──► head node        entry.valueLen = element count of the whole list
//
// Node (one allocation from pages.ts; the slab slot may be larger than header + usedBytes)
//
//   ┌──────────┬──────────┬──────────────┬────────────┬────────────────────────────────┬──────┐
//   │ prev u32 │ next u32 │ usedBytes u32│ count u32  │ packed entries (usedBytes B)   │ spare│
//   └──────────┴──────────┴──────────────┴────────────┴────────────────────────────────┴──────┘
//    0          4          8              12           16 = NODE_HEADER_SIZE_BYTES
//   prev of the head node points at the tail node (so the tail is found in O(1) without a
//   list header); next of the tail node is 0. A node never stays linked with count 0.
//
// Packed entry (listpack-like: walkable from either end)
//
//   ┌──────────────────────┬────────────────┬──────────────────────────┐
//   │ len, LEB128 forward  │ len data bytes │ len, LEB128 mirrored     │
//   │ 1..5 B, low group 1st│                │ low group in the LAST B  │
//   └──────────────────────┴────────────────┴──────────────────────────┘
//   Both length fields have the same size (varintSize(len)), so an entry is
//   2·varintSize(len) + len bytes: a 10-byte element takes 12 bytes. Reading backwards from an
//   entry's end: the last byte holds bits 0..6 and bit 7 says "one more byte before me".
//
// Node size follows Redis's list-max-listpack-size ("fill", set by setNodeFill): a
// negative fill caps header + usedBytes at 4/8/16/32/64 KB (-1..-5; -2, 8 KB, is the default), a
// fill ≥ 0 caps the element count of a node at fill and its bytes at 8 KB (SIZE_SAFETY_LIMIT).
// An element too large for that gets a node of its own (Redis does the same), and so does an
// element of packedThresholdBytes or more (Redis's "plain" node, DEBUG
// QUICKLIST-PACKED-THRESHOLD): no other element joins a node whose single element is that
// large. A node built under an older setting keeps its shape (Redis does not re-pack either).
// Inserting into a full node splits it at the insertion point. Removing entries never
// allocates: a node left with count 0 is unlinked and freed, and one left far below its slot
// size is moved to a smaller slot only when that allocation succeeds (so pops and deletes
// cannot fail).
//
// Failure: every operation that can fail allocates before it changes anything it cannot undo
// and reports false (the list's elements as they were; a split node stays split, which no
// reply shows).

import { TYPE_LIST } from "./abi";
import { bytesEqual } from "./bytes";
import { entryValueLen, entryValuePtr, setEntryValue } from "./entry";
import { alloc, free, usableSize } from "./pages";

const NODE_PREV: usize = 0;
const NODE_NEXT: usize = 4;
const NODE_USED: usize = 8;
const NODE_COUNT: usize = 12;
const NODE_HEADER_SIZE_BYTES: usize = 16;
/** Node byte caps for fill -1..-5 (Redis's optimization_level). */
const NODE_SIZE_LEVEL_COUNT: i32 = 5;
const NODE_SIZE_LEVEL_MIN_BYTES: usize = 4096;
/** The largest cap any fill allows: a multi-element node never holds more. */
const NODE_SIZE_BYTES_MAX: usize = NODE_SIZE_LEVEL_MIN_BYTES << (NODE_SIZE_LEVEL_COUNT - 1);
/** Byte cap of a node when the fill counts elements (Redis's SIZE_SAFETY_LIMIT). */
const NODE_SIZE_SAFETY_BYTES: usize = 8192;
/** Redis's default packed threshold (1 GB): elements this long or longer get a node alone. */
const PACKED_THRESHOLD_DEFAULT_BYTES: u32 = 1 << 30;
/** A node whose slot is over this size and over SHRINK_RATIO × its need moves to a smaller slot. */
const NODE_SHRINK_MIN_BYTES: usize = 256;
const NODE_SHRINK_RATIO: usize = 4;

/** list-max-listpack-size: < 0 caps node bytes (-1..-5 → 4..64 KB), ≥ 0 caps node elements. */
let nodeFill: i32 = -2;
/** DEBUG QUICKLIST-PACKED-THRESHOLD: elements of at least this many bytes never share a node. */
let packedThresholdBytes: u32 = PACKED_THRESHOLD_DEFAULT_BYTES;

/** Sets list-max-listpack-size for insertions from now on (existing nodes keep their shape). */
export function setNodeFill(fill: i32): void {
  nodeFill = fill;
}

/** Sets the packed threshold in bytes (0 = the 1 GB default) for insertions from now on. */
export function setPackedThreshold(thresholdBytes: u32): void {
  packedThresholdBytes = thresholdBytes == 0 ? PACKED_THRESHOLD_DEFAULT_BYTES : thresholdBytes;
}

/**
 * Most bytes (header included) a node holding more than one element may reach under the fill.
 * A fill below -5 allows no second element at all (as Redis's does): 0.
 */
function nodeBytesLimit(): usize {
  if (nodeFill >= 0) return NODE_SIZE_SAFETY_BYTES;
  const level = -(nodeFill + 1);
  if (level >= NODE_SIZE_LEVEL_COUNT) return 0;
  return NODE_SIZE_LEVEL_MIN_BYTES << level;
}

// ── Node accessors ──────────────────────────────────────────────────────────────────────

@inline export function nodePrev(node: usize): usize {
  return <usize>load<u32>(node, NODE_PREV);
}
@inline export function nodeNext(node: usize): usize {
  return <usize>load<u32>(node, NODE_NEXT);
}
@inline export function nodeUsed(node: usize): usize {
  return <usize>load<u32>(node, NODE_USED);
}
@inline function nodeCount(node: usize): u32 {
  return load<u32>(node, NODE_COUNT);
}
@inline export function nodeData(node: usize): usize {
  return node + NODE_HEADER_SIZE_BYTES;
}
@inline function setNodePrev(node: usize, prev: usize): void {
  store<u32>(node, <u32>prev, NODE_PREV);
}
@inline function setNodeNext(node: usize, next: usize): void {
  store<u32>(node, <u32>next, NODE_NEXT);
}
@inline function setNodeUsed(node: usize, usedBytes: usize): void {
  store<u32>(node, <u32>usedBytes, NODE_USED);
}
@inline function setNodeCount(node: usize, count: u32): void {
  store<u32>(node, count, NODE_COUNT);
}

@inline export function listHead(e: usize): usize {
  return entryValuePtr(e);
}
@inline export function listTail(e: usize): usize {
  return nodePrev(entryValuePtr(e));
}
@inline export function listLen(e: usize): u32 {
  return entryValueLen(e);
}
@inline function setListHead(e: usize, head: usize): void {
  setEntryValue(e, head, entryValueLen(e), TYPE_LIST);
}
@inline function setListLen(e: usize, count: u32): void {
  setEntryValue(e, entryValuePtr(e), count, TYPE_LIST);
}

// ── Packed entries ──────────────────────────────────────────────────────────────────────

@inline export function varintSize(len: u32): usize {
  if (len < 0x80) return 1;
  if (len < 0x4000) return 2;
  if (len < 0x200000) return 3;
  if (len < 0x10000000) return 4;
  return 5;
}

/** Bytes an entry of len data bytes takes in a node. */
@inline export function entrySize(len: u32): usize {
  return (varintSize(len) << 1) + <usize>len;
}

/** Data length of the entry starting at p. */
export function entryLenAt(p: usize): u32 {
  let len: u32 = 0;
  let shift: u32 = 0;
  while (true) {
    const b = <u32>load<u8>(p);
    len |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) return len;
    shift += 7;
    p++;
  }
}

/** Data length of the entry ending just before end. */
export function entryLenBefore(end: usize): u32 {
  let len: u32 = 0;
  let shift: u32 = 0;
  let p = end - 1;
  while (true) {
    const b = <u32>load<u8>(p);
    len |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) return len;
    shift += 7;
    p--;
  }
}

/** Writes one entry (both length fields and the data) at p. */
function writeEntry(p: usize, src: usize, len: u32): void {
  const fieldBytes = varintSize(len);
  let rest = len;
  for (let i: usize = 0; i < fieldBytes; i++) {
    let b = rest & 0x7f;
    rest >>= 7;
    if (i + 1 < fieldBytes) b |= 0x80;
    store<u8>(p + i, <u8>b); // prefix: low group first
    store<u8>(p + fieldBytes + <usize>len + fieldBytes - 1 - i, <u8>b); // suffix: low group last
  }
  memory.copy(p + fieldBytes, src, len);
}

/** Byte offset, within node's data, of its k-th entry (k == count gives usedBytes). */
function offsetOfNth(node: usize, k: u32): usize {
  const count = nodeCount(node);
  assert(k <= count);
  const data = nodeData(node);
  if (k <= count >> 1) {
    let offset: usize = 0;
    for (let i: u32 = 0; i < k; i++) offset += entrySize(entryLenAt(data + offset));
    return offset;
  }
  let offset = nodeUsed(node);
  for (let i = count; i > k; i--) offset -= entrySize(entryLenBefore(data + offset));
  return offset;
}

/** Entries in data bytes [from, to) of a node. */
function countEntries(data: usize, from: usize, to: usize): u32 {
  let count: u32 = 0;
  let offset = from;
  while (offset < to) {
    offset += entrySize(entryLenAt(data + offset));
    count++;
  }
  assert(offset == to);
  return count;
}

/** Compares the entry at p with len bytes at needle. */
@inline export function entryEquals(p: usize, needle: usize, needleLen: u32): bool {
  const len = entryLenAt(p);
  return len == needleLen && bytesEqual(p + varintSize(len), needle, len);
}

// ── Cursor: where seek() left off ───────────────────────────────────────────────────────

/** Node and data offset of the element seek() found. */
export let seekNode: usize = 0;
export let seekOffset: usize = 0;

/** Positions the cursor on element index (0 ≤ index < listLen), from the nearer end. */
export function seek(e: usize, index: u32): void {
  const total = listLen(e);
  assert(index < total);
  if (index < total >> 1) {
    let node = listHead(e);
    let rest = index;
    while (rest >= nodeCount(node)) {
      rest -= nodeCount(node);
      node = nodeNext(node);
    }
    seekNode = node;
    seekOffset = offsetOfNth(node, rest);
  } else {
    let node = listTail(e);
    let back = total - 1 - index; // 0 = last element
    while (back >= nodeCount(node)) {
      back -= nodeCount(node);
      node = nodePrev(node);
    }
    seekNode = node;
    seekOffset = offsetOfNth(node, nodeCount(node) - 1 - back);
  }
}

// ── Node allocation and linking ─────────────────────────────────────────────────────────

/** A fresh unlinked node with room for dataBytes; 0 on OOM. */
function allocNode(dataBytes: usize): usize {
  const node = alloc(NODE_HEADER_SIZE_BYTES + dataBytes);
  if (node == 0) return 0;
  setNodePrev(node, 0);
  setNodeNext(node, 0);
  setNodeUsed(node, 0);
  setNodeCount(node, 0);
  return node;
}

/** Points every link that named old at fresh (fresh already holds old's header and data). */
function relink(e: usize, old: usize, fresh: usize): void {
  const head = listHead(e);
  const prev = nodePrev(old);
  const next = nodeNext(old);
  if (old == head) setListHead(e, fresh);
  else setNodeNext(prev, fresh);
  if (next != 0) {
    setNodePrev(next, fresh);
  } else {
    // old was the tail: the head's prev names it (and old may be the head itself).
    setNodePrev(old == head ? fresh : head, fresh);
  }
}

/** Moves node to a slot of newSizeBytes if it needs one; the node's address, or 0 on OOM. */
function ensureCapacity(e: usize, node: usize, needBytes: usize): usize {
  if (usableSize(node) >= needBytes) return node;
  const fresh = alloc(needBytes);
  if (fresh == 0) return 0;
  memory.copy(fresh, node, NODE_HEADER_SIZE_BYTES + nodeUsed(node));
  relink(e, node, fresh);
  free(node);
  return fresh;
}

/** Moves a node that holds far less than its slot into a smaller slot, if memory allows. */
function maybeShrink(e: usize, node: usize): void {
  const slotBytes = usableSize(node);
  const needBytes = NODE_HEADER_SIZE_BYTES + nodeUsed(node);
  if (slotBytes <= NODE_SHRINK_MIN_BYTES || slotBytes < needBytes * NODE_SHRINK_RATIO) return;
  const fresh = alloc(needBytes);
  if (fresh == 0) return; // keep the big slot: removal never fails
  memory.copy(fresh, node, needBytes);
  relink(e, node, fresh);
  free(node);
}

function linkAfter(e: usize, node: usize, fresh: usize): void {
  const next = nodeNext(node);
  setNodePrev(fresh, node);
  setNodeNext(fresh, next);
  setNodeNext(node, fresh);
  if (next != 0) setNodePrev(next, fresh);
  else setNodePrev(listHead(e), fresh); // fresh is the new tail
}

function linkBefore(e: usize, node: usize, fresh: usize): void {
  const prev = nodePrev(node);
  setNodePrev(fresh, prev);
  setNodeNext(fresh, node);
  setNodePrev(node, fresh);
  if (node == listHead(e)) setListHead(e, fresh); // prev was the tail; it stays the tail
  else setNodeNext(prev, fresh);
}

/** Unlinks and frees a node (its elements must already be subtracted from the list length). */
function unlinkNode(e: usize, node: usize): void {
  const head = listHead(e);
  const prev = nodePrev(node);
  const next = nodeNext(node);
  if (node == head) {
    if (next != 0) setNodePrev(next, prev); // prev is the tail
    setListHead(e, next);
  } else {
    setNodeNext(prev, next);
    if (next != 0) setNodePrev(next, prev);
    else setNodePrev(head, prev);
  }
  free(node);
}

// ── Insertion and removal ───────────────────────────────────────────────────────────────

/** Whether a node holds a single element at or over the packed threshold (a "plain" node). */
function isPlainNode(node: usize): bool {
  return nodeCount(node) == 1 && entryLenAt(nodeData(node)) >= packedThresholdBytes;
}

/** Whether an element of len bytes (size bytes packed) may join node under the limits. */
function fitsIn(node: usize, size: usize, len: u32): bool {
  if (len >= packedThresholdBytes || isPlainNode(node)) return false;
  if (NODE_HEADER_SIZE_BYTES + nodeUsed(node) + size > nodeBytesLimit()) return false;
  return nodeFill < 0 || nodeCount(node) < <u32>nodeFill;
}

/** Writes an entry at offset of a node that has the room (capacity already ensured). */
function putEntry(e: usize, node: usize, offset: usize, src: usize, len: u32): void {
  const size = entrySize(len);
  const used = nodeUsed(node);
  assert(offset <= used);
  assert(usableSize(node) >= NODE_HEADER_SIZE_BYTES + used + size);
  const data = nodeData(node);
  memory.copy(data + offset + size, data + offset, used - offset);
  writeEntry(data + offset, src, len);
  setNodeUsed(node, used + size);
  setNodeCount(node, nodeCount(node) + 1);
  setListLen(e, listLen(e) + 1);
}

/**
 * Inserts len bytes at src before the entry at data offset `offset` of node (offset ==
 * usedBytes: after its last entry). node 0 means the list is empty. False on OOM, with the
 * list's elements unchanged.
 */
export function insertAt(e: usize, node: usize, offset: usize, src: usize, len: u32): bool {
  const size = entrySize(len);
  if (node == 0) {
    assert(listLen(e) == 0);
    const fresh = allocNode(size);
    if (fresh == 0) return false;
    setNodePrev(fresh, fresh);
    setListHead(e, fresh);
    putEntry(e, fresh, 0, src, len);
    return true;
  }
  const used = nodeUsed(node);
  if (fitsIn(node, size, len)) {
    const grown = ensureCapacity(e, node, NODE_HEADER_SIZE_BYTES + used + size);
    if (grown == 0) return false;
    putEntry(e, grown, offset, src, len);
    return true;
  }
  if (offset == 0) {
    if (node != listHead(e)) {
      const prev = nodePrev(node);
      if (fitsIn(prev, size, len)) return insertAt(e, prev, nodeUsed(prev), src, len);
    }
    const fresh = allocNode(size);
    if (fresh == 0) return false;
    linkBefore(e, node, fresh);
    putEntry(e, fresh, 0, src, len);
    return true;
  }
  if (offset == used) {
    const next = nodeNext(node);
    if (next != 0 && fitsIn(next, size, len)) return insertAt(e, next, 0, src, len);
    const fresh = allocNode(size);
    if (fresh == 0) return false;
    linkAfter(e, node, fresh);
    putEntry(e, fresh, 0, src, len);
    return true;
  }
  // Full node, insertion inside it: split at offset, then the insertion is at a node's end.
  const data = nodeData(node);
  const right = allocNode(used - offset);
  if (right == 0) return false;
  const rightCount = countEntries(data, offset, used);
  memory.copy(nodeData(right), data + offset, used - offset);
  setNodeUsed(right, used - offset);
  setNodeCount(right, rightCount);
  setNodeUsed(node, offset);
  setNodeCount(node, nodeCount(node) - rightCount);
  linkAfter(e, node, right);
  return insertAt(e, node, offset, src, len);
}

/**
 * Removes entryCount entries (byteCount bytes) at data offset `offset` of node. Frees the
 * node if it empties; never allocates except an optional shrink.
 */
function removeAt(e: usize, node: usize, offset: usize, byteCount: usize, entryCount: u32): void {
  const used = nodeUsed(node);
  const count = nodeCount(node);
  assert(offset + byteCount <= used);
  assert(entryCount <= count);
  const data = nodeData(node);
  memory.copy(data + offset, data + offset + byteCount, used - offset - byteCount);
  setNodeUsed(node, used - byteCount);
  setNodeCount(node, count - entryCount);
  setListLen(e, listLen(e) - entryCount);
  if (count == entryCount) unlinkNode(e, node);
  else maybeShrink(e, node);
}

/** Removes the first n elements. */
export function dropHead(e: usize, n: u32): void {
  while (n > 0) {
    const head = listHead(e);
    const count = nodeCount(head);
    if (n >= count) {
      removeAt(e, head, 0, nodeUsed(head), count);
      n -= count;
    } else {
      removeAt(e, head, 0, offsetOfNth(head, n), n);
      n = 0;
    }
  }
}

/** Removes the last n elements. */
export function dropTail(e: usize, n: u32): void {
  while (n > 0) {
    const tail = listTail(e);
    const count = nodeCount(tail);
    if (n >= count) {
      removeAt(e, tail, 0, nodeUsed(tail), count);
      n -= count;
    } else {
      const offset = offsetOfNth(tail, count - n);
      removeAt(e, tail, offset, nodeUsed(tail) - offset, n);
      n = 0;
    }
  }
}

/**
 * Replaces the element at index (< listLen) with len bytes at src. False on OOM (the list as it
 * was). In place when the node has room, else the new element goes in before the old one goes.
 */
export function replaceAt(e: usize, index: u32, src: usize, len: u32): bool {
  seek(e, index);
  let node = seekNode;
  const offset = seekOffset;
  const oldSize = entrySize(entryLenAt(nodeData(node) + offset));
  const newSize = entrySize(len);
  const used = nodeUsed(node);
  const inPlace = nodeCount(node) == 1 ||
    (len < packedThresholdBytes &&
      NODE_HEADER_SIZE_BYTES + used - oldSize + newSize <= nodeBytesLimit());
  if (inPlace) {
    // Replace in place: grow first (the only step that can fail), then shift the tail.
    if (newSize > oldSize) {
      node = ensureCapacity(e, node, NODE_HEADER_SIZE_BYTES + used - oldSize + newSize);
      if (node == 0) return false;
    }
    const data = nodeData(node);
    memory.copy(data + offset + newSize, data + offset + oldSize, used - offset - oldSize);
    writeEntry(data + offset, src, len);
    setNodeUsed(node, used - oldSize + newSize);
    if (newSize < oldSize) maybeShrink(e, node);
    return true;
  }
  // No room: insert the new element before the old one, then remove the old one.
  if (!insertAt(e, node, offset, src, len)) return false;
  seek(e, index + 1);
  removeAt(e, seekNode, seekOffset, entrySize(entryLenAt(nodeData(seekNode) + seekOffset)), 1);
  return true;
}

// ── Searching ───────────────────────────────────────────────────────────────────────────

/**
 * Positions the cursor (seekNode, seekOffset) on the first element equal to needle, head to
 * tail; false when there is none.
 */
export function seekFirstMatch(e: usize, needle: usize, needleLen: u32): bool {
  let node = listHead(e);
  while (node != 0) {
    const data = nodeData(node);
    const used = nodeUsed(node);
    let offset: usize = 0;
    while (offset < used) {
      if (entryEquals(data + offset, needle, needleLen)) {
        seekNode = node;
        seekOffset = offset;
        return true;
      }
      offset += entrySize(entryLenAt(data + offset));
    }
    node = nodeNext(node);
  }
  return false;
}

/** Elements equal to needle in the whole list. */
export function countMatches(e: usize, needle: usize, needleLen: u32): u32 {
  let matches: u32 = 0;
  let node = listHead(e);
  while (node != 0) {
    const data = nodeData(node);
    const used = nodeUsed(node);
    let offset: usize = 0;
    while (offset < used) {
      if (entryEquals(data + offset, needle, needleLen)) matches++;
      offset += entrySize(entryLenAt(data + offset));
    }
    node = nodeNext(node);
  }
  return matches;
}

/**
 * Removes, head to tail, the matches of needle after the first `skip` ones, at most `limit`
 * (0 = no limit), compacting each node in one pass. Returns how many were removed.
 */
export function removeMatches(e: usize, needle: usize, needleLen: u32, skip: u32, limit: u32): u32 {
  let removed: u32 = 0;
  let seen: u32 = 0;
  let node = listHead(e);
  while (node != 0 && (limit == 0 || removed < limit)) {
    const next = nodeNext(node);
    const data = nodeData(node);
    const used = nodeUsed(node);
    let read: usize = 0;
    let write: usize = 0;
    let removedHere: u32 = 0;
    while (read < used) {
      const size = entrySize(entryLenAt(data + read));
      if ((limit == 0 || removed < limit) && entryEquals(data + read, needle, needleLen)) {
        seen++;
        if (seen > skip) {
          removed++;
          removedHere++;
          read += size;
          continue;
        }
      }
      if (write != read) memory.copy(data + write, data + read, size);
      write += size;
      read += size;
    }
    if (removedHere > 0) {
      // The bytes are already compacted; removeAt drops the freed tail and fixes the counts.
      removeAt(e, node, write, used - write, removedHere);
    }
    node = next;
  }
  return removed;
}

/**
 * Walks the list at e checking every invariant (links, counts, entry framing, node sizes);
 * an inconsistency is an assert. Returns the node count.
 */
export function checkList(e: usize): u32 {
  const head = listHead(e);
  assert(head != 0, "list: a stored list is never empty");
  let node = head;
  let prev = nodePrev(head);
  let nodes: u32 = 0;
  let elements: u32 = 0;
  let last: usize = 0;
  while (node != 0) {
    if (node != head) assert(nodePrev(node) == prev, "list: broken prev link");
    const count = nodeCount(node);
    const used = nodeUsed(node);
    assert(count > 0, "list: empty node linked");
    assert(usableSize(node) >= NODE_HEADER_SIZE_BYTES + used, "list: node overflows its slot");
    assert(
      count == 1 || NODE_HEADER_SIZE_BYTES + used <= NODE_SIZE_BYTES_MAX,
      "list: node over its size limit",
    );
    assert(countEntries(nodeData(node), 0, used) == count, "list: node count mismatch");
    elements += count;
    nodes++;
    prev = node;
    last = node;
    node = nodeNext(node);
  }
  assert(nodePrev(head) == last, "list: head.prev is not the tail");
  assert(elements == listLen(e), "list: length mismatch");
  return nodes;
}

// ── Whole values (values.ts) ────────────────────────────────────────────────────────────

/** Frees every node of the list. */
export function listFreeValue(valuePtr: usize, valueLen: u32): void {
  let node = valuePtr;
  let freed: u32 = 0;
  while (node != 0) {
    const next = nodeNext(node);
    freed += nodeCount(node);
    free(node);
    node = next;
  }
  assert(freed == valueLen);
}

/** Deep copy; the new head node, or 0 on OOM (nothing left allocated). */
export function listCopyValue(valuePtr: usize, valueLen: u32): usize {
  assert(valuePtr != 0);
  let newHead: usize = 0;
  let last: usize = 0;
  let copiedCount: u32 = 0;
  let src = valuePtr;
  while (src != 0) {
    const sizeBytes = NODE_HEADER_SIZE_BYTES + nodeUsed(src);
    const fresh = alloc(sizeBytes);
    if (fresh == 0) {
      if (newHead != 0) listFreeValue(newHead, copiedCount);
      return 0;
    }
    memory.copy(fresh, src, sizeBytes);
    setNodeNext(fresh, 0);
    if (newHead == 0) {
      newHead = fresh;
    } else {
      setNodeNext(last, fresh);
      setNodePrev(fresh, last);
    }
    setNodePrev(newHead, fresh);
    copiedCount += nodeCount(fresh);
    last = fresh;
    src = nodeNext(src);
  }
  assert(copiedCount == valueLen);
  return newHead;
}
