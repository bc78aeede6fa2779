// snapshot_load.ts — the hot loop of loading an RDB file: string records straight into the
// keyspace, the mirror of snapshot.ts's encoder.
//
// Start-up, DEBUG RELOAD and a replica's full sync spend nearly all their time on string
// keys. The host's RDB reader (core/rdb/reader.ts) stays the one parser that knows the whole
// format and names every error; when it stands between records it hands the bytes it has not
// parsed yet to snapshotLoadStrings, which consumes the leading run of *plain string records*
//
//   [0xFC expireAtMs i64] 0x00 <key string> <value string>
//
// (raw, int8/16/32 and LZF string encodings) and stops, without consuming, at the first byte
// it does not handle in full: another opcode or type, a record cut by the end of the bytes, a
// length above the limit, a string too long for its scratch buffer, or anything malformed.
// The reader then parses that part itself and reports problems with their offsets, so the
// fast path can never accept a file the reader would refuse.
//
//   cells (u32 each): 0 keys loaded │ 4 expired keys skipped │ 8 bytes consumed

import {
  DB_SLOT_COUNT,
  SNAPSHOT_LOAD_CELL_CONSUMED,
  SNAPSHOT_LOAD_CELL_EXPIRED_SKIPPED,
  SNAPSHOT_LOAD_CELL_KEYS_LOADED,
  STATUS_OOM,
  TYPE_STRING,
} from "./abi";
import { hashBytes } from "./bytes";
import { formatInt, formattedLen } from "./decimal";
import {
  allocEntry,
  dbRecord,
  ensureExpiresCapacity,
  ensureTable,
  findEntry,
  insertEntry,
  maybeGrow,
  setEntryExpire,
} from "./dict";
import { setEntryFlags, setEntryValue } from "./entry";
import { deleteEntry, rehashOnWrite } from "./keyspace";
import { alloc, free } from "./pages";

/** Largest decoded (int or LZF) key or value the fast path holds in its scratch buffers. */
const SCRATCH_CAPACITY_BYTES: usize = 64 * 1024;
/** Most bytes LZF can expand one input byte to (as core/rdb/_codes.ts LZF_EXPANSION_RATIO_MAX). */
const LZF_EXPANSION_RATIO_MAX: u64 = 88;

const RDB_TYPE_STRING: u8 = 0;
const RDB_OPCODE_EXPIRETIME_MS: u8 = 0xfc;
const RDB_ENC_INT8: u32 = 0;
const RDB_ENC_INT16: u32 = 1;
const RDB_ENC_INT32: u32 = 2;
const RDB_ENC_LZF: u32 = 3;

/** The cells the host reads a load's counts from (abi.ts SNAPSHOT_LOAD_CELL_*). */
const cells: usize = memory.data(12, 16);

let keyScratch: usize = 0;
let valueScratch: usize = 0;

export function snapshotLoadCellsPtr(): usize {
  return cells;
}

// One decoded string: where its bytes are (in the input or a scratch buffer), its length,
// and where the input continues. Globals, so the decoder returns only success.
let stringPtr: usize = 0;
let stringLen: u32 = 0;
let stringEnd: usize = 0;
// One decoded length.
let lengthValue: u64 = 0;
let lengthEncoded: bool = false;
let lengthEnd: usize = 0;

/** An RDB length at p (rdbLoadLen); false when cut off or malformed. */
function decodeLength(p: usize, end: usize): bool {
  if (p >= end) return false;
  const first = <u32>load<u8>(p);
  const kind = first >> 6;
  lengthEncoded = false;
  if (kind == 0) {
    lengthValue = <u64>(first & 0x3f);
    lengthEnd = p + 1;
    return true;
  }
  if (kind == 1) {
    if (p + 2 > end) return false;
    lengthValue = (<u64>(first & 0x3f) << 8) | <u64>load<u8>(p + 1);
    lengthEnd = p + 2;
    return true;
  }
  if (kind == 3) {
    lengthEncoded = true;
    lengthValue = <u64>(first & 0x3f);
    lengthEnd = p + 1;
    return true;
  }
  if (first == 0x80) {
    if (p + 5 > end) return false;
    lengthValue = <u64>bswap<u32>(load<u32>(p + 1));
    lengthEnd = p + 5;
    return true;
  }
  if (first == 0x81) {
    if (p + 9 > end) return false;
    lengthValue = bswap<u64>(load<u64>(p + 1));
    lengthEnd = p + 9;
    return true;
  }
  return false;
}

