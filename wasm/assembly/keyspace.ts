// keyspace.ts — keys as the commands see them: lookups with lazy expiry, deletion (an entry
// with its value), the expired-key log, and the colOpen* calls through which the collection
// commands (hash.ts, list.ts, set.ts, zset.ts) find or create their key.
//
// Below this module, dict.ts links entries and values.ts frees values, each without knowing
// the other; here the two meet: deleting a key unlinks its entry, frees its value, then the
// entry. Every command module (strings.ts, keys.ts, the collection faces) reaches entries
// through the lookups here, so expiry is decided in one place: a key is expired when
// nowMs > expireAtMs (Redis). Reads delete expired keys (lazy expiry) and log them, unless
// expireDeletes is off (replica mode), where expired keys read as missing and stay until the
// master's DEL.
//
//   expired-key log (a host buffer, boundary.ts; records 4-aligned, drained by the host)
//   ┌────────┬───────────┬───────────┬─────┐
//   │ db u32 │ keyLen u32│ key bytes │ pad │ …
//   └────────┴───────────┴───────────┴─────┘
//
// Collection commands: a command stages its key at the staging region's start and its other
// arguments right after it (layout chosen by the type module), then calls its module's export,
// which opens the key with colOpenRead / colOpenWrite. The module owns everything behind
// entryValuePtr / entryValueLen and must delete the key (colDelete) when a command empties the
// collection, as Redis does.

import {
  COL_OK,
  DB_SLOT_COUNT,
  RESULT_COL_STATUS,
  RESULT_EXPIRED_LOG_LEN,
  RESULT_LEN,
  RESULT_PTR,
  STATUS_MISSING,
  STATUS_OOM,
  STATUS_WRONGTYPE,
} from "./abi";
import { noteClock, touchEntry } from "./access";
import {
  align4,
  BUFFER_DESCRIPTOR_BYTES,
  bufferClaim,
  bufferLen,
  bufferPtr,
  bufferReset,
  resultCells,
  stagingPtr,
} from "./boundary";
import { hashBytes } from "./bytes";
import {
  allocEntry,
  dbRecord,
  ensureTable,
  findEntry,
  forgetTables,
  insertEntry,
  isRehashing,
  keyCount,
  maybeGrow,
  maybeShrink,
  REHASH_STEP_BUCKETS,
  rehashSteps,
  releaseDatabase,
  table0Mask,
  table0Ptr,
  table1Mask,
  table1Ptr,
  unlinkEntry,
} from "./dict";
import {
  entryExpireAtMs,
  entryKeyLen,
  entryKeyPtr,
  entryNext,
  entryType,
  setEntryValue,
} from "./entry";
import { freeEntryValueLazily, lazyExpire, queueTables } from "./lazyfree";
import { free } from "./pages";
import { freeEntryValue } from "./values";

/** False on replicas: expired keys are hidden but not deleted, active expiry idles. */
let expireDeletes: bool = true;
/** Set by lookupWrite: the entry found is expired but kept (expireDeletes off). */
let lookupFoundExpired: bool = false;
/** Log of keys deleted by expiry since the host last drained it. */
const expiredLog: usize = memory.data(BUFFER_DESCRIPTOR_BYTES, 4);

// ── Small helpers ───────────────────────────────────────────────────────────────────────

@inline export function checkDb(db: u32): usize {
  assert(db < DB_SLOT_COUNT); // logical or staging (abi.ts)
  return dbRecord(db);
}

@inline export function isExpired(e: usize, nowMs: i64): bool {
  const expireAtMs = entryExpireAtMs(e);
  return expireAtMs != 0 && nowMs > expireAtMs;
}

/** A write moves the incremental rehash on by REHASH_STEP_BUCKETS. */
@inline export function rehashOnWrite(d: usize): void {
  if (isRehashing(d)) rehashSteps(d, REHASH_STEP_BUCKETS);
}

/** Whether expired keys are deleted (a master) or only hidden (a replica). */
@inline export function expiredKeysDeleted(): bool {
  return expireDeletes;
}

export function setExpireDeletes(on: u32): void {
  expireDeletes = on != 0;
}

// ── Deletion and expiry ─────────────────────────────────────────────────────────────────

