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
  PIPELINE_COUNT_GETS,
  PIPELINE_COUNT_HITS,
  PIPELINE_COUNT_LAST_IS_SET,
  PIPELINE_COUNT_OUT_LEN,
  PIPELINE_COUNT_OUT_PTR,
  PIPELINE_COUNT_SETS,
  PIPELINE_RESP3,
  PIPELINE_WRITES,
  SET_ENCODING_SHIFT,
  SET_KEEPTTL,
  SET_NX,
  SET_XX,
  STATUS_MISSING,
  STATUS_OOM,
  STATUS_WRONGTYPE,
  TYPE_STRING,
} from "./abi";
import {
  BUFFER_DESCRIPTOR_BYTES,
  bufferClaim,
  bufferLen,
  bufferPtr,
  bufferReset,
  bufferTruncate,
  setResultPtr,
  stagingPtr,
} from "./boundary";
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

// ── The string pipeline ────────────────────────────────────────────────────────────────
//
// A pipelining client's plain GETs and SETs (a cache's bread and butter, and redis-benchmark's)
// run here, many per call, instead of one export call, one argv and one dispatch each: the host
// copies request bytes to staging, this loop parses each `*2 $3 GET key` / `*3 $3 SET key
// value` in canonical multibulk form, runs it with the lookups getString / setString use, and
// appends its RESP reply to the pipeline's out buffer. It stops, leaving that command untouched,
// at the first thing it does not handle exactly as the host's full path would: another command
// or argument count, an inline request, a length written other than canonically, a command cut
// off by the end of the bytes, a key of another type, a value above PIPELINE_ARG_MAX_BYTES, an
// allocation failure. The host's dispatcher then takes that command with its checks and texts.
//
//   staging: │*2\r\n$3\r\nGET\r\n$1\r\nk\r\n│*3\r\n$3\r\nSET\r\n…│*2\r\n$4\r\nINCR…│
//            └──────── run, replied ────────┴───── run ─────┴── stop: returned offset ─┘

/** Longest key or value the pipeline handles; longer ones go the host's way (direct copies). */
const PIPELINE_ARG_MAX_BYTES: u32 = 64 * 1024;
/** Most decimal digits of a length the pipeline reads (canonical, no sign, no leading zero). */
const PIPELINE_LENGTH_DIGITS_MAX: i32 = 9;
const ASCII_STAR: u8 = 0x2a;
const ASCII_DOLLAR: u8 = 0x24;
const ASCII_CR: u8 = 0x0d;
const ASCII_LF: u8 = 0x0a;
const ASCII_ZERO: u8 = 0x30;

const pipelineOut: usize = memory.data(BUFFER_DESCRIPTOR_BYTES, 4);
const pipelineCounts: usize = memory.data(24, 4);
/** Where the header readPipelineHeader just read ends. */
let pipelineCursor: usize = 0;

/** The pipeline's counters (abi.ts PIPELINE_COUNT_*), valid after runStringPipeline. */
export function pipelineCountsPtr(): usize {
  return pipelineCounts;
}

/**
 * Reads `<marker><n>\r\n` at p, before end, with n written canonically; n (cursor after the
 * LF), or -1 when the bytes are anything else or end too soon.
 */
function readPipelineHeader(p: usize, end: usize, marker: u8): i32 {
  if (p >= end || load<u8>(p) != marker) return -1;
  p++;
  let n: i32 = 0;
  let digits: i32 = 0;
  while (p < end) {
    const c = load<u8>(p);
    if (c == ASCII_CR) break;
    if (c < ASCII_ZERO || c > ASCII_ZERO + 9 || digits == PIPELINE_LENGTH_DIGITS_MAX) return -1;
    if (digits == 1 && n == 0) return -1;
    n = n * 10 + <i32>(c - ASCII_ZERO);
    digits++;
    p++;
  }
  if (digits == 0 || p + 2 > end || load<u8>(p + 1) != ASCII_LF) return -1;
  pipelineCursor = p + 2;
  return n;
}

@inline function isCrlf(p: usize, end: usize): bool {
  return p + 2 <= end && load<u8>(p) == ASCII_CR && load<u8>(p + 1) == ASCII_LF;
}

/** Decimal digits of n (n < 10^10). */
@inline function decimalDigits(n: u32): u32 {
  let digits: u32 = 1;
  while (n >= 10) {
    n /= 10;
    digits++;
  }
  return digits;
}

/** GET's reply appended: 1 hit, 0 miss, -1 stop (another type, too long, OOM). */
function pipelineGet(d: usize, db: u32, keyPtr: usize, keyLen: u32, nowMs: i64, flags: u32): i32 {
  const e = lookupRead(d, db, keyPtr, keyLen, nowMs);
  if (e == 0) {
    const resp3 = (flags & PIPELINE_RESP3) != 0;
    const at = bufferClaim(pipelineOut, resp3 ? 3 : 5);
    if (at == 0) return -1;
    if (resp3) {
      store<u8>(at, 0x5f); // _
      store<u16>(at + 1, 0x0a0d);
    } else {
      store<u32>(at, 0x0d312d24); // $-1\r
      store<u8>(at + 4, ASCII_LF);
    }
    return 0;
  }
  if (entryType(e) != TYPE_STRING) return -1;
  const valueLen = entryValueLen(e);
  if (valueLen > PIPELINE_ARG_MAX_BYTES) return -1;
  const digits = decimalDigits(valueLen);
  const at = bufferClaim(pipelineOut, 1 + <usize>digits + 2 + <usize>valueLen + 2);
  if (at == 0) return -1;
  store<u8>(at, ASCII_DOLLAR);
  let n = valueLen;
  for (let i = <usize>digits; i >= 1; i--) {
    store<u8>(at + i, ASCII_ZERO + <u8>(n % 10));
    n /= 10;
  }
  let p = at + 1 + <usize>digits;
  store<u16>(p, 0x0a0d);
  p += 2;
  if (valueLen != 0) memory.copy(p, entryValuePtr(e), valueLen);
  store<u16>(p + <usize>valueLen, 0x0a0d);
  return 1;
}

