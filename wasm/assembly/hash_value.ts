// hash_value.ts — a hash value across its two encodings: which one holds it (the valueLen
// word, hash_listpack.ts), the writes that convert from the small one to the large one, and
// freeing and copying a whole value (values.ts).
//
// Conversion (Redis 7.0, t_hash.c): a write whose fields or values include one longer than
// hash-max-listpack-value (limits.ts, 64 by default) converts first; a write that leaves more
// than hash-max-listpack-entries (512 by default) pairs converts after the pair that crossed (7.0 has no
// up-front conversion by argument count: 600 pairs repeating one field stay a listpack).
// Hashes never convert back. HSETNX on an existing field converts nothing.
//
// Failure: every write allocates what it needs before changing the value (a scratch copy,
// preallocated nodes, the resized table), so STATUS_OOM leaves the hash exactly as it was.

import { STATUS_OOM, TYPE_HASH } from "./abi";
import { frameBytes, frameLen, frameNext } from "./boundary";
import { entryValueLen, entryValuePtr, setEntryValue } from "./entry";
import {
  isTable,
  LISTPACK_ENTRIES_MAX,
  LISTPACK_USED_MAX_BYTES,
  lpCount,
  lpFind,
  lpPairSizeFor,
  lpPut,
  lpPutUsedBytes,
  lpTrim,
  lpUsedBytes,
  lpValueLen,
  TABLE_FLAG,
} from "./hash_listpack";
import {
  tableCopy,
  tableFind,
  tableFree,
  tableFromListpack,
  tableSetPairs,
  tableSetResult,
} from "./hash_table";
import { hashListpackEntriesMax, hashListpackValueMaxBytes } from "./limits";
import { alloc, free, realloc, usableSize } from "./pages";

// ── Writes ──────────────────────────────────────────────────────────────────────────────

/**
 * Sets pairs in a small hash, converting as Redis does. `longestBytes` is the longest staged
 * field or value, `pairBytes` what the pairs would take in the small encoding. Returns fields
 * added or STATUS_OOM (hash unchanged); the entry is updated on success.
 */
export function listpackSetPairs(
  e: usize,
  frame: usize,
  pairCount: u32,
  longestBytes: u32,
  pairBytes: u64,
): i32 {
  const block = entryValuePtr(e);
  const valueLen = entryValueLen(e);
  let usedBytes = lpUsedBytes(valueLen);
  let count = lpCount(block, valueLen);
  const entriesMax = hashListpackEntriesMax;
  assert(entriesMax <= LISTPACK_ENTRIES_MAX);
  if (longestBytes > hashListpackValueMaxBytes || <u64>usedBytes + pairBytes > <u64>LISTPACK_USED_MAX_BYTES) {
    // Redis converts before writing a field or value over hash-max-listpack-value, or before
    // its listpack would pass 1 GiB (t_hash.c hashTypeTryConversion, lpSafeToAdd).
    const t = tableFromListpack(block, usedBytes, count);
    if (t == 0) return STATUS_OOM;
    const added = tableSetPairs(t, frame, pairCount);
    if (added < 0) {
      tableFree(t);
      return added;
    }
    free(block);
    setEntryValue(e, tableSetResult, TABLE_FLAG, TYPE_HASH);
    return added;
  }
  const needBytes64 = <u64>usedBytes + pairBytes;
  let added: u32 = 0;
  let at = frame;
  if (<u64>count + <u64>pairCount <= <u64>entriesMax) {
    // Stays small whatever the pairs are: grow once for the worst case, then write in place.
    let target = block;
    if (needBytes64 > <u64>usableSize(block)) {
      target = realloc(block, <usize>usedBytes, <usize>needBytes64);
      if (target == 0) return STATUS_OOM;
    }
    for (let i: u32 = 0; i < pairCount; i++) {
      const valueAt = frameNext(at);
      if (lpPut(target, usedBytes, frameBytes(at), frameLen(at), frameBytes(valueAt), frameLen(valueAt))) {
        count++;
        added++;
      }
      usedBytes = lpPutUsedBytes;
      at = frameNext(valueAt);
    }
    target = lpTrim(target, usedBytes);
    setEntryValue(e, target, lpValueLen(usedBytes, count), TYPE_HASH);
    return <i32>added;
  }
  // May cross the entry limit: write into a scratch copy so a failed conversion leaves the
  // hash as it was. The scratch never holds more than entriesMax + 1 pairs, each either one
  // it held before or one of these (none longer than a pair of two longestBytes strings).
  const scratchMax64 = <u64>usedBytes + <u64>(entriesMax + 1) * lpPairSizeFor(longestBytes, longestBytes);
  const scratchBytes = <usize>(needBytes64 < scratchMax64 ? needBytes64 : scratchMax64);
  const scratch = alloc(scratchBytes);
  if (scratch == 0) return STATUS_OOM;
  if (usedBytes != 0) memory.copy(scratch, block, usedBytes);
  let i: u32 = 0;
  while (i < pairCount && count <= entriesMax) {
    const valueAt = frameNext(at);
    if (lpPut(scratch, usedBytes, frameBytes(at), frameLen(at), frameBytes(valueAt), frameLen(valueAt))) {
      count++;
      added++;
    }
    usedBytes = lpPutUsedBytes;
    assert(<usize>usedBytes <= scratchBytes);
    at = frameNext(valueAt);
    i++;
  }
  if (count <= entriesMax) {
    free(block);
    setEntryValue(e, lpTrim(scratch, usedBytes), lpValueLen(usedBytes, count), TYPE_HASH);
    return <i32>added;
  }
  // The pair just written crossed the limit: convert, then write the rest into the table.
  const t = tableFromListpack(scratch, usedBytes, count);
  free(scratch);
  if (t == 0) return STATUS_OOM;
  let table = t;
  if (i < pairCount) {
    const more = tableSetPairs(t, at, pairCount - i);
    if (more < 0) {
      tableFree(t);
      return more;
    }
    added += <u32>more;
    table = tableSetResult;
  }
  free(block);
  setEntryValue(e, table, TABLE_FLAG, TYPE_HASH);
  return <i32>added;
}

/** True if the hash at e has the field. */
export function hasField(e: usize, fieldPtr: usize, fieldLen: u32): bool {
  const valueLen = entryValueLen(e);
  if (isTable(valueLen)) return tableFind(entryValuePtr(e), fieldPtr, fieldLen) != 0;
  return lpFind(entryValuePtr(e), lpUsedBytes(valueLen), fieldPtr, fieldLen) != 0;
}

// ── Whole values (values.ts) ────────────────────────────────────────────────────────────

/** Frees every block the value owns. */
export function hashFreeValue(valuePtr: usize, valueLen: u32): void {
  if (valuePtr == 0) return; // a key created for a write that failed before taking a value
  if (isTable(valueLen)) tableFree(valuePtr);
  else free(valuePtr);
}

/** Deep copy; the new valuePtr (valueLen is kept by the caller), or 0 on OOM. */
export function hashCopyValue(valuePtr: usize, valueLen: u32): usize {
  assert(valuePtr != 0);
  if (isTable(valueLen)) return tableCopy(valuePtr);
  const usedBytes = lpUsedBytes(valueLen);
  assert(usedBytes > 0);
  const copied = alloc(<usize>usedBytes);
  if (copied == 0) return 0;
  memory.copy(copied, valuePtr, usedBytes);
  return copied;
}
