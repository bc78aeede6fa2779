// set.ts — the set commands' engine half (SADD … SSCAN), over a set value held in one of
// three encodings (set_intset.ts, set_packed.ts, set_table.ts) that set_value.ts adds to,
// removes from and iterates as one.
//
// Memory failure: every mutating export leaves the key exactly as it was when it returns
// STATUS_OOM. Single-member changes are atomic by construction (set_value.ts); a multi-member
// SADD edits a clone of a small value, or pre-allocates every new node of a table before
// linking any (set_table.ts tableAddFramed). Removal never allocates.
//
// Arguments: the key is staged bare, then [u32 len][bytes] frames (core/engine/set.ts).
// Replies with members go through the out buffer (outPush); integers are formatted there.

import {
  SET_ENC_PACKED,
  SET_ENC_TABLE,
  SET_OP_DIFF,
  SET_OP_INTER,
  SET_OP_INTERCARD,
  SET_OP_UNION,
  STATUS_MISSING,
  STATUS_OOM,
  STATUS_WRONGTYPE,
  TYPE_SET,
} from "./abi";
import {
  align4,
  argsPtr,
  frameBytes,
  frameLen,
  frameNext,
  outPush,
  outRecordsEnd,
  outRecordsStart,
  outReset,
  stagingPtr,
} from "./boundary";
import { bytesEqual, hashBytes, reverseIncrement } from "./bytes";
import { formatInt, formattedLen, INT_TEXT_BYTES, parseCanonicalInt } from "./decimal";
import { dbRecord, findEntry, setEntryExpire } from "./dict";
import { entryValueLen, entryValuePtr, setEntryFlags, setEntryValue } from "./entry";
import { setIntsetEntriesMax } from "./limits";
import { colDelete, colLastStatus, colOpenRead, colOpenWrite, colStatusOr } from "./keyspace";
import { alloc, free } from "./pages";
import { randomBelow } from "./random";
import { intsetCheck, intsetGet, isIntset } from "./set_intset";
import { PACKED_FIRST, packedBytesAt, packedCheck, packedLenAt, packedNext } from "./set_packed";
import {
  isDrawn,
  nodeBytes,
  nodeLen,
  nodeNext,
  setDrawn,
  tableAddFramed,
  tableBuckets,
  tableCheck,
  tableMask,
  tableRandomNode,
} from "./set_table";
import {
  ADDED,
  addFramed,
  addMember,
  countOf,
  hasMember,
  iterLen,
  iterNext,
  iterSrc,
  iterStart,
  loadWork,
  rebuildWork,
  removeMember,
  setCopyValue,
  setFreeValue,
  setWork,
  storeWork,
  workEnc,
  workPtr,
} from "./set_value";
import { freeEntryValue } from "./values";

/** SPOP rebuilds the remainder when remaining · this ≤ popped (Redis's constant). */
const SPOP_MOVE_STRATEGY_MUL: u64 = 5;

/** Scratch for a random pick's formatted integer. */
const pickText: usize = memory.data(INT_TEXT_BYTES);

/** Stores the working value back, deleting the key when it became empty. */
function storeWorkOrDelete(db: u32, e: usize): bool {
  if (countOf(workPtr) == 0) {
    setFreeValue(workPtr, workEnc);
    setEntryValue(e, 0, 0, TYPE_SET);
    colDelete(db, e);
    return true;
  }
  storeWork(e);
  return false;
}

// ── Single-key commands ─────────────────────────────────────────────────────────────────

/** Entry of a set for reading; 0 with the status in colLastStatus(). */
@inline function openRead(db: u32, keyLen: u32, nowMs: f64): usize {
  return colOpenRead(db, keyLen, nowMs, TYPE_SET);
}

/**
 * SADD key member…: members framed after the key. Members added, STATUS_WRONGTYPE, or
 * STATUS_OOM (key unchanged; a key created for the call is removed again).
 */