/** An int-encoded string: value's decimal text in scratch, the input continuing at end. */
function decodedInt(scratch: usize, value: i64, end: usize): bool {
  stringPtr = formatInt(scratch, value);
  stringLen = formattedLen;
  stringEnd = end;
  return true;
}

/** A string at p in any RDB string encoding, decoded into `scratch` when not raw. */
function decodeString(p: usize, end: usize, scratch: usize, lenMax: u64): bool {
  if (!decodeLength(p, end)) return false;
  const q = lengthEnd;
  if (!lengthEncoded) {
    if (lengthValue > lenMax || lengthValue > <u64>(end - q)) return false;
    stringPtr = q;
    stringLen = <u32>lengthValue;
    stringEnd = q + <usize>lengthValue;
    return true;
  }
  const encoding = <u32>lengthValue;
  if (encoding == RDB_ENC_INT8) {
    if (q + 1 > end) return false;
    return decodedInt(scratch, <i64>load<i8>(q), q + 1);
  }
  if (encoding == RDB_ENC_INT16) {
    if (q + 2 > end) return false;
    return decodedInt(scratch, <i64>load<i16>(q), q + 2);
  }
  if (encoding == RDB_ENC_INT32) {
    if (q + 4 > end) return false;
    return decodedInt(scratch, <i64>load<i32>(q), q + 4);
  }
  if (encoding != RDB_ENC_LZF) return false;
  if (!decodeLength(q, end) || lengthEncoded) return false;
  const packedLen = lengthValue;
  if (!decodeLength(lengthEnd, end) || lengthEncoded) return false;
  const plainLen = lengthValue;
  const dataAt = lengthEnd;
  if (packedLen == 0 || plainLen == 0 || plainLen > lenMax) return false;
  if (plainLen > <u64>SCRATCH_CAPACITY_BYTES || plainLen > packedLen * LZF_EXPANSION_RATIO_MAX) {
    return false;
  }
  if (packedLen > <u64>(end - dataAt)) return false;
  if (!lzfDecompress(dataAt, <u32>packedLen, scratch, <u32>plainLen)) return false;
  stringPtr = scratch;
  stringLen = <u32>plainLen;
  stringEnd = dataAt + <usize>packedLen;
  return true;
}

/** Decompresses exactly outLen bytes; false on any malformed input (nothing else changes). */
function lzfDecompress(src: usize, inLen: u32, dst: usize, outLen: u32): bool {
  let ip: u32 = 0;
  let op: u32 = 0;
  while (ip < inLen) {
    const ctrl = <u32>load<u8>(src + ip);
    ip++;
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > outLen || ip + run > inLen) return false;
      memory.copy(dst + op, src + ip, run);
      ip += run;
      op += run;
      continue;
    }
    let len = ctrl >> 5;
    if (len == 7) {
      if (ip >= inLen) return false;
      len += <u32>load<u8>(src + ip);
      ip++;
    }
    if (ip >= inLen) return false;
    const distance = ((ctrl & 0x1f) << 8) + <u32>load<u8>(src + ip) + 1;
    ip++;
    const copy = len + 2;
    if (distance > op || op + copy > outLen) return false;
    // Overlapping copies repeat bytes: byte by byte, forwards.
    for (let i: u32 = 0; i < copy; i++) {
      store<u8>(dst + op, load<u8>(dst + op - distance));
      op++;
    }
  }
  return op == outLen;
}

