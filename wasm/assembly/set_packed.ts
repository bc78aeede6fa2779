// set_packed.ts — the set encoding for small sets that are not all integers: one block of
// length-prefixed members in insertion order (tag abi.ts SET_ENC_PACKED).
//
// Redis 7.0 has no listpack for sets and reports such a set as "hashtable" from its first
// member, so OBJECT ENCODING does too; but one block costs a fraction of a hash table.
// Membership is a linear scan, bounded by PACKED_COUNT_MAX members of at most
// PACKED_MEMBER_MAX_BYTES each (Redis 7.2's listpack limits), so a scan touches at most ~8 KiB;
// set_value.ts converts to the table past them.
//
//   ┌───────────┬────────────────┬────────┬──────────┬────────┬──────────┬─────┐
//   │ count u32 │ usedBytes u32  │ len u8 │ bytes    │ len u8 │ bytes    │ …   │
//   └───────────┴────────────────┴────────┴──────────┴────────┴──────────┴─────┘
//    0           4                8 = PACKED_FIRST     usedBytes counts the header too
//   A member is addressed by the offset of its length byte within the block.

import { bytesEqual } from "./bytes";
import { alloc, free, usableSize } from "./pages";

/** Redis 7.2's set-max-listpack-entries / -value defaults. */
export const PACKED_COUNT_MAX: u32 = 128;
export const PACKED_MEMBER_MAX_BYTES: u32 = 64;

const PACKED_COUNT: usize = 0;
const PACKED_USED: usize = 4;
/** Offset of the first member's length byte. */
export const PACKED_FIRST: usize = 8;

@inline function packedCount(ptr: usize): u32 {
  return load<u32>(ptr, PACKED_COUNT);
}
@inline export function packedUsed(ptr: usize): usize {
  return <usize>load<u32>(ptr, PACKED_USED);
}
/** Length of the member at offset `at`. */
@inline export function packedLenAt(ptr: usize, at: usize): u32 {
  return <u32>load<u8>(ptr + at);
}
/** First byte of the member at offset `at`. */
@inline export function packedBytesAt(ptr: usize, at: usize): usize {
  return ptr + at + 1;
}
/** Offset of the member after the one at `at` (packedUsed when it was the last). */
@inline export function packedNext(ptr: usize, at: usize): usize {
  return at + 1 + <usize>load<u8>(ptr + at);
}

/** Offset of member's length byte within the block, or 0 when absent. */
export function packedFind(ptr: usize, src: usize, len: u32): usize {
  const end = packedUsed(ptr);
  let at = PACKED_FIRST;
  while (at < end) {
    const memberLen = packedLenAt(ptr, at);
    if (memberLen == len && bytesEqual(ptr + at + 1, src, len)) return at;
    at += 1 + <usize>memberLen;
  }
  return 0;
}

/** Writes the header of a block of count members and usedBytes (members written by caller). */
@inline export function packedSetHeader(ptr: usize, count: u32, usedBytes: usize): void {
  store<u32>(ptr, count, PACKED_COUNT);
  store<u32>(ptr, <u32>usedBytes, PACKED_USED);
}

/** A new packed value holding just member, or 0. */
export function packedCreate(src: usize, len: u32): usize {
  const used = PACKED_FIRST + 1 + <usize>len;
  const ptr = alloc(used);
  if (ptr == 0) return 0;
  packedSetHeader(ptr, 1, used);
  store<u8>(ptr + PACKED_FIRST, <u8>len);
  memory.copy(ptr + PACKED_FIRST + 1, src, len);
  return ptr;
}

/** Appends an absent member (within limits): the block's new address, or 0 on OOM (kept). */
export function packedAppend(ptr: usize, src: usize, len: u32): usize {
  const used = packedUsed(ptr);
  const needBytes = used + 1 + <usize>len;
  let target = ptr;
  if (needBytes > usableSize(ptr)) {
    target = alloc(needBytes);
    if (target == 0) return 0;
    memory.copy(target, ptr, used);
    free(ptr);
  }
  store<u8>(target + used, <u8>len);
  memory.copy(target + used + 1, src, len);
  packedSetHeader(target, packedCount(target) + 1, needBytes);
  return target;
}

/** Removes the member of length len at offset `at`; returns the used bytes left. */
export function packedRemoveAt(ptr: usize, at: usize, len: u32): usize {
  const used = packedUsed(ptr);
  const entryBytes: usize = 1 + <usize>len;
  memory.copy(ptr + at, ptr + at + entryBytes, used - at - entryBytes);
  packedSetHeader(ptr, packedCount(ptr) - 1, used - entryBytes);
  return used - entryBytes;
}

/** Asserts the layout invariants: lengths summing to usedBytes, within the limits. */
export function packedCheck(ptr: usize): void {
  const count = packedCount(ptr);
  assert(count <= PACKED_COUNT_MAX, "set: packed too long");
  const used = packedUsed(ptr);
  assert(used <= usableSize(ptr), "set: packed overflows its block");
  let at = PACKED_FIRST;
  let seen: u32 = 0;
  while (at < used) {
    assert(packedLenAt(ptr, at) <= PACKED_MEMBER_MAX_BYTES, "set: packed member too long");
    seen++;
    at = packedNext(ptr, at);
  }
  assert(at == used, "set: packed lengths do not add up");
  assert(seen == count, "set: packed count mismatch");
}
