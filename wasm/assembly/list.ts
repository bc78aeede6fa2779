// list.ts — list values: a quicklist-like chain of packed nodes.
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
// Node size: header + usedBytes stays ≤ NODE_SIZE_BYTES_MAX (8 KB, Redis's -2 fill), except
// that an element too large for that gets a node of its own (Redis does the same). Inserting
// into a full node splits it at the insertion point. Removing entries never allocates: a node
// left with count 0 is unlinked and freed, and one left far below its slot size is moved to a
// smaller slot only when that allocation succeeds (so pops and deletes cannot fail).
//
// Failure: every export allocates before it changes anything it cannot undo; an allocation
// failure returns STATUS_OOM with the list's elements as they were (a failed multi-element
// push removes the elements it had added; a split node stays split, which no reply shows).
//
// Arguments: the key is staged at the staging region's start (index.ts), then the command's
// elements as framed parts [u32 len LE][bytes] (core/engine/list.ts writes them).

import { alloc, free, usableSize } from "./pages";
import { bytesEqual, entryValueLen, entryValuePtr, setEntryValue, TYPE_LIST } from "./dict";
import {
  colArgsPtr,
  colDelete,
  colLastStatus,
  colOpenRead,
  colOpenWrite,
  outPush,
  outPushF64,
  outReset,
} from "./index";

const STATUS_OOM: i32 = -3;
/** listInsert: the pivot element is not in the list (Redis replies -1). */
const LIST_PIVOT_MISSING: i32 = -4;

const NODE_PREV: usize = 0;
const NODE_NEXT: usize = 4;
const NODE_USED: usize = 8;
const NODE_COUNT: usize = 12;
const NODE_HEADER_SIZE_BYTES: usize = 16;
/** Redis's list-max-listpack-size -2: nodes up to 8 KB. */
const NODE_SIZE_BYTES_MAX: usize = 8192;
/** A node whose slot is over this size and over SHRINK_RATIO × its need moves to a smaller slot. */
const NODE_SHRINK_MIN_BYTES: usize = 256;
const NODE_SHRINK_RATIO: usize = 4;

// ── Node accessors ──────────────────────────────────────────────────────────────────────

