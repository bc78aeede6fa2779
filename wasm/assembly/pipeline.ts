// pipeline.ts — the request pipeline: a client's pipelined GET, SET, INCR, DECR, LPUSH, RPUSH,
// LPOP, RPOP, LRANGE, SADD, HSET and ZADD run here, many per call, straight from the bytes the client sent, instead of one
// argv, one dispatch and one export call each in the host (bench/PROFILE.md says why: the
// host's per-command overhead was most of a pipelined request's cost).
//
// The host copies request bytes into the pipeline's input buffer (pipelineInput) and calls
// runPipeline, which parses each command in canonical multibulk form, runs it with the same
// engine functions the host's commands call, and appends its RESP reply to the output buffer.
// It stops, leaving that command and everything after it untouched, at the first thing it does
// not handle exactly as the host's full path would:
//
//   - a command it does not run, or a wrong argument count (the host replies the error);
//   - an inline request, a header or length not written canonically, a bulk not ended by CRLF;
//   - a command cut off by the end of the bytes (the host's reader waits for the rest);
//   - a key of another type (the host replies WRONGTYPE, or SET overwrites what only the host
//     can free), an argument above PIPELINE_ARG_MAX_BYTES, more than PIPELINE_ARGS_MAX
//     arguments, an allocation failure.
//
// A write runs only with PIPELINE_WRITES (the host grants it when no replica, AOF, snapshot,
// WATCH, blocked client, keyspace event or tracking would need to hear of it), and the room for
// its reply is claimed before it changes anything, so a stop never leaves a write half done:
//
//   input:  │*2\r\n$3\r\nGET\r\n$1\r\nk\r\n│*3\r\n$5\r\nLPUSH\r\n…│*2\r\n$4\r\nINCR…│
//           └──── run, replied ─────────┴──── run, replied ───┴── stop: returned offset ─┘
//   cells:  out ptr/len (the replies), hits, misses, dirty, last command, calls per command id

import {
  PIPELINE_CELL_CALLS,
  PIPELINE_CELL_DIRTY,
  PIPELINE_CELL_HITS,
  PIPELINE_CELL_LAST_COMMAND,
  PIPELINE_CELL_MISSES,
  PIPELINE_CELL_OUT_LEN,
  PIPELINE_CELL_OUT_PTR,
  PIPELINE_CMD_COUNT,
  PIPELINE_CMD_DECR,
  PIPELINE_CMD_GET,
  PIPELINE_CMD_HSET,
  PIPELINE_CMD_INCR,
  PIPELINE_CMD_LPOP,
  PIPELINE_CMD_LPUSH,
  PIPELINE_CMD_LRANGE,
  PIPELINE_CMD_RPOP,
  PIPELINE_CMD_RPUSH,
  PIPELINE_CMD_SADD,
  PIPELINE_CMD_SET,
  PIPELINE_CMD_ZADD,
  PIPELINE_RESP3,
  PIPELINE_WRITES,
  STATUS_MISSING,
  TYPE_STRING,
} from "./abi";
import {
  align4,
  BUFFER_DESCRIPTOR_BYTES,
  bufferClaim,
  bufferLen,
  bufferPtr,
  bufferReset,
  bufferTruncate,
  outRecordsEnd,
  outRecordsStart,
  reserveStaging,
  stagingCapacity,
  stagingPtr,
} from "./boundary";
import { entryType, entryValueLen, entryValuePtr } from "./entry";
import { hashSetFields } from "./hash";
import { checkDb, lookupRead } from "./keyspace";
import { listDropEnd, listPeekEnd, listPush, listRange } from "./list";
import { setAdd } from "./set";
import { setStringAt } from "./strings";
import { zsetAdd, zsetResultChanged } from "./zset";

/** Longest argument the pipeline takes; longer ones go the host's way (direct copies). */
const PIPELINE_ARG_MAX_BYTES: u32 = 64 * 1024;
/** Most arguments of one pipelined command (a longer SADD / HSET goes the host's way). */
const PIPELINE_ARGS_MAX: u32 = 64;
/** Most decimal digits of a length the pipeline reads (canonical, no sign, no leading zero). */
const PIPELINE_LENGTH_DIGITS_MAX: i32 = 9;
/** Room an integer or status reply needs: `:` sign, 20 digits, CRLF. */
const SHORT_REPLY_MAX_BYTES: usize = 24;
const PIPELINE_CELLS_BYTES: i32 = 24 + 4 * <i32>PIPELINE_CMD_COUNT;

