// index.ts — the keyspace engine's exported, numeric API (one WASM call per command).
//
// The host (core/engine/engine.ts) copies argument bytes into the staging region, calls one
// export with numbers (db, lengths, times as f64 milliseconds), and reads results back from
// the result cells or from engine memory the cells point at. No export allocates on the
// host's behalf except through the regions drawn here, so the boundary never carries
// strings or objects.
//
//   staging region (host writes, engine reads; grown by reserveStaging)
//   ┌──────────────────┬────────────────────────┐
//   │ key (keyLen B)   │ value / second key …   │
//   └──────────────────┴────────────────────────┘
//
//   result cells (16 bytes, static; u32 each)
//   ┌────────────┬────────────┬────────────┬─────────────┐
//   │ 0 ptr      │ 4 len      │ 8 cursor   │ 12 staging  │
//   └────────────┴────────────┴────────────┴─────────────┘
//
//   expired-key log and scan output (engine writes, host copies out), records 4-aligned:
//   ┌────────┬──────────┬───────────┬─────┐       ┌──────────┬───────────┬─────┐
//   │ db u32 │ keyLen u32│ key bytes │ pad │  and  │ keyLen u32│ key bytes │ pad │
//   └────────┴──────────┴───────────┴─────┘       └──────────┴───────────┴─────┘
//
// Values above 64 KiB skip staging: setString/appendString with valueStaged 0 size the
// block and hand its address back in cell ptr; the host copies the bytes there at once.
//
// Return codes: ≥ 0 results, STATUS_MISSING (-1), STATUS_WRONGTYPE (-2), STATUS_OOM (-3).
// Every mutating export allocates everything it needs before changing anything, so OOM
// leaves the keyspace as it was. Expiry: a key is expired when nowMs > expireAtMs (Redis).
// Reads delete expired keys (lazy expiry) and log them, unless expireDeletes is off
// (replica mode), where expired keys read as missing and stay until the master's DEL.

import {
  alloc,
  free,
  getFreePageCount,
  getHeapPageCount,
  getUsedBytes,
  initPages,
  realloc,
  setMaxHeapPageCount,
  usableSize,
} from "./pages";
import { copyValueOfType } from "./values";
import {
  allocEntry,
  bucketGroupCursor,
  bucketGroupFirst,
  bucketGroupNext,
  bytesEqual,
  clearDatabase,
  DB_COUNT,
  dbRecord,
  ensureExpiresCapacity,
  ensureTable,
  entryExpireAtMs,
  entryKeyLen,
  entryKeyPtr,
  entryNext,
  entryType,
  entryValueLen,
  entryValuePtr,
  ENTRY_EXPIRE_AT,
  ENTRY_LRU_CLOCK,
  expiresAt,
  expiresCount,
  findEntry,
  freeEntryValue,
  hashBytes,
  initDatabases,
  insertEntry,
  isRehashing,
  keyCount,
  maybeGrow,
  maybeShrink,
  rehashIndex,
  rehashSteps,
  REHASH_STEP_BUCKETS,
  setEntryExpire,
  setEntryValue,
  entryFlags,
  setEntryFlags,
  setHashSeed,
  swapRecords,
  table0Mask,
  table0Ptr,
  table1Mask,
  table1Ptr,
  TYPE_STRING,
  unlinkEntry,
} from "./dict";
import {
  ACCESS_MODE_LFU,
  decayedCounter,
  getAccessMode,
  idleMs,
  noteClock,
  touchEntry,
} from "./access";

// @ts-ignore: decorator
@external("env", "monotonicMs")
declare function monotonicMs(): f64;

const STATUS_MISSING: i32 = -1;
const STATUS_WRONGTYPE: i32 = -2;
const STATUS_OOM: i32 = -3;

const SET_NX: u32 = 1;
const SET_XX: u32 = 2;
const SET_KEEPTTL: u32 = 4;
/**
 * Bits 8..9 of setString's flags carry the entry's encoding hint (stored in ENTRY_FLAGS):
 * 1 = "raw" (built in place by APPEND/SETRANGE), 2 = never "int" (INCRBYFLOAT text). Redis
 * reports these in OBJECT ENCODING, so the engine keeps them with the value.
 */
const SET_ENCODING_SHIFT: u32 = 8;
const ENCODING_HINT_MASK: u32 = 3;
const ENCODING_HINT_RAW: u8 = 1;

/** Longest string value; lengths cross the boundary as i32. */
const STRING_MAX_BYTES: u64 = 0x7fffffff;
/** APPEND doubles capacity below this size, then adds this much (like sds). */
const APPEND_DOUBLING_LIMIT_BYTES: u64 = 1 << 20;

/** Redis's active expiry constants: keys sampled per round, repeat while > 1/4 expired. */
const ACTIVE_EXPIRE_SAMPLE_COUNT: u32 = 20;
/** Rounds between clock reads, and a hard cap on rounds per cycle. */
const ACTIVE_EXPIRE_ROUNDS_PER_CLOCK_CHECK: u32 = 16;
const ACTIVE_EXPIRE_ROUNDS_MAX: u32 = 1 << 20;
/** RANDOMKEY gives up after this many expired picks (Redis uses 100 too). */
const RANDOM_KEY_ATTEMPTS_MAX: u32 = 100;
const RANDOM_BUCKET_PROBES_MAX: u32 = 1000;
/** Host-facing buffers above this size are released once drained. */
const BUFFER_KEEP_MAX_BYTES: usize = 1 << 20;

