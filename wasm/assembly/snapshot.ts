// snapshot.ts — the engine half of a point-in-time snapshot: which entries a snapshot has
// already written, and the hot loop that turns string keys into RDB records.
//
// We have no fork(). A snapshot (BGSAVE, SAVE, a replica's full sync) is a walk over the
// keyspace while writes go on; the host's pre-write hook makes a key be written *before* its
// first change (core/persistence/cow_snapshot.ts). What the engine adds is the bookkeeping
// that makes that cheap:
//
//   snapshotBegin(slot)      the slot's epoch moves on: every existing entry becomes
//                            "pending" (its mark is older), entries created from now on are
//                            born with the new epoch and so are never part of this snapshot.
//   snapshotClaim(slot, key) the pre-write hook: if the key is pending it is marked and its
//                            record encoded here (strings) or left to the host, which
//                            serializes it at once; nothing if written already or absent.
//   snapshotScanStep(…)      walks buckets from a SCAN cursor; each pending entry is marked
//                            and either encoded here (strings: the bulk of most datasets) or
//                            handed to the host in the deferred list (collections, strings
//                            too big for the output buffer), which the host serializes before
//                            anything else runs.
//
// Start is O(1) (one epoch increment), each key is written exactly once, and the scan can be
// cut anywhere: a bucket left half-done is simply visited again, its marked entries skipped.
// Two slots let a synchronous snapshot (SAVE, DEBUG RELOAD) run while a background one is
// paused without disturbing its marks. An epoch is one byte: when it would wrap, every
// entry's mark for that slot is reset first (O(keys), once per 255 snapshots).
//
// Records are byte-identical to what core/rdb/writer.ts writes for the same string: Redis's
// rdbSaveRawString choices (int8/16/32 for canonical integers of ≤ 11 bytes, as decimal.ts
// reads them; LZF for strings over 20 bytes when it saves ≥ 4; else raw) with liblzf's exact
// match decisions.
//
//   cells (u32 each): 0 cursor │ 4 out ptr │ 8 out len │ 12 deferred ptr │ 16 deferred count
//                     20 keys written
//   deferred list: (keyPtr u32, keyLen u32) per entry, pointing into the entries themselves;
//   valid until the next engine call that writes.

import {
  DB_COUNT,
  DB_SLOT_COUNT,
  SNAPSHOT_CELL_CURSOR,
  SNAPSHOT_CELL_DEFERRED_COUNT,
  SNAPSHOT_CELL_DEFERRED_PTR,
  SNAPSHOT_CELL_KEYS_WRITTEN,
  SNAPSHOT_CELL_OUT_LEN,
  SNAPSHOT_CELL_OUT_PTR,
  SNAPSHOT_CLAIM_ENCODED,
  SNAPSHOT_CLAIM_HOST,
  SNAPSHOT_CLAIM_NOTHING,
  SNAPSHOT_SLOT_COUNT,
  TYPE_STRING,
} from "./abi";
import { hashBytes } from "./bytes";
import { parseCanonicalInt, parsedInt } from "./decimal";
import {
  bucketGroupCursor,
  bucketGroupFirst,
  bucketGroupNext,
  currentSnapshotEpochs,
  dbRecord,
  findEntry,
  isRehashing,
  setSnapshotEpochs,
  table0Mask,
  table0Ptr,
  table1Mask,
  table1Ptr,
} from "./dict";
import {
  ENTRY_SNAPSHOT_MARKS,
  entryExpireAtMs,
  entryKeyLen,
  entryKeyPtr,
  entryNext,
  entryType,
  entryValueLen,
  entryValuePtr,
} from "./entry";
import { alloc } from "./pages";

const EPOCH_MAX: u32 = 255;
/** Records encoded per step before the host takes them (one file chunk's worth, ×4). */
const OUT_CAPACITY_BYTES: usize = 256 * 1024;
/** Entries handed to the host per step at most. */
const DEFERRED_CAPACITY: u32 = 1024;
/** Worst case bytes of one string record beyond its key and value bytes (see encodeString). */
const RECORD_OVERHEAD_MAX_BYTES: u64 = 32;