const ASCII_STAR: u8 = 0x2a;
const ASCII_DOLLAR: u8 = 0x24;
const ASCII_COLON: u8 = 0x3a;
const ASCII_CR: u8 = 0x0d;
const ASCII_LF: u8 = 0x0a;
const ASCII_ZERO: u8 = 0x30;
const ASCII_CASE_BIT: u8 = 0x20;

const pipelineIn: usize = memory.data(BUFFER_DESCRIPTOR_BYTES, 4);
const pipelineOut: usize = memory.data(BUFFER_DESCRIPTOR_BYTES, 4);
const pipelineCells: usize = memory.data(PIPELINE_CELLS_BYTES, 4);
/** The parsed command's arguments: address and length of each (u32 pairs). */
const argSlots: usize = memory.data(<i32>PIPELINE_ARGS_MAX * 8, 4);
/** Argument count of the parsed command, and where its bytes end. */
let parsedArgCount: u32 = 0;
/** Where the header readHeader just read ends. */
let headerEnd: usize = 0;

@inline function argPtr(i: u32): usize {
  return <usize>load<u32>(argSlots + (<usize>i << 3));
}
@inline function argLen(i: u32): u32 {
  return load<u32>(argSlots + (<usize>i << 3), 4);
}

// ── Host interface ──────────────────────────────────────────────────────────────────────

/** Room for lenBytes of request bytes: the address to copy them to, or 0 on OOM. */
export function pipelineInput(lenBytes: u32): usize {
  bufferReset(pipelineIn);
  return bufferClaim(pipelineIn, <usize>lenBytes);
}

/** The pipeline's cells (abi.ts PIPELINE_CELL_*), valid after runPipeline. */
export function pipelineCellsPtr(): usize {
  return pipelineCells;
}

// ── Parsing ─────────────────────────────────────────────────────────────────────────────

/**
 * Reads `<marker><n>\r\n` at p, before end, with n written canonically: n (headerEnd after the
 * LF), or -1 when the bytes are anything else or end too soon.
 */
function readHeader(p: usize, end: usize, marker: u8): i32 {
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
  headerEnd = p + 2;
  return n;
}

/** Parses the command at p into argSlots: the address after it, or 0 (stop). */
function parseCommand(p: usize, end: usize): usize {
  const argc = readHeader(p, end, ASCII_STAR);
  if (argc < 1 || <u32>argc > PIPELINE_ARGS_MAX) return 0;
  let q = headerEnd;
  for (let i: u32 = 0; i < <u32>argc; i++) {
    const len = readHeader(q, end, ASCII_DOLLAR);
    if (len < 0 || <u32>len > PIPELINE_ARG_MAX_BYTES) return 0;
    const at = headerEnd;
    q = at + <usize>len;
    if (q + 2 > end || load<u8>(q) != ASCII_CR || load<u8>(q + 1) != ASCII_LF) return 0;
    q += 2;
    store<u32>(argSlots + (<usize>i << 3), <u32>at);
    store<u32>(argSlots + (<usize>i << 3), <u32>len, 4);
  }
  parsedArgCount = <u32>argc;
  return q;
}

/** Whether the command name (argument 0) is `name` (lower case ASCII letters), any case. */
function nameIs(name: string): bool {
  const len = <u32>name.length;
  if (argLen(0) != len) return false;
  const at = argPtr(0);
  for (let i: u32 = 0; i < len; i++) {
    if ((load<u8>(at + <usize>i) | ASCII_CASE_BIT) != <u8>name.charCodeAt(<i32>i)) return false;
  }
  return true;
}

/** The parsed command's id, or -1 when the pipeline does not run it with this argument count. */
function commandId(): i32 {
  const argc = parsedArgCount;
  switch (argLen(0)) {
    case 3:
      if (nameIs("get")) return argc == 2 ? <i32>PIPELINE_CMD_GET : -1;
      if (nameIs("set")) return argc == 3 ? <i32>PIPELINE_CMD_SET : -1;
      return -1;
    case 4:
      if (nameIs("incr")) return argc == 2 ? <i32>PIPELINE_CMD_INCR : -1;
      if (nameIs("decr")) return argc == 2 ? <i32>PIPELINE_CMD_DECR : -1;
      if (nameIs("lpop")) return argc == 2 ? <i32>PIPELINE_CMD_LPOP : -1;
      if (nameIs("rpop")) return argc == 2 ? <i32>PIPELINE_CMD_RPOP : -1;
      if (nameIs("sadd")) return argc >= 3 ? <i32>PIPELINE_CMD_SADD : -1;
      if (nameIs("hset")) return argc >= 4 && (argc & 1) == 0 ? <i32>PIPELINE_CMD_HSET : -1;
      if (nameIs("zadd")) return argc >= 4 && (argc & 1) == 0 ? <i32>PIPELINE_CMD_ZADD : -1;
      return -1;
    case 6:
      return nameIs("lrange") && argc == 4 ? <i32>PIPELINE_CMD_LRANGE : -1;
    case 5:
      if (nameIs("lpush")) return argc >= 3 ? <i32>PIPELINE_CMD_LPUSH : -1;
      if (nameIs("rpush")) return argc >= 3 ? <i32>PIPELINE_CMD_RPUSH : -1;
      return -1;
    default:
      return -1;
  }
}