const RESULT_PTR: usize = 0;
const RESULT_LEN: usize = 4;
const RESULT_CURSOR: usize = 8;
const RESULT_STAGING: usize = 12;
/** Bytes waiting in the expired log, mirrored here so the host checks it without a call. */
const RESULT_EXPIRED_LOG_LEN: usize = 16;
/** Collection replies: the out buffer's address and filled length (see outPush). */
const RESULT_OUT_PTR: usize = 20;
const RESULT_OUT_LEN: usize = 24;
/** Status of the last colOpen* call (COL_* / STATUS_*). */
const RESULT_COL_STATUS: usize = 28;
const resultCells: usize = memory.data(32, 16);

// ── State ───────────────────────────────────────────────────────────────────────────────

/** Staging region the host writes arguments into. */
let stagingPtr: usize = 0;
let stagingCapacityBytes: usize = 0;
/** False on replicas: expired keys are hidden but not deleted, active expiry idles. */
let expireDeletes: bool = true;
/** Log of keys deleted by expiry since the host last drained it. */
let expiredLogPtr: usize = 0;
let expiredLogLenBytes: usize = 0;
let expiredLogCapacityBytes: usize = 0;
/** Scan output buffer. */
let scanOutPtr: usize = 0;
let scanOutLenBytes: usize = 0;
let scanOutCapacityBytes: usize = 0;
/** Next database the active expiry cycle visits. */
let expireNextDb: u32 = 0;
/** xorshift64* state for sampling and RANDOMKEY. */
let randomState: u64 = 0x9e3779b97f4a7c15;
/** Set by lookupWrite: the entry found is expired but kept (expireDeletes off). */
let lookupFoundExpired: bool = false;

// ── Small helpers ───────────────────────────────────────────────────────────────────────

@inline function nextRandom(): u64 {
  let x = randomState;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  randomState = x;
  return x * 0x2545f4914f6cdd1d;
}

@inline function randomBelow(n: u32): u32 {
  return <u32>((nextRandom() >> 32) % <u64>n);
}

@inline function align4(n: usize): usize {
  return (n + 3) & ~<usize>3;
}

@inline function isExpired(e: usize, nowMs: i64): bool {
  const expireAtMs = entryExpireAtMs(e);
  return expireAtMs != 0 && nowMs > expireAtMs;
}

@inline function checkDb(db: u32): usize {
  assert(db < DB_COUNT);
  return dbRecord(db);
}

/** Grows a host-facing buffer to hold needBytes; false on OOM (buffer unchanged). */
function growBuffer(ptrCell: usize, capacityCell: usize, lenBytes: usize, needBytes: usize): bool {
  const capacity = load<usize>(capacityCell);
  if (needBytes <= capacity) return true;
  let newCapacity: usize = capacity < 256 ? 256 : capacity * 2;
  if (newCapacity < needBytes) newCapacity = needBytes;
  const fresh = realloc(load<usize>(ptrCell), lenBytes, newCapacity);
  if (fresh == 0) return false;
  store<usize>(ptrCell, fresh);
  store<usize>(capacityCell, newCapacity);
  return true;
}

// Buffer descriptors are kept in static cells so growBuffer can serve both buffers.
const expiredLogCells: usize = memory.data(8, 4); // ptr, capacity
const scanOutCells: usize = memory.data(8, 4);
const outCells: usize = memory.data(8, 4);

function syncBufferGlobals(): void {
  expiredLogPtr = load<usize>(expiredLogCells);
  expiredLogCapacityBytes = load<usize>(expiredLogCells, 4);
  scanOutPtr = load<usize>(scanOutCells);
  scanOutCapacityBytes = load<usize>(scanOutCells, 4);
}

// ── Deletion and expiry ─────────────────────────────────────────────────────────────────

function deleteEntry(d: usize, e: usize): void {
  unlinkEntry(d, e);
  freeEntryValue(e);
  free(e);
}

/** Appends (db, key) to the expired log; false if the log cannot grow. */
function logExpired(db: u32, e: usize): bool {
  const keyLen = entryKeyLen(e);
  const recordBytes: usize = 8 + align4(<usize>keyLen);
  if (!growBuffer(expiredLogCells, expiredLogCells + 4, expiredLogLenBytes, expiredLogLenBytes + recordBytes)) {
    return false;
  }
  syncBufferGlobals();
  const at = expiredLogPtr + expiredLogLenBytes;
  store<u32>(at, db);
  store<u32>(at, keyLen, 4);
  memory.copy(at + 8, entryKeyPtr(e), keyLen);
  expiredLogLenBytes += recordBytes;
  store<u32>(resultCells, <u32>expiredLogLenBytes, RESULT_EXPIRED_LOG_LEN);
  return true;
}

/**
 * Deletes an expired entry and logs it. If the log cannot grow the entry stays; readers
 * still treat it as missing, and a later expiry retries.
 */
function expireEntry(d: usize, db: u32, e: usize): bool {
  if (!logExpired(db, e)) return false;
  deleteEntry(d, e);
  return true;
}