/** Unlinks e from d and frees its value and itself. */
export function deleteEntry(d: usize, e: usize): void {
  unlinkEntry(d, e);
  freeEntryValue(e);
  free(e);
}

/**
 * Unlinks e from d and frees it; its value goes to the lazy-free queue when freeing it costs
 * more than LAZYFREE_THRESHOLD (lazyfree.ts), else is freed now as deleteEntry does.
 */
export function deleteEntryLazily(d: usize, e: usize): void {
  unlinkEntry(d, e);
  freeEntryValueLazily(e);
  free(e);
}

/** Appends (db, key) to the expired log; false if the log cannot grow. */
function logExpired(db: u32, e: usize): bool {
  const keyLen = entryKeyLen(e);
  const at = bufferClaim(expiredLog, 8 + align4(<usize>keyLen));
  if (at == 0) return false;
  store<u32>(at, db);
  store<u32>(at, keyLen, 4);
  memory.copy(at + 8, entryKeyPtr(e), keyLen);
  store<u32>(resultCells, <u32>bufferLen(expiredLog), RESULT_EXPIRED_LOG_LEN);
  return true;
}

/**
 * Deletes an expired entry and logs it. If the log cannot grow the entry stays; readers
 * still treat it as missing, and a later expiry retries.
 */
export function expireEntry(d: usize, db: u32, e: usize): bool {
  if (!logExpired(db, e)) return false;
  if (lazyExpire()) deleteEntryLazily(d, e); // lazyfree-lazy-expire
  else deleteEntry(d, e);
  return true;
}

/** Writes the expired log's address and length (bytes) to cells ptr/len. */
export function expiredLogInfo(): void {
  store<u32>(resultCells, <u32>bufferPtr(expiredLog), RESULT_PTR);
  store<u32>(resultCells, <u32>bufferLen(expiredLog), RESULT_LEN);
}

/** Empties the expired log after the host copied it out. */
export function expiredLogReset(): void {
  bufferReset(expiredLog);
  store<u32>(resultCells, 0, RESULT_EXPIRED_LOG_LEN);
}

/**
 * DEL of the staged key: 1 if a live key was removed, else 0 (an expired key is removed all
 * the same, and logged as expired when deletes are on).
 */
export function deleteKey(db: u32, keyLen: u32, nowMs: f64, lazy: bool): i32 {
  const d = checkDb(db);
  rehashOnWrite(d);
  const keyPtr = stagingPtr();
  const e = findEntry(d, keyPtr, keyLen, hashBytes(keyPtr, keyLen));
  if (e == 0) return 0;
  let removedLive: i32 = 1;
  if (isExpired(e, <i64>nowMs)) {
    removedLive = 0;
    if (expireDeletes) logExpired(db, e); // best effort: the DEL itself propagates too
  }
  if (lazy) deleteEntryLazily(d, e);
  else deleteEntry(d, e);
  maybeShrink(d);
  return removedLive;
}

/** Frees every entry and value of d, then its tables and TTL index, leaving it empty. */
export function clearDatabase(d: usize): void {
  freeChains(table0Ptr(d), table0Mask(d));
  if (isRehashing(d)) freeChains(table1Ptr(d), table1Mask(d));
  releaseDatabase(d);
}

/**
 * Empties d in O(1): its bucket arrays (both while rehashing), with every entry and value
 * chained from them, go to the lazy-free queue; its TTL index is freed. Falls back to
 * clearDatabase when the queue cannot take them (no memory for a job record).
 */
export function detachDatabase(d: usize): void {
  const rehashing = isRehashing(d);
  const table1 = rehashing ? table1Ptr(d) : 0;
  const mask1 = rehashing ? table1Mask(d) : 0;
  if (!queueTables(table0Ptr(d), table0Mask(d), table1, mask1, keyCount(d))) {
    clearDatabase(d);
    return;
  }
  forgetTables(d);
}

/** Frees every entry (with its value) chained from the buckets of table t. */
function freeChains(t: usize, mask: u32): void {
  if (t == 0) return;
  for (let i: u32 = 0; i <= mask; i++) {
    let e = <usize>load<u32>(t + (<usize>i << 2));
    while (e != 0) {
      const next = entryNext(e);
      freeEntryValue(e);
      free(e);
      e = next;
    }
  }
}

// ── Lookups ─────────────────────────────────────────────────────────────────────────────