export function setAdd(db: u32, keyLen: u32, nowMs: f64, memberCount: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_SET, true);
  if (e == 0) return colLastStatus();
  const frame = argsPtr(keyLen);
  const originalPtr = entryValuePtr(e);
  const originalEnc = entryValueLen(e);
  if (originalPtr == 0) {
    setWork(0, 0);
    const added = addFramed(frame, memberCount);
    if (added < 0) {
      setFreeValue(workPtr, workEnc);
      colDelete(db, e);
      return added;
    }
    storeWork(e);
    return added;
  }
  loadWork(e);
  if (memberCount == 1) {
    const status = addMember(frameBytes(frame), frameLen(frame));
    if (status >= 0) storeWork(e);
    return status;
  }
  if (originalEnc == SET_ENC_TABLE) return tableAddFramed(workPtr, frame, memberCount);
  // A small value and several members: edit a clone, keep the original until it succeeds.
  const clone = setCopyValue(originalPtr, originalEnc);
  if (clone == 0) return STATUS_OOM;
  setWork(clone, originalEnc);
  const added = addFramed(frame, memberCount);
  if (added < 0) {
    setFreeValue(workPtr, workEnc);
    return added;
  }
  setFreeValue(originalPtr, originalEnc);
  storeWork(e);
  return added;
}

/** SREM key member…: members removed (the key goes when emptied), or STATUS_WRONGTYPE. */
export function setRem(db: u32, keyLen: u32, nowMs: f64, memberCount: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_SET, false);
  if (e == 0) return colStatusOr(0);
  loadWork(e);
  let frame = argsPtr(keyLen);
  let removed: i32 = 0;
  for (let i: u32 = 0; i < memberCount; i++) {
    if (removeMember(frameBytes(frame), frameLen(frame))) removed++;
    if (countOf(workPtr) == 0) break;
    frame = frameNext(frame);
  }
  storeWorkOrDelete(db, e);
  return removed;
}

/** One-byte out records for SMISMEMBER. */
const flagCell: usize = memory.data(4);

/**
 * SISMEMBER / SMISMEMBER: how many of the framed members are in the set (a missing key has
 * none); with writeFlags, one out record per member holding the byte 1 or 0.
 */
export function setContains(
  db: u32,
  keyLen: u32,
  nowMs: f64,
  memberCount: u32,
  writeFlags: u32,
): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0 && colLastStatus() == STATUS_WRONGTYPE) return STATUS_WRONGTYPE;
  const ptr: usize = e == 0 ? 0 : entryValuePtr(e);
  const enc: u32 = e == 0 ? 0 : entryValueLen(e);
  if (writeFlags != 0) outReset();
  let frame = argsPtr(keyLen);
  let found: i32 = 0;
  for (let i: u32 = 0; i < memberCount; i++) {
    const isMember = hasMember(ptr, enc, frameBytes(frame), frameLen(frame));
    if (isMember) found++;
    if (writeFlags != 0) {
      store<u8>(flagCell, isMember ? 1 : 0);
      if (!outPush(flagCell, 1)) return STATUS_OOM;
    }
    frame = frameNext(frame);
  }
  return found;
}

/** SCARD: members, 0 for a missing key, or STATUS_WRONGTYPE. */
export function setCard(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colStatusOr(0);
  return <i32>countOf(entryValuePtr(e));
}

/** OBJECT ENCODING source: the encoding tag (SET_ENC_*), STATUS_MISSING or WRONGTYPE. */
export function setEncodingOf(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colLastStatus();
  return <i32>entryValueLen(e);
}

/** Pushes every member of (ptr, enc) to the out buffer in iteration order; false on OOM. */
function pushAll(ptr: usize, enc: u32): bool {
  iterStart(ptr, enc);
  while (iterNext()) {
    if (!outPush(iterSrc, iterLen)) return false;
  }
  return true;
}

/**
 * SMEMBERS: every member into the out buffer (ascending for an intset, as Redis); the
 * count, -1 for a missing key, STATUS_WRONGTYPE or STATUS_OOM.
 */
export function setMembers(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colLastStatus();
  outReset();
  if (!pushAll(entryValuePtr(e), entryValueLen(e))) return STATUS_OOM;
  return <i32>countOf(entryValuePtr(e));
}

// ── Random members ──────────────────────────────────────────────────────────────────────

let pickSrc: usize = 0;
let pickLen: u32 = 0;
let pickNode: usize = 0;

