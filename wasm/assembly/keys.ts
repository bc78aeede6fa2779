// keys.ts — the keyspace commands that work on any type: DEL, EXISTS, TYPE, the TTL family,
// RENAME / MOVE, COPY, the database commands (DBSIZE, FLUSHDB, FLUSHALL, SWAPDB), SCAN,
// RANDOMKEY, and active expiry.
//
// They see entries only through keyspace.ts (lookups with lazy expiry, deletion) and values
// only through values.ts (COPY's deep copy), so they work the same for every value type.
// RENAME moves the entry itself, value words included, so no value bytes are copied. COPY of a
// stream copies the handle only; core/engine/engine.ts copy() gives the copy its own stream.
//
//   SCAN output (a host buffer, boundary.ts; address and length in cells ptr / len)
//   ┌───────────┬───────────┬─────┐
//   │ keyLen u32│ key bytes │ pad │ …   records 4-aligned
//   └───────────┴───────────┴─────┘

import {
  DB_COUNT,
  RESULT_CURSOR,
  RESULT_LEN,
  RESULT_PTR,
  STATUS_MISSING,
  STATUS_OOM,
  TYPE_STRING,
} from "./abi";
import {
  align4,
  BUFFER_DESCRIPTOR_BYTES,
  bufferClaim,
  bufferLen,
  bufferPtr,
  bufferReset,
  resultCells,
  setResultPtr,
  stagingPtr,
} from "./boundary";
import { bytesEqual, hashBytes } from "./bytes";
import {
  allocEntry,
  bucketGroupCursor,
  bucketGroupFirst,
  bucketGroupNext,
  dbRecord,
  ensureExpiresCapacity,
  ensureTable,
  expiresAt,
  expiresCount,
  insertEntry,
  isRehashing,
  keyCount,
  maybeGrow,
  maybeShrink,
  randomEntry,
  rehashSteps,
  setEntryExpire,
  swapRecords,
  table0Ptr,
  unlinkEntry,
} from "./dict";
import {
  entryExpireAtMs,
  entryFlags,
  entryKeyLen,
  entryKeyPtr,
  entryLruClock,
  entryNext,
  entryType,
  entryValueLen,
  entryValuePtr,
  setEntryFlags,
  setEntryLruClock,
  setEntryValue,
  storeEntryExpireAtMs,
} from "./entry";
import {
  checkDb,
  clearDatabase,
  deleteEntry,
  deleteEntryLazily,
  deleteKey,
  detachDatabase,
  expiredKeysDeleted,
  expireEntry,
  foundExpired,
  isExpired,
  lookupRead,
  lookupWrite,
  rehashOnWrite,
} from "./keyspace";
import { lazyServerDel } from "./lazyfree";
import { alloc, free } from "./pages";
import { randomBelow } from "./random";
import { copyValueOfType, isHostHandle, noteStreamEntryAdded } from "./values";

// @ts-ignore: decorator
@external("env", "monotonicMs")
declare function monotonicMs(): f64;

/** Redis's active expiry constants: keys sampled per round, repeat while > 1/4 expired. */
const ACTIVE_EXPIRE_SAMPLE_COUNT: u32 = 20;
/** Rounds between clock reads, and a hard cap on rounds per cycle. */
const ACTIVE_EXPIRE_ROUNDS_PER_CLOCK_CHECK: u32 = 16;
const ACTIVE_EXPIRE_ROUNDS_MAX: u32 = 1 << 20;
/** RANDOMKEY gives up after this many expired picks (Redis uses 100 too). */
const RANDOM_KEY_ATTEMPTS_MAX: u32 = 100;

/** Next database the active expiry cycle visits. */
let expireNextDb: u32 = 0;

// ── Generic key commands ────────────────────────────────────────────────────────────────

/** DEL: 1 if a live key was removed, else 0 (an expired key is removed all the same). */
export function delKey(db: u32, keyLen: u32, nowMs: f64): i32 {
  return deleteKey(db, keyLen, nowMs, false);
}

/**
 * UNLINK (and DEL under lazyfree-lazy-user-del, evictions under lazyfree-lazy-eviction): as
 * delKey, but a value that costs more than LAZYFREE_THRESHOLD to free goes to the lazy-free
 * queue (lazyfree.ts) instead of being freed now.
 */
export function unlinkKey(db: u32, keyLen: u32, nowMs: f64): i32 {
  return deleteKey(db, keyLen, nowMs, true);
}

/** A key RENAME / MOVE / COPY overwrites: lazily under lazyfree-lazy-server-del. */
function deleteOverwritten(d: usize, e: usize): void {
  if (lazyServerDel()) deleteEntryLazily(d, e);
  else deleteEntry(d, e);
}