/** The cells the host reads a step's results from (abi.ts SNAPSHOT_CELL_*). */
const cells: usize = memory.data(24, 16);

// RDB encoding constants (rdb.h).
const RDB_TYPE_STRING: u8 = 0;
const RDB_OPCODE_EXPIRETIME_MS: u8 = 0xfc;
const RDB_ENC_INT8: u8 = 0xc0;
const RDB_ENC_INT16: u8 = 0xc1;
const RDB_ENC_INT32: u8 = 0xc2;
const RDB_ENC_LZF: u8 = 0xc3;
const RDB_6BITLEN_MAX: u32 = 63;
const RDB_14BITLEN_MAX: u32 = 16383;
const RDB_14BITLEN: u8 = 0x40;
const RDB_32BITLEN: u8 = 0x80;
const RDB_INT_ENCODING_LEN_MAX_BYTES: u32 = 11;
const RDB_LZF_LEN_MIN_EXCLUSIVE_BYTES: u32 = 20;
const RDB_LZF_SAVING_MIN_BYTES: u32 = 4;
/** Room left before LZF output for the encoding byte and two 5-byte lengths. */
const LZF_HEADER_MAX_BYTES: usize = 11;

// liblzf parameters as Redis builds it (see core/rdb/lzf.ts for the format).
const LZF_HASH_SIZE: u32 = 1 << 16;
const LZF_OFFSET_MAX: i32 = 1 << 13;
const LZF_REF_LEN_MAX_BYTES: i32 = (1 << 8) + (1 << 3);
const LZF_LITERAL_RUN_MAX_BYTES: i32 = 32;
const LZF_SHORT_REF_LEN_FIELD: i32 = 7;
const LZF_UNROLLED_MATCH_BYTES: i32 = 16;

let outPtr: usize = 0;
let outLenBytes: usize = 0;
let deferredPtr: usize = 0;
let deferredCount: u32 = 0;
let keysWritten: u32 = 0;
/** LZF hash table (input position + 1) and its per-call validity stamps. */
let lzfTable: usize = 0;
let lzfStamps: usize = 0;
let lzfStamp: u32 = 0;

export function snapshotCellsPtr(): usize {
  return cells;
}

@inline function epochOf(slot: u32): u32 {
  return (<u32>currentSnapshotEpochs() >> (slot << 3)) & 0xff;
}

@inline function markOf(e: usize, slot: u32): u32 {
  return <u32>load<u8>(e + ENTRY_SNAPSHOT_MARKS + <usize>slot);
}

@inline function setMark(e: usize, slot: u32, epoch: u32): void {
  store<u8>(e + ENTRY_SNAPSHOT_MARKS + <usize>slot, <u8>epoch);
}

/** Allocates the step buffers once; false on OOM. */
function ensureBuffers(): bool {
  if (outPtr == 0) {
    outPtr = alloc(OUT_CAPACITY_BYTES);
    if (outPtr == 0) return false;
  }
  if (deferredPtr == 0) {
    deferredPtr = alloc(<usize>DEFERRED_CAPACITY << 3);
    if (deferredPtr == 0) return false;
  }
  if (lzfTable == 0) {
    lzfTable = alloc(<usize>LZF_HASH_SIZE << 2);
    if (lzfTable == 0) return false;
  }
  if (lzfStamps == 0) {
    lzfStamps = alloc(<usize>LZF_HASH_SIZE << 2);
    if (lzfStamps == 0) return false;
    memory.fill(lzfStamps, 0, <usize>LZF_HASH_SIZE << 2);
  }
  return true;
}

/** Sets every entry's mark for `slot` to 0 (before the epoch wraps around). */
function resetMarks(slot: u32): void {
  // Staging databases too: their entries become logical ones when a replica swaps them in.
  for (let db: u32 = 0; db < DB_SLOT_COUNT; db++) {
    const d = dbRecord(db);
    resetTableMarks(table0Ptr(d), table0Mask(d), slot);
    if (isRehashing(d)) resetTableMarks(table1Ptr(d), table1Mask(d), slot);
  }
}