/** A uniformly drawn index's member (intset, packed) or a random bucket's (table). */
function pickRandom(ptr: usize, enc: u32): void {
  const count = countOf(ptr);
  assert(count > 0);
  if (isIntset(enc)) {
    pickSrc = formatInt(pickText, intsetGet(ptr, enc, randomBelow(count)));
    pickLen = formattedLen;
    return;
  }
  if (enc == SET_ENC_PACKED) {
    let at = PACKED_FIRST;
    for (let skip = randomBelow(count); skip > 0; skip--) at = packedNext(ptr, at);
    pickLen = packedLenAt(ptr, at);
    pickSrc = packedBytesAt(ptr, at);
    return;
  }
  const node = tableRandomNode(ptr);
  pickNode = node;
  pickSrc = nodeBytes(node);
  pickLen = nodeLen(node);
}

/**
 * `count` distinct members (count < size) into the out buffer. Small values and dense
 * requests use selection sampling over one pass (each subset equally likely); a sparse
 * request on a table draws random nodes, marking drawn ones in their len's high bit and
 * clearing the marks afterwards. False on OOM (marks cleared).
 */
function sampleUnique(ptr: usize, enc: u32, count: u32): bool {
  const size = countOf(ptr);
  assert(count < size);
  if (enc != SET_ENC_TABLE || <u64>count * 3 > <u64>size) {
    let needed = count;
    let remaining = size;
    iterStart(ptr, enc);
    while (needed > 0 && iterNext()) {
      if (randomBelow(remaining) < needed) {
        if (!outPush(iterSrc, iterLen)) return false;
        needed--;
      }
      remaining--;
    }
    assert(needed == 0);
    return true;
  }
  const drawn = alloc(<usize>count << 2);
  if (drawn == 0) return false;
  let drawnCount: u32 = 0;
  let ok = true;
  while (drawnCount < count) {
    pickRandom(ptr, enc);
    if (isDrawn(pickNode)) continue;
    if (!outPush(pickSrc, pickLen)) {
      ok = false;
      break;
    }
    setDrawn(pickNode, true);
    store<u32>(drawn + (<usize>drawnCount << 2), <u32>pickNode);
    drawnCount++;
  }
  for (let i: u32 = 0; i < drawnCount; i++) {
    setDrawn(<usize>load<u32>(drawn + (<usize>i << 2)), false);
  }
  free(drawn);
  return ok;
}

/**
 * SRANDMEMBER: with `unique`, min(count, size) distinct members (the whole set in iteration
 * order when count ≥ size, as Redis); otherwise `count` independent draws. Members go to the
 * out buffer; returns how many, -1 for a missing key, STATUS_WRONGTYPE or STATUS_OOM.
 */
export function setRandomMembers(db: u32, keyLen: u32, nowMs: f64, count: u32, unique: u32): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colLastStatus();
  const ptr = entryValuePtr(e);
  const enc = entryValueLen(e);
  const size = countOf(ptr);
  outReset();
  if (count == 0) return 0;
  if (unique != 0) {
    if (count >= size) return pushAll(ptr, enc) ? <i32>size : STATUS_OOM;
    return sampleUnique(ptr, enc, count) ? <i32>count : STATUS_OOM;
  }
  for (let i: u32 = 0; i < count; i++) {
    pickRandom(ptr, enc);
    if (!outPush(pickSrc, pickLen)) return STATUS_OOM;
  }
  return <i32>count;
}

/**
 * SPOP key [count]: min(count, size) distinct members removed and written to the out buffer
 * (drawn first, removed after, so OOM changes nothing); the key goes when emptied. Popping
 * the whole set replies in the order Redis's union would (an all-integer result of at most
 * 512 members ascending). Returns the count, -1 for a missing key, WRONGTYPE or OOM.
 */