/** Entry for a read, or 0; expired entries read as missing (deleted when allowed). */
@inline function lookupRead(d: usize, db: u32, keyPtr: usize, keyLen: u32, nowMs: i64): usize {
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
 * is returned with lookupFoundExpired set, so the write reuses it but treats it as missing.
 */
function lookupWrite(d: usize, db: u32, keyPtr: usize, keyLen: u32, hash: u32, nowMs: i64): usize {
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

@inline function rehashOnWrite(d: usize): void {
  if (isRehashing(d)) rehashSteps(d, REHASH_STEP_BUCKETS);
}

// ── Value storage ───────────────────────────────────────────────────────────────────────

/**
 * New entry with a string value copied from valueSrc, or left for the host to write when
 * valueSrc is 0 (the value's address goes to cell ptr). 1 or STATUS_OOM (nothing changed).
 */
function createStringEntry(
  d: usize,
  keyPtr: usize,
  keyLen: u32,
  hash: u32,
  valueSrc: usize,
  valueLen: u32,
  expireAtMs: i64,
  encodingHint: u8,
): i32 {
  if (!ensureTable(d)) return STATUS_OOM;
  if (expireAtMs != 0 && !ensureExpiresCapacity(d, 1)) return STATUS_OOM;
  const e = allocEntry(keyPtr, keyLen, hash);
  if (e == 0) return STATUS_OOM;
  let valuePtr: usize = 0;
  if (valueLen != 0) {
    valuePtr = alloc(<usize>valueLen);
    if (valuePtr == 0) {
      free(e);
      return STATUS_OOM;
    }
    if (valueSrc != 0) memory.copy(valuePtr, valueSrc, valueLen);
  }
  store<u32>(resultCells, <u32>valuePtr, RESULT_PTR);
  setEntryValue(e, valuePtr, valueLen, TYPE_STRING);
  setEntryFlags(e, encodingHint);
  insertEntry(d, e);
  if (expireAtMs != 0) setEntryExpire(d, e, expireAtMs);
  maybeGrow(d);
  return 1;
}

/**
 * Replaces e's value (any type) with string bytes from valueSrc, or with a block the host
 * fills when valueSrc is 0 (address in cell ptr). False on OOM (old value kept).
 */
function replaceWithString(e: usize, valueSrc: usize, valueLen: u32): bool {
  if (valueLen == 0) {
    freeEntryValue(e);
    setEntryValue(e, 0, 0, TYPE_STRING);
    return true;
  }
  const oldPtr = entryValuePtr(e);
  if (entryType(e) == TYPE_STRING) {
    const usable = usableSize(oldPtr);
    // Reuse the block unless it would waste more than half of it.
    if (<usize>valueLen <= usable && usable <= (<usize>valueLen << 1) + 64) {
      if (valueSrc != 0) memory.copy(oldPtr, valueSrc, valueLen);
      store<u32>(resultCells, <u32>oldPtr, RESULT_PTR);
      setEntryValue(e, oldPtr, valueLen, TYPE_STRING);
      return true;
    }
  }
  const fresh = alloc(<usize>valueLen);
  if (fresh == 0) return false;
  if (valueSrc != 0) memory.copy(fresh, valueSrc, valueLen);
  store<u32>(resultCells, <u32>fresh, RESULT_PTR);
  freeEntryValue(e);
  setEntryValue(e, fresh, valueLen, TYPE_STRING);
  return true;
}

// ── Setup and host regions ──────────────────────────────────────────────────────────────

/** Initialises the engine; returns 1, or 0 if memory could not be set up. */
export function init(seedLow: u32, seedHigh: u32): i32 {
  if (!initPages()) return 0;
  initDatabases();
  const seed = (<u64>seedHigh << 32) | <u64>seedLow;
  setHashSeed(seed ^ 0x6a09e667f3bcc909);
  randomState = seed == 0 ? 0x9e3779b97f4a7c15 : seed;
  store<usize>(expiredLogCells, 0);
  store<usize>(expiredLogCells, 0, 4);
  store<usize>(scanOutCells, 0);
  store<usize>(scanOutCells, 0, 4);
  syncBufferGlobals();
  return reserveStaging(4096);
}

/** Address of the result cells. */
export function resultCellsPtr(): usize {
  return resultCells;
}

/** Makes the staging region at least sizeBytes; 1, or 0 on OOM (old region kept). */
export function reserveStaging(sizeBytes: u32): i32 {
  if (<usize>sizeBytes <= stagingCapacityBytes && stagingPtr != 0) {
    store<u32>(resultCells, <u32>stagingPtr, RESULT_STAGING);
    return 1;
  }
  const fresh = alloc(sizeBytes < 16 ? 16 : <usize>sizeBytes);
  if (fresh == 0) return 0;
  free(stagingPtr);
  stagingPtr = fresh;
  stagingCapacityBytes = usableSize(fresh);
  store<u32>(resultCells, <u32>stagingPtr, RESULT_STAGING);
  return 1;
}

/** Replaces a large staging region by a small one (after a big value went through). */
export function shrinkStaging(): i32 {
  free(stagingPtr);
  stagingPtr = 0;
  stagingCapacityBytes = 0;
  return reserveStaging(4096);
}

/** Staging capacity in bytes (the host tracks it to skip reserveStaging calls). */
export function stagingCapacity(): u32 {
  return <u32>stagingCapacityBytes;
}

// ── String commands ─────────────────────────────────────────────────────────────────────

/** GET: value length (value address in cell ptr), STATUS_MISSING or STATUS_WRONGTYPE. */
export function getString(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr, keyLen, <i64>nowMs);
  if (e == 0) return STATUS_MISSING;
  if (entryType(e) != TYPE_STRING) return STATUS_WRONGTYPE;
  store<u32>(resultCells, <u32>entryValuePtr(e), RESULT_PTR);
  return <i32>entryValueLen(e);
}

/**
 * SET: key then value in staging. expireAtMs 0 = no TTL (kept with SET_KEEPTTL).
 * Returns 1 written, 0 prevented by NX/XX, STATUS_OOM (key unchanged).
 * With valueStaged 0 only the key is staged: on 1 the host copies the value to the address
 * in cell ptr before its next call (large values skip the staging copy).
 */
export function setString(
  db: u32,
  keyLen: u32,
  valueLen: u32,
  expireAtMs: f64,
  flags: u32,
  nowMs: f64,
  valueStaged: u32,
): i32 {
  const d = checkDb(db);
  if (<u64>valueLen > STRING_MAX_BYTES) return STATUS_OOM;
  rehashOnWrite(d);
  const keyPtr = stagingPtr;
  const valueSrc = valueStaged != 0 ? keyPtr + <usize>keyLen : 0;
  const hash = hashBytes(keyPtr, keyLen);
  const e = lookupWrite(d, db, keyPtr, keyLen, hash, <i64>nowMs);
  const exists = e != 0 && !lookupFoundExpired;
  if ((flags & SET_NX) != 0 && exists) return 0;
  if ((flags & SET_XX) != 0 && !exists) return 0;
  let newExpireAtMs = <i64>expireAtMs;
  const encodingHint = <u8>((flags >> SET_ENCODING_SHIFT) & ENCODING_HINT_MASK);
  if (e == 0) {
    return createStringEntry(d, keyPtr, keyLen, hash, valueSrc, valueLen, newExpireAtMs, encodingHint);
  }
  if (newExpireAtMs == 0 && (flags & SET_KEEPTTL) != 0 && exists) {
    newExpireAtMs = entryExpireAtMs(e);
  }
  if (newExpireAtMs != 0 && entryExpireAtMs(e) == 0 && !ensureExpiresCapacity(d, 1)) {
    return STATUS_OOM;
  }
  if (!replaceWithString(e, valueSrc, valueLen)) return STATUS_OOM;
  setEntryFlags(e, encodingHint);
  setEntryExpire(d, e, newExpireAtMs);
  return 1;
}

/**
 * APPEND: key then suffix in staging. New length, STATUS_WRONGTYPE or STATUS_OOM. With
 * suffixStaged 0 the host copies the suffix to the address in cell ptr after a success.
 */
export function appendString(
  db: u32,
  keyLen: u32,
  suffixLen: u32,
  nowMs: f64,
  suffixStaged: u32,
): i32 {
  const d = checkDb(db);
  rehashOnWrite(d);
  const keyPtr = stagingPtr;
  const suffixSrc = suffixStaged != 0 ? keyPtr + <usize>keyLen : 0;
  const hash = hashBytes(keyPtr, keyLen);
  let e = lookupWrite(d, db, keyPtr, keyLen, hash, <i64>nowMs);
  if (e != 0 && lookupFoundExpired) {
    deleteEntry(d, e); // replica: a stale value must not be appended to
    e = 0;
  }
  if (e == 0) {
    if (<u64>suffixLen > STRING_MAX_BYTES) return STATUS_OOM;
    const status = createStringEntry(d, keyPtr, keyLen, hash, suffixSrc, suffixLen, 0, 0);
    return status < 0 ? status : <i32>suffixLen;
  }
  if (entryType(e) != TYPE_STRING) return STATUS_WRONGTYPE;
  const oldLen = entryValueLen(e);
  const newLen = <u64>oldLen + <u64>suffixLen;
  if (newLen > STRING_MAX_BYTES) return STATUS_OOM;
  if (suffixLen == 0) {
    // Redis unshares the value even for an empty suffix: OBJECT ENCODING turns "raw".
    setEntryFlags(e, ENCODING_HINT_RAW);
    store<u32>(resultCells, <u32>entryValuePtr(e) + oldLen, RESULT_PTR);
    return <i32>oldLen;
  }
  let valuePtr = entryValuePtr(e);
  if (<usize>newLen > usableSize(valuePtr)) {
    const capacity = newLen < APPEND_DOUBLING_LIMIT_BYTES
      ? newLen << 1
      : newLen + APPEND_DOUBLING_LIMIT_BYTES;
    let fresh = alloc(<usize>(capacity < STRING_MAX_BYTES ? capacity : newLen));
    if (fresh == 0) fresh = alloc(<usize>newLen);
    if (fresh == 0) return STATUS_OOM;
    if (oldLen != 0) memory.copy(fresh, valuePtr, oldLen);
    free(valuePtr);
    valuePtr = fresh;
  }
  if (suffixSrc != 0) memory.copy(valuePtr + <usize>oldLen, suffixSrc, suffixLen);
  store<u32>(resultCells, <u32>(valuePtr + <usize>oldLen), RESULT_PTR);
  setEntryValue(e, valuePtr, <u32>newLen, TYPE_STRING);
  setEntryFlags(e, ENCODING_HINT_RAW);
  return <i32>newLen;
}

// ── Generic key commands ────────────────────────────────────────────────────────────────

/** DEL: 1 if a live key was removed, else 0 (an expired key is removed all the same). */
export function delKey(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  rehashOnWrite(d);
  const keyPtr = stagingPtr;
  const e = findEntry(d, keyPtr, keyLen, hashBytes(keyPtr, keyLen));
  if (e == 0) return 0;
  let removedLive: i32 = 1;
  if (isExpired(e, <i64>nowMs)) {
    removedLive = 0;
    if (expireDeletes) logExpired(db, e); // best effort: the DEL itself propagates too
  }
  deleteEntry(d, e);
  maybeShrink(d);
  return removedLive;
}

/** EXISTS for one key: 1 or 0. */
export function existsKey(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  return lookupRead(d, db, stagingPtr, keyLen, <i64>nowMs) != 0 ? 1 : 0;
}

/** TYPE: value type tag or STATUS_MISSING. */
export function typeOf(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr, keyLen, <i64>nowMs);
  return e == 0 ? STATUS_MISSING : <i32>entryType(e);
}