/** EXISTS for one key: 1 or 0. */
export function existsKey(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  return lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs) != 0 ? 1 : 0;
}

/** TYPE: value type tag or STATUS_MISSING. */
export function typeOf(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs);
  return e == 0 ? STATUS_MISSING : <i32>entryType(e);
}

/** The entry's encoding hint bits (abi.ts SET_ENCODING_SHIFT), or STATUS_MISSING. */
export function encodingHint(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs);
  if (e == 0) return STATUS_MISSING;
  return <i32>entryFlags(e);
}

/** PTTL source: -2 missing, -1 no TTL, else the absolute expiry in ms. */
export function getExpireAtMs(db: u32, keyLen: u32, nowMs: f64): f64 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs);
  if (e == 0) return -2;
  const expireAtMs = entryExpireAtMs(e);
  return expireAtMs == 0 ? -1 : <f64>expireAtMs;
}

/** EXPIRE family (expireAtMs > 0): 1 set, 0 missing, STATUS_OOM. */
export function setExpireAtMs(db: u32, keyLen: u32, expireAtMs: f64, nowMs: f64): i32 {
  const d = checkDb(db);
  const at = <i64>expireAtMs;
  assert(at > 0);
  const e = lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs);
  if (e == 0) return 0;
  if (entryExpireAtMs(e) == 0 && !ensureExpiresCapacity(d, 1)) return STATUS_OOM;
  setEntryExpire(d, e, at);
  return 1;
}

/** PERSIST: 1 if a TTL was removed. */
export function persistKey(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs);
  if (e == 0 || entryExpireAtMs(e) == 0) return 0;
  setEntryExpire(d, e, 0);
  return 1;
}

/**
 * RENAME/MOVE core: source key then destination key in staging. The entry (value, TTL)
 * moves without copying value bytes. -1 no source, 0 destination exists and nx (also the
 * same key in the same db with nx), 1 done, STATUS_OOM (nothing changed).
 */
export function renameKey(
  srcDb: u32,
  keyLen: u32,
  dstDb: u32,
  dstKeyLen: u32,
  nx: u32,
  nowMs: f64,
): i32 {
  const src = checkDb(srcDb);
  const dst = checkDb(dstDb);
  rehashOnWrite(src);
  if (dst != src) rehashOnWrite(dst);
  const now = <i64>nowMs;
  const keyPtr = stagingPtr();
  const dstKeyPtr = keyPtr + <usize>keyLen;
  const sameKey = keyLen == dstKeyLen && bytesEqual(keyPtr, dstKeyPtr, keyLen);
  const srcHash = hashBytes(keyPtr, keyLen);
  const se = lookupWrite(src, srcDb, keyPtr, keyLen, srcHash, now);
  if (se == 0 || foundExpired()) return -1;
  if (sameKey && srcDb == dstDb) return nx != 0 ? 0 : 1; // Redis: RENAMENX k k → 0
  const dstHash = sameKey ? srcHash : hashBytes(dstKeyPtr, dstKeyLen);
  const de = lookupWrite(dst, dstDb, dstKeyPtr, dstKeyLen, dstHash, now);
  if (de != 0 && !foundExpired() && nx != 0) return 0;
  // Allocate first.
  const ttl = entryExpireAtMs(se);
  if (!ensureTable(dst)) return STATUS_OOM;
  if (ttl != 0 && dst != src && !ensureExpiresCapacity(dst, 1)) return STATUS_OOM;
  let moved = se;
  if (!sameKey) {
    moved = allocEntry(dstKeyPtr, dstKeyLen, dstHash);
    if (moved == 0) return STATUS_OOM;
  }
  // Then mutate.
  if (de != 0) deleteOverwritten(dst, de);
  unlinkEntry(src, se);
  storeEntryExpireAtMs(se, 0); // out of src's TTL index; re-added in dst below
  if (moved != se) {
    setEntryValue(moved, entryValuePtr(se), entryValueLen(se), entryType(se));
    setEntryFlags(moved, entryFlags(se));
    setEntryLruClock(moved, entryLruClock(se));
    free(se);
  }
  insertEntry(dst, moved);
  if (ttl != 0) setEntryExpire(dst, moved, ttl);
  maybeShrink(src);
  maybeGrow(dst);
  return 1;
}