export function setPop(db: u32, keyLen: u32, nowMs: f64, count: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_SET, false);
  if (e == 0) return colLastStatus();
  loadWork(e);
  const ptr = workPtr;
  const enc = workEnc;
  const size = countOf(ptr);
  outReset();
  if (count >= size) {
    if (!pushAsUnion(ptr, enc)) return STATUS_OOM;
    setFreeValue(ptr, enc);
    setEntryValue(e, 0, 0, TYPE_SET);
    colDelete(db, e);
    return <i32>size;
  }
  if (count == 1) {
    pickRandom(workPtr, workEnc);
    if (!outPush(pickSrc, pickLen)) return STATUS_OOM;
  } else if (!sampleUnique(workPtr, workEnc, count)) return STATUS_OOM;
  // Remove what was drawn, reading it back from the out buffer.
  const end = outRecordsEnd();
  let record = outRecordsStart();
  while (record < end) {
    const len = load<u32>(record);
    const removed = removeMember(record + 4, len);
    assert(removed, "set: popped member vanished");
    record += 4 + align4(<usize>len);
  }
  // Redis pops most of a set by rebuilding the few that remain into a fresh set (its
  // SPOP_MOVE_STRATEGY_MUL), which can turn a hashtable back into an intset: do the same so
  // OBJECT ENCODING agrees. A failed rebuild keeps the old value (the members are right).
  if (<u64>(size - count) * SPOP_MOVE_STRATEGY_MUL <= <u64>count) rebuildWork();
  storeWorkOrDelete(db, e);
  return <i32>count;
}

/** Pushes (ptr, enc) as Redis would reply a one-set SUNION: through a rebuilt set. */
function pushAsUnion(ptr: usize, enc: u32): bool {
  if (isIntset(enc)) return pushAll(ptr, enc);
  setWork(0, 0);
  iterStart(ptr, enc);
  let built = true;
  // Only an all-integer set within set-max-intset-entries would come out differently (as an
  // intset).
  while (iterNext()) {
    if (!parseCanonicalInt(iterSrc, iterLen) || countOf(workPtr) >= setIntsetEntriesMax) {
      built = false;
      break;
    }
    if (addMember(iterSrc, iterLen) < 0) {
      built = false;
      break;
    }
  }
  const ok = built ? pushAll(workPtr, workEnc) : pushAll(ptr, enc);
  setFreeValue(workPtr, workEnc);
  setWork(0, 0);
  return ok;
}

// ── SMOVE ───────────────────────────────────────────────────────────────────────────────

/**
 * SMOVE src dst member: staged as src, then [len][dst], [len][member]. 0 when src is missing
 * or lacks member, 1 moved (dst gained it), 2 moved (dst had it already; also src == dst
 * holding it), STATUS_WRONGTYPE, STATUS_OOM (nothing changed).
 */
export function setMove(db: u32, srcKeyLen: u32, nowMs: f64): i32 {
  const staging = stagingPtr();
  const dstFrame = argsPtr(srcKeyLen);
  const dstLen = frameLen(dstFrame);
  const memberFrame = frameNext(dstFrame);
  const memberSrc = frameBytes(memberFrame);
  const memberLen = frameLen(memberFrame);
  const sameKey = dstLen == srcKeyLen && bytesEqual(staging, frameBytes(dstFrame), dstLen);
  const src = colOpenWrite(db, srcKeyLen, nowMs, TYPE_SET, false);
  if (src == 0) return colStatusOr(0);
  // The destination key moves to the front of staging, where colOpen* reads keys.
  memory.copy(staging, frameBytes(dstFrame), dstLen);
  let dst = colOpenWrite(db, dstLen, nowMs, TYPE_SET, false);
  if (dst == 0 && colLastStatus() != STATUS_MISSING) return colLastStatus();
  const srcPtr = entryValuePtr(src);
  const srcEnc = entryValueLen(src);
  if (!hasMember(srcPtr, srcEnc, memberSrc, memberLen)) return 0;
  if (sameKey) return 2;
  let outcome: i32 = 2;
  if (dst == 0) {
    dst = colOpenWrite(db, dstLen, nowMs, TYPE_SET, true);
    if (dst == 0) return STATUS_OOM;
    setWork(0, 0);
    if (addMember(memberSrc, memberLen) < 0) {
      colDelete(db, dst);
      return STATUS_OOM;
    }
    storeWork(dst);
    outcome = 1;
  } else {
    loadWork(dst);
    const status = addMember(memberSrc, memberLen);
    if (status < 0) return STATUS_OOM;
    storeWork(dst);
    if (status == ADDED) outcome = 1;
  }
  loadWork(src);
  const removed = removeMember(memberSrc, memberLen);
  assert(removed);
  storeWorkOrDelete(db, src);
  return outcome;
}