function resetTableMarks(table: usize, mask: u32, slot: u32): void {
  if (table == 0) return;
  for (let bucket: u32 = 0; bucket <= mask; bucket++) {
    for (let e = <usize>load<u32>(table + (<usize>bucket << 2)); e != 0; e = entryNext(e)) {
      setMark(e, slot, 0);
    }
  }
}

/** Starts a snapshot in `slot`: every existing entry becomes pending. 1, or 0 on OOM. */
export function snapshotBegin(slot: u32): i32 {
  assert(slot < SNAPSHOT_SLOT_COUNT);
  if (!ensureBuffers()) return 0;
  let epoch = epochOf(slot);
  if (epoch == EPOCH_MAX) {
    resetMarks(slot);
    epoch = 0;
  }
  epoch++;
  const shift = slot << 3;
  const others = <u32>currentSnapshotEpochs() & ~(<u32>0xff << shift);
  setSnapshotEpochs(<u16>(others | (epoch << shift)));
  return 1;
}

/** Most bytes the string record of entry e can take (see encodeString). */
@inline function recordMaxBytes(e: usize): u64 {
  return <u64>entryKeyLen(e) + <u64>entryValueLen(e) + RECORD_OVERHEAD_MAX_BYTES;
}

/** Whether the engine encodes e itself: a string whose record fits the output buffer. */
@inline function encodedHere(e: usize): bool {
  return entryType(e) == TYPE_STRING && recordMaxBytes(e) <= <u64>OUT_CAPACITY_BYTES;
}


/**
 * The pre-write hook, for the key at keyPtr: SNAPSHOT_CLAIM_NOTHING when it is absent,
 * already written, or expired at the instant; SNAPSHOT_CLAIM_ENCODED when it was a pending
 * string, now encoded into the output (cells out ptr/len); SNAPSHOT_CLAIM_HOST when it is
 * pending and the host must serialize it now. Either way it is marked written.
 */
export function snapshotClaim(
  slot: u32,
  db: u32,
  keyPtr: usize,
  keyLen: u32,
  compress: u32,
  instantMs: f64,
): i32 {
  assert(slot < SNAPSHOT_SLOT_COUNT && db < DB_COUNT);
  outLenBytes = 0;
  store<u32>(cells, <u32>outPtr, SNAPSHOT_CELL_OUT_PTR);
  store<u32>(cells, 0, SNAPSHOT_CELL_OUT_LEN);
  const e = findEntry(dbRecord(db), keyPtr, keyLen, hashBytes(keyPtr, keyLen));
  if (e == 0) return SNAPSHOT_CLAIM_NOTHING;
  const epoch = epochOf(slot);
  if (markOf(e, slot) == epoch) return SNAPSHOT_CLAIM_NOTHING;
  setMark(e, slot, epoch);
  const expireAtMs = entryExpireAtMs(e);
  if (expireAtMs != 0 && <i64>instantMs > expireAtMs) return SNAPSHOT_CLAIM_NOTHING;
  if (!encodedHere(e)) return SNAPSHOT_CLAIM_HOST;
  encodeStringRecord(e, compress != 0);
  store<u32>(cells, <u32>outLenBytes, SNAPSHOT_CELL_OUT_LEN);
  return SNAPSHOT_CLAIM_ENCODED;
}

// ── Scan step ───────────────────────────────────────────────────────────────────────────



let stepEntriesVisited: u32 = 0;

/**
 * Handles the pending entries of one bucket. False when the output or the deferred list is
 * full: the bucket must be visited again after the host has taken what this step produced.
 */
