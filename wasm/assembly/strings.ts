// strings.ts — the string commands' engine half: GET, SET (with its NX / XX / KEEPTTL flags
// and encoding hint) and APPEND, the hot path of the whole engine.
//
// A string value is one block of valueLen bytes (valuePtr 0 when empty) in the entry's value
// words. GET answers with the value's address in cell ptr and its length, so the host reads
// the bytes in place. SET reuses the old block when the new value fits it without wasting
// over half; APPEND grows the block geometrically (like sds), so repeated appends are
// amortised O(1). Values above 64 KiB skip staging: with valueStaged 0 the export sizes the
// block, hands its address back in cell ptr, and the host copies the bytes there at once.
//
// Every export allocates what it needs before changing anything, so STATUS_OOM leaves the key
// as it was.

import {
  ENCODING_HINT_MASK,
  ENCODING_HINT_RAW,
  SET_ENCODING_SHIFT,
  SET_KEEPTTL,
  SET_NX,
  SET_XX,
  STATUS_MISSING,
  STATUS_OOM,
  STATUS_WRONGTYPE,
  TYPE_STRING,
} from "./abi";
import { setResultPtr, stagingPtr } from "./boundary";
import { hashBytes } from "./bytes";
import {
  allocEntry,
  ensureExpiresCapacity,
  ensureTable,
  insertEntry,
  maybeGrow,
  setEntryExpire,
} from "./dict";
import {
  entryExpireAtMs,
  entryType,
  entryValueLen,
  entryValuePtr,
  setEntryFlags,
  setEntryValue,
} from "./entry";
import {
  checkDb,
  deleteEntry,
  foundExpired,
  lookupRead,
  lookupWrite,
  rehashOnWrite,
} from "./keyspace";
import { alloc, free, usableSize } from "./pages";
import { freeEntryValue } from "./values";

/** Longest string value; lengths cross the boundary as i32. */
const STRING_MAX_BYTES: u64 = 0x7fffffff;
/** APPEND doubles capacity below this size, then adds this much (like sds). */
const APPEND_DOUBLING_LIMIT_BYTES: u64 = 1 << 20;

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
  setResultPtr(valuePtr);
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
      setResultPtr(oldPtr);
      setEntryValue(e, oldPtr, valueLen, TYPE_STRING);
      return true;
    }
  }
  const fresh = alloc(<usize>valueLen);
  if (fresh == 0) return false;
  if (valueSrc != 0) memory.copy(fresh, valueSrc, valueLen);
  setResultPtr(fresh);
  freeEntryValue(e);
  setEntryValue(e, fresh, valueLen, TYPE_STRING);
  return true;
}

// ── Commands ──────────────────────────────────────────────────────────────────────────

/** GET: value length (value address in cell ptr), STATUS_MISSING or STATUS_WRONGTYPE. */
export function getString(db: u32, keyLen: u32, nowMs: f64): i32 {
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs);
  if (e == 0) return STATUS_MISSING;
  if (entryType(e) != TYPE_STRING) return STATUS_WRONGTYPE;
  setResultPtr(entryValuePtr(e));
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
  const keyPtr = stagingPtr();
  const valueSrc = valueStaged != 0 ? keyPtr + <usize>keyLen : 0;
  const hash = hashBytes(keyPtr, keyLen);
  const e = lookupWrite(d, db, keyPtr, keyLen, hash, <i64>nowMs);
  const exists = e != 0 && !foundExpired();
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
  const keyPtr = stagingPtr();
  const suffixSrc = suffixStaged != 0 ? keyPtr + <usize>keyLen : 0;
  const hash = hashBytes(keyPtr, keyLen);
  let e = lookupWrite(d, db, keyPtr, keyLen, hash, <i64>nowMs);
  if (e != 0 && foundExpired()) {
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
    setResultPtr(entryValuePtr(e) + <usize>oldLen);
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
  setResultPtr(valuePtr + <usize>oldLen);
  setEntryValue(e, valuePtr, <u32>newLen, TYPE_STRING);
  setEntryFlags(e, ENCODING_HINT_RAW);
  return <i32>newLen;
}

// ── The request pipeline's SET ─────────────────────────────────────────────────────────

/**
 * SET key value with no options (or KEEPTTL, as INCR stores its result), key and value anywhere
 * in memory (pipeline.ts runs it from the request bytes): 1 written, 0 when the key holds
 * another type (nothing changed: the host's path overwrites it, freeing what only the host
 * can), STATUS_OOM (nothing changed). As setString with those flags: a new entry, or the old
 * value replaced, its encoding hint cleared and its TTL cleared unless kept.
 */
export function setStringAt(
  db: u32,
  keyPtr: usize,
  keyLen: u32,
  valuePtr: usize,
  valueLen: u32,
  nowMs: f64,
  keepTtl: bool,
): i32 {
  const d = checkDb(db);
  rehashOnWrite(d);
  const hash = hashBytes(keyPtr, keyLen);
  const e = lookupWrite(d, db, keyPtr, keyLen, hash, <i64>nowMs);
  if (e == 0) return createStringEntry(d, keyPtr, keyLen, hash, valuePtr, valueLen, 0, 0);
  if (entryType(e) != TYPE_STRING) return 0;
  if (!replaceWithString(e, valuePtr, valueLen)) return STATUS_OOM;
  setEntryFlags(e, 0);
  if (!keepTtl) setEntryExpire(d, e, 0);
  return 1;
}
