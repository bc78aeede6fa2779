// set_value.ts — a set value across its three encodings (set_intset.ts, set_packed.ts,
// set_table.ts): membership, one iterator, and every change, with the conversions between
// encodings that Redis 7.0 makes where they are observable (OBJECT ENCODING, SMEMBERS order).
//
// A set value is (valuePtr, valueLen) in its keyspace entry; valueLen holds the encoding tag
// (abi.ts SET_ENC_*) and valuePtr one block whose layout the tag selects. Every layout starts
// with the member count as u32, so SCARD never looks further.
//
// Transitions: a set is created as intset when its first member is an integer; an intset
// turns into a hashtable (PACKED or TABLE) on its first non-integer member or when it would
// exceed set-max-intset-entries (limits.ts, 512 by default) members; PACKED turns into TABLE
// past its limits.
// Nothing ever converts back (Redis neither), except that a STORE or a large SPOP builds its
// result from scratch.
//
// The working value: changes act on (workPtr, workEnc); the commands (set.ts) load them from
// an entry (or start from an empty builder with setWork(0, 0)) and store them back. Single-
// member changes are atomic by construction (a conversion builds the new block, the new member
// included, before freeing the old one); removal never allocates (shrinking is best effort).
//
// The iterator: one at a time (no command nests two). iterSrc/iterLen name the current member,
// valid until the next iterNext (intset members are formatted into iterText).

import { SET_ENC_PACKED, SET_ENC_TABLE, STATUS_OOM, TYPE_SET } from "./abi";
import { frameBytes, frameLen, frameNext } from "./boundary";
import { hashBytes } from "./bytes";
import { formatInt, formattedLen, INT_TEXT_BYTES, parseCanonicalInt, parsedInt } from "./decimal";
import { entryValueLen, entryValuePtr, setEntryValue } from "./entry";
import { setIntsetEntriesMax } from "./limits";
import { alloc, free, usableSize } from "./pages";
import {
  encodingForInt,
  intsetBytes,
  intsetCount,
  intsetCreate,
  intsetGet,
  intsetInsert,
  intsetRemoveAt,
  intsetSearch,
  isIntset,
} from "./set_intset";
import {
  PACKED_COUNT_MAX,
  PACKED_FIRST,
  PACKED_MEMBER_MAX_BYTES,
  packedAppend,
  packedBytesAt,
  packedCreate,
  packedFind,
  packedLenAt,
  packedNext,
  packedRemoveAt,
  packedSetHeader,
  packedUsed,
} from "./set_packed";
import {
  nodeBytes,
  nodeLen,
  nodeNext,
  tableAdd,
  tableBuckets,
  tableCopy,
  tableCreate,
  tableFind,
  tableFree,
  tableMask,
  tableRemove,
} from "./set_table";

/** addMember outcomes of one member (besides STATUS_OOM). */
export const ADDED: i32 = 1;
const PRESENT: i32 = 0;

/** Scratch for formatting during conversions. */
const intText: usize = memory.data(INT_TEXT_BYTES);
/** Scratch owned by the iterator, so formatting elsewhere never clobbers its current member. */
const iterText: usize = memory.data(INT_TEXT_BYTES);

// ── Whole values ────────────────────────────────────────────────────────────────────────

/** Members of the value at ptr (any encoding; 0 for no value). */
@inline export function countOf(ptr: usize): u32 {
  return ptr == 0 ? 0 : load<u32>(ptr); // every layout starts with the count
}

/** Frees every block the value owns. */
export function setFreeValue(valuePtr: usize, valueLen: u32): void {
  if (valuePtr == 0) return;
  if (valueLen == SET_ENC_TABLE) tableFree(valuePtr);
  else {
    assert(isIntset(valueLen) || valueLen == SET_ENC_PACKED, "set: unknown encoding");
    free(valuePtr);
  }
}

/** Bytes of a single-block (intset / packed) value. */
@inline function smallBytes(ptr: usize, enc: u32): usize {
  return enc == SET_ENC_PACKED ? packedUsed(ptr) : intsetBytes(enc, intsetCount(ptr));
}

/** Deep copy; the new valuePtr, or 0 on OOM (nothing allocated). */
export function setCopyValue(valuePtr: usize, valueLen: u32): usize {
  if (valuePtr == 0) return 0;
  if (valueLen == SET_ENC_TABLE) return tableCopy(valuePtr);
  const sizeBytes = smallBytes(valuePtr, valueLen);
  const fresh = alloc(sizeBytes);
  if (fresh == 0) return 0;
  memory.copy(fresh, valuePtr, sizeBytes);
  return fresh;
}

// ── Membership and iteration over any encoding ──────────────────────────────────────────

export function hasMember(ptr: usize, enc: u32, src: usize, len: u32): bool {
  if (ptr == 0) return false;
  if (isIntset(enc)) return parseCanonicalInt(src, len) && intsetSearch(ptr, enc, parsedInt) >= 0;
  if (enc == SET_ENC_PACKED) return packedFind(ptr, src, len) != 0;
  return tableFind(ptr, src, len, hashBytes(src, len)) != 0;
}