// ── Staging: the key bare, then [u32 len][bytes] frames, as the host's stage() writes ───

/** Stages argument 1 (the key) and arguments from..argc-1 as frames. False on OOM. */
function stageKeyAndFrames(from: u32): bool {
  let total: usize = <usize>argLen(1);
  for (let i = from; i < parsedArgCount; i++) total += 4 + <usize>argLen(i);
  if (total > <usize>stagingCapacity() && reserveStaging(<u32>total) == 0) return false;
  let at = stagingPtr();
  memory.copy(at, argPtr(1), argLen(1));
  at += <usize>argLen(1);
  for (let i = from; i < parsedArgCount; i++) {
    const len = argLen(i);
    store<u32>(at, len);
    memory.copy(at + 4, argPtr(i), len);
    at += 4 + <usize>len;
  }
  return true;
}

/**
 * Stages ZADD's key and pairs as zsetAdd reads them: a [u32 8][f64 score] frame, then the
 * member's frame, per pair. Scores must be canonical integers (the host's scoreArg takes the
 * rest: decimals, exponents, inf, errors). False to stop.
 */
function stageZaddPairs(): bool {
  let total: usize = <usize>argLen(1);
  for (let i: u32 = 2; i < parsedArgCount; i += 2) {
    parseCounter(argPtr(i), argLen(i));
    if (!counterValid) return false;
    total += 4 + 8 + 4 + <usize>argLen(i + 1);
  }
  if (total > <usize>stagingCapacity() && reserveStaging(<u32>total) == 0) return false;
  let at = stagingPtr();
  memory.copy(at, argPtr(1), argLen(1));
  at += <usize>argLen(1);
  for (let i: u32 = 2; i < parsedArgCount; i += 2) {
    store<u32>(at, 8);
    store<f64>(at + 4, <f64>parseCounter(argPtr(i), argLen(i)));
    const memberLen = argLen(i + 1);
    store<u32>(at + 12, memberLen);
    memory.copy(at + 16, argPtr(i + 1), memberLen);
    at += 16 + <usize>memberLen;
  }
  return true;
}

// ── Replies ─────────────────────────────────────────────────────────────────────────────

/** Makes sure sizeBytes more reply bytes fit without growing, so a later append cannot fail. */
function reserveReply(sizeBytes: usize): bool {
  const lenBytes = bufferLen(pipelineOut);
  if (bufferClaim(pipelineOut, sizeBytes) == 0) return false;
  bufferTruncate(pipelineOut, lenBytes);
  return true;
}

/** Decimal digits of n. */
@inline function decimalDigits(n: u64): u32 {
  let digits: u32 = 1;
  while (n >= 10) {
    n /= 10;
    digits++;
  }
  return digits;
}

/** Writes n's digits ending just before `end`; returns the first digit's address. */
function writeDigits(end: usize, n: u64): usize {
  let p = end;
  do {
    p--;
    store<u8>(p, ASCII_ZERO + <u8>(n % 10));
    n /= 10;
  } while (n != 0);
  return p;
}

/** `<marker>n\r\n` appended (n ≥ 0). Room must have been reserved. */
function replyHeader(marker: u8, n: u64): void {
  const digits = decimalDigits(n);
  const at = bufferClaim(pipelineOut, 1 + <usize>digits + 2);
  assert(at != 0);
  store<u8>(at, marker);
  writeDigits(at + 1 + <usize>digits, n);
  store<u16>(at + 1 + <usize>digits, 0x0a0d);
}

