// zset_value.ts — a sorted-set value across its two encodings (zset_listpack.ts,
// zset_skiplist.ts): the valueLen word that says which one holds it, freeing and copying a
// whole value (values.ts), and the reads and removals by rank, score and lex range that the
// commands (zset.ts) run over either encoding alike.
//
// The keyspace entry's valueLen carries the element count and the encoding bit, so ZCARD and
// OBJECT ENCODING never touch the value, and COPY (which copies valueLen) keeps both.
//
//   entry valueLen (u32)
//   ┌───┬────────────────────────────────────┐
//   │ S │ element count (31 bits)             │   S = 1: skiplist, 0: listpack
//   └───┴────────────────────────────────────┘
//
// Rank-addressed functions take a listpack only after lpIndex (zset_listpack.ts) in the same
// call. Lex ranges: parseLexBounds reads the two staged bounds ([kind u8][bytes], framed;
// kinds abi.ts LEX_*) into module state that the lex tests read, one range per call.

import { LEX_EXCLUSIVE, LEX_INCLUSIVE, LEX_MAX, LEX_MIN, TYPE_ZSET } from "./abi";
import { frameBytes, frameLen, frameNext, outPush, outPushF64 } from "./boundary";
import { compareBytes } from "./bytes";
import { setEntryValue } from "./entry";
import { alloc, free } from "./pages";
import {
  lpAt,
  lpBytesUsed,
  lpDeleteRange,
  lpMember,
  lpMemberLen,
  lpScore,
} from "./zset_listpack";
import {
  forward,
  nodeBackward,
  nodeMember,
  nodeMemberLen,
  nodeScore,
  span,
  zsCopy,
  zsCountBelow,
  zsDeleteRankRange,
  zsFree,
  zsLevel,
  zsNodeAtRank,
  zsTail,
} from "./zset_skiplist";

export const SKIPLIST_FLAG: u32 = 0x80000000;
const COUNT_MASK: u32 = 0x7fffffff;

/** Parsed lex bounds of the current call. */
let lexMinKind: u8 = 0;
let lexMinPtr: usize = 0;
let lexMinLen: u32 = 0;
let lexMaxKind: u8 = 0;
let lexMaxPtr: usize = 0;
let lexMaxLen: u32 = 0;

// ── The valueLen word ───────────────────────────────────────────────────────────────────

@inline export function isSkiplist(valueLen: u32): bool {
  return (valueLen & SKIPLIST_FLAG) != 0;
}

@inline export function countOf(valueLen: u32): u32 {
  return valueLen & COUNT_MASK;
}

// ── Whole values ────────────────────────────────────────────────────────────────────────

/** Frees every block the value owns. */
export function zsetFreeValue(valuePtr: usize, valueLen: u32): void {
  if (valuePtr == 0) return; // a key created by colOpenWrite and not yet given a value
  if (isSkiplist(valueLen)) zsFree(valuePtr);
  else free(valuePtr);
}

/** Deep copy; the new valuePtr, or 0 on OOM (nothing allocated). */
export function zsetCopyValue(valuePtr: usize, valueLen: u32): usize {
  assert(valuePtr != 0, "copy of an empty zset");
  if (isSkiplist(valueLen)) return zsCopy(valuePtr);
  const sizeBytes = lpBytesUsed(valuePtr);
  const fresh = alloc(sizeBytes);
  if (fresh == 0) return 0;
  memory.copy(fresh, valuePtr, sizeBytes);
  return fresh;
}

/** Stores the value back into the entry (count and encoding in valueLen). */
export function saveValue(e: usize, valuePtr: usize, skiplist: bool, count: u32): void {
  setEntryValue(e, valuePtr, skiplist ? (count | SKIPLIST_FLAG) : count, TYPE_ZSET);
}