/** PTTL source: -2 missing, -1 no TTL, else the absolute expiry in ms. */
/** The entry's encoding hint bits (see SET_ENCODING_SHIFT), or STATUS_MISSING. */
export function encodingHint(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr, keyLen, <i64>nowMs);
  if (e == 0) return STATUS_MISSING;
  return <i32>entryFlags(e);
}

export function getExpireAtMs(db: u32, keyLen: u32, nowMs: f64): f64 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr, keyLen, <i64>nowMs);
  if (e == 0) return -2;
  const expireAtMs = entryExpireAtMs(e);
  return expireAtMs == 0 ? -1 : <f64>expireAtMs;
}

/** EXPIRE family (expireAtMs > 0): 1 set, 0 missing, STATUS_OOM. */
export function setExpireAtMs(db: u32, keyLen: u32, expireAtMs: f64, nowMs: f64): i32 {
  const d = checkDb(db);
  const at = <i64>expireAtMs;
  assert(at > 0);
  const e = lookupRead(d, db, stagingPtr, keyLen, <i64>nowMs);
  if (e == 0) return 0;
  if (entryExpireAtMs(e) == 0 && !ensureExpiresCapacity(d, 1)) return STATUS_OOM;
  setEntryExpire(d, e, at);
  return 1;
}

