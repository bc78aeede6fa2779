// zset_listpack.ts — the small sorted-set encoding ("listpack"), and the element order both
// encodings keep: by score, then by member bytes (memcmp).
//
// Elements sit in order in one allocation, so a million small zsets cost a million small blocks
// and no pointers. A command indexes the entries once (lpIndex → lpOffsets, at most
// LP_ENTRIES_MAX + 1 offsets), then addresses them by rank within that call. Scores are IEEE doubles stored as 8
// raw bytes; stored here they lose the sign of zero, as Redis's listpack (which keeps scores as
// text and "-0" as the integer 0) does. A member's length prefix (length_prefix.ts) is one byte
// below 128 bytes and four above, so a member may be as long as zset-max-listpack-value allows.
//
//   ┌─────────────┬──────────────────────────────────────┬──────────────────────────────┬───
//   │bytesUsed u32│score f64│len 1 or 4 B│member bytes     │score f64│len│member bytes      │ …
//   └─────────────┴──────────────────────────────────────┴──────────────────────────────┴───
//    0             4         12           13 (or 16)
//
// At most zset-max-listpack-entries elements of at most zset-max-listpack-value bytes each
// (limits.ts; Redis 7.0's defaults 128 and 64), never more than LP_ENTRIES_MAX elements (the
// entry index below is static) nor LP_SAFETY_MAX_BYTES bytes (Redis's listpack safety size);
// zset.ts converts to the skiplist past them.

import { bytesEqual, compareBytes } from "./bytes";
import { prefixLenAt, prefixSizeAt, prefixSizeFor, storePrefix } from "./length_prefix";
import { usableSize } from "./pages";

/** Most elements a listpack may hold whatever the settings: the entry index below is static. */
export const LP_ENTRIES_MAX: u32 = 1024;
/**
 * Most bytes a listpack may hold (Redis: listpack.c LISTPACK_MAX_SAFETY_SIZE, 1 GiB); a write
 * that would pass it converts first, so no member is longer either.
 */
export const LP_SAFETY_MAX_BYTES: usize = 0x40000000;
export const LP_HEADER_SIZE_BYTES: usize = 4;
/** Offset of an entry's length prefix (after its score). */
const LP_ENTRY_PREFIX: usize = 8;

/** Offsets of the indexed listpack's entries, plus its end (valid within one call). */
const lpOffsets: usize = memory.data(<i32>(LP_ENTRIES_MAX + 2) * 4, 4);

/** Order of (aScore, a) against (bScore, b). */
@inline export function compareElements(aScore: f64, a: usize, aLen: u32, bScore: f64, b: usize, bLen: u32): i32 {
  if (aScore < bScore) return -1;
  if (aScore > bScore) return 1;
  return compareBytes(a, aLen, b, bLen);
}

// ── Listpack ────────────────────────────────────────────────────────────────────────────

@inline export function lpBytesUsed(lp: usize): usize {
  return <usize>load<u32>(lp);
}
@inline export function lpAt(rank: u32): usize {
  return <usize>load<u32>(lpOffsets + (<usize>rank << 2));
}
@inline export function lpScore(at: usize): f64 {
  return load<f64>(at);
}
@inline export function lpMemberLen(at: usize): u32 {
  return prefixLenAt(at + LP_ENTRY_PREFIX);
}
@inline export function lpMember(at: usize): usize {
  return at + LP_ENTRY_PREFIX + <usize>prefixSizeAt(at + LP_ENTRY_PREFIX);
}
/** Bytes an entry with a member of memberLen bytes takes. */
@inline export function lpEntrySizeFor(memberLen: u32): usize {
  return LP_ENTRY_PREFIX + <usize>prefixSizeFor(memberLen) + <usize>memberLen;
}
/** Writes an entry at `at` (a zero score as +0, as the listpack keeps no -0); returns its end. */
@inline export function lpStoreEntry(at: usize, score: f64, member: usize, memberLen: u32): usize {
  store<f64>(at, score == 0 ? 0.0 : score);
  const memberAt = storePrefix(at + LP_ENTRY_PREFIX, memberLen);
  if (memberLen != 0) memory.copy(memberAt, member, memberLen);
  return memberAt + <usize>memberLen;
}

/** Fills lpOffsets for the count entries of lp (and the end offset at index count). */
export function lpIndex(lp: usize, count: u32): void {
  assert(count <= LP_ENTRIES_MAX, "listpack above its entry limit");
  let at = lp + LP_HEADER_SIZE_BYTES;
  for (let i: u32 = 0; i < count; i++) {
    store<u32>(lpOffsets + (<usize>i << 2), <u32>at);
    at = lpMember(at) + <usize>lpMemberLen(at);
  }
  store<u32>(lpOffsets + (<usize>count << 2), <u32>at);
  assert(at == lp + lpBytesUsed(lp), "listpack length disagrees with its entries");
}

/** Rank of member in the indexed listpack, or -1. */
export function lpFind(count: u32, member: usize, memberLen: u32): i32 {
  for (let i: u32 = 0; i < count; i++) {
    const at = lpAt(i);
    if (lpMemberLen(at) == memberLen && bytesEqual(lpMember(at), member, memberLen)) return <i32>i;
  }
  return -1;
}

/** Inserts in order into the indexed listpack (capacity ensured by the caller); re-indexes. */
export function lpInsert(lp: usize, count: u32, score: f64, member: usize, memberLen: u32): void {
  let pos = count;
  for (let i: u32 = 0; i < count; i++) {
    const at = lpAt(i);
    if (compareElements(lpScore(at), lpMember(at), lpMemberLen(at), score, member, memberLen) > 0) {
      pos = i;
      break;
    }
  }
  const at = lpAt(pos);
  const end = lpAt(count);
  const sizeBytes = lpEntrySizeFor(memberLen);
  assert(lpBytesUsed(lp) + sizeBytes <= usableSize(lp), "listpack insert beyond capacity");
  if (end > at) memory.copy(at + sizeBytes, at, end - at);
  lpStoreEntry(at, score, member, memberLen);
  store<u32>(lp, <u32>(lpBytesUsed(lp) + sizeBytes));
  lpIndex(lp, count + 1);
}

/** Removes ranks lo..hi of the indexed listpack; re-indexes. */
export function lpDeleteRange(lp: usize, count: u32, lo: u32, hi: u32): void {
  assert(lo <= hi && hi < count);
  const from = lpAt(lo);
  const to = lpAt(hi + 1);
  const end = lpAt(count);
  if (end > to) memory.copy(from, to, end - to);
  store<u32>(lp, <u32>(lpBytesUsed(lp) - (to - from)));
  lpIndex(lp, count - (hi - lo + 1));
}

/** Asserts the indexed listpack's invariants: members within the limit, strictly ordered. */
export function lpCheck(count: u32): void {
  for (let i: u32 = 0; i < count; i++) {
    const at = lpAt(i);
    assert(<usize>lpMemberLen(at) < LP_SAFETY_MAX_BYTES, "listpack member above the limit");
    if (i > 0) {
      const prev = lpAt(i - 1);
      assert(
        compareElements(lpScore(prev), lpMember(prev), lpMemberLen(prev), lpScore(at), lpMember(at), lpMemberLen(at)) < 0,
        "listpack out of order",
      );
    }
  }
}