function visitBucket(bucket: usize, slot: u32, epoch: u32, compress: bool, instantMs: i64): bool {
  for (let e = <usize>load<u32>(bucket); e != 0; e = entryNext(e)) {
    if (markOf(e, slot) == epoch) continue;
    stepEntriesVisited++;
    const expireAtMs = entryExpireAtMs(e);
    if (expireAtMs != 0 && instantMs > expireAtMs) {
      setMark(e, slot, epoch); // already expired at the instant: not in the snapshot
      continue;
    }
    if (encodedHere(e)) {
      if (<u64>outLenBytes + recordMaxBytes(e) > <u64>OUT_CAPACITY_BYTES) return false;
      encodeStringRecord(e, compress);
      setMark(e, slot, epoch);
      keysWritten++;
      continue;
    }
    if (deferredCount == DEFERRED_CAPACITY) return false;
    const at = deferredPtr + (<usize>deferredCount << 3);
    store<u32>(at, <u32>entryKeyPtr(e));
    store<u32>(at, entryKeyLen(e), 4);
    deferredCount++;
  }
  return true;
}

/**
 * Encodes pending entries of database `db` from `cursor` on, until about `entryBudget` pending
 * entries were handled, the output or deferred list fills, or the database is done. Returns 1
 * when the whole database has been walked, else 0; the cells hold the next cursor, the output
 * and the deferred list (entries the host must claim and serialize now).
 */
export function snapshotScanStep(
  slot: u32,
  db: u32,
  cursor: u32,
  entryBudget: u32,
  compress: u32,
  instantMs: f64,
): i32 {
  assert(slot < SNAPSHOT_SLOT_COUNT && db < DB_COUNT);
  const d = dbRecord(db);
  const epoch = epochOf(slot);
  const instant = <i64>instantMs;
  const compressOn = compress != 0;
  outLenBytes = 0;
  deferredCount = 0;
  keysWritten = 0;
  stepEntriesVisited = 0;
  let v = cursor;
  let done = false;
  if (table0Ptr(d) == 0) done = true;
  else {
    while (true) {
      let complete = true;
      for (let bucket = bucketGroupFirst(d, v); bucket != 0 && complete; bucket = bucketGroupNext()) {
        complete = visitBucket(bucket, slot, epoch, compressOn, instant);
      }
      if (!complete) break; // revisit the group: its handled entries are skipped
      v = bucketGroupCursor();
      if (v == 0) {
        done = true;
        break;
      }
      if (stepEntriesVisited >= entryBudget) break;
    }
  }
  store<u32>(cells, v, SNAPSHOT_CELL_CURSOR);
  store<u32>(cells, <u32>outPtr, SNAPSHOT_CELL_OUT_PTR);
  store<u32>(cells, <u32>outLenBytes, SNAPSHOT_CELL_OUT_LEN);
  store<u32>(cells, <u32>deferredPtr, SNAPSHOT_CELL_DEFERRED_PTR);
  store<u32>(cells, deferredCount, SNAPSHOT_CELL_DEFERRED_COUNT);
  store<u32>(cells, keysWritten, SNAPSHOT_CELL_KEYS_WRITTEN);
  return done ? 1 : 0;
}

// ── RDB string records ──────────────────────────────────────────────────────────────────

/** [0xFC expireAtMs] 0x00 key value, appended to the output (room checked by the caller). */
function encodeStringRecord(e: usize, compress: bool): void {
  let p = outPtr + outLenBytes;
  const expireAtMs = entryExpireAtMs(e);
  if (expireAtMs != 0) {
    store<u8>(p, RDB_OPCODE_EXPIRETIME_MS);
    store<i64>(p + 1, expireAtMs);
    p += 9;
  }
  store<u8>(p, RDB_TYPE_STRING);
  p = encodeString(p + 1, entryKeyPtr(e), entryKeyLen(e), compress);
  p = encodeString(p, entryValuePtr(e), entryValueLen(e), compress);
  outLenBytes = p - outPtr;
}