/** Element at rank of the value (listpack indexed); writes its member and score to out. */
export function emitRank(valuePtr: usize, skiplist: bool, rank: u32, withScores: bool): bool {
  if (skiplist) {
    const n = zsNodeAtRank(valuePtr, rank + 1);
    assert(n != 0);
    if (!outPush(nodeMember(n), nodeMemberLen(n))) return false;
    return !withScores || outPushF64(nodeScore(n));
  }
  const at = lpAt(rank);
  if (!outPush(lpMember(at), lpMemberLen(at))) return false;
  return !withScores || outPushF64(lpScore(at));
}

/** Emits n elements from rank `first`, ascending or descending. False on OOM. */
export function emitRun(valuePtr: usize, skiplist: bool, first: u32, n: u32, reverse: bool, withScores: bool): bool {
  if (n == 0) return true;
  if (!skiplist) {
    for (let k: u32 = 0; k < n; k++) {
      const at = lpAt(reverse ? first - k : first + k);
      if (!outPush(lpMember(at), lpMemberLen(at))) return false;
      if (withScores && !outPushF64(lpScore(at))) return false;
    }
    return true;
  }
  let x = zsNodeAtRank(valuePtr, first + 1);
  for (let k: u32 = 0; k < n; k++) {
    assert(x != 0, "skiplist shorter than its count");
    if (!outPush(nodeMember(x), nodeMemberLen(x))) return false;
    if (withScores && !outPushF64(nodeScore(x))) return false;
    x = reverse ? nodeBackward(x) : forward(x, 0);
  }
  return true;
}

/** Removes ranks lo..hi (listpack indexed). */
export function deleteRanks(valuePtr: usize, skiplist: bool, count: u32, lo: u32, hi: u32): void {
  if (skiplist) zsDeleteRankRange(valuePtr, lo, hi);
  else lpDeleteRange(valuePtr, count, lo, hi);
}

/** Elements with score < bound (≤ bound when orEqual), listpack indexed. */
export function countBelow(valuePtr: usize, skiplist: bool, count: u32, bound: f64, orEqual: bool): u32 {
  if (skiplist) return zsCountBelow(valuePtr, bound, orEqual);
  let n: u32 = 0;
  while (n < count && (orEqual ? lpScore(lpAt(n)) <= bound : lpScore(lpAt(n)) < bound)) n++;
  return n;
}

/** Reads the two staged lex bounds ([kind u8][bytes], framed) into the lex globals. */
export function parseLexBounds(p: usize): void {
  lexMinKind = load<u8>(frameBytes(p));
  lexMinPtr = frameBytes(p) + 1;
  lexMinLen = frameLen(p) - 1;
  const q = frameNext(p);
  lexMaxKind = load<u8>(frameBytes(q));
  lexMaxPtr = frameBytes(q) + 1;
  lexMaxLen = frameLen(q) - 1;
}

export function lexGteMin(member: usize, memberLen: u32): bool {
  if (lexMinKind == LEX_MIN) return true;
  if (lexMinKind == LEX_MAX) return false;
  const c = compareBytes(member, memberLen, lexMinPtr, lexMinLen);
  return lexMinKind == LEX_EXCLUSIVE ? c > 0 : c >= 0;
}

export function lexLteMax(member: usize, memberLen: u32): bool {
  if (lexMaxKind == LEX_MAX) return true;
  if (lexMaxKind == LEX_MIN) return false;
  const c = compareBytes(member, memberLen, lexMaxPtr, lexMaxLen);
  return lexMaxKind == LEX_EXCLUSIVE ? c < 0 : c <= 0;
}

/** Redis's "always empty" test: min above max, or equal with an exclusive (or -/+) end. */
function lexRangeEmpty(): bool {
  const minRank: i32 = lexMinKind == LEX_MIN ? -1 : lexMinKind == LEX_MAX ? 1 : 0;
  const maxRank: i32 = lexMaxKind == LEX_MIN ? -1 : lexMaxKind == LEX_MAX ? 1 : 0;
  let c: i32;
  if (minRank != 0 || maxRank != 0) c = minRank == maxRank ? 0 : minRank < maxRank ? -1 : 1;
  else c = compareBytes(lexMinPtr, lexMinLen, lexMaxPtr, lexMaxLen);
  const minEx = lexMinKind != LEX_INCLUSIVE;
  const maxEx = lexMaxKind != LEX_INCLUSIVE;
  return c > 0 || (c == 0 && (minEx || maxEx));
}

