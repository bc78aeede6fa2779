// hash.ts — the hash commands' engine half (HSET … HRANDFIELD), over a hash value held in one
// of two encodings: a packed pair list for small hashes (hash_listpack.ts), a chained hash table
// for large ones (hash_table.ts), converting at Redis 7.0's default thresholds (hash_value.ts)
// so OBJECT ENCODING answers as Redis does.
//
// Arguments: the key is staged bare, then [u32 len][bytes] frames of fields and values
// (core/engine/hash.ts). Single values come back through the hash cells (abi.ts HASH_CELL_*),
// many through the out buffer. A key created for a write that fails is removed again, so
// STATUS_OOM leaves the keyspace as it was.

import {
  HASH_CELL_CURSOR,
  HASH_CELL_VALUE_PTR,
  HASH_ENCODING_HASHTABLE,
  HASH_ENCODING_LISTPACK,
  HASH_READ_FIELDS,
  HASH_READ_PAIRS,
  HASH_READ_VALUES,
  HASH_SET_NX,
  STATUS_MISSING,
  STATUS_OOM,
  TYPE_HASH,
} from "./abi";
import { argsPtr, frameBytes, frameLen, frameNext, outPush, outReset } from "./boundary";
import { reverseIncrement } from "./bytes";
import { entryValueLen, entryValuePtr, setEntryValue } from "./entry";
import {
  isTable,
  LISTPACK_ENTRIES_MAX,
  lpCount,
  lpFieldLen,
  lpFieldPtr,
  lpFind,
  lpNextPair,
  lpPairSizeFor,
  lpRemove,
  lpTrim,
  lpUsedBytes,
  lpValueLen,
  lpValueLenAt,
  lpValuePtr,
  TABLE_FLAG,
} from "./hash_listpack";
import {
  nodeFieldLen,
  nodeFieldPtr,
  nodeNext,
  nodeValueLen,
  nodeValuePtr,
  tableBucket,
  tableCount,
  tableFind,
  tableMask,
  tableMaybeShrink,
  tableRandomNode,
  tableRemove,
  tableSetPairs,
  tableSetResult,
} from "./hash_table";
import { hasField, listpackSetPairs } from "./hash_value";
import { colDelete, colLastStatus, colOpenRead, colOpenWrite } from "./keyspace";
import { randomBelow } from "./random";

/** Result cells for the host (u32 each; abi.ts HASH_CELL_*). */
const hashCells: usize = memory.data(16, 16);

/** Addresses of a small hash's pairs, for random picks (count ≤ 512 by invariant). */
const pairOffsets: usize = memory.data(<i32>(LISTPACK_ENTRIES_MAX + 1) * 4, 4);

// ── Writes ──────────────────────────────────────────────────────────────────────────────

/**
 * HSET / HMSET / HSETNX: key, then pairCount (field, value) frames in staging. Creates the
 * key when missing. With HASH_SET_NX (one pair) an existing field is left alone.
 * Returns fields added (HSETNX: 1 set, 0 existed), STATUS_WRONGTYPE or STATUS_OOM (unchanged).
 */