/** Stores key → string value (replacing a duplicate, as the host's loader does). */
function storeString(
  d: usize,
  keyPtr: usize,
  keyLen: u32,
  valuePtr: usize,
  valueLen: u32,
  expireAtMs: i64,
): bool {
  rehashOnWrite(d);
  const hash = hashBytes(keyPtr, keyLen);
  const old = findEntry(d, keyPtr, keyLen, hash);
  if (!ensureTable(d)) return false;
  if (expireAtMs != 0 && !ensureExpiresCapacity(d, 1)) return false;
  const e = allocEntry(keyPtr, keyLen, hash);
  if (e == 0) return false;
  let block: usize = 0;
  if (valueLen != 0) {
    block = alloc(<usize>valueLen);
    if (block == 0) {
      free(e);
      return false;
    }
    memory.copy(block, valuePtr, valueLen);
  }
  if (old != 0) deleteEntry(d, old);
  setEntryValue(e, block, valueLen, TYPE_STRING);
  setEntryFlags(e, 0);
  insertEntry(d, e);
  if (expireAtMs != 0) setEntryExpire(d, e, expireAtMs);
  maybeGrow(d);
  return true;
}

/**
 * Loads the leading plain string records of len bytes at ptr into database db. Keys whose
 * expiry is at or before nowMs are skipped when skipExpired (a master's load; a replica keeps
 * them for the master's DEL). Returns the bytes consumed (cells hold the counts), or
 * STATUS_OOM with cell 8 holding the bytes consumed before the record that did not fit.
 */
export function snapshotLoadStrings(
  db: u32,
  ptr: usize,
  len: u32,
  nowMs: f64,
  skipExpired: u32,
  stringLenMax: f64,
): i32 {
  assert(db < DB_SLOT_COUNT); // a staging database too (repl-diskless-load swapdb)
  if (keyScratch == 0) {
    keyScratch = alloc(SCRATCH_CAPACITY_BYTES);
    if (keyScratch == 0) return STATUS_OOM;
  }
  if (valueScratch == 0) {
    valueScratch = alloc(SCRATCH_CAPACITY_BYTES);
    if (valueScratch == 0) return STATUS_OOM;
  }
  const d = dbRecord(db);
  const end = ptr + <usize>len;
  const now = <i64>nowMs;
  const lenMax = <u64>stringLenMax;
  let keysLoaded: u32 = 0;
  let expiredSkipped: u32 = 0;
  let p = ptr;
  let status: i32 = 0;
  while (p < end) {
    let q = p;
    let expireAtMs: i64 = 0;
    let opcode = load<u8>(q);
    if (opcode == RDB_OPCODE_EXPIRETIME_MS) {
      if (q + 10 > end) break;
      expireAtMs = load<i64>(q + 1);
      if (expireAtMs < 0) expireAtMs = 0; // no TTL, as the host's loader reads it
      q += 9;
      opcode = load<u8>(q);
    }
    if (opcode != RDB_TYPE_STRING) break;
    if (!decodeString(q + 1, end, keyScratch, lenMax)) break;
    const keyPtr = stringPtr;
    const keyLen = stringLen;
    if (!decodeString(stringEnd, end, valueScratch, lenMax)) break;
    if (skipExpired != 0 && expireAtMs != 0 && expireAtMs <= now) {
      expiredSkipped++;
    } else {
      if (!storeString(d, keyPtr, keyLen, stringPtr, stringLen, expireAtMs)) {
        status = STATUS_OOM;
        break;
      }
      keysLoaded++;
    }
    p = stringEnd;
  }
  store<u32>(cells, keysLoaded, SNAPSHOT_LOAD_CELL_KEYS_LOADED);
  store<u32>(cells, expiredSkipped, SNAPSHOT_LOAD_CELL_EXPIRED_SKIPPED);
  store<u32>(cells, <u32>(p - ptr), SNAPSHOT_LOAD_CELL_CONSUMED);
  return status == STATUS_OOM ? STATUS_OOM : <i32>(p - ptr);
}