/** rdbSaveLen: the shortest length encoding (lengths here are below 2^32). */
@inline function encodeLength(p: usize, len: u32): usize {
  if (len <= RDB_6BITLEN_MAX) {
    store<u8>(p, <u8>len);
    return p + 1;
  }
  if (len <= RDB_14BITLEN_MAX) {
    store<u8>(p, RDB_14BITLEN | <u8>(len >> 8));
    store<u8>(p + 1, <u8>len);
    return p + 2;
  }
  store<u8>(p, RDB_32BITLEN);
  store<u32>(p + 1, bswap<u32>(len));
  return p + 5;
}

/**
 * rdbSaveRawString at p; returns the end. Uses at most len + 8 bytes past p (LZF output is
 * produced 11 bytes ahead, then moved down behind its header).
 */
function encodeString(p: usize, src: usize, len: u32, compress: bool): usize {
  if (len <= RDB_INT_ENCODING_LEN_MAX_BYTES && len > 0) {
    if (isCanonicalInt32(src, len)) {
      const int = <i32>parsedInt;
      if (int >= -128 && int <= 127) {
        store<u8>(p, RDB_ENC_INT8);
        store<u8>(p + 1, <u8>int);
        return p + 2;
      }
      if (int >= -32768 && int <= 32767) {
        store<u8>(p, RDB_ENC_INT16);
        store<u16>(p + 1, <u16>int);
        return p + 3;
      }
      store<u8>(p, RDB_ENC_INT32);
      store<i32>(p + 1, int);
      return p + 5;
    }
  }
  if (compress && len > RDB_LZF_LEN_MIN_EXCLUSIVE_BYTES) {
    const packedAt = p + LZF_HEADER_MAX_BYTES;
    const packedLen = lzfCompress(src, len, packedAt, len - RDB_LZF_SAVING_MIN_BYTES);
    if (packedLen != 0) {
      store<u8>(p, RDB_ENC_LZF);
      let q = encodeLength(p + 1, packedLen);
      q = encodeLength(q, len);
      memory.copy(q, packedAt, packedLen);
      return q + <usize>packedLen;
    }
  }
  const q = encodeLength(p, len);
  memory.copy(q, src, len);
  return q + <usize>len;
}

/** Whether the bytes are an integer's canonical text within int32 (the value in parsedInt). */
@inline function isCanonicalInt32(src: usize, len: u32): bool {
  return parseCanonicalInt(src, len) && parsedInt >= <i64>i32.MIN_VALUE &&
    parsedInt <= <i64>i32.MAX_VALUE;
}

// ── LZF compression (liblzf as Redis builds it: HLOG 16, VERY_FAST) ─────────────────────

@inline function lzfSlot(h: u32): usize {
  return <usize>(((h >> 8) - h * 5) & (LZF_HASH_SIZE - 1));
}

@inline function lzfRemember(h: u32, position: i32, stamp: u32): void {
  const slot = lzfSlot(h) << 2;
  store<i32>(lzfTable + slot, position + 1);
  store<u32>(lzfStamps + slot, stamp);
}

/**
 * Compresses inLen bytes at src into at most outMax bytes at dst (plus one spare byte, as
 * liblzf writes into Redis's outlen + 1 buffer). Returns the packed length, 0 when it does
 * not fit. Same decisions as core/rdb/lzf.ts lzfCompress, so both paths write equal bytes.
 */
