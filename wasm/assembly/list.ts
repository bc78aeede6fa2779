// list.ts — the list commands' engine half: one export per command family, over the
// quicklist encoding (list_quicklist.ts), which owns every byte of the value.
//
// Arguments: the key is staged at the staging region's start (boundary.ts), then the command's
// elements as frames [u32 len LE][bytes] (core/engine/list.ts writes them). Element replies go
// through the out buffer. Every export allocates before it changes anything it cannot undo; an
// allocation failure returns STATUS_OOM with the list's elements as they were (a failed
// multi-element push removes the elements it had added).

import { LIST_PIVOT_MISSING, STATUS_MISSING, STATUS_OOM, TYPE_LIST } from "./abi";
import {
  argsPtr,
  frameBytes,
  frameLen,
  frameNext,
  outPush,
  outPushF64,
  outReset,
} from "./boundary";
import { colDelete, colLastStatus, colOpenRead, colOpenWrite, colStatusOr } from "./keyspace";
import {
  checkList,
  countMatches,
  dropHead,
  dropTail,
  entryEquals,
  entryLenAt,
  entryLenBefore,
  entrySize,
  insertAt,
  listHead,
  listLen,
  listTail,
  nodeData,
  nodeNext,
  nodePrev,
  nodeUsed,
  removeMatches,
  replaceAt,
  seek,
  seekFirstMatch,
  seekNode,
  seekOffset,
  setNodeFill,
  setPackedThreshold,
  varintSize,
} from "./list_quicklist";

// ── Replies ─────────────────────────────────────────────────────────────────────────────

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

// ── Exports (one per command family; see core/engine/list.ts for the host side) ─────────

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
    return mustExist != 0 && status == STATUS_MISSING ? 0 : <f64>status;
  }
  let part = argsPtr(keyLen);
  for (let i: u32 = 0; i < elementCount; i++) {
    let ok: bool;
    if (toTail != 0) {
      const tail = listLen(e) == 0 ? 0 : listTail(e);
      ok = insertAt(e, tail, tail == 0 ? 0 : nodeUsed(tail), frameBytes(part), frameLen(part));
    } else {
      ok = insertAt(e, listLen(e) == 0 ? 0 : listHead(e), 0, frameBytes(part), frameLen(part));
    }
    if (!ok) {
      if (toTail != 0) dropTail(e, i);
      else dropHead(e, i);
      if (listLen(e) == 0) colDelete(db, e);
      return <f64>STATUS_OOM;
    }
    part = frameNext(part);
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

/**
 * The first half of a one-element LPOP/RPOP for the request pipeline (pipeline.ts): copies the
 * head (or tail) element into the out buffer without removing it, so the pipeline can make
 * room for its reply before anything changes. 1, or STATUS_MISSING / STATUS_WRONGTYPE /
 * STATUS_OOM; listDropEnd then removes it.
 */
export function listPeekEnd(db: u32, keyLen: u32, nowMs: f64, fromTail: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  if (e == 0) return colLastStatus();
  outReset();
  return outputEnd(e, 1, fromTail != 0) ? 1 : STATUS_OOM;
}

/** The second half: removes the element listPeekEnd copied, deleting the key when it empties. */
export function listDropEnd(db: u32, keyLen: u32, nowMs: f64, fromTail: u32): void {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  assert(e != 0 && listLen(e) > 0);
  if (fromTail != 0) dropTail(e, 1);
  else dropHead(e, 1);
  if (listLen(e) == 0) colDelete(db, e);
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
  const part = argsPtr(keyLen);
  return replaceAt(e, <u32>atF, frameBytes(part), frameLen(part)) ? 1 : <f64>STATUS_OOM;
}

/**
 * LINSERT: framed pivot then framed element after the key. Inserts before (after 0) or after
 * the first element equal to pivot. The new length, 0 for a missing key, LIST_PIVOT_MISSING,
 * or STATUS_WRONGTYPE / STATUS_OOM.
 */
export function listInsert(db: u32, keyLen: u32, nowMs: f64, after: u32): f64 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  if (e == 0) return <f64>colStatusOr(0);
  const pivot = argsPtr(keyLen);
  const element = frameNext(pivot);
  if (!seekFirstMatch(e, frameBytes(pivot), frameLen(pivot))) return <f64>LIST_PIVOT_MISSING;
  const node = seekNode;
  let at = seekOffset;
  if (after != 0) at += entrySize(entryLenAt(nodeData(node) + at));
  if (!insertAt(e, node, at, frameBytes(element), frameLen(element))) return <f64>STATUS_OOM;
  return <f64>listLen(e);
}

/** LREM: one framed element after the key. Elements removed, or a status. */
export function listRemove(db: u32, keyLen: u32, nowMs: f64, count: f64): f64 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_LIST, false);
  if (e == 0) return <f64>colStatusOr(0);
  const part = argsPtr(keyLen);
  const needle = frameBytes(part);
  const needleLen = frameLen(part);
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
  const part = argsPtr(keyLen);
  const needle = frameBytes(part);
  const needleLen = frameLen(part);
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
  return <f64>checkList(e);
}

/** list-max-listpack-size: the node shape for list insertions from now on. Returns 0. */
export function listSetFill(fill: i32): f64 {
  setNodeFill(fill);
  return 0;
}

/**
 * DEBUG QUICKLIST-PACKED-THRESHOLD: elements of at least thresholdBytes bytes get a node of
 * their own from now on (0 = the 1 GB default; the host keeps it at most 2^32 - 2^20). Returns 0.
 */
export function listSetPackedThreshold(thresholdBytes: f64): f64 {
  assert(thresholdBytes >= 0 && thresholdBytes < 4294967296);
  setPackedThreshold(<u32>thresholdBytes);
  return 0;
}