export function hashSetFields(db: u32, keyLen: u32, pairCount: u32, flags: u32, nowMs: f64): i32 {
  assert(pairCount > 0);
  const frame = argsPtr(keyLen);
  let longestBytes: u32 = 0;
  let pairBytes: u64 = 0;
  let at = frame;
  for (let i: u32 = 0; i < pairCount; i++) {
    const fieldLen = frameLen(at);
    const valueAt = frameNext(at);
    const valueLen = frameLen(valueAt);
    if (fieldLen > longestBytes) longestBytes = fieldLen;
    if (valueLen > longestBytes) longestBytes = valueLen;
    pairBytes += lpPairSizeFor(fieldLen, valueLen);
    at = frameNext(valueAt);
  }
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_HASH, true);
  if (e == 0) return colLastStatus();
  const created = entryValuePtr(e) == 0;
  if ((flags & HASH_SET_NX) != 0) {
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
  let at = argsPtr(keyLen);
  let removed: u32 = 0;
  if (isTable(valueLen)) {
    const t = entryValuePtr(e);
    for (let i: u32 = 0; i < fieldCount; i++) {
      if (tableRemove(t, frameBytes(at), frameLen(at))) removed++;
      at = frameNext(at);
    }
    if (tableCount(t) == 0) {
      colDelete(db, e);
      return <i32>removed;
    }
    setEntryValue(e, tableMaybeShrink(t), TABLE_FLAG, TYPE_HASH);
    return <i32>removed;
  }
  const block = entryValuePtr(e);
  let usedBytes = lpUsedBytes(valueLen);
  let count = lpCount(block, valueLen);
  for (let i: u32 = 0; i < fieldCount; i++) {
    const pair = lpFind(block, usedBytes, frameBytes(at), frameLen(at));
    at = frameNext(at);
    if (pair == 0) continue;
    usedBytes = lpRemove(block, usedBytes, pair);
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
  const frame = argsPtr(keyLen);
  const fieldPtr = frameBytes(frame);
  const fieldLen = frameLen(frame);
  const valueLen = entryValueLen(e);
  if (isTable(valueLen)) {
    const node = tableFind(entryValuePtr(e), fieldPtr, fieldLen);
    if (node == 0) return STATUS_MISSING;
    store<u32>(hashCells, <u32>nodeValuePtr(node), HASH_CELL_VALUE_PTR);
    return <i32>nodeValueLen(node);
  }
  const pair = lpFind(entryValuePtr(e), lpUsedBytes(valueLen), fieldPtr, fieldLen);
  if (pair == 0) return STATUS_MISSING;
  store<u32>(hashCells, <u32>lpValuePtr(pair), HASH_CELL_VALUE_PTR);
  return <i32>lpValueLenAt(pair);
}

/** HLEN: pairs in the hash, STATUS_MISSING or STATUS_WRONGTYPE. */
export function hashLength(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  const valueLen = entryValueLen(e);
  const block = entryValuePtr(e);
  return <i32>(isTable(valueLen) ? tableCount(block) : lpCount(block, valueLen));
}

/** OBJECT ENCODING: 1 listpack, 2 hashtable, STATUS_MISSING or STATUS_WRONGTYPE. */
export function hashEncodingOf(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  return isTable(entryValueLen(e)) ? HASH_ENCODING_HASHTABLE : HASH_ENCODING_LISTPACK;
}

@inline function pushPair(fieldPtr: usize, fieldLen: u32, valuePtr: usize, valueLen: u32, what: u32): bool {
  if ((what & HASH_READ_FIELDS) != 0 && !outPush(fieldPtr, fieldLen)) return false;
  if ((what & HASH_READ_VALUES) != 0 && !outPush(valuePtr, valueLen)) return false;
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
  let count: u32 = 0;
  for (let pair = block; pair < end; pair = lpNextPair(pair)) {
    if (!pushPair(lpFieldPtr(pair), lpFieldLen(pair), lpValuePtr(pair), lpValueLenAt(pair), what)) {
      return STATUS_OOM;
    }
    count++;
  }
  return <i32>count;
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
    store<u32>(hashCells, 0, HASH_CELL_CURSOR);
    return hashReadAll(db, keyLen, HASH_READ_PAIRS, nowMs);
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
      if (!pushPair(nodeFieldPtr(node), nodeFieldLen(node), nodeValuePtr(node), nodeValueLen(node), HASH_READ_PAIRS)) {
        return STATUS_OOM;
      }
      found++;
      node = nodeNext(node);
    }
    v = reverseIncrement(v, mask);
    bucketBudget--;
  } while (v != 0 && bucketBudget > 0 && found < wanted);
  store<u32>(hashCells, v, HASH_CELL_CURSOR);
  return <i32>found;
}

/**
 * HRANDFIELD sampling: pushes `pickCount` random (field, value) pairs, with repetition, to
 * the out buffer. The host builds Redis's distinct-count cases on top. Returns pickCount,
 * STATUS_MISSING, STATUS_WRONGTYPE or STATUS_OOM.
 */
export function hashRandomFields(db: u32, keyLen: u32, pickCount: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_HASH);
  if (e == 0) return colLastStatus();
  outReset();
  const valueLen = entryValueLen(e);
  if (isTable(valueLen)) {
    const t = entryValuePtr(e);
    for (let n: u32 = 0; n < pickCount; n++) {
      const node = tableRandomNode(t);
      if (!pushPair(nodeFieldPtr(node), nodeFieldLen(node), nodeValuePtr(node), nodeValueLen(node), HASH_READ_PAIRS)) {
        return STATUS_OOM;
      }
    }
    return <i32>pickCount;
  }
  const block = entryValuePtr(e);
  const end = block + <usize>lpUsedBytes(valueLen);
  let index: u32 = 0;
  for (let pair = block; pair < end; pair = lpNextPair(pair)) {
    store<u32>(pairOffsets + (<usize>index << 2), <u32>pair);
    index++;
  }
  assert(index <= LISTPACK_ENTRIES_MAX);
  const count = index;
  for (let n: u32 = 0; n < pickCount; n++) {
    const pair = <usize>load<u32>(pairOffsets + (<usize>randomBelow(count) << 2));
    if (!pushPair(lpFieldPtr(pair), lpFieldLen(pair), lpValuePtr(pair), lpValueLenAt(pair), HASH_READ_PAIRS)) {
      return STATUS_OOM;
    }
  }
  return <i32>pickCount;
}