/** Entry for a read, or 0; expired entries read as missing (deleted when allowed). */
@inline export function lookupRead(d: usize, db: u32, keyPtr: usize, keyLen: u32, nowMs: i64): usize {
  noteClock(nowMs);
  const e = findEntry(d, keyPtr, keyLen, hashBytes(keyPtr, keyLen));
  if (e == 0) return 0;
  if (isExpired(e, nowMs)) {
    if (expireDeletes) expireEntry(d, db, e);
    return 0;
  }
  touchEntry(e);
  return e;
}

/**
 * Entry for a write, or 0. An expired entry is deleted when allowed; otherwise (replica) it
 * is returned with foundExpired() true, so the write reuses it but treats it as missing.
 */
export function lookupWrite(d: usize, db: u32, keyPtr: usize, keyLen: u32, hash: u32, nowMs: i64): usize {
  lookupFoundExpired = false;
  noteClock(nowMs);
  const e = findEntry(d, keyPtr, keyLen, hash);
  if (e == 0) return 0;
  if (isExpired(e, nowMs)) {
    if (expireDeletes && expireEntry(d, db, e)) return 0;
    lookupFoundExpired = true;
  }
  touchEntry(e);
  return e;
}

/** Whether the entry the last lookupWrite returned is expired but kept (replica). */
@inline export function foundExpired(): bool {
  return lookupFoundExpired;
}

// ── Collection access for the type modules ──────────────────────────────────────────────

/** Live entry of `valueType` for reading, or 0 (missing: STATUS_MISSING, other type: STATUS_WRONGTYPE). */
export function colOpenRead(db: u32, keyLen: u32, nowMs: f64, valueType: u8): usize {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs);
  if (e == 0) return colFail(STATUS_MISSING);
  if (entryType(e) != valueType) return colFail(STATUS_WRONGTYPE);
  store<i32>(resultCells, COL_OK, RESULT_COL_STATUS);
  return e;
}

/**
 * Live entry of `valueType` for writing. When missing and `create`, a new entry with an empty
 * value (ptr 0, len 0) is inserted and returned: the module must give it a value, or remove it
 * with colDelete, before returning to the host. 0 with STATUS_MISSING / WRONGTYPE / OOM.
 */
export function colOpenWrite(db: u32, keyLen: u32, nowMs: f64, valueType: u8, create: bool): usize {
  const d = checkDb(db);
  rehashOnWrite(d);
  const keyPtr = stagingPtr();
  const hash = hashBytes(keyPtr, keyLen);
  let e = lookupWrite(d, db, keyPtr, keyLen, hash, <i64>nowMs);
  if (e != 0 && lookupFoundExpired) {
    deleteEntry(d, e); // replica: an expired collection is not written into
    e = 0;
  }
  if (e != 0) {
    if (entryType(e) != valueType) return colFail(STATUS_WRONGTYPE);
    store<i32>(resultCells, COL_OK, RESULT_COL_STATUS);
    return e;
  }
  if (!create) return colFail(STATUS_MISSING);
  if (!ensureTable(d)) return colFail(STATUS_OOM);
  e = allocEntry(keyPtr, keyLen, hash);
  if (e == 0) return colFail(STATUS_OOM);
  setEntryValue(e, 0, 0, valueType);
  insertEntry(d, e);
  maybeGrow(d);
  store<i32>(resultCells, COL_OK, RESULT_COL_STATUS);
  return e;
}

/** Deletes the key of entry e in db (the collection became empty, or creation failed). */
export function colDelete(db: u32, e: usize): void {
  const d = checkDb(db);
  deleteEntry(d, e);
  maybeShrink(d);
}

/** Status of the last colOpen* call, also in the RESULT_COL_STATUS cell. */
export function colLastStatus(): i32 {
  return load<i32>(resultCells, RESULT_COL_STATUS);
}

/**
 * The last colOpen* status with STATUS_MISSING read as `missingResult`: for the commands whose
 * reply to a missing key is an ordinary value (0 members, rank -1).
 */
export function colStatusOr(missingResult: i32): i32 {
  const status = colLastStatus();
  return status == STATUS_MISSING ? missingResult : status;
}

function colFail(status: i32): usize {
  store<i32>(resultCells, status, RESULT_COL_STATUS);
  return 0;
}