/** A bulk reply of len bytes at src appended. Room must have been reserved. */
function replyBulk(src: usize, len: u32): void {
  replyHeader(ASCII_DOLLAR, <u64>len);
  const at = bufferClaim(pipelineOut, <usize>len + 2);
  assert(at != 0);
  memory.copy(at, src, len);
  store<u16>(at + <usize>len, 0x0a0d);
}

/** RESP2 `$-1\r\n`, RESP3 `_\r\n`. Room must have been reserved. */
function replyNull(flags: u32): void {
  if ((flags & PIPELINE_RESP3) != 0) {
    const at = bufferClaim(pipelineOut, 3);
    assert(at != 0);
    store<u8>(at, 0x5f); // _
    store<u16>(at + 1, 0x0a0d);
  } else {
    const at = bufferClaim(pipelineOut, 5);
    assert(at != 0);
    store<u32>(at, 0x0d312d24); // $-1\r
    store<u8>(at + 4, ASCII_LF);
  }
}

function replyOk(): void {
  const at = bufferClaim(pipelineOut, 5);
  assert(at != 0);
  store<u32>(at, 0x0d4b4f2b); // +OK\r
  store<u8>(at + 4, ASCII_LF);
}

// ── Commands: each returns false to stop (nothing changed, nothing replied) ─────────────

let hits: u32 = 0;
let misses: u32 = 0;
let dirty: u32 = 0;

function runGet(d: usize, db: u32, nowMs: f64, flags: u32): bool {
  const e = lookupRead(d, db, argPtr(1), argLen(1), <i64>nowMs);
  if (e == 0) {
    if (!reserveReply(SHORT_REPLY_MAX_BYTES)) return false;
    replyNull(flags);
    misses++;
    return true;
  }
  if (entryType(e) != TYPE_STRING) return false;
  const valueLen = entryValueLen(e);
  if (valueLen > PIPELINE_ARG_MAX_BYTES) return false;
  if (!reserveReply(SHORT_REPLY_MAX_BYTES + <usize>valueLen)) return false;
  replyBulk(entryValuePtr(e), valueLen);
  hits++;
  return true;
}

function runSet(db: u32, nowMs: f64): bool {
  if (!reserveReply(SHORT_REPLY_MAX_BYTES)) return false;
  if (setStringAt(db, argPtr(1), argLen(1), argPtr(2), argLen(2), nowMs, false) != 1) return false;
  replyOk();
  dirty++;
  return true;
}

/** Most digits of a counter the pipeline reads: any 18-digit value ± 1 stays within int64. */
const COUNTER_DIGITS_MAX: u32 = 18;
/** The counter's new text, written here before it is stored. */
const counterText: usize = memory.data(24, 4);

/**
 * The string value at valuePtr as a counter (the host's parseInt64, Redis's string2ll: an
 * optional minus, no leading zero, no sign on zero); counterValid is false when it is not one
 * the pipeline takes (errors, and values over COUNTER_DIGITS_MAX digits, go the host's way).
 */
let counterValid = false;
function parseCounter(valuePtr: usize, valueLen: u32): i64 {
  counterValid = false;
  if (valueLen == 0) return 0;
  let i: u32 = 0;
  const negative = load<u8>(valuePtr) == 0x2d;
  if (negative) i = 1;
  const digits = valueLen - i;
  if (digits == 0 || digits > COUNTER_DIGITS_MAX) return 0;
  const first = load<u8>(valuePtr + <usize>i);
  if (first == ASCII_ZERO) {
    counterValid = digits == 1 && !negative;
    return 0;
  }
  let n: i64 = 0;
  for (; i < valueLen; i++) {
    const c = load<u8>(valuePtr + <usize>i);
    if (c < ASCII_ZERO || c > ASCII_ZERO + 9) return 0;
    n = n * 10 + <i64>(c - ASCII_ZERO);
  }
  counterValid = true;
  return negative ? -n : n;
}