/** PERSIST: 1 if a TTL was removed. */
export function persistKey(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr, keyLen, <i64>nowMs);
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
  const keyPtr = stagingPtr;
  const dstKeyPtr = keyPtr + <usize>keyLen;
  const sameKey = keyLen == dstKeyLen && bytesEqual(keyPtr, dstKeyPtr, keyLen);
  const srcHash = hashBytes(keyPtr, keyLen);
  const se = lookupWrite(src, srcDb, keyPtr, keyLen, srcHash, now);
  if (se == 0 || lookupFoundExpired) return -1;
  if (sameKey && srcDb == dstDb) return nx != 0 ? 0 : 1; // Redis: RENAMENX k k → 0
  const dstHash = sameKey ? srcHash : hashBytes(dstKeyPtr, dstKeyLen);
  const de = lookupWrite(dst, dstDb, dstKeyPtr, dstKeyLen, dstHash, now);
  if (de != 0 && !lookupFoundExpired && nx != 0) return 0;
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
  if (de != 0) deleteEntry(dst, de);
  unlinkEntry(src, se);
  store<i64>(se, 0, ENTRY_EXPIRE_AT); // out of src's TTL index; re-added in dst below
  if (moved != se) {
    setEntryValue(moved, entryValuePtr(se), entryValueLen(se), entryType(se));
    setEntryFlags(moved, entryFlags(se));
    store<u32>(moved, load<u32>(se, ENTRY_LRU_CLOCK), ENTRY_LRU_CLOCK);
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
  const keyPtr = stagingPtr;
  const dstKeyPtr = keyPtr + <usize>keyLen;
  const se = lookupRead(src, srcDb, keyPtr, keyLen, now);
  if (se == 0) return -1;
  if (srcDb == dstDb && keyLen == dstKeyLen && bytesEqual(keyPtr, dstKeyPtr, keyLen)) return 0;
  const dstHash = hashBytes(dstKeyPtr, dstKeyLen);
  const de = lookupWrite(dst, dstDb, dstKeyPtr, dstKeyLen, dstHash, now);
  if (de != 0 && !lookupFoundExpired && replace == 0) return 0;
  const ttl = entryExpireAtMs(se);
  if (!ensureTable(dst)) return STATUS_OOM;
  if (ttl != 0 && !ensureExpiresCapacity(dst, 1)) return STATUS_OOM;
  const copied = allocEntry(dstKeyPtr, dstKeyLen, dstHash);
  if (copied == 0) return STATUS_OOM;
  const valueLen = entryValueLen(se);
  let valuePtr: usize = 0;
  if (entryType(se) != TYPE_STRING) {
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
  if (de != 0) deleteEntry(dst, de);
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



let scanKeysFound: u32 = 0;

/** Appends the bucket's live keys (matching typeFilter) to scan output; false on OOM. */
function scanBucket(bucket: usize, typeFilter: i32, nowMs: i64): bool {
  let e = <usize>load<u32>(bucket);
  while (e != 0) {
    if (!isExpired(e, nowMs) && (typeFilter < 0 || <i32>entryType(e) == typeFilter)) {
      const keyLen = entryKeyLen(e);
      const recordBytes: usize = 4 + align4(<usize>keyLen);
      if (!growBuffer(scanOutCells, scanOutCells + 4, scanOutLenBytes, scanOutLenBytes + recordBytes)) {
        return false;
      }
      syncBufferGlobals();
      const at = scanOutPtr + scanOutLenBytes;
      store<u32>(at, keyLen);
      memory.copy(at + 4, entryKeyPtr(e), keyLen);
      scanOutLenBytes += recordBytes;
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
  if (scanOutCapacityBytes > BUFFER_KEEP_MAX_BYTES) {
    free(scanOutPtr);
    store<usize>(scanOutCells, 0);
    store<usize>(scanOutCells, 0, 4);
    syncBufferGlobals();
  }
  scanOutLenBytes = 0;
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
  store<u32>(resultCells, <u32>scanOutPtr, RESULT_PTR);
  store<u32>(resultCells, <u32>scanOutLenBytes, RESULT_LEN);
  return 0;
}

// ── RANDOMKEY ───────────────────────────────────────────────────────────────────────────

/** Some entry of a non-empty database: random non-empty bucket, random chain position. */
function randomEntry(d: usize): usize {
  for (let probe: u32 = 0; probe < RANDOM_BUCKET_PROBES_MAX; probe++) {
    let bucket: usize;
    if (isRehashing(d)) {
      const rehash = <u32>rehashIndex(d);
      const pending0 = table0Mask(d) + 1 - rehash;
      const r = randomBelow(pending0 + table1Mask(d) + 1);
      bucket = r < pending0
        ? table0Ptr(d) + (<usize>(rehash + r) << 2)
        : table1Ptr(d) + (<usize>(r - pending0) << 2);
    } else {
      bucket = table0Ptr(d) + (<usize>(<u32>nextRandom() & table0Mask(d)) << 2);
    }
    const first = <usize>load<u32>(bucket);
    if (first == 0) continue;
    let chainLen: u32 = 0;
    for (let e = first; e != 0; e = entryNext(e)) chainLen++;
    let e = first;
    for (let skip = randomBelow(chainLen); skip > 0; skip--) e = entryNext(e);
    return e;
  }
  // Very sparse table: the first entry found by a full walk.
  for (let t: u32 = 0; t < 2; t++) {
    const table = t == 0 ? table0Ptr(d) : table1Ptr(d);
    const mask = t == 0 ? table0Mask(d) : table1Mask(d);
    if (table == 0) continue;
    for (let i: u32 = 0; i <= mask; i++) {
      const e = <usize>load<u32>(table + (<usize>i << 2));
      if (e != 0) return e;
    }
  }
  assert(false);
  return 0;
}

/** RANDOMKEY: key length (key address in cell ptr) or STATUS_MISSING. */
export function randomKey(db: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const now = <i64>nowMs;
  for (let attempt: u32 = 0; attempt < RANDOM_KEY_ATTEMPTS_MAX; attempt++) {
    if (keyCount(d) == 0) return STATUS_MISSING;
    const e = randomEntry(d);
    if (isExpired(e, now)) {
      if (expireDeletes) expireEntry(d, db, e);
      continue;
    }
    store<u32>(resultCells, <u32>entryKeyPtr(e), RESULT_PTR);
    return <i32>entryKeyLen(e);
  }
  return STATUS_MISSING;
}

// ── maxmemory eviction ──────────────────────────────────────────────────────────────────

/** maxmemory-policy codes the host passes (noeviction never asks). */
const EVICT_ALLKEYS_LRU: u32 = 1;
const EVICT_ALLKEYS_LFU: u32 = 2;
const EVICT_ALLKEYS_RANDOM: u32 = 3;
const EVICT_VOLATILE_LRU: u32 = 4;
const EVICT_VOLATILE_LFU: u32 = 5;
const EVICT_VOLATILE_RANDOM: u32 = 6;
const EVICT_VOLATILE_TTL: u32 = 7;
/** Next database the random policies start from, so they spread over databases. */
let evictNextDb: u32 = 0;

/**
 * The key maxmemory should evict next under `policy`: Redis's approximation, sampling
 * `samples` keys per database (all keys, or only those with a TTL for volatile-*) into a pool
 * of the best candidates seen so far — longest idle (LRU), least frequently used (LFU),
 * soonest to expire (TTL) — and taking the best; for the random policies, a random key of the
 * next database that has one. The key is not
 * deleted here: the host deletes it as a command would, so snapshots, replicas and the AOF see
 * a DEL. Returns the key length (key address in cell ptr, database in cell cursor) or
 * STATUS_MISSING when no key qualifies.
 */
export function evictionCandidate(policy: u32, samples: u32, nowMs: f64): i32 {
  noteClock(<i64>nowMs);
  const volatile = policy >= EVICT_VOLATILE_LRU;
  if (policy == EVICT_ALLKEYS_RANDOM || policy == EVICT_VOLATILE_RANDOM) {
    for (let visited: u32 = 0; visited < DB_COUNT; visited++) {
      const db = (evictNextDb + visited) % DB_COUNT;
      const d = dbRecord(db);
      const candidates = volatile ? expiresCount(d) : keyCount(d);
      if (candidates == 0) continue;
      evictNextDb = (db + 1) % DB_COUNT;
      return reportCandidate(db, volatile ? expiresAt(d, randomBelow(candidates)) : randomEntry(d));
    }
    return STATUS_MISSING;
  }
  if (policy != evictionPoolPolicy) {
    clearEvictionPool();
    evictionPoolPolicy = policy;
  }
  // As Redis: sample every database into the pool, then take the best candidate that still
  // exists (pool entries are key copies; the key may have gone since it was sampled).
  for (let round: u32 = 0; round < EVICTION_ROUNDS_MAX; round++) {
    let sampledAny = false;
    for (let db: u32 = 0; db < DB_COUNT; db++) {
      const d = dbRecord(db);
      const candidates = volatile ? expiresCount(d) : keyCount(d);
      if (candidates == 0) continue;
      sampledAny = true;
      for (let s: u32 = 0; s < samples; s++) {
        const e = volatile ? expiresAt(d, randomBelow(expiresCount(d))) : randomEntry(d);
        poolOffer(db, e, evictionScore(policy, e));
      }
    }
    if (!sampledAny) return STATUS_MISSING;
    while (evictionPoolCount > 0) {
      evictionPoolCount--;
      const slot = evictionPool + <usize>evictionPoolCount * POOL_SLOT_BYTES;
      const db = load<u32>(slot, POOL_DB);
      const keyPtr = <usize>load<u32>(slot, POOL_KEY_PTR);
      const keyLen = load<u32>(slot, POOL_KEY_LEN);
      const e = findEntry(dbRecord(db), keyPtr, keyLen, hashBytes(keyPtr, keyLen));
      free(keyPtr);
      if (e == 0 || (volatile && entryExpireAtMs(e) == 0)) continue;
      return reportCandidate(db, e);
    }
  }
  return STATUS_MISSING;
}

/** Redis's EVPOOL_SIZE: candidates kept across evictions, ascending by score (best last). */
const EVICTION_POOL_SIZE: u32 = 16;
/** Slot: score f64 │ db u32 │ key copy ptr u32 │ key length u32 │ pad u32. */
const POOL_SLOT_BYTES: usize = 24;
const POOL_SCORE: usize = 0;
const POOL_DB: usize = 8;
const POOL_KEY_PTR: usize = 12;
const POOL_KEY_LEN: usize = 16;
/** Sample-then-pick rounds before giving up (every pooled key may have gone meanwhile). */
const EVICTION_ROUNDS_MAX: u32 = 8;
const evictionPool: usize = memory.data(<i32>(EVICTION_POOL_SIZE * <u32>POOL_SLOT_BYTES), 8);
let evictionPoolCount: u32 = 0;
/** The policy the pooled scores were computed for. */
let evictionPoolPolicy: u32 = 0;

function reportCandidate(db: u32, e: usize): i32 {
  store<u32>(resultCells, db, RESULT_CURSOR);
  store<u32>(resultCells, <u32>entryKeyPtr(e), RESULT_PTR);
  return <i32>entryKeyLen(e);
}

/** Higher is a better candidate: longest idle, least used, or soonest to expire. */
function evictionScore(policy: u32, e: usize): f64 {
  const stamp = load<u32>(e, ENTRY_LRU_CLOCK);
  if (policy == EVICT_ALLKEYS_LRU || policy == EVICT_VOLATILE_LRU) return idleMs(stamp);
  if (policy == EVICT_ALLKEYS_LFU || policy == EVICT_VOLATILE_LFU) {
    return <f64>(255 - decayedCounter(stamp));
  }
  return 9007199254740991.0 - <f64>entryExpireAtMs(e); // volatile-ttl
}

/** Inserts a sampled key in score order unless the pool is full of better ones (or has it). */
function poolOffer(db: u32, e: usize, score: f64): void {
  const keyPtr = entryKeyPtr(e);
  const keyLen = entryKeyLen(e);
  const full = evictionPoolCount == EVICTION_POOL_SIZE;
  if (full && score <= load<f64>(evictionPool, POOL_SCORE)) return;
  for (let i: u32 = 0; i < evictionPoolCount; i++) {
    const slot = evictionPool + <usize>i * POOL_SLOT_BYTES;
    if (
      load<u32>(slot, POOL_DB) == db && load<u32>(slot, POOL_KEY_LEN) == keyLen &&
      memory.compare(<usize>load<u32>(slot, POOL_KEY_PTR), keyPtr, keyLen) == 0
    ) return;
  }
  const copy = alloc(keyLen > 0 ? <usize>keyLen : 1);
  if (copy == 0) return;
  memory.copy(copy, keyPtr, keyLen);
  if (full) {
    // Drop the worst (slot 0) to make room.
    free(<usize>load<u32>(evictionPool, POOL_KEY_PTR));
    memory.copy(evictionPool, evictionPool + POOL_SLOT_BYTES, <usize>(EVICTION_POOL_SIZE - 1) * POOL_SLOT_BYTES);
    evictionPoolCount--;
  }
  let at = evictionPoolCount;
  while (at > 0 && load<f64>(evictionPool + <usize>(at - 1) * POOL_SLOT_BYTES, POOL_SCORE) > score) {
    at--;
  }
  const slot = evictionPool + <usize>at * POOL_SLOT_BYTES;
  memory.copy(slot + POOL_SLOT_BYTES, slot, <usize>(evictionPoolCount - at) * POOL_SLOT_BYTES);
  store<f64>(slot, score, POOL_SCORE);
  store<u32>(slot, db, POOL_DB);
  store<u32>(slot, <u32>copy, POOL_KEY_PTR);
  store<u32>(slot, keyLen, POOL_KEY_LEN);
  evictionPoolCount++;
}

function clearEvictionPool(): void {
  for (let i: u32 = 0; i < evictionPoolCount; i++) {
    free(<usize>load<u32>(evictionPool + <usize>i * POOL_SLOT_BYTES, POOL_KEY_PTR));
  }
  evictionPoolCount = 0;
}

/**
 * OBJECT IDLETIME / FREQ without touching the key: idle milliseconds in LRU mode, the decayed
 * LFU counter in LFU mode; -1 when the key is missing.
 */
export function accessInfo(db: u32, keyLen: u32, nowMs: f64): f64 {
  const d = checkDb(db);
  noteClock(<i64>nowMs);
  const e = findEntry(d, stagingPtr, keyLen, hashBytes(stagingPtr, keyLen));
  if (e == 0 || isExpired(e, <i64>nowMs)) return -1;
  const stamp = load<u32>(e, ENTRY_LRU_CLOCK);
  return getAccessMode() == ACCESS_MODE_LFU ? <f64>decayedCounter(stamp) : idleMs(stamp);
}

// ── Expiry ──────────────────────────────────────────────────────────────────────────────

/**
 * Active expiry (Redis's sampling cycle): for each database in turn, sample up to 20 keys
 * with a TTL, delete the expired ones, and repeat while more than a quarter of a sample was
 * expired. Stops when timeBudgetMs is spent (clock read every 16 rounds) and resumes at
 * that database next time. Returns keys expired.
 */
export function activeExpireCycle(nowMs: f64, timeBudgetMs: f64): u32 {
  if (!expireDeletes) return 0;
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

/** Writes the expired log's address and length (bytes) to cells ptr/len. */
export function expiredLogInfo(): void {
  store<u32>(resultCells, <u32>expiredLogPtr, RESULT_PTR);
  store<u32>(resultCells, <u32>expiredLogLenBytes, RESULT_LEN);
}

/** Empties the expired log after the host copied it out. */
export function expiredLogReset(): void {
  expiredLogLenBytes = 0;
  store<u32>(resultCells, 0, RESULT_EXPIRED_LOG_LEN);
  if (expiredLogCapacityBytes > BUFFER_KEEP_MAX_BYTES) {
    free(expiredLogPtr);
    store<usize>(expiredLogCells, 0);
    store<usize>(expiredLogCells, 0, 4);
    syncBufferGlobals();
  }
}

export function setExpireDeletes(on: u32): void {
  expireDeletes = on != 0;
}

// ── Memory statistics and limits ────────────────────────────────────────────────────────

export function usedMemoryBytes(): f64 {
  return <f64>getUsedBytes();
}

export function pageCount(): u32 {
  return getHeapPageCount();
}

export function freePageCount(): u32 {
  return getFreePageCount();
}

export function setMaxPages(pageCountMax: u32): void {
  setMaxHeapPageCount(pageCountMax);
}

// ── Collection access for the type modules (hash.ts, list.ts, set.ts, zset.ts) ───────────
//
// A collection command stages its key at stagingPtr and its other arguments right after it
// (layout chosen by the type module), then calls its module's export, which uses these to
// find or create the key. The module owns everything behind entryValuePtr/entryValueLen and
// must delete the key (colDelete) when a command empties the collection, as Redis does.
// Replies with many elements go through the out buffer: records of [u32 len][bytes, padded
// to 4], whose address and length the host reads from the result cells.

/** colOpen* outcome, readable by the host as the RESULT_COL_STATUS cell. */
export const COL_OK: i32 = 0;

/** Address of the first byte after the staged key: where a module's arguments start. */
export function colArgsPtr(keyLen: u32): usize {
  return stagingPtr + <usize>keyLen;
}

/** Live entry of `valueType` for reading, or 0 (missing: STATUS_MISSING, other type: STATUS_WRONGTYPE). */
export function colOpenRead(db: u32, keyLen: u32, nowMs: f64, valueType: u8): usize {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr, keyLen, <i64>nowMs);
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
  const keyPtr = stagingPtr;
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

function colFail(status: i32): usize {
  store<i32>(resultCells, status, RESULT_COL_STATUS);
  return 0;
}

/** Empties the out buffer (call at the start of every command that replies through it). */
export function outReset(): void {
  store<u32>(resultCells, 0, RESULT_OUT_LEN);
}

/** Appends one [u32 len][bytes] record to the out buffer; false on OOM. */
export function outPush(src: usize, len: u32): bool {
  const lenBytes = <usize>load<u32>(resultCells, RESULT_OUT_LEN);
  const recordBytes: usize = 4 + align4(<usize>len);
  if (!growBuffer(outCells, outCells + 4, lenBytes, lenBytes + recordBytes)) return false;
  const base = load<usize>(outCells);
  store<u32>(resultCells, <u32>base, RESULT_OUT_PTR);
  const at = base + lenBytes;
  store<u32>(at, len);
  if (len != 0) memory.copy(at + 4, src, len);
  store<u32>(resultCells, <u32>(lenBytes + recordBytes), RESULT_OUT_LEN);
  return true;
}

/** Appends an f64 as an 8-byte record (scores); false on OOM. */
export function outPushF64(value: f64): bool {
  const tmp = memory.data(8, 8);
  store<f64>(tmp, value);
  return outPush(tmp, 8);
}
export * from "./hash";
export * from "./list";
export * from "./set";
export * from "./zset";
export * from "./snapshot";
export * from "./snapshot_load";
export * from "./backlog";
export { setAccessMode } from "./access";