// ── SINTER / SUNION / SDIFF (+STORE) / SINTERCARD ───────────────────────────────────────

/** Set by setOp: the STORE destination existed and was deleted (empty result). */
let opDeletedDst: i32 = 0;

export function setOpDeletedDst(): i32 {
  return opDeletedDst;
}

/**
 * Multi-set operation over keyCount keys staged as key0, then [len][key] frames, then (with
 * store) a [len][dst] frame. op: 0 SINTER, 1 SUNION, 2 SDIFF, 3 SINTERCARD (limit 0 = none).
 * Types are checked in key order first (a missing key is an empty set), as Redis 7.0 does.
 * Without store the result goes to the out buffer, in Redis's order where Redis has one (an
 * intset result ascending); returns its size. With store the result replaces dst (any type,
 * TTL cleared) or, when empty, dst is deleted (setOpDeletedDst() tells whether it existed).
 * STATUS_WRONGTYPE / STATUS_OOM leave everything unchanged.
 */
export function setOp(
  db: u32,
  keyLen: u32,
  nowMs: f64,
  op: u32,
  keyCount: u32,
  limit: u32,
  toStore: u32,
): i32 {
  assert(keyCount > 0);
  opDeletedDst = 0;
  const staging = stagingPtr();
  // Sources: (ptr u32, enc u32) per key, ptr 0 for a missing key.
  const sources = alloc(<usize>keyCount << 3);
  if (sources == 0) return STATUS_OOM;
  let frame: usize = 0;
  let missingCount: u32 = 0;
  for (let i: u32 = 0; i < keyCount; i++) {
    let len = keyLen;
    // Read the frame before moving key i to the front of staging: the copy may overwrite it.
    const nextFrame = i == 0 ? argsPtr(keyLen) : frameNext(frame);
    if (i > 0) {
      len = frameLen(frame);
      memory.copy(staging, frameBytes(frame), len);
    }
    const e = openRead(db, len, nowMs);
    if (e == 0 && colLastStatus() == STATUS_WRONGTYPE) {
      free(sources);
      return STATUS_WRONGTYPE;
    }
    store<u32>(sources + (<usize>i << 3), e == 0 ? 0 : <u32>entryValuePtr(e));
    store<u32>(sources + (<usize>i << 3), e == 0 ? 0 : entryValueLen(e), 4);
    if (e == 0) missingCount++;
    frame = nextFrame;
  }
  const dstFrame = frame; // valid only with toStore
  let resultSize: i32 = 0;
  setWork(0, 0);
  const toOut = toStore == 0 && op != SET_OP_INTERCARD;
  if (toOut) outReset();
  if (op == SET_OP_INTER || op == SET_OP_INTERCARD) {
    if (missingCount == 0) resultSize = intersect(sources, keyCount, op, limit, toOut);
  } else if (op == SET_OP_UNION) {
    for (let i: u32 = 0; i < keyCount && resultSize >= 0; i++) {
      const ptr = <usize>load<u32>(sources + (<usize>i << 3));
      iterStart(ptr, load<u32>(sources + (<usize>i << 3), 4));
      while (iterNext()) {
        if (addMember(iterSrc, iterLen) < 0) {
          resultSize = STATUS_OOM;
          break;
        }
      }
    }
  } else {
    assert(op == SET_OP_DIFF);
    const firstPtr = <usize>load<u32>(sources);
    if (firstPtr != 0 && diffCopiesFirstSet(sources, keyCount)) {
      resultSize = diffByRemoval(sources, keyCount);
    } else {
      iterStart(firstPtr, load<u32>(sources, 4));
      while (iterNext()) {
        let keep = true;
        for (let j: u32 = 1; j < keyCount && keep; j++) {
          const at = sources + (<usize>j << 3);
          if (hasMember(<usize>load<u32>(at), load<u32>(at, 4), iterSrc, iterLen)) keep = false;
        }
        if (keep && addMember(iterSrc, iterLen) < 0) {
          resultSize = STATUS_OOM;
          break;
        }
      }
    }
  }
  free(sources);
  if (resultSize < 0) {
    setFreeValue(workPtr, workEnc);
    setWork(0, 0);
    return resultSize;
  }
  if (op == SET_OP_INTERCARD || (op == SET_OP_INTER && toStore == 0)) return resultSize;
  resultSize = <i32>countOf(workPtr);
  if (toStore == 0) {
    const ok = pushAll(workPtr, workEnc);
    setFreeValue(workPtr, workEnc);
    setWork(0, 0);
    return ok ? resultSize : STATUS_OOM;
  }
  return storeResult(db, nowMs, dstFrame, resultSize);
}