/** INCR / DECR: the new value, stored as text with the TTL kept (the host's incrGeneric). */
function runCounter(d: usize, db: u32, nowMs: f64, delta: i64): bool {
  const e = lookupRead(d, db, argPtr(1), argLen(1), <i64>nowMs);
  let current: i64 = 0;
  if (e != 0) {
    if (entryType(e) != TYPE_STRING) return false;
    current = parseCounter(entryValuePtr(e), entryValueLen(e));
    if (!counterValid) return false;
  }
  const next = current + delta;
  const magnitude: u64 = next < 0 ? <u64>(-next) : <u64>next;
  const digits = decimalDigits(magnitude);
  const textLen: u32 = digits + (next < 0 ? 1 : 0);
  writeDigits(counterText + <usize>textLen, magnitude);
  if (next < 0) store<u8>(counterText, 0x2d);
  if (!reserveReply(SHORT_REPLY_MAX_BYTES)) return false;
  if (setStringAt(db, argPtr(1), argLen(1), counterText, textLen, nowMs, true) != 1) return false;
  const at = bufferClaim(pipelineOut, 1 + <usize>textLen + 2);
  assert(at != 0);
  store<u8>(at, ASCII_COLON);
  memory.copy(at + 1, counterText, textLen);
  store<u16>(at + 1 + <usize>textLen, 0x0a0d);
  dirty++;
  return true;
}

/**
 * LRANGE key start stop: the elements as an array of bulks, a missing key as an empty array (a
 * keyspace miss; an existing list is a hit, as the host's lrangeCommand counts).
 */
function runRange(db: u32, nowMs: f64): bool {
  const start = parseCounter(argPtr(2), argLen(2));
  if (!counterValid) return false;
  const stop = parseCounter(argPtr(3), argLen(3));
  if (!counterValid || !stageKeyAndFrames(4)) return false;
  const found = listRange(db, argLen(1), nowMs, <f64>start, <f64>stop);
  if (found == <f64>STATUS_MISSING) {
    if (!reserveReply(SHORT_REPLY_MAX_BYTES)) return false;
    replyHeader(ASCII_STAR, 0);
    misses++;
    return true;
  }
  if (found < 0) return false;
  // The records are [u32 len][bytes, padded to 4]: each becomes `$len\r\n bytes \r\n`.
  const first = outRecordsStart();
  const end = outRecordsEnd();
  let replyBytes = SHORT_REPLY_MAX_BYTES;
  for (let record = first; record < end; record += 4 + align4(<usize>load<u32>(record))) {
    replyBytes += SHORT_REPLY_MAX_BYTES + <usize>load<u32>(record);
  }
  if (!reserveReply(replyBytes)) return false;
  replyHeader(ASCII_STAR, <u64>found);
  for (let record = first; record < end; record += 4 + align4(<usize>load<u32>(record))) {
    replyBulk(record + 4, load<u32>(record));
  }
  hits++;
  return true;
}

/** LPUSH / RPUSH: the new length, as the host's pushGeneric. */
function runPush(db: u32, nowMs: f64, toTail: bool): bool {
  if (!reserveReply(SHORT_REPLY_MAX_BYTES) || !stageKeyAndFrames(2)) return false;
  const length = listPush(db, argLen(1), nowMs, toTail ? 1 : 0, 0, parsedArgCount - 2);
  if (length < 0) return false;
  replyHeader(ASCII_COLON, <u64>length);
  dirty++;
  return true;
}

/** LPOP / RPOP without a count: the element, or null for a missing key. */
function runPop(db: u32, nowMs: f64, flags: u32, fromTail: bool): bool {
  if (!stageKeyAndFrames(2)) return false;
  const tail: u32 = fromTail ? 1 : 0;
  const found = listPeekEnd(db, argLen(1), nowMs, tail);
  if (found == STATUS_MISSING) {
    if (!reserveReply(SHORT_REPLY_MAX_BYTES)) return false;
    replyNull(flags);
    return true;
  }
  if (found != 1) return false;
  const record = outRecordsStart();
  const len = load<u32>(record);
  if (!reserveReply(SHORT_REPLY_MAX_BYTES + <usize>len)) return false;
  replyBulk(record + 4, len);
  listDropEnd(db, argLen(1), nowMs, tail);
  dirty++;
  return true;
}

/** SADD: how many members were new; the key counts as written only when one was. */
function runSadd(db: u32, nowMs: f64): bool {
  if (!reserveReply(SHORT_REPLY_MAX_BYTES) || !stageKeyAndFrames(2)) return false;
  const added = setAdd(db, argLen(1), nowMs, parsedArgCount - 2);
  if (added < 0) return false;
  replyHeader(ASCII_COLON, <u64>added);
  if (added > 0) dirty++;
  return true;
}

/** HSET: how many fields were new; the key counts as written either way (hsetGeneric). */
function runHset(db: u32, nowMs: f64): bool {
  if (!reserveReply(SHORT_REPLY_MAX_BYTES) || !stageKeyAndFrames(2)) return false;
  const added = hashSetFields(db, argLen(1), (parsedArgCount - 2) >> 1, 0, nowMs);
  if (added < 0) return false;
  replyHeader(ASCII_COLON, <u64>added);
  dirty++;
  return true;
}