let iterPtr: usize = 0;
let iterEnc: u32 = 0;
let iterIndex: u32 = 0;
let iterOffset: usize = 0;
let iterBucket: u32 = 0;
let iterNode: usize = 0;
/** The iterator's current member. */
export let iterSrc: usize = 0;
export let iterLen: u32 = 0;

export function iterStart(ptr: usize, enc: u32): void {
  iterPtr = ptr;
  iterEnc = enc;
  iterIndex = 0;
  iterOffset = PACKED_FIRST;
  iterBucket = 0;
  iterNode = 0;
}

export function iterNext(): bool {
  const ptr = iterPtr;
  if (ptr == 0) return false;
  const enc = iterEnc;
  if (isIntset(enc)) {
    if (iterIndex >= intsetCount(ptr)) return false;
    iterSrc = formatInt(iterText, intsetGet(ptr, enc, iterIndex));
    iterLen = formattedLen;
    iterIndex++;
    return true;
  }
  if (enc == SET_ENC_PACKED) {
    if (iterOffset >= packedUsed(ptr)) return false;
    iterLen = packedLenAt(ptr, iterOffset);
    iterSrc = packedBytesAt(ptr, iterOffset);
    iterOffset = packedNext(ptr, iterOffset);
    return true;
  }
  if (iterNode != 0) iterNode = nodeNext(iterNode);
  const size = tableMask(ptr) + 1;
  const buckets = tableBuckets(ptr);
  while (iterNode == 0) {
    if (iterBucket >= size) return false;
    iterNode = <usize>load<u32>(buckets + (<usize>iterBucket << 2));
    iterBucket++;
  }
  iterSrc = nodeBytes(iterNode);
  iterLen = nodeLen(iterNode);
  return true;
}

// ── The working value ───────────────────────────────────────────────────────────────────

export let workPtr: usize = 0;
export let workEnc: u32 = 0;

/** Makes (ptr, enc) the working value; (0, 0) starts an empty one. */
@inline export function setWork(ptr: usize, enc: u32): void {
  workPtr = ptr;
  workEnc = enc;
}

@inline export function loadWork(e: usize): void {
  workPtr = entryValuePtr(e);
  workEnc = entryValueLen(e);
}

@inline export function storeWork(e: usize): void {
  setEntryValue(e, workPtr, workEnc, TYPE_SET);
}

/** Starts the working value (empty) with its first member, choosing Redis's encoding. */
function createWith(src: usize, len: u32): i32 {
  let ptr: usize = 0;
  let enc: u32 = 0;
  // With set-max-intset-entries 0 Redis's intset converts at its first member.
  if (parseCanonicalInt(src, len) && setIntsetEntriesMax > 0) {
    ptr = intsetCreate(parsedInt);
    enc = encodingForInt(parsedInt);
  } else if (len <= PACKED_MEMBER_MAX_BYTES) {
    ptr = packedCreate(src, len);
    enc = SET_ENC_PACKED;
  } else {
    ptr = tableCreate(1);
    if (ptr != 0 && !tableAdd(ptr, src, len, hashBytes(src, len))) {
      tableFree(ptr);
      return STATUS_OOM;
    }
    enc = SET_ENC_TABLE;
  }
  if (ptr == 0) return STATUS_OOM;
  setWork(ptr, enc);
  return ADDED;
}

/**
 * Converts the working value to TABLE with one more member (src, len) in the same step; on
 * OOM everything built is freed and the working value is untouched.
 */
function convertToTable(src: usize, len: u32): i32 {
  const oldPtr = workPtr;
  const oldEnc = workEnc;
  const count = countOf(oldPtr);
  const table = tableCreate(count + 1);
  if (table == 0) return STATUS_OOM;
  // Walked by hand, not with the iterator: a STORE may be iterating a source right now.
  let packedAt = PACKED_FIRST;
  for (let i: u32 = 0; i <= count; i++) {
    let memberSrc = src;
    let memberLen = len;
    if (i < count && isIntset(oldEnc)) {
      memberSrc = formatInt(intText, intsetGet(oldPtr, oldEnc, i));
      memberLen = formattedLen;
    } else if (i < count) {
      memberLen = packedLenAt(oldPtr, packedAt);
      memberSrc = packedBytesAt(oldPtr, packedAt);
      packedAt = packedNext(oldPtr, packedAt);
    }
    if (!tableAdd(table, memberSrc, memberLen, hashBytes(memberSrc, memberLen))) {
      tableFree(table);
      return STATUS_OOM;
    }
  }
  setFreeValue(oldPtr, oldEnc);
  setWork(table, SET_ENC_TABLE);
  return ADDED;
}