@inline function nodePrev(node: usize): usize {
  return <usize>load<u32>(node, NODE_PREV);
}
@inline function nodeNext(node: usize): usize {
  return <usize>load<u32>(node, NODE_NEXT);
}
@inline function nodeUsed(node: usize): usize {
  return <usize>load<u32>(node, NODE_USED);
}
@inline function nodeCount(node: usize): u32 {
  return load<u32>(node, NODE_COUNT);
}
@inline function nodeData(node: usize): usize {
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

@inline function listHead(e: usize): usize {
  return entryValuePtr(e);
}
@inline function listTail(e: usize): usize {
  return nodePrev(entryValuePtr(e));
}
@inline function listLen(e: usize): u32 {
  return entryValueLen(e);
}
@inline function setListHead(e: usize, head: usize): void {
  setEntryValue(e, head, entryValueLen(e), TYPE_LIST);
}
@inline function setListLen(e: usize, count: u32): void {
  setEntryValue(e, entryValuePtr(e), count, TYPE_LIST);
}

// ── Packed entries ──────────────────────────────────────────────────────────────────────

@inline function varintSize(len: u32): usize {
  if (len < 0x80) return 1;
  if (len < 0x4000) return 2;
  if (len < 0x200000) return 3;
  if (len < 0x10000000) return 4;
  return 5;
}

/** Bytes an entry of len data bytes takes in a node. */
@inline function entrySize(len: u32): usize {
  return (varintSize(len) << 1) + <usize>len;
}

/** Data length of the entry starting at p. */
function entryLenAt(p: usize): u32 {
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
function entryLenBefore(end: usize): u32 {
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
@inline function entryEquals(p: usize, needle: usize, needleLen: u32): bool {
  const len = entryLenAt(p);
  return len == needleLen && bytesEqual(p + varintSize(len), needle, len);
}

// ── Cursor: where seek() left off ───────────────────────────────────────────────────────

/** Node and data offset of the element seek() found. */
let seekNode: usize = 0;
let seekOffset: usize = 0;

/** Positions the cursor on element index (0 ≤ index < listLen), from the nearer end. */
function seek(e: usize, index: u32): void {
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

@inline function fitsIn(node: usize, size: usize): bool {
  return NODE_HEADER_SIZE_BYTES + nodeUsed(node) + size <= NODE_SIZE_BYTES_MAX;
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
function insertAt(e: usize, node: usize, offset: usize, src: usize, len: u32): bool {
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
  if (fitsIn(node, size)) {
    const grown = ensureCapacity(e, node, NODE_HEADER_SIZE_BYTES + used + size);
    if (grown == 0) return false;
    putEntry(e, grown, offset, src, len);
    return true;
  }
  if (offset == 0) {
    if (node != listHead(e)) {
      const prev = nodePrev(node);
      if (fitsIn(prev, size)) return insertAt(e, prev, nodeUsed(prev), src, len);
    }
    const fresh = allocNode(size);
    if (fresh == 0) return false;
    linkBefore(e, node, fresh);
    putEntry(e, fresh, 0, src, len);
    return true;
  }
  if (offset == used) {
    const next = nodeNext(node);
    if (next != 0 && fitsIn(next, size)) return insertAt(e, next, 0, src, len);
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
function dropHead(e: usize, n: u32): void {
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
function dropTail(e: usize, n: u32): void {
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

/** Copies the first (or last) n elements into the out buffer, in pop order. False on OOM. */
function outputEnd(e: usize, n: u32, fromTail: bool): bool {
  let copied: u32 = 0;
  if (!fromTail) {
    let node = listHead(e);
    while (copied < n) {
      const data = nodeData(node);
      const used = nodeUsed(node);
      let offset: usize = 0;
      while (offset < used && copied < n) {
        const len = entryLenAt(data + offset);
        if (!outPush(data + offset + varintSize(len), len)) return false;
        offset += entrySize(len);
        copied++;
      }
      node = nodeNext(node);
    }
  } else {
    let node = listTail(e);
    while (copied < n) {
      const data = nodeData(node);
      let end = nodeUsed(node);
      while (end > 0 && copied < n) {
        const len = entryLenBefore(data + end);
        end -= entrySize(len);
        if (!outPush(data + end + varintSize(len), len)) return false;
        copied++;
      }
      node = nodePrev(node);
    }
  }
  return true;
}

/** Copies count elements starting at index into the out buffer. False on OOM. */
function outputRange(e: usize, index: u32, count: u32): bool {
  if (count == 0) return true;
  seek(e, index);
  let node = seekNode;
  let offset = seekOffset;
  let copied: u32 = 0;
  while (true) {
    const data = nodeData(node);
    const used = nodeUsed(node);
    while (offset < used) {
      const len = entryLenAt(data + offset);
      if (!outPush(data + offset + varintSize(len), len)) return false;
      offset += entrySize(len);
      if (++copied == count) return true;
    }
    node = nodeNext(node);
    offset = 0;
  }
}

/** Clamps Redis-style start/stop against len; sets rangeStart/rangeCount (count 0 = empty). */
let rangeStart: u32 = 0;
let rangeCount: u32 = 0;
function clampRange(len: u32, startIn: f64, stopIn: f64): void {
  let start = startIn;
  let stop = stopIn;
  const total = <f64>len;
  if (start < 0) start += total;
  if (stop < 0) stop += total;
  if (start < 0) start = 0;
  if (start > stop || start >= total) {
    rangeStart = 0;
    rangeCount = 0;
    return;
  }
  if (stop >= total) stop = total - 1;
  rangeStart = <u32>start;
  rangeCount = <u32>(stop - start) + 1;
}

// ── Value dispatch (values.ts) ──────────────────────────────────────────────────────────

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

// ── Exports (one per command family; see core/engine/list.ts for the host side) ─────────

/** Framed argument walk: the staged part at p is [u32 len][bytes]. */
@inline function partLen(p: usize): u32 {
  return load<u32>(p);
}
@inline function partData(p: usize): usize {
  return p + 4;
}
@inline function nextPart(p: usize): usize {
  return p + 4 + <usize>load<u32>(p);
}

/**
 * LPUSH/RPUSH/LPUSHX/RPUSHX: elementCount framed elements after the key. Pushes them one by
 * one at the head (toTail 0) or tail. With mustExist a missing key is left missing (returns 0).
 * Returns the new length, or STATUS_WRONGTYPE / STATUS_OOM (the list as it was).
 */
export function listPush(
  db: u32,
  keyLen: u32,
  nowMs: f64,
  toTail: u32,
  mustExist: u32,
  elementCount: u32,
): f64 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, mustExist == 0);
  if (e == 0) {
    const status = colLastStatus();
    return mustExist != 0 && status == -1 ? 0 : <f64>status;
  }
  let part = colArgsPtr(keyLen);
  for (let i: u32 = 0; i < elementCount; i++) {
    let ok: bool;
    if (toTail != 0) {
      const tail = listLen(e) == 0 ? 0 : listTail(e);
      ok = insertAt(e, tail, tail == 0 ? 0 : nodeUsed(tail), partData(part), partLen(part));
    } else {
      ok = insertAt(e, listLen(e) == 0 ? 0 : listHead(e), 0, partData(part), partLen(part));
    }
    if (!ok) {
      if (toTail != 0) dropTail(e, i);
      else dropHead(e, i);
      if (listLen(e) == 0) colDelete(db, e);
      return <f64>STATUS_OOM;
    }
    part = nextPart(part);
  }
  return <f64>listLen(e);
}

/**
 * LPOP/RPOP/LMPOP core: copies up to count elements from the head (fromTail 0) or tail into
 * the out buffer in pop order, then removes them, deleting the key when it empties. Returns
 * how many, or STATUS_MISSING / STATUS_WRONGTYPE / STATUS_OOM (nothing removed).
 */
export function listPop(db: u32, keyLen: u32, nowMs: f64, fromTail: u32, count: f64): f64 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  if (e == 0) return <f64>colLastStatus();
  const total = listLen(e);
  const n = count >= <f64>total ? total : <u32>count;
  outReset();
  if (!outputEnd(e, n, fromTail != 0)) return <f64>STATUS_OOM;
  if (fromTail != 0) dropTail(e, n);
  else dropHead(e, n);
  if (listLen(e) == 0) colDelete(db, e);
  return <f64>n;
}

/** LLEN: the length, or STATUS_MISSING / STATUS_WRONGTYPE. */
export function listLength(db: u32, keyLen: u32, nowMs: f64): f64 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_LIST);
  if (e == 0) return <f64>colLastStatus();
  return <f64>listLen(e);
}

/** LRANGE: elements start..stop (Redis index rules) into the out buffer; how many, or a status. */
export function listRange(db: u32, keyLen: u32, nowMs: f64, start: f64, stop: f64): f64 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_LIST);
  if (e == 0) return <f64>colLastStatus();
  clampRange(listLen(e), start, stop);
  outReset();
  if (!outputRange(e, rangeStart, rangeCount)) return <f64>STATUS_OOM;
  return <f64>rangeCount;
}

/** LINDEX: 1 with the element in the out buffer, 0 when index is out of range, or a status. */
export function listIndex(db: u32, keyLen: u32, nowMs: f64, index: f64): f64 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_LIST);
  if (e == 0) return <f64>colLastStatus();
  const total = <f64>listLen(e);
  const at = index < 0 ? index + total : index;
  if (at < 0 || at >= total) return 0;
  outReset();
  if (!outputRange(e, <u32>at, 1)) return <f64>STATUS_OOM;
  return 1;
}