function lzfCompress(src: usize, inLenU: u32, dst: usize, outMaxU: u32): u32 {
  const inLen = <i32>inLenU;
  const outEnd = <i32>outMaxU;
  if (inLen == 0 || outEnd == 0) return 0;
  lzfStamp++;
  if (lzfStamp == 0) {
    memory.fill(lzfStamps, 0, <usize>LZF_HASH_SIZE << 2); // wrapped: old stamps could collide
    lzfStamp = 1;
  }
  const stamp = lzfStamp;
  let ip: i32 = 0;
  let op: i32 = 1; // dst[0] is the first run's header
  let lit: i32 = 0;
  let hval: u32 = (<u32>load<u8>(src) << 8) | <u32>load<u8>(src + 1);
  while (ip < inLen - 2) {
    hval = (hval << 8) | <u32>load<u8>(src + <usize>(ip + 2));
    const slot = lzfSlot(hval) << 2;
    const ref: i32 = load<u32>(lzfStamps + slot) == stamp ? load<i32>(lzfTable + slot) - 1 : -1;
    store<i32>(lzfTable + slot, ip + 1);
    store<u32>(lzfStamps + slot, stamp);
    const off = ip - ref - 1;
    if (
      ref > 0 && off < LZF_OFFSET_MAX && off >= 0 &&
      load<u8>(src + <usize>(ref + 2)) == load<u8>(src + <usize>(ip + 2)) &&
      load<u8>(src + <usize>ref) == load<u8>(src + <usize>ip) &&
      load<u8>(src + <usize>(ref + 1)) == load<u8>(src + <usize>(ip + 1))
    ) {
      let maxLen = inLen - ip - 2;
      if (maxLen > LZF_REF_LEN_MAX_BYTES) maxLen = LZF_REF_LEN_MAX_BYTES;
      if (op + 4 >= outEnd && op - (lit == 0 ? 1 : 0) + 4 >= outEnd) return 0;
      store<u8>(dst + <usize>(op - lit - 1), <u8>(lit - 1)); // close the literal run
      if (lit == 0) op--; // drop an empty run header
      let len: i32 = 2;
      let mismatched = false;
      if (maxLen > LZF_UNROLLED_MATCH_BYTES) {
        for (let step: i32 = 0; step < LZF_UNROLLED_MATCH_BYTES; step++) {
          len++;
          if (load<u8>(src + <usize>(ref + len)) != load<u8>(src + <usize>(ip + len))) {
            mismatched = true;
            break;
          }
        }
      }
      if (!mismatched) {
        do len++; while (len < maxLen && load<u8>(src + <usize>(ref + len)) == load<u8>(src + <usize>(ip + len)));
      }
      len -= 2; // stored length: copied bytes - 2
      ip++;
      if (len < LZF_SHORT_REF_LEN_FIELD) {
        store<u8>(dst + <usize>op, <u8>((off >> 8) + (len << 5)));
        op++;
      } else {
        store<u8>(dst + <usize>op, <u8>((off >> 8) + (LZF_SHORT_REF_LEN_FIELD << 5)));
        store<u8>(dst + <usize>(op + 1), <u8>(len - LZF_SHORT_REF_LEN_FIELD));
        op += 2;
      }
      store<u8>(dst + <usize>op, <u8>(off & 0xff));
      op++;
      lit = 0;
      op++; // start a new run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the two positions before the new one.
      ip -= 2;
      hval = (<u32>load<u8>(src + <usize>ip) << 8) | <u32>load<u8>(src + <usize>(ip + 1));
      hval = (hval << 8) | <u32>load<u8>(src + <usize>(ip + 2));
      lzfRemember(hval, ip, stamp);
      ip++;
      hval = (hval << 8) | <u32>load<u8>(src + <usize>(ip + 2));
      lzfRemember(hval, ip, stamp);
      ip++;
    } else {
      if (op >= outEnd) return 0;
      lit++;
      store<u8>(dst + <usize>op, load<u8>(src + <usize>ip));
      op++;
      ip++;
      if (lit == LZF_LITERAL_RUN_MAX_BYTES) {
        store<u8>(dst + <usize>(op - lit - 1), <u8>(lit - 1));
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return 0;
  while (ip < inLen) {
    lit++;
    store<u8>(dst + <usize>op, load<u8>(src + <usize>ip));
    op++;
    ip++;
    if (lit == LZF_LITERAL_RUN_MAX_BYTES) {
      store<u8>(dst + <usize>(op - lit - 1), <u8>(lit - 1));
      lit = 0;
      op++;
    }
  }
  store<u8>(dst + <usize>(op - lit - 1), <u8>(lit - 1));
  if (lit == 0) op--;
  return <u32>op;
}