/**
 * Redis 7.0 computes SDIFF one of two ways by estimated work (first set's size × sets / 2
 * against the sum of all sizes); the second copies the whole first set into the result and
 * then removes the others' members. The result keeps the encoding that copy reached (an
 * intset grown past set-max-intset-entries stays a hashtable), which OBJECT ENCODING and the reply
 * order show, so the same choice is made here.
 */
function diffCopiesFirstSet(sources: usize, keyCount: u32): bool {
  const firstSize = <u64>countOf(<usize>load<u32>(sources));
  let algoOneWork: u64 = 0;
  let algoTwoWork: u64 = 0;
  for (let j: u32 = 0; j < keyCount; j++) {
    const ptr = <usize>load<u32>(sources + (<usize>j << 3));
    if (ptr == 0) continue;
    algoOneWork += firstSize;
    algoTwoWork += <u64>countOf(ptr);
  }
  return algoOneWork / 2 > algoTwoWork;
}

/** SDIFF as the copy-then-remove algorithm: the result's size, or STATUS_OOM. */
function diffByRemoval(sources: usize, keyCount: u32): i32 {
  iterStart(<usize>load<u32>(sources), load<u32>(sources, 4));
  while (iterNext()) {
    if (addMember(iterSrc, iterLen) < 0) return STATUS_OOM;
  }
  for (let j: u32 = 1; j < keyCount && countOf(workPtr) > 0; j++) {
    const at = sources + (<usize>j << 3);
    const ptr = <usize>load<u32>(at);
    if (ptr == 0) continue;
    iterStart(ptr, load<u32>(at, 4));
    while (iterNext()) removeMember(iterSrc, iterLen);
  }
  return <i32>countOf(workPtr);
}

/**
 * SINTER core over the sources, smallest first (stable order by size, as Redis's qsort
 * leaves equal sizes): each member of the smallest that every other holds is emitted to the
 * out buffer (toOut), added to the working value (STORE), or only counted (SINTERCARD, up
 * to limit). Returns the count or STATUS_OOM.
 */
function intersect(sources: usize, keyCount: u32, op: u32, limit: u32, toOut: bool): i32 {
  // Insertion sort of the (ptr, enc) pairs by member count; keeps equal sizes in key order.
  for (let i: u32 = 1; i < keyCount; i++) {
    const ptr = load<u32>(sources + (<usize>i << 3));
    const enc = load<u32>(sources + (<usize>i << 3), 4);
    const size = countOf(<usize>ptr);
    let j = i;
    while (j > 0 && countOf(<usize>load<u32>(sources + (<usize>(j - 1) << 3))) > size) {
      store<u64>(sources + (<usize>j << 3), load<u64>(sources + (<usize>(j - 1) << 3)));
      j--;
    }
    store<u32>(sources + (<usize>j << 3), ptr);
    store<u32>(sources + (<usize>j << 3), enc, 4);
  }
  const firstPtr = <usize>load<u32>(sources);
  let count: i32 = 0;
  iterStart(firstPtr, load<u32>(sources, 4));
  while (iterNext()) {
    let inAll = true;
    for (let j: u32 = 1; j < keyCount && inAll; j++) {
      const at = sources + (<usize>j << 3);
      const ptr = <usize>load<u32>(at);
      if (ptr == firstPtr) continue;
      if (!hasMember(ptr, load<u32>(at, 4), iterSrc, iterLen)) inAll = false;
    }
    if (!inAll) continue;
    if (op == SET_OP_INTERCARD) {
      count++;
      if (limit != 0 && <u32>count >= limit) break;
    } else if (toOut) {
      if (!outPush(iterSrc, iterLen)) return STATUS_OOM;
      count++;
    } else {
      if (addMember(iterSrc, iterLen) < 0) return STATUS_OOM;
      count++;
    }
  }
  return count;
}