/** LSET: one framed element after the key. 1 done, 0 index out of range, or a status. */
export function listSet(db: u32, keyLen: u32, nowMs: f64, index: f64): f64 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  if (e == 0) return <f64>colLastStatus();
  const total = <f64>listLen(e);
  const atF = index < 0 ? index + total : index;
  if (atF < 0 || atF >= total) return 0;
  const at = <u32>atF;
  const part = colArgsPtr(keyLen);
  const src = partData(part);
  const len = partLen(part);
  seek(e, at);
  let node = seekNode;
  const offset = seekOffset;
  const oldSize = entrySize(entryLenAt(nodeData(node) + offset));
  const newSize = entrySize(len);
  const used = nodeUsed(node);
  if (nodeCount(node) == 1 || NODE_HEADER_SIZE_BYTES + used - oldSize + newSize <= NODE_SIZE_BYTES_MAX) {
    // Replace in place: grow first (the only step that can fail), then shift the tail.
    if (newSize > oldSize) {
      node = ensureCapacity(e, node, NODE_HEADER_SIZE_BYTES + used - oldSize + newSize);
      if (node == 0) return <f64>STATUS_OOM;
    }
    const data = nodeData(node);
    memory.copy(data + offset + newSize, data + offset + oldSize, used - offset - oldSize);
    writeEntry(data + offset, src, len);
    setNodeUsed(node, used - oldSize + newSize);
    if (newSize < oldSize) maybeShrink(e, node);
    return 1;
  }
  // No room: insert the new element before the old one, then remove the old one.
  if (!insertAt(e, node, offset, src, len)) return <f64>STATUS_OOM;
  seek(e, at + 1);
  removeAt(e, seekNode, seekOffset, entrySize(entryLenAt(nodeData(seekNode) + seekOffset)), 1);
  return 1;
}

/**
 * LINSERT: framed pivot then framed element after the key. Inserts before (after 0) or after
 * the first element equal to pivot. The new length, 0 for a missing key, LIST_PIVOT_MISSING,
 * or STATUS_WRONGTYPE / STATUS_OOM.
 */