/** SET key value (no options) with +OK appended; false to stop (another type, OOM). */
function pipelineSet(
  d: usize,
  db: u32,
  keyPtr: usize,
  keyLen: u32,
  valuePtr: usize,
  valueLen: u32,
  nowMs: i64,
): bool {
  rehashOnWrite(d);
  const hash = hashBytes(keyPtr, keyLen);
  const e = lookupWrite(d, db, keyPtr, keyLen, hash, nowMs);
  if (e != 0 && entryType(e) != TYPE_STRING) return false;
  const outLen = bufferLen(pipelineOut);
  const at = bufferClaim(pipelineOut, 5);
  if (at == 0) return false;
  // As setString with no flags: a new entry, or the old one's value replaced and its TTL and
  // encoding hint cleared.
  let written = false;
  if (e == 0) {
    written = createStringEntry(d, keyPtr, keyLen, hash, valuePtr, valueLen, 0, 0) == 1;
  } else if (replaceWithString(e, valuePtr, valueLen)) {
    setEntryFlags(e, 0);
    setEntryExpire(d, e, 0);
    written = true;
  }
  if (!written) {
    bufferTruncate(pipelineOut, outLen);
    return false;
  }
  const reply = bufferPtr(pipelineOut) + outLen;
  store<u32>(reply, 0x0d4b4f2b); // +OK\r
  store<u8>(reply + 4, ASCII_LF);
  return true;
}

/**
 * Runs the plain GET / SET commands at the start of the inLen request bytes in staging (SET
 * only with PIPELINE_WRITES), at most maxCommands of them, stopping once the replies reach
 * outMaxBytes. Returns the bytes of the commands it ran; the replies and counts are at
 * pipelineCountsPtr (PIPELINE_COUNT_*).
 */
export function runStringPipeline(
  db: u32,
  inLen: u32,
  nowMs: f64,
  flags: u32,
  maxCommands: u32,
  outMaxBytes: u32,
): i32 {
  const d = checkDb(db);
  const start = stagingPtr();
  const end = start + <usize>inLen;
  const now = <i64>nowMs;
  const writes = (flags & PIPELINE_WRITES) != 0;
  bufferReset(pipelineOut);
  let gets: u32 = 0;
  let hits: u32 = 0;
  let sets: u32 = 0;
  let lastIsSet: u32 = 0;
  let commands: u32 = 0;
  let p = start;
  while (commands < maxCommands && p < end && bufferLen(pipelineOut) < <usize>outMaxBytes) {
    const argc = readPipelineHeader(p, end, ASCII_STAR);
    if (argc != 2 && argc != 3) break;
    if (readPipelineHeader(pipelineCursor, end, ASCII_DOLLAR) != 3) break;
    let q = pipelineCursor;
    if (!isCrlf(q + 3, end)) break;
    // ASCII letters only match themselves with bit 5 set: G/g, E/e, T/t, S/s.
    if ((load<u8>(q + 1) | 0x20) != 0x65 || (load<u8>(q + 2) | 0x20) != 0x74) break;
    const first = load<u8>(q) | 0x20;
    const isGet = first == 0x67 && argc == 2;
    const isSet = first == 0x73 && argc == 3 && writes;
    if (!isGet && !isSet) break;
    const keyLen = readPipelineHeader(q + 5, end, ASCII_DOLLAR);
    if (keyLen < 0 || <u32>keyLen > PIPELINE_ARG_MAX_BYTES) break;
    const keyPtr = pipelineCursor;
    q = keyPtr + <usize>keyLen;
    if (!isCrlf(q, end)) break;
    q += 2;
    if (isGet) {
      const found = pipelineGet(d, db, keyPtr, <u32>keyLen, now, flags);
      if (found < 0) break;
      gets++;
      hits += <u32>found;
      lastIsSet = 0;
    } else {
      const valueLen = readPipelineHeader(q, end, ASCII_DOLLAR);
      if (valueLen < 0 || <u32>valueLen > PIPELINE_ARG_MAX_BYTES) break;
      const valuePtr = pipelineCursor;
      q = valuePtr + <usize>valueLen;
      if (!isCrlf(q, end)) break;
      q += 2;
      if (!pipelineSet(d, db, keyPtr, <u32>keyLen, valuePtr, <u32>valueLen, now)) break;
      sets++;
      lastIsSet = 1;
    }
    p = q;
    commands++;
  }
  store<u32>(pipelineCounts, gets, PIPELINE_COUNT_GETS);
  store<u32>(pipelineCounts, hits, PIPELINE_COUNT_HITS);
  store<u32>(pipelineCounts, sets, PIPELINE_COUNT_SETS);
  store<u32>(pipelineCounts, <u32>bufferPtr(pipelineOut), PIPELINE_COUNT_OUT_PTR);
  store<u32>(pipelineCounts, <u32>bufferLen(pipelineOut), PIPELINE_COUNT_OUT_LEN);
  store<u32>(pipelineCounts, lastIsSet, PIPELINE_COUNT_LAST_IS_SET);
  return <i32>(p - start);
}