/** ZADD key score member …: how many members were new; written when any was added or moved. */
function runZadd(db: u32, nowMs: f64): bool {
  if (!reserveReply(SHORT_REPLY_MAX_BYTES) || !stageZaddPairs()) return false;
  const added = zsetAdd(db, argLen(1), nowMs, (parsedArgCount - 2) >> 1, 0);
  if (added < 0) return false;
  replyHeader(ASCII_COLON, <u64>added);
  if (zsetResultChanged() > 0) dirty++;
  return true;
}

// ── The loop ────────────────────────────────────────────────────────────────────────────

/**
 * Runs the commands at the start of the inLen request bytes in the input buffer, at most
 * maxCommands of them, stopping once the replies reach outMaxBytes. Returns the bytes of the
 * commands it ran; replies and counts are in the cells (PIPELINE_CELL_*).
 */
export function runPipeline(
  db: u32,
  inLen: u32,
  nowMs: f64,
  flags: u32,
  maxCommands: u32,
  outMaxBytes: u32,
): i32 {
  const d = checkDb(db);
  assert(<usize>inLen <= bufferLen(pipelineIn));
  const start = bufferPtr(pipelineIn);
  const end = start + <usize>inLen;
  const writes = (flags & PIPELINE_WRITES) != 0;
  bufferReset(pipelineOut);
  hits = 0;
  misses = 0;
  dirty = 0;
  memory.fill(pipelineCells + PIPELINE_CELL_CALLS, 0, <usize>PIPELINE_CMD_COUNT << 2);
  let lastCommand: i32 = -1;
  let commands: u32 = 0;
  let p = start;
  while (commands < maxCommands && p < end && bufferLen(pipelineOut) < <usize>outMaxBytes) {
    const next = parseCommand(p, end);
    if (next == 0) break;
    const id = commandId();
    const readOnly = id == <i32>PIPELINE_CMD_GET || id == <i32>PIPELINE_CMD_LRANGE;
    if (id < 0 || !readOnly && !writes) break;
    let ran = false;
    switch (id) {
      case <i32>PIPELINE_CMD_GET:
        ran = runGet(d, db, nowMs, flags);
        break;
      case <i32>PIPELINE_CMD_SET:
        ran = runSet(db, nowMs);
        break;
      case <i32>PIPELINE_CMD_LPUSH:
        ran = runPush(db, nowMs, false);
        break;
      case <i32>PIPELINE_CMD_RPUSH:
        ran = runPush(db, nowMs, true);
        break;
      case <i32>PIPELINE_CMD_LPOP:
        ran = runPop(db, nowMs, flags, false);
        break;
      case <i32>PIPELINE_CMD_RPOP:
        ran = runPop(db, nowMs, flags, true);
        break;
      case <i32>PIPELINE_CMD_SADD:
        ran = runSadd(db, nowMs);
        break;
      case <i32>PIPELINE_CMD_HSET:
        ran = runHset(db, nowMs);
        break;
      case <i32>PIPELINE_CMD_INCR:
        ran = runCounter(d, db, nowMs, 1);
        break;
      case <i32>PIPELINE_CMD_DECR:
        ran = runCounter(d, db, nowMs, -1);
        break;
      case <i32>PIPELINE_CMD_LRANGE:
        ran = runRange(db, nowMs);
        break;
      case <i32>PIPELINE_CMD_ZADD:
        ran = runZadd(db, nowMs);
        break;
    }
    if (!ran) break;
    const calls = pipelineCells + PIPELINE_CELL_CALLS + (<usize>id << 2);
    store<u32>(calls, load<u32>(calls) + 1);
    lastCommand = id;
    p = next;
    commands++;
  }
  store<u32>(pipelineCells, <u32>bufferPtr(pipelineOut), PIPELINE_CELL_OUT_PTR);
  store<u32>(pipelineCells, <u32>bufferLen(pipelineOut), PIPELINE_CELL_OUT_LEN);
  store<u32>(pipelineCells, hits, PIPELINE_CELL_HITS);
  store<u32>(pipelineCells, misses, PIPELINE_CELL_MISSES);
  store<u32>(pipelineCells, dirty, PIPELINE_CELL_DIRTY);
  store<i32>(pipelineCells, lastCommand, PIPELINE_CELL_LAST_COMMAND);
  return <i32>(p - start);
}