export function listInsert(db: u32, keyLen: u32, nowMs: f64, after: u32): f64 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  if (e == 0) {
    const status = colLastStatus();
    return status == -1 ? 0 : <f64>status;
  }
  const pivot = colArgsPtr(keyLen);
  const element = nextPart(pivot);
  let node = listHead(e);
  while (node != 0) {
    const data = nodeData(node);
    const used = nodeUsed(node);
    let offset: usize = 0;
    while (offset < used) {
      const size = entrySize(entryLenAt(data + offset));
      if (entryEquals(data + offset, partData(pivot), partLen(pivot))) {
        const at = after != 0 ? offset + size : offset;
        if (!insertAt(e, node, at, partData(element), partLen(element))) return <f64>STATUS_OOM;
        return <f64>listLen(e);
      }
      offset += size;
    }
    node = nodeNext(node);
  }
  return <f64>LIST_PIVOT_MISSING;
}

/** Elements equal to needle in the whole list. */
function countMatches(e: usize, needle: usize, needleLen: u32): u32 {
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
function removeMatches(e: usize, needle: usize, needleLen: u32, skip: u32, limit: u32): u32 {
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

/** LREM: one framed element after the key. Elements removed, or a status. */
export function listRemove(db: u32, keyLen: u32, nowMs: f64, count: f64): f64 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  if (e == 0) {
    const status = colLastStatus();
    return status == -1 ? 0 : <f64>status;
  }
  const part = colArgsPtr(keyLen);
  const needle = partData(part);
  const needleLen = partLen(part);
  let removed: u32;
  if (count == 0) {
    removed = removeMatches(e, needle, needleLen, 0, 0);
  } else if (count > 0) {
    removed = removeMatches(e, needle, needleLen, 0, count >= 4294967295 ? 0 : <u32>count);
  } else {
    const want = -count;
    const matches = countMatches(e, needle, needleLen);
    const skip = <f64>matches > want ? matches - <u32>want : 0;
    removed = removeMatches(e, needle, needleLen, skip, 0);
  }
  if (listLen(e) == 0) colDelete(db, e);
  return <f64>removed;
}

/** LTRIM: keeps start..stop (Redis index rules), deleting the key if nothing is left. */
export function listTrim(db: u32, keyLen: u32, nowMs: f64, start: f64, stop: f64): f64 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  if (e == 0) return <f64>colLastStatus();
  const total = listLen(e);
  clampRange(total, start, stop);
  if (rangeCount == 0) {
    dropHead(e, total);
  } else {
    dropTail(e, total - rangeStart - rangeCount);
    dropHead(e, rangeStart);
  }
  if (listLen(e) == 0) colDelete(db, e);
  return 1;
}

/**
 * LPOS: one framed element after the key. Scans from the head (rank > 0) or tail (rank < 0),
 * comparing at most maxlen elements (0 = all), skipping the first |rank|-1 matches, and pushes
 * up to count match indexes (0 = all) as f64 records. Matches found, or a status.
 */
export function listPos(
  db: u32,
  keyLen: u32,
  nowMs: f64,
  rank: f64,
  count: f64,
  maxlen: f64,
): f64 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_LIST);
  if (e == 0) return <f64>colLastStatus();
  const part = colArgsPtr(keyLen);
  const needle = partData(part);
  const needleLen = partLen(part);
  const skip = (rank < 0 ? -rank : rank) - 1;
  outReset();
  let matches: f64 = 0;
  let found: f64 = 0;
  let compared: f64 = 0;
  if (rank > 0) {
    let index: f64 = 0;
    let node = listHead(e);
    while (node != 0) {
      const data = nodeData(node);
      const used = nodeUsed(node);
      let offset: usize = 0;
      while (offset < used) {
        if (maxlen != 0 && compared >= maxlen) return found;
        compared++;
        if (entryEquals(data + offset, needle, needleLen)) {
          matches++;
          if (matches > skip) {
            if (!outPushF64(index)) return <f64>STATUS_OOM;
            found++;
            if (count != 0 && found >= count) return found;
          }
        }
        offset += entrySize(entryLenAt(data + offset));
        index++;
      }
      node = nodeNext(node);
    }
  } else {
    let index = <f64>listLen(e) - 1;
    let node = listTail(e);
    while (true) {
      const data = nodeData(node);
      let end = nodeUsed(node);
      while (end > 0) {
        if (maxlen != 0 && compared >= maxlen) return found;
        compared++;
        const size = entrySize(entryLenBefore(data + end));
        end -= size;
        if (entryEquals(data + end, needle, needleLen)) {
          matches++;
          if (matches > skip) {
            if (!outPushF64(index)) return <f64>STATUS_OOM;
            found++;
            if (count != 0 && found >= count) return found;
          }
        }
        index--;
      }
      if (node == listHead(e)) break;
      node = nodePrev(node);
    }
  }
  return found;
}

/**
 * Test hook: walks the list checking every invariant (links, counts, entry framing, node
 * sizes) and returns its node count, or a status. An inconsistency is an assert.
 */
export function listCheck(db: u32, keyLen: u32, nowMs: f64): f64 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_LIST);
  if (e == 0) return <f64>colLastStatus();
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
  return <f64>nodes;
}