/** COPY core: deep copy value + TTL. -1 no source, 0 destination exists and !replace (or same key), 1, STATUS_OOM. */
export function copyKey(
  srcDb: u32,
  keyLen: u32,
  dstDb: u32,
  dstKeyLen: u32,
  replace: u32,
  nowMs: f64,
): i32 {
  const src = checkDb(srcDb);
  const dst = checkDb(dstDb);
  rehashOnWrite(dst);
  const now = <i64>nowMs;
  const keyPtr = stagingPtr();
  const dstKeyPtr = keyPtr + <usize>keyLen;
  const se = lookupRead(src, srcDb, keyPtr, keyLen, now);
  if (se == 0) return -1;
  if (srcDb == dstDb && keyLen == dstKeyLen && bytesEqual(keyPtr, dstKeyPtr, keyLen)) return 0;
  const dstHash = hashBytes(dstKeyPtr, dstKeyLen);
  const de = lookupWrite(dst, dstDb, dstKeyPtr, dstKeyLen, dstHash, now);
  if (de != 0 && !foundExpired() && replace == 0) return 0;
  const ttl = entryExpireAtMs(se);
  if (!ensureTable(dst)) return STATUS_OOM;
  if (ttl != 0 && !ensureExpiresCapacity(dst, 1)) return STATUS_OOM;
  const copied = allocEntry(dstKeyPtr, dstKeyLen, dstHash);
  if (copied == 0) return STATUS_OOM;
  const valueLen = entryValueLen(se);
  let valuePtr: usize = 0;
  if (isHostHandle(entryType(se))) {
    // Same handle for now: the host deep-copies the stream and re-points the copy at once.
    noteStreamEntryAdded();
  } else if (entryType(se) != TYPE_STRING) {
    valuePtr = copyValueOfType(entryType(se), entryValuePtr(se), valueLen);
    if (valuePtr == 0) {
      free(copied);
      return STATUS_OOM;
    }
  } else if (valueLen != 0) {
    valuePtr = alloc(<usize>valueLen);
    if (valuePtr == 0) {
      free(copied);
      return STATUS_OOM;
    }
    memory.copy(valuePtr, entryValuePtr(se), valueLen);
  }
  setEntryValue(copied, valuePtr, valueLen, entryType(se));
  setEntryFlags(copied, entryFlags(se));
  if (de != 0) deleteOverwritten(dst, de);
  insertEntry(dst, copied);
  if (ttl != 0) setEntryExpire(dst, copied, ttl);
  maybeGrow(dst);
  return 1;
}

// ── Database commands ───────────────────────────────────────────────────────────────────

export function dbSize(db: u32): u32 {
  return keyCount(checkDb(db));
}

export function dbExpiresCount(db: u32): u32 {
  return expiresCount(checkDb(db));
}

export function flushDb(db: u32): void {
  clearDatabase(checkDb(db));
}

export function flushAll(): void {
  for (let db: u32 = 0; db < DB_COUNT; db++) clearDatabase(dbRecord(db));
}

/**
 * FLUSHDB ASYNC (and the replica discarding its old dataset): db is empty at once, its keys
 * and values go to the lazy-free queue whole (O(1), lazyfree.ts). Also for staging databases.
 */
export function flushDbAsync(db: u32): void {
  detachDatabase(checkDb(db));
}

/** FLUSHALL ASYNC: every logical database detached as flushDbAsync does. */
export function flushAllAsync(): void {
  for (let db: u32 = 0; db < DB_COUNT; db++) detachDatabase(dbRecord(db));
}

export function swapDb(a: u32, b: u32): void {
  checkDb(a);
  checkDb(b);
  if (a != b) swapRecords(a, b);
}

/** Moves up to `steps` buckets in every rehashing database; 1 if work remains. */
export function rehashStep(steps: u32): i32 {
  let more = false;
  for (let db: u32 = 0; db < DB_COUNT; db++) {
    const d = dbRecord(db);
    if (isRehashing(d) && rehashSteps(d, steps)) more = true;
    else maybeShrink(d); // a table left oversized by deletes during a rehash
  }
  return more ? 1 : 0;
}

// ── SCAN ────────────────────────────────────────────────────────────────────────────────

/** SCAN's output: a host buffer of [u32 keyLen][key bytes, padded to 4] records. */
const scanOut: usize = memory.data(BUFFER_DESCRIPTOR_BYTES, 4);
/** Keys the current SCAN call has written. */
let scanKeysFound: u32 = 0;