/** Converts the working intset to PACKED with one more (non-integer) member; atomic. */
function convertIntsetToPacked(src: usize, len: u32): i32 {
  const oldPtr = workPtr;
  const oldEnc = workEnc;
  const count = intsetCount(oldPtr);
  // Upper bound: 20 digits + sign per integer.
  let used: usize = PACKED_FIRST;
  for (let i: u32 = 0; i < count; i++) {
    formatInt(intText, intsetGet(oldPtr, oldEnc, i));
    used += 1 + <usize>formattedLen;
  }
  used += 1 + <usize>len;
  const ptr = alloc(used);
  if (ptr == 0) return STATUS_OOM;
  let at = ptr + PACKED_FIRST;
  for (let i: u32 = 0; i < count; i++) {
    const text = formatInt(intText, intsetGet(oldPtr, oldEnc, i));
    store<u8>(at, <u8>formattedLen);
    memory.copy(at + 1, text, formattedLen);
    at += 1 + <usize>formattedLen;
  }
  store<u8>(at, <u8>len);
  memory.copy(at + 1, src, len);
  packedSetHeader(ptr, count + 1, used);
  free(oldPtr);
  setWork(ptr, SET_ENC_PACKED);
  return ADDED;
}

/** Adds one member to the working value: ADDED, PRESENT, or STATUS_OOM (value untouched). */
export function addMember(src: usize, len: u32): i32 {
  if (workPtr == 0) return createWith(src, len);
  const enc = workEnc;
  const count = countOf(workPtr);
  if (isIntset(enc)) {
    if (parseCanonicalInt(src, len)) {
      const value = parsedInt;
      const found = intsetSearch(workPtr, enc, value);
      if (found >= 0) return PRESENT;
      if (count + 1 > setIntsetEntriesMax) return convertToTable(src, len);
      const grown = intsetInsert(workPtr, enc, value, found);
      if (grown == 0) return STATUS_OOM;
      const valueEnc = encodingForInt(value);
      setWork(grown, valueEnc > enc ? valueEnc : enc);
      return ADDED;
    }
    if (count + 1 <= PACKED_COUNT_MAX && len <= PACKED_MEMBER_MAX_BYTES) {
      return convertIntsetToPacked(src, len);
    }
    return convertToTable(src, len);
  }
  if (enc == SET_ENC_PACKED) {
    if (packedFind(workPtr, src, len) != 0) return PRESENT;
    if (count + 1 > PACKED_COUNT_MAX || len > PACKED_MEMBER_MAX_BYTES) {
      return convertToTable(src, len);
    }
    const grown = packedAppend(workPtr, src, len);
    if (grown == 0) return STATUS_OOM;
    workPtr = grown;
    return ADDED;
  }
  const hash = hashBytes(src, len);
  if (tableFind(workPtr, src, len, hash) != 0) return PRESENT;
  return tableAdd(workPtr, src, len, hash) ? ADDED : STATUS_OOM;
}

/** Moves a single-block value to a tighter block when it wastes over half (best effort). */
function maybeShrinkBlock(needBytes: usize): void {
  const usable = usableSize(workPtr);
  if (usable <= 64 || usable < needBytes << 1) return;
  const fresh = alloc(needBytes);
  if (fresh == 0) return;
  memory.copy(fresh, workPtr, needBytes);
  free(workPtr);
  workPtr = fresh;
}

/** Removes one member from the working value (never allocates). True if it was there. */
export function removeMember(src: usize, len: u32): bool {
  const ptr = workPtr;
  if (ptr == 0) return false;
  const enc = workEnc;
  if (isIntset(enc)) {
    if (!parseCanonicalInt(src, len)) return false;
    const found = intsetSearch(ptr, enc, parsedInt);
    if (found < 0) return false;
    intsetRemoveAt(ptr, enc, <u32>found);
    maybeShrinkBlock(intsetBytes(enc, intsetCount(ptr)));
    return true;
  }
  if (enc == SET_ENC_PACKED) {
    const at = packedFind(ptr, src, len);
    if (at == 0) return false;
    maybeShrinkBlock(packedRemoveAt(ptr, at, len));
    return true;
  }
  return tableRemove(ptr, src, len);
}

/** Adds framed members to the working value; members added, or STATUS_OOM part way. */
export function addFramed(frame: usize, memberCount: u32): i32 {
  let added: i32 = 0;
  for (let i: u32 = 0; i < memberCount; i++) {
    const status = addMember(frameBytes(frame), frameLen(frame));
    if (status < 0) return status;
    added += status;
    frame = frameNext(frame);
  }
  return added;
}

/** Replaces the working value by a fresh set of the same members, if memory allows. */
export function rebuildWork(): void {
  const oldPtr = workPtr;
  const oldEnc = workEnc;
  setWork(0, 0);
  iterStart(oldPtr, oldEnc);
  while (iterNext()) {
    if (addMember(iterSrc, iterLen) < 0) {
      setFreeValue(workPtr, workEnc);
      setWork(oldPtr, oldEnc);
      return;
    }
  }
  setFreeValue(oldPtr, oldEnc);
}