/** Installs the working value at the dst key (framed at dstFrame); see setOp. */
function storeResult(db: u32, nowMs: f64, dstFrame: usize, resultSize: i32): i32 {
  const staging = stagingPtr();
  const dstLen = frameLen(dstFrame);
  memory.copy(staging, frameBytes(dstFrame), dstLen);
  // A read lookup first, so an expired destination goes the usual lazy-expiry way.
  openRead(db, dstLen, nowMs);
  const d = dbRecord(db);
  const existing = findEntry(d, staging, dstLen, hashBytes(staging, dstLen));
  if (resultSize == 0) {
    setFreeValue(workPtr, workEnc);
    setWork(0, 0);
    if (existing != 0) {
      colDelete(db, existing);
      opDeletedDst = 1;
    }
    return 0;
  }
  if (existing != 0) {
    freeEntryValue(existing);
    setEntryValue(existing, workPtr, workEnc, TYPE_SET);
    setEntryFlags(existing, 0);
    setEntryExpire(d, existing, 0);
  } else {
    const e = colOpenWrite(db, dstLen, nowMs, TYPE_SET, true);
    if (e == 0) {
      setFreeValue(workPtr, workEnc);
      setWork(0, 0);
      return STATUS_OOM;
    }
    storeWork(e);
  }
  setWork(0, 0);
  return resultSize;
}

// ── SSCAN ───────────────────────────────────────────────────────────────────────────────

/**
 * SSCAN: members into the out buffer and the next cursor (as f64), or -1 missing /
 * STATUS_WRONGTYPE / STATUS_OOM. Intset and packed values answer whole with cursor 0 (Redis
 * does so for its compact encodings); a table is walked from `cursor` in reverse-binary
 * bucket order, so members present throughout a scan are returned at least once across
 * resizes, until `count` members or 10·count buckets.
 */
export function setScan(db: u32, keyLen: u32, nowMs: f64, cursor: u32, count: u32): f64 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return <f64>colLastStatus();
  const ptr = entryValuePtr(e);
  const enc = entryValueLen(e);
  outReset();
  if (enc != SET_ENC_TABLE) return pushAll(ptr, enc) ? 0 : <f64>STATUS_OOM;
  const wanted: u32 = count == 0 ? 1 : count;
  let bucketBudget: u64 = <u64>wanted * 10;
  let found: u32 = 0;
  const mask = tableMask(ptr);
  const buckets = tableBuckets(ptr);
  let v = cursor;
  do {
    let node = <usize>load<u32>(buckets + (<usize>(v & mask) << 2));
    while (node != 0) {
      if (!outPush(nodeBytes(node), nodeLen(node))) return <f64>STATUS_OOM;
      found++;
      node = nodeNext(node);
    }
    v = reverseIncrement(v, mask);
    bucketBudget--;
  } while (v != 0 && bucketBudget > 0 && found < wanted);
  return <f64>v;
}

// ── Invariant check (tests) ─────────────────────────────────────────────────────────────

/**
 * Walks the set at key and asserts its layout invariants: intset strictly ascending and
 * within its width, packed lengths summing to usedBytes with no duplicates and within
 * limits, table nodes in their hash's bucket and counted. Returns the member count, or a
 * status for a missing / wrong-type key.
 */
export function setCheck(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = openRead(db, keyLen, nowMs);
  if (e == 0) return colLastStatus();
  const ptr = entryValuePtr(e);
  const enc = entryValueLen(e);
  const count = countOf(ptr);
  assert(ptr != 0, "set: live key without a value");
  assert(count > 0, "set: empty set kept");
  if (isIntset(enc)) intsetCheck(ptr, enc);
  else if (enc == SET_ENC_PACKED) packedCheck(ptr);
  else {
    assert(enc == SET_ENC_TABLE, "set: unknown encoding");
    tableCheck(ptr);
  }
  return <i32>count;
}