@inline export function memberAt(valuePtr: usize, skiplist: bool, rank: u32): usize {
  return skiplist ? nodeMember(zsNodeAtRank(valuePtr, rank + 1)) : lpMember(lpAt(rank));
}
@inline export function memberLenAt(valuePtr: usize, skiplist: bool, rank: u32): u32 {
  return skiplist ? nodeMemberLen(zsNodeAtRank(valuePtr, rank + 1)) : lpMemberLen(lpAt(rank));
}

/** Redis's "is in lex range": the range is not empty, tail ≥ min and head ≤ max. */
function lexRangeTouches(valuePtr: usize, skiplist: bool, count: u32): bool {
  if (count == 0 || lexRangeEmpty()) return false;
  if (skiplist) {
    const tail = zsTail(valuePtr);
    const head = forward(valuePtr, 0);
    return lexGteMin(nodeMember(tail), nodeMemberLen(tail)) &&
      lexLteMax(nodeMember(head), nodeMemberLen(head));
  }
  const last = lpAt(count - 1);
  const first = lpAt(0);
  return lexGteMin(lpMember(last), lpMemberLen(last)) && lexLteMax(lpMember(first), lpMemberLen(first));
}

/** Rank of the first element in the lex range (Redis's FirstInLexRange), or -1. */
export function lexFirst(valuePtr: usize, skiplist: bool, count: u32): i32 {
  if (!lexRangeTouches(valuePtr, skiplist, count)) return -1;
  if (!skiplist) {
    for (let i: u32 = 0; i < count; i++) {
      const at = lpAt(i);
      if (lexGteMin(lpMember(at), lpMemberLen(at))) {
        return lexLteMax(lpMember(at), lpMemberLen(at)) ? <i32>i : -1;
      }
    }
    return -1;
  }
  let x = valuePtr;
  let rank: u32 = 0;
  for (let i = <i32>zsLevel(valuePtr) - 1; i >= 0; i--) {
    const level = <u32>i;
    let f = forward(x, level);
    while (f != 0 && !lexGteMin(nodeMember(f), nodeMemberLen(f))) {
      rank += span(x, level);
      x = f;
      f = forward(x, level);
    }
  }
  x = forward(x, 0);
  if (x == 0 || !lexLteMax(nodeMember(x), nodeMemberLen(x))) return -1;
  return <i32>rank;
}

/** Rank of the last element in the lex range (Redis's LastInLexRange), or -1. */
export function lexLast(valuePtr: usize, skiplist: bool, count: u32): i32 {
  if (!lexRangeTouches(valuePtr, skiplist, count)) return -1;
  if (!skiplist) {
    for (let i = <i32>count - 1; i >= 0; i--) {
      const at = lpAt(<u32>i);
      if (lexLteMax(lpMember(at), lpMemberLen(at))) {
        return lexGteMin(lpMember(at), lpMemberLen(at)) ? i : -1;
      }
    }
    return -1;
  }
  let x = valuePtr;
  let rank: u32 = 0;
  for (let i = <i32>zsLevel(valuePtr) - 1; i >= 0; i--) {
    const level = <u32>i;
    let f = forward(x, level);
    while (f != 0 && lexLteMax(nodeMember(f), nodeMemberLen(f))) {
      rank += span(x, level);
      x = f;
      f = forward(x, level);
    }
  }
  if (x == valuePtr || !lexGteMin(nodeMember(x), nodeMemberLen(x))) return -1;
  return <i32>rank - 1;
}
