// set_intset.ts — the set encoding for all-integer sets: Redis 7.0's intset.
//
// Every member is the canonical decimal text of an int64 (decimal.ts: no '+', no leading
// zeros, no "-0"); members are kept sorted ascending as fixed-width little-endian integers in
// one block, so membership is a binary search. The width only ever grows (INT16 → INT32 →
// INT64, the encoding tags of abi.ts SET_ENC_*), when a member needs it.
//
//   ┌───────────┬──────────┬──────────┬─────┬────────────────┐
//   │ count u32 │ value 0  │ value 1  │ …   │ value count-1  │   value: i16 / i32 / i64
//   └───────────┴──────────┴──────────┴─────┴────────────────┘
//    0           4          4+w
//   The count comes first in every set layout (set_value.ts reads it without knowing which).
//
// At most set-max-intset-entries members (limits.ts; never above INTSET_ENTRIES_CAP);
// set_value.ts converts past that, or at the first member that is not an integer.

import { SET_ENC_INT16, SET_ENC_INT32, SET_ENC_INT64 } from "./abi";
import { alloc, free, usableSize } from "./pages";

/** Redis 7.0's set-max-intset-entries default. */
export const SET_MAX_INTSET_ENTRIES: u32 = 512;
/** Most members an intset may hold whatever the setting: Redis's own 1G bound (t_set.c). */
export const INTSET_ENTRIES_CAP: u32 = 1 << 30;

const INTSET_COUNT: usize = 0;
const INTSET_HEADER_BYTES: usize = 4;

@inline export function isIntset(enc: u32): bool {
  return enc >= SET_ENC_INT16 && enc <= SET_ENC_INT64;
}
@inline function intWidth(enc: u32): usize {
  return enc == SET_ENC_INT16 ? 2 : enc == SET_ENC_INT32 ? 4 : 8;
}
@inline export function intsetCount(ptr: usize): u32 {
  return load<u32>(ptr, INTSET_COUNT);
}
/** Bytes of an intset of `count` members of encoding enc. */
@inline export function intsetBytes(enc: u32, count: u32): usize {
  return INTSET_HEADER_BYTES + intWidth(enc) * <usize>count;
}
@inline export function intsetGet(ptr: usize, enc: u32, index: u32): i64 {
  const at = ptr + INTSET_HEADER_BYTES + <usize>index * intWidth(enc);
  if (enc == SET_ENC_INT16) return <i64>load<i16>(at);
  if (enc == SET_ENC_INT32) return <i64>load<i32>(at);
  return load<i64>(at);
}
@inline function intsetPut(ptr: usize, enc: u32, index: u32, value: i64): void {
  const at = ptr + INTSET_HEADER_BYTES + <usize>index * intWidth(enc);
  if (enc == SET_ENC_INT16) store<i16>(at, <i16>value);
  else if (enc == SET_ENC_INT32) store<i32>(at, <i32>value);
  else store<i64>(at, value);
}
/** Narrowest intset encoding holding value. */
@inline export function encodingForInt(value: i64): u32 {
  if (value >= -32768 && value <= 32767) return SET_ENC_INT16;
  if (value >= -2147483648 && value <= 2147483647) return SET_ENC_INT32;
  return SET_ENC_INT64;
}

/** Index of value, or -(insertion index + 1). */
export function intsetSearch(ptr: usize, enc: u32, value: i64): i32 {
  let low: i32 = 0;
  let high: i32 = <i32>intsetCount(ptr) - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = intsetGet(ptr, enc, <u32>mid);
    if (at < value) low = mid + 1;
    else if (at > value) high = mid - 1;
    else return mid;
  }
  return -(low + 1);
}

/** A new intset (encoding encodingForInt(value)) holding just value, or 0. */
export function intsetCreate(value: i64): usize {
  const enc = encodingForInt(value);
  const ptr = alloc(intsetBytes(enc, 1));
  if (ptr == 0) return 0;
  store<u32>(ptr, 1, INTSET_COUNT);
  intsetPut(ptr, enc, 0, value);
  return ptr;
}

/**
 * Inserts an absent value (searchResult from intsetSearch) into the intset (ptr, enc): the
 * intset's new address, or 0 on OOM (the old one kept). Its encoding is afterwards the wider
 * of enc and encodingForInt(value).
 */
export function intsetInsert(ptr: usize, enc: u32, value: i64, searchResult: i32): usize {
  const count = intsetCount(ptr);
  const valueEnc = encodingForInt(value);
  if (valueEnc > enc) {
    // Upgrade: value is outside the old width's range, so it goes first or last.
    const fresh = alloc(intsetBytes(valueEnc, count + 1));
    if (fresh == 0) return 0;
    const shift: u32 = value < 0 ? 1 : 0;
    for (let i: u32 = 0; i < count; i++) {
      intsetPut(fresh, valueEnc, i + shift, intsetGet(ptr, enc, i));
    }
    intsetPut(fresh, valueEnc, value < 0 ? 0 : count, value);
    store<u32>(fresh, count + 1, INTSET_COUNT);
    free(ptr);
    return fresh;
  }
  const position = <u32>(-searchResult - 1);
  const width = intWidth(enc);
  const needBytes = intsetBytes(enc, count + 1);
  const tailBytes = <usize>(count - position) * width;
  const positionAt = INTSET_HEADER_BYTES + <usize>position * width;
  let target = ptr;
  if (needBytes > usableSize(ptr)) {
    target = alloc(needBytes);
    if (target == 0) return 0;
    memory.copy(target, ptr, positionAt);
    memory.copy(target + positionAt + width, ptr + positionAt, tailBytes);
    free(ptr);
  } else {
    memory.copy(ptr + positionAt + width, ptr + positionAt, tailBytes);
  }
  intsetPut(target, enc, position, value);
  store<u32>(target, count + 1, INTSET_COUNT);
  return target;
}

/** Removes the member at index (never allocates). */
export function intsetRemoveAt(ptr: usize, enc: u32, index: u32): void {
  const count = intsetCount(ptr);
  const width = intWidth(enc);
  const at = ptr + INTSET_HEADER_BYTES + <usize>index * width;
  memory.copy(at, at + width, <usize>(count - 1 - index) * width);
  store<u32>(ptr, count - 1, INTSET_COUNT);
}

/** Asserts the layout invariants: strictly ascending, within its block and its limit. */
export function intsetCheck(ptr: usize, enc: u32): void {
  const count = intsetCount(ptr);
  assert(count <= INTSET_ENTRIES_CAP, "set: intset too long");
  assert(intsetBytes(enc, count) <= usableSize(ptr), "set: intset overflows its block");
  for (let i: u32 = 1; i < count; i++) {
    assert(intsetGet(ptr, enc, i - 1) < intsetGet(ptr, enc, i), "set: intset not ascending");
  }
}