/** Appends the bucket's live keys (matching typeFilter) to scan output; false on OOM. */
function scanBucket(bucket: usize, typeFilter: i32, nowMs: i64): bool {
  let e = <usize>load<u32>(bucket);
  while (e != 0) {
    if (!isExpired(e, nowMs) && (typeFilter < 0 || <i32>entryType(e) == typeFilter)) {
      const keyLen = entryKeyLen(e);
      const at = bufferClaim(scanOut, 4 + align4(<usize>keyLen));
      if (at == 0) return false;
      store<u32>(at, keyLen);
      memory.copy(at + 4, entryKeyPtr(e), keyLen);
      scanKeysFound++;
    }
    e = entryNext(e);
  }
  return true;
}

/**
 * SCAN: visits buckets from `cursor` (reverse-binary order, so keys present for the whole
 * scan are returned at least once across resizes) until `count` keys or 10·count buckets.
 * Writes the next cursor to cell cursor and the output to cells ptr/len. 0 or STATUS_OOM.
 */
export function scan(db: u32, cursor: u32, count: u32, typeFilter: i32, nowMs: f64): i32 {
  const d = checkDb(db);
  const now = <i64>nowMs;
  bufferReset(scanOut);
  scanKeysFound = 0;
  let v = cursor;
  if (table0Ptr(d) == 0) v = 0;
  else {
    const wanted: u32 = count == 0 ? 1 : count;
    let bucketBudget: u64 = <u64>wanted * 10;
    do {
      for (let bucket = bucketGroupFirst(d, v); bucket != 0; bucket = bucketGroupNext()) {
        if (!scanBucket(bucket, typeFilter, now)) return STATUS_OOM;
      }
      v = bucketGroupCursor();
      bucketBudget--;
    } while (v != 0 && bucketBudget > 0 && scanKeysFound < wanted);
  }
  store<u32>(resultCells, v, RESULT_CURSOR);
  store<u32>(resultCells, <u32>bufferPtr(scanOut), RESULT_PTR);
  store<u32>(resultCells, <u32>bufferLen(scanOut), RESULT_LEN);
  return 0;
}

// ── RANDOMKEY ───────────────────────────────────────────────────────────────────────────

/** RANDOMKEY: key length (key address in cell ptr) or STATUS_MISSING. */
export function randomKey(db: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const now = <i64>nowMs;
  for (let attempt: u32 = 0; attempt < RANDOM_KEY_ATTEMPTS_MAX; attempt++) {
    if (keyCount(d) == 0) return STATUS_MISSING;
    const e = randomEntry(d);
    if (isExpired(e, now)) {
      if (expiredKeysDeleted()) expireEntry(d, db, e);
      continue;
    }
    setResultPtr(entryKeyPtr(e));
    return <i32>entryKeyLen(e);
  }
  return STATUS_MISSING;
}

// ── Expiry ──────────────────────────────────────────────────────────────────────────────

/**
 * Active expiry (Redis's sampling cycle): for each database in turn, sample up to 20 keys
 * with a TTL, delete the expired ones, and repeat while more than a quarter of a sample was
 * expired. Stops when timeBudgetMs is spent (clock read every 16 rounds) and resumes at
 * that database next time. Returns keys expired.
 */
export function activeExpireCycle(nowMs: f64, timeBudgetMs: f64): u32 {
  if (!expiredKeysDeleted()) return 0;
  const now = <i64>nowMs;
  const deadlineMs = monotonicMs() + timeBudgetMs;
  let expiredTotal: u32 = 0;
  let rounds: u32 = 0;
  let outOfTime = false;
  for (let visited: u32 = 0; visited < DB_COUNT && !outOfTime; visited++) {
    const db = expireNextDb;
    const d = dbRecord(db);
    while (expiresCount(d) != 0) {
      let sampled: u32 = 0;
      let expired: u32 = 0;
      while (sampled < ACTIVE_EXPIRE_SAMPLE_COUNT && expiresCount(d) != 0) {
        const e = expiresAt(d, randomBelow(expiresCount(d)));
        sampled++;
        if (isExpired(e, now)) {
          if (!expireEntry(d, db, e)) {
            outOfTime = true; // the log cannot grow: stop until the host drains it
            break;
          }
          expired++;
        }
      }
      expiredTotal += expired;
      rounds++;
      if (outOfTime || rounds >= ACTIVE_EXPIRE_ROUNDS_MAX) {
        outOfTime = true;
        break;
      }
      if (rounds % ACTIVE_EXPIRE_ROUNDS_PER_CLOCK_CHECK == 0 && monotonicMs() >= deadlineMs) {
        outOfTime = true;
        break;
      }
      if (expired * 4 <= sampled) break;
    }
    maybeShrink(d);
    if (!outOfTime) expireNextDb = (db + 1) % DB_COUNT;
  }
  return expiredTotal;
}
