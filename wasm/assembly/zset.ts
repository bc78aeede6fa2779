// zset.ts — the sorted-set commands' engine half (ZADD … ZSCAN), over a value held in one of
// two encodings: a packed listpack for small sets (zset_listpack.ts), a skiplist with a member
// hash for large ones (zset_skiplist.ts), converting at the live thresholds (limits.ts) as Redis
// 7.0 does, so OBJECT ENCODING agrees. zset_value.ts reads either encoding by rank, score and
// lex range.
//
// Every mutating export allocates all it needs first (ZADD pre-allocates the nodes of the
// members it may add, and of the whole listpack if it may convert), so STATUS_OOM leaves the
// key unchanged. A command that empties the set deletes the key (colDelete). Arguments are
// staged as [u32 len][bytes] frames after the key (a score is an 8-byte f64 frame); replies
// with many elements go through the out buffer: a member record, then (with scores) an 8-byte
// f64 record.

import {
  RANGE_MAXEX,
  RANGE_MINEX,
  RANGE_REV,
  RANGE_WITHSCORES,
  STATUS_NAN,
  STATUS_OOM,
  TYPE_ZSET,
  ZADD_CH,
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NX,
  ZADD_XX,
  ZSET_ENCODING_LISTPACK,
  ZSET_ENCODING_SKIPLIST,
  ZSET_KIND_LEX,
  ZSET_KIND_RANK,
  ZSET_KIND_SCORE,
  ZSET_OP_COUNT,
  ZSET_OP_DELETE,
} from "./abi";
import {
  argsPtr,
  frameBytes,
  frameLen,
  frameNext,
  outPush,
  outPushF64,
  outReset,
} from "./boundary";
import { bucketCountFor, bytesEqual, hashBytes, reverseIncrement } from "./bytes";
import { entryValueLen, entryValuePtr } from "./entry";
import { zsetListpackEntriesMax, zsetListpackValueMaxBytes } from "./limits";
import {
  colDelete,
  colLastStatus,
  colOpenRead,
  colOpenWrite,
  colStatusOr,
  deleteKey,
} from "./keyspace";
import { alloc, free, usableSize } from "./pages";
import { randomBelow } from "./random";
import {
  LP_ENTRIES_MAX,
  LP_HEADER_SIZE_BYTES,
  LP_SAFETY_MAX_BYTES,
  lpAt,
  lpBytesUsed,
  lpEntrySizeFor,
  lpCheck,
  lpDeleteRange,
  lpFind,
  lpIndex,
  lpInsert,
  lpMember,
  lpMemberLen,
  lpScore,
  lpStoreEntry,
} from "./zset_listpack";
import {
  nodeAlloc,
  nodeHashNext,
  nodeMember,
  nodeMemberLen,
  nodeScore,
  randomLevel,
  setNodeScore,
  zsBucketMask,
  zsBuckets,
  zsCheck,
  zsCount,
  zsCreate,
  zsFree,
  zsHashAdd,
  zsHashFind,
  zsHashRemove,
  zsInsertNode,
  zsMaybeShrink,
  zsRankOf,
  zsReserve,
  zsUnlink,
} from "./zset_skiplist";
import {
  countBelow,
  countOf,
  deleteRanks,
  emitRank,
  emitRun,
  isSkiplist,
  lexFirst,
  lexGteMin,
  lexLast,
  lexLteMax,
  memberAt,
  memberLenAt,
  parseLexBounds,
  saveValue,
  SKIPLIST_FLAG,
  zsetFreeValue,
} from "./zset_value";

/** A listpack block keeps up to this much beyond twice its used bytes after removals. */
const LP_SHRINK_SLACK_BYTES: usize = 32;
/** Pairs whose bookkeeping fits the static scratch; larger ZADDs allocate it. */
const PAIR_SCRATCH_COUNT: u32 = 64;

/** ZADD INCR's resulting score (zsetResultScore). */
let resultScore: f64 = 0;
/** ZADD's added + updated count, whatever the reply counts (zsetResultChanged). */
let resultChanged: u32 = 0;
/** ZSCAN's next cursor (zsetResultCursor). */
let resultCursor: u32 = 0;
/** Nodes pre-allocated for a listpack's elements when ZADD converts it. */
const convNodes: usize = memory.data(<i32>LP_ENTRIES_MAX * 4, 4);
/** ZADD per-pair scratch: [argPtr u32][candidate node u32]. */
const pairScratch: usize = memory.data(<i32>PAIR_SCRATCH_COUNT * 8, 4);

// ── Removals ────────────────────────────────────────────────────────────────────────────

/**
 * After removals: deletes the key when empty, else records the count and gives memory back
 * (a listpack moves to a block its size when it uses under half of its block; best effort).
 */
function finishRemoval(db: u32, e: usize, valuePtr: usize, skiplist: bool, count: u32): void {
  saveValue(e, valuePtr, skiplist, count);
  if (count == 0) colDelete(db, e);
  else if (skiplist) zsMaybeShrink(valuePtr);
  else {
    const usedBytes = lpBytesUsed(valuePtr);
    if (usableSize(valuePtr) > usedBytes * 2 + LP_SHRINK_SLACK_BYTES) {
      const fresh = alloc(usedBytes);
      if (fresh != 0) {
        memory.copy(fresh, valuePtr, usedBytes);
        free(valuePtr);
        saveValue(e, fresh, false, count);
      }
    }
  }
}

// ── ZADD / ZINCRBY ──────────────────────────────────────────────────────────────────────

@inline function pairArg(scratch: usize, j: u32): usize {
  return <usize>load<u32>(scratch + (<usize>j << 3));
}
@inline function pairNode(scratch: usize, j: u32): usize {
  return <usize>load<u32>(scratch + (<usize>j << 3), 4);
}
@inline function setPairNode(scratch: usize, j: u32, node: usize): void {
  store<u32>(scratch + (<usize>j << 3), <u32>node, 4);
}

/** Releases ZADD's scratch: unused candidate nodes, and the scratch if it was allocated. */
function releaseScratch(scratch: usize, pairCount: u32): void {
  for (let j: u32 = 0; j < pairCount; j++) free(pairNode(scratch, j));
  if (scratch != pairScratch) free(scratch);
}

/**
 * Distinct members among the candidate pairs (node slot marked 1 by the caller), counted
 * with a temporary open-addressing set of pair indexes. -1 on OOM.
 */
function countDistinctCandidates(scratch: usize, pairCount: u32, candidateCount: u32): i32 {
  if (candidateCount <= 1) return <i32>candidateCount;
  const slotCount = bucketCountFor(candidateCount * 2);
  const slots = alloc(<usize>slotCount << 2);
  if (slots == 0) return -1;
  memory.fill(slots, 0, <usize>slotCount << 2);
  const mask = slotCount - 1;
  let distinct: i32 = 0;
  for (let j: u32 = 0; j < pairCount; j++) {
    if (pairNode(scratch, j) == 0) continue;
    const memberArg = frameNext(pairArg(scratch, j));
    const member = frameBytes(memberArg);
    const memberLen = frameLen(memberArg);
    let slot = hashBytes(member, memberLen) & mask;
    while (true) {
      const held = load<u32>(slots + (<usize>slot << 2));
      if (held == 0) {
        store<u32>(slots + (<usize>slot << 2), j + 1);
        distinct++;
        break;
      }
      const otherArg = frameNext(pairArg(scratch, held - 1));
      if (frameLen(otherArg) == memberLen && bytesEqual(frameBytes(otherArg), member, memberLen)) break;
      slot = (slot + 1) & mask;
    }
  }
  free(slots);
  return distinct;
}

/**
 * ZADD / ZINCRBY: key then pairCount × ([8] f64 score, [n] member) framed in staging.
 * Returns added (plus changed with ZADD_CH); with ZADD_INCR, 1 if the element was written
 * (its score in zsetResultScore) or 0 if NX/XX/GT/LT prevented it. 0 when XX finds no key.
 * STATUS_WRONGTYPE, STATUS_OOM (key unchanged), STATUS_NAN (INCR gave NaN; key unchanged).
 */
export function zsetAdd(db: u32, keyLen: u32, nowMs: f64, pairCount: u32, flags: u32): i32 {
  const nx = (flags & ZADD_NX) != 0;
  const xx = (flags & ZADD_XX) != 0;
  const gt = (flags & ZADD_GT) != 0;
  const lt = (flags & ZADD_LT) != 0;
  const incr = (flags & ZADD_INCR) != 0;
  assert(pairCount > 0);
  resultChanged = 0;
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, !xx);
  if (e == 0) return colStatusOr(0);
  let valuePtr = entryValuePtr(e);
  let skiplist = isSkiplist(entryValueLen(e));
  let count = countOf(entryValueLen(e));
  const created = valuePtr == 0;
  if (!skiplist && !created) lpIndex(valuePtr, count);
  // Whether Redis would still hold the set as a listpack at the current pair: it converts at
  // the first added member that breaks a limit, and a listpack drops the sign of zero, so
  // scores written before that point lose it even when this call converted up front.
  let packed = !skiplist;

  // Phase 1, nothing changes: find the members that may be added, allocate what they need.
  let scratch = pairScratch;
  if (pairCount > PAIR_SCRATCH_COUNT) {
    scratch = alloc(<usize>pairCount << 3);
    if (scratch == 0) return failAdd(db, e, created, scratch, 0);
  }
  let p = argsPtr(keyLen);
  let candidateCount: u32 = 0;
  let candidateBytes: usize = 0;
  let anyLongMember = false;
  for (let j: u32 = 0; j < pairCount; j++) {
    store<u32>(scratch + (<usize>j << 3), <u32>p);
    assert(frameLen(p) == 8, "zset score argument is not 8 bytes");
    const memberArg = frameNext(p);
    const member = frameBytes(memberArg);
    const memberLen = frameLen(memberArg);
    let present = false;
    if (!created) {
      present = skiplist
        ? zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen)) != 0
        : lpFind(count, member, memberLen) >= 0;
    }
    const candidate = !present && !xx;
    setPairNode(scratch, j, candidate ? 1 : 0); // marks candidates for the distinct count
    if (candidate) {
      candidateCount++;
      candidateBytes += lpEntrySizeFor(memberLen);
      if (memberLen > zsetListpackValueMaxBytes) anyLongMember = true;
    }
    p = frameNext(memberArg);
  }
  const distinct = countDistinctCandidates(scratch, pairCount, candidateCount);
  if (distinct < 0) {
    for (let j: u32 = 0; j < pairCount; j++) setPairNode(scratch, j, 0);
    return failAdd(db, e, created, scratch, pairCount);
  }
  const usedBytes = created || skiplist ? LP_HEADER_SIZE_BYTES : lpBytesUsed(valuePtr);
  // Redis also converts before its listpack would pass 1 GiB (t_zset.c zsetAdd, lpSafeToAdd).
  const tooBig = <u64>usedBytes + <u64>candidateBytes > <u64>LP_SAFETY_MAX_BYTES;
  const convert = !skiplist && (anyLongMember || tooBig || count + <u32>distinct > zsetListpackEntriesMax);
  if (!skiplist && !convert) {
    for (let j: u32 = 0; j < pairCount; j++) setPairNode(scratch, j, 0);
    const needBytes = usedBytes + candidateBytes;
    if (created || needBytes > usableSize(valuePtr)) {
      const fresh = alloc(needBytes);
      if (fresh == 0) return failAdd(db, e, created, scratch, pairCount);
      if (created) store<u32>(fresh, <u32>LP_HEADER_SIZE_BYTES);
      else {
        memory.copy(fresh, valuePtr, usedBytes);
        free(valuePtr);
      }
      valuePtr = fresh;
      saveValue(e, valuePtr, false, count); // same contents, larger block
      lpIndex(valuePtr, count);
    }
  } else {
    // Nodes for every candidate pair (duplicates' spares are freed at the end).
    for (let j: u32 = 0; j < pairCount; j++) {
      if (pairNode(scratch, j) == 0) continue;
      setPairNode(scratch, j, 0);
      const memberArg = frameNext(pairArg(scratch, j));
      const member = frameBytes(memberArg);
      const memberLen = frameLen(memberArg);
      const node = nodeAlloc(randomLevel(), member, memberLen, hashBytes(member, memberLen));
      if (node == 0) {
        for (let k = j + 1; k < pairCount; k++) setPairNode(scratch, k, 0); // drop the marks
        return failAdd(db, e, created, scratch, pairCount);
      }
      setPairNode(scratch, j, node);
    }
    if (convert) {
      const zs = zsCreate(bucketCountFor(count + <u32>distinct));
      if (zs == 0) return failAdd(db, e, created, scratch, pairCount);
      for (let i: u32 = 0; i < count; i++) {
        const at = lpAt(i);
        const member = lpMember(at);
        const memberLen = lpMemberLen(at);
        const node = nodeAlloc(randomLevel(), member, memberLen, hashBytes(member, memberLen));
        if (node == 0) {
          for (let k: u32 = 0; k < i; k++) free(<usize>load<u32>(convNodes + (<usize>k << 2)));
          zsFree(zs);
          return failAdd(db, e, created, scratch, pairCount);
        }
        setNodeScore(node, lpScore(at));
        store<u32>(convNodes + (<usize>i << 2), <u32>node);
      }
      // Commit the conversion: listpack order is skiplist order.
      for (let i: u32 = 0; i < count; i++) {
        const node = <usize>load<u32>(convNodes + (<usize>i << 2));
        zsInsertNode(zs, node);
        zsHashAdd(zs, node);
      }
      free(valuePtr); // 0 when created
      valuePtr = zs;
      skiplist = true;
      saveValue(e, valuePtr, true, count);
    } else if (!zsReserve(valuePtr, count + <u32>distinct)) {
      return failAdd(db, e, created, scratch, pairCount);
    }
  }

  // INCR's NaN check precedes every change (INCR takes a single pair).
  if (incr) {
    const scoreArg = pairArg(scratch, 0);
    const memberArg = frameNext(scoreArg);
    const member = frameBytes(memberArg);
    const memberLen = frameLen(memberArg);
    const increment = load<f64>(frameBytes(scoreArg));
    let current: f64 = 0;
    let present = false;
    if (skiplist) {
      const node = zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen));
      if (node != 0) {
        present = true;
        current = nodeScore(node);
      }
    } else {
      const rank = lpFind(count, member, memberLen);
      if (rank >= 0) {
        present = true;
        current = lpScore(lpAt(<u32>rank));
      }
    }
    if (present && !nx && isNaN(increment + current)) {
      releaseScratch(scratch, pairCount);
      return STATUS_NAN;
    }
  }

  // Phase 2: apply the pairs in order.
  let added: u32 = 0;
  let updated: u32 = 0;
  let processed: u32 = 0;
  for (let j: u32 = 0; j < pairCount; j++) {
    const scoreArg = pairArg(scratch, j);
    const memberArg = frameNext(scoreArg);
    const member = frameBytes(memberArg);
    const memberLen = frameLen(memberArg);
    let score = load<f64>(frameBytes(scoreArg));
    if (skiplist) {
      const hash = hashBytes(member, memberLen);
      const node = zsHashFind(valuePtr, member, memberLen, hash);
      if (node != 0) {
        if (nx) continue;
        const current = nodeScore(node);
        if (incr) score += current;
        if ((lt && score >= current) || (gt && score <= current)) continue;
        processed++;
        resultScore = score;
        if (score != current) {
          zsUnlink(valuePtr, node);
          setNodeScore(node, packed && score == 0 ? 0.0 : score);
          zsInsertNode(valuePtr, node);
          updated++;
        }
      } else {
        if (xx) continue;
        const fresh = pairNode(scratch, j);
        assert(fresh != 0, "zadd added a member phase 1 did not reserve");
        setPairNode(scratch, j, 0);
        if (packed && (count + 1 > zsetListpackEntriesMax || memberLen > zsetListpackValueMaxBytes)) {
          packed = false;
        }
        setNodeScore(fresh, packed && score == 0 ? 0.0 : score);
        zsInsertNode(valuePtr, fresh);
        zsHashAdd(valuePtr, fresh);
        added++;
        processed++;
        resultScore = score;
        count++;
      }
    } else {
      const rank = lpFind(count, member, memberLen);
      if (rank >= 0) {
        if (nx) continue;
        const current = lpScore(lpAt(<u32>rank));
        if (incr) score += current;
        if ((lt && score >= current) || (gt && score <= current)) continue;
        processed++;
        resultScore = score;
        if (score != current) {
          lpDeleteRange(valuePtr, count, <u32>rank, <u32>rank);
          lpInsert(valuePtr, count - 1, score, member, memberLen);
          updated++;
        }
      } else {
        if (xx) continue;
        lpInsert(valuePtr, count, score, member, memberLen);
        count++;
        added++;
        processed++;
        resultScore = score;
      }
    }
  }
  releaseScratch(scratch, pairCount);
  resultChanged = added + updated;
  if (skiplist) assert(zsCount(valuePtr) == count, "skiplist count drifted");
  saveValue(e, valuePtr, skiplist, count);
  if (count == 0) colDelete(db, e);
  if (incr) return <i32>processed;
  return <i32>((flags & ZADD_CH) != 0 ? added + updated : added);
}

function failAdd(db: u32, e: usize, created: bool, scratch: usize, pairCount: u32): i32 {
  if (scratch != 0) releaseScratch(scratch, pairCount);
  if (created && entryValuePtr(e) == 0) colDelete(db, e);
  return STATUS_OOM;
}

/** Elements the last zsetAdd added or re-scored (for WATCH and the dirty count). */
export function zsetResultChanged(): u32 {
  return resultChanged;
}

/** ZADD INCR / ZINCRBY's resulting score. */
export function zsetResultScore(): f64 {
  return resultScore;
}

// ── ZREM ────────────────────────────────────────────────────────────────────────────────

/** ZREM: memberCount framed members. Removed count (key deleted when emptied), or status. */
export function zsetRemove(db: u32, keyLen: u32, nowMs: f64, memberCount: u32): i32 {
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, false);
  if (e == 0) return colStatusOr(0);
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  let count = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, count);
  let removed: i32 = 0;
  let p = argsPtr(keyLen);
  for (let j: u32 = 0; j < memberCount && count > 0; j++) {
    const member = frameBytes(p);
    const memberLen = frameLen(p);
    p = frameNext(p);
    if (skiplist) {
      const node = zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen));
      if (node == 0) continue;
      zsUnlink(valuePtr, node);
      zsHashRemove(valuePtr, node);
      free(node);
    } else {
      const rank = lpFind(count, member, memberLen);
      if (rank < 0) continue;
      lpDeleteRange(valuePtr, count, <u32>rank, <u32>rank);
    }
    count--;
    removed++;
  }
  finishRemoval(db, e, valuePtr, skiplist, count);
  return removed;
}

// ── Reads by member ─────────────────────────────────────────────────────────────────────

/**
 * ZSCORE / ZMSCORE: memberCount framed members. Out: per member an 8-byte score record, or
 * an empty record when absent. memberCount, STATUS_MISSING (no key), STATUS_WRONGTYPE, OOM.
 */
export function zsetScores(db: u32, keyLen: u32, nowMs: f64, memberCount: u32): i32 {
  outReset();
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return colLastStatus();
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const count = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, count);
  let p = argsPtr(keyLen);
  for (let j: u32 = 0; j < memberCount; j++) {
    const member = frameBytes(p);
    const memberLen = frameLen(p);
    p = frameNext(p);
    let ok: bool;
    if (skiplist) {
      const node = zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen));
      ok = node != 0 ? outPushF64(nodeScore(node)) : outPush(0, 0);
    } else {
      const rank = lpFind(count, member, memberLen);
      ok = rank >= 0 ? outPushF64(lpScore(lpAt(<u32>rank))) : outPush(0, 0);
    }
    if (!ok) return STATUS_OOM;
  }
  return <i32>memberCount;
}

/** ZCARD: element count, 0 when missing, or STATUS_WRONGTYPE. */
export function zsetCard(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return colStatusOr(0);
  return <i32>countOf(entryValueLen(e));
}

/** ZRANK / ZREVRANK: one framed member. 0-based rank, -1 (no key or member), WRONGTYPE. */
export function zsetRank(db: u32, keyLen: u32, nowMs: f64, reverse: u32): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return colStatusOr(-1);
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const count = countOf(entryValueLen(e));
  const p = argsPtr(keyLen);
  const member = frameBytes(p);
  const memberLen = frameLen(p);
  let rank: i32;
  if (skiplist) {
    const node = zsHashFind(valuePtr, member, memberLen, hashBytes(member, memberLen));
    if (node == 0) return -1;
    rank = <i32>zsRankOf(valuePtr, nodeScore(node), member, memberLen) - 1;
  } else {
    lpIndex(valuePtr, count);
    rank = lpFind(count, member, memberLen);
    if (rank < 0) return -1;
  }
  return reverse != 0 ? <i32>count - 1 - rank : rank;
}

// ── Ranges ──────────────────────────────────────────────────────────────────────────────

/**
 * ZRANGE family, ZCOUNT / ZLEXCOUNT, ZREMRANGEBY*: one range over the key.
 *   op    ZSET_OP_EMIT (members, with RANGE_WITHSCORES their scores, to out), ZSET_OP_COUNT,
 *         ZSET_OP_DELETE
 *   kind  ZSET_KIND_RANK (a..b start/end indexes), ZSET_KIND_SCORE (a = min, b = max,
 *         RANGE_MINEX / RANGE_MAXEX), ZSET_KIND_LEX (two staged bounds after the key)
 *   RANGE_REV walks from the high end (for REV ranks, indexes count from the top).
 *   offset / limit (ZSET_OP_EMIT): skip offset elements (negative: none left), then at most
 *   limit (negative: all) — Redis's LIMIT.
 * Returns the elements emitted / counted / deleted, STATUS_MISSING, STATUS_WRONGTYPE, OOM.
 */
export function zsetRange(
  db: u32,
  keyLen: u32,
  nowMs: f64,
  op: u32,
  kind: u32,
  flags: u32,
  a: f64,
  b: f64,
  offset: f64,
  limit: f64,
): i32 {
  outReset();
  const e = op == ZSET_OP_DELETE
    ? colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, false)
    : colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return colLastStatus();
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const count = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, count);
  const reverse = (flags & RANGE_REV) != 0;
  let lo: i64 = 0;
  let hi: i64 = -1;
  if (kind == ZSET_KIND_RANK) {
    const llen = <i64>count;
    let start = <i64>a;
    let end = <i64>b;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start <= end && start < llen) {
      if (end >= llen) end = llen - 1;
      lo = reverse ? llen - 1 - end : start;
      hi = reverse ? llen - 1 - start : end;
    }
  } else if (kind == ZSET_KIND_SCORE) {
    lo = <i64>countBelow(valuePtr, skiplist, count, a, (flags & RANGE_MINEX) != 0);
    hi = <i64>countBelow(valuePtr, skiplist, count, b, (flags & RANGE_MAXEX) == 0) - 1;
  } else {
    assert(kind == ZSET_KIND_LEX);
    parseLexBounds(argsPtr(keyLen));
    if (op == ZSET_OP_COUNT && skiplist) {
      const first = lexFirst(valuePtr, skiplist, count);
      if (first < 0) return 0;
      const last = lexLast(valuePtr, skiplist, count);
      return last >= 0 ? last - first + 1 : <i32>count - first;
    }
    if (!reverse) {
      const first = lexFirst(valuePtr, skiplist, count);
      if (first >= 0) {
        lo = first;
        hi = first;
        while (hi + 1 < <i64>count) {
          const r = <u32>(hi + 1);
          if (!lexLteMax(memberAt(valuePtr, skiplist, r), memberLenAt(valuePtr, skiplist, r))) break;
          hi++;
        }
      }
    } else {
      const last = lexLast(valuePtr, skiplist, count);
      if (last >= 0) {
        hi = last;
        lo = last;
        while (lo > 0) {
          const r = <u32>(lo - 1);
          if (!lexGteMin(memberAt(valuePtr, skiplist, r), memberLenAt(valuePtr, skiplist, r))) break;
          lo--;
        }
      }
    }
  }
  let n: i64 = hi >= lo ? hi - lo + 1 : 0;
  if (op == ZSET_OP_COUNT) return <i32>n;
  if (op == ZSET_OP_DELETE) {
    if (n == 0) return 0;
    deleteRanks(valuePtr, skiplist, count, <u32>lo, <u32>hi);
    finishRemoval(db, e, valuePtr, skiplist, count - <u32>n);
    return <i32>n;
  }
  const skip = <i64>offset;
  if (skip < 0 || skip >= n) return 0;
  n -= skip;
  if (limit >= 0 && <i64>limit < n) n = <i64>limit;
  const first = reverse ? hi - skip : lo + skip;
  if (!emitRun(valuePtr, skiplist, <u32>first, <u32>n, reverse, (flags & RANGE_WITHSCORES) != 0)) {
    return STATUS_OOM;
  }
  return <i32>n;
}

// ── Pops, random members, scan ──────────────────────────────────────────────────────────

/**
 * ZPOPMIN / ZPOPMAX (max != 0): removes up to count elements from one end, emitting member
 * and score records in pop order. Popped count (key deleted when emptied), STATUS_MISSING,
 * STATUS_WRONGTYPE, STATUS_OOM (nothing removed).
 */
export function zsetPop(db: u32, keyLen: u32, nowMs: f64, count: f64, max: u32): i32 {
  outReset();
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, false);
  if (e == 0) return colLastStatus();
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const size = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, size);
  const n: u32 = count >= <f64>size ? size : <u32>count;
  if (n == 0) return 0;
  const lo = max != 0 ? size - n : 0;
  const hi = lo + n - 1;
  if (!emitRun(valuePtr, skiplist, max != 0 ? hi : lo, n, max != 0, true)) return STATUS_OOM;
  deleteRanks(valuePtr, skiplist, size, lo, hi);
  finishRemoval(db, e, valuePtr, skiplist, size - n);
  return <i32>n;
}

/**
 * ZRANDMEMBER: `count` elements; distinct unless `repeats` (then count picks, with
 * replacement). A distinct count ≥ the size emits the whole set, highest first. Emitted count,
 * STATUS_MISSING, STATUS_WRONGTYPE, STATUS_OOM.
 */
export function zsetRandom(db: u32, keyLen: u32, nowMs: f64, count: f64, repeats: u32, withScores: u32): i32 {
  outReset();
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return colLastStatus();
  const valuePtr = entryValuePtr(e);
  const skiplist = isSkiplist(entryValueLen(e));
  const size = countOf(entryValueLen(e));
  if (!skiplist) lpIndex(valuePtr, size);
  const scores = withScores != 0;
  if (repeats != 0) {
    const picks = <u32>count;
    for (let k: u32 = 0; k < picks; k++) {
      if (!emitRank(valuePtr, skiplist, randomBelow(size), scores)) return STATUS_OOM;
    }
    return <i32>picks;
  }
  if (count >= <f64>size) {
    // The whole set, highest first (the order redis-server 7.0 replies in).
    return emitRun(valuePtr, skiplist, size - 1, size, true, scores) ? <i32>size : STATUS_OOM;
  }
  // Floyd's sampling: count distinct ranks, one bitmap bit per rank.
  const picks = <u32>count;
  const bitmapBytes = <usize>((size + 7) >> 3);
  const bitmap = alloc(bitmapBytes);
  if (bitmap == 0) return STATUS_OOM;
  memory.fill(bitmap, 0, bitmapBytes);
  for (let j = size - picks; j < size; j++) {
    let t = randomBelow(j + 1);
    if ((load<u8>(bitmap + (<usize>t >> 3)) & (<u8>1 << <u8>(t & 7))) != 0) t = j;
    store<u8>(bitmap + (<usize>t >> 3), load<u8>(bitmap + (<usize>t >> 3)) | (<u8>1 << <u8>(t & 7)));
    if (!emitRank(valuePtr, skiplist, t, scores)) {
      free(bitmap);
      return STATUS_OOM;
    }
  }
  free(bitmap);
  return <i32>picks;
}

/**
 * ZSCAN step: a listpack answers whole (next cursor 0); a skiplist visits hash buckets from
 * `cursor` in reverse-binary order until `count` elements or 10 × count buckets. Emits member
 * and score records; next cursor in zsetResultCursor. Pairs emitted, or status.
 */
export function zsetScan(db: u32, keyLen: u32, nowMs: f64, cursor: u32, count: u32): i32 {
  outReset();
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return colLastStatus();
  const valuePtr = entryValuePtr(e);
  const size = countOf(entryValueLen(e));
  if (!isSkiplist(entryValueLen(e))) {
    lpIndex(valuePtr, size);
    resultCursor = 0;
    return emitRun(valuePtr, false, 0, size, false, true) ? <i32>size : STATUS_OOM;
  }
  const mask = zsBucketMask(valuePtr);
  const buckets = zsBuckets(valuePtr);
  const wanted: u32 = count == 0 ? 1 : count;
  let budget: u64 = <u64>wanted * 10;
  let emitted: u32 = 0;
  let v = cursor;
  do {
    let n = <usize>load<u32>(buckets + (<usize>(v & mask) << 2));
    while (n != 0) {
      if (!outPush(nodeMember(n), nodeMemberLen(n)) || !outPushF64(nodeScore(n))) return STATUS_OOM;
      emitted++;
      n = nodeHashNext(n);
    }
    v = reverseIncrement(v, mask);
    budget--;
  } while (v != 0 && budget > 0 && emitted < wanted);
  resultCursor = v;
  return <i32>emitted;
}

/** ZSCAN's next cursor. */
export function zsetResultCursor(): u32 {
  return resultCursor;
}

// ── Stores and introspection ────────────────────────────────────────────────────────────

/**
 * ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE result: pairCount ([8] score, [n] member) framed
 * pairs, distinct and in (score, member) order, replace the key whatever it held (its TTL
 * goes too). pairCount must be > 0 (an empty result is a DEL). The count, or STATUS_OOM with
 * the key unchanged.
 */
export function zsetStore(db: u32, keyLen: u32, nowMs: f64, pairCount: u32): i32 {
  assert(pairCount > 0);
  let p = argsPtr(keyLen);
  let memberLenMax: u32 = 0;
  let lpBytes: usize = LP_HEADER_SIZE_BYTES;
  for (let j: u32 = 0; j < pairCount; j++) {
    const memberArg = frameNext(p);
    const memberLen = frameLen(memberArg);
    if (memberLen > memberLenMax) memberLenMax = memberLen;
    lpBytes += lpEntrySizeFor(memberLen);
    p = frameNext(memberArg);
  }
  const skiplist = pairCount > zsetListpackEntriesMax || memberLenMax > zsetListpackValueMaxBytes ||
    <u64>lpBytes > <u64>LP_SAFETY_MAX_BYTES;
  let valuePtr: usize;
  p = argsPtr(keyLen);
  if (!skiplist) {
    valuePtr = alloc(lpBytes);
    if (valuePtr == 0) return STATUS_OOM;
    let at = valuePtr + LP_HEADER_SIZE_BYTES;
    for (let j: u32 = 0; j < pairCount; j++) {
      const score = load<f64>(frameBytes(p));
      const memberArg = frameNext(p);
      const memberLen = frameLen(memberArg);
      at = lpStoreEntry(at, score, frameBytes(memberArg), memberLen);
      p = frameNext(memberArg);
    }
    store<u32>(valuePtr, <u32>lpBytes);
  } else {
    valuePtr = zsCreate(bucketCountFor(pairCount));
    if (valuePtr == 0) return STATUS_OOM;
    for (let j: u32 = 0; j < pairCount; j++) {
      const score = load<f64>(frameBytes(p));
      const memberArg = frameNext(p);
      const member = frameBytes(memberArg);
      const memberLen = frameLen(memberArg);
      const node = nodeAlloc(randomLevel(), member, memberLen, hashBytes(member, memberLen));
      if (node == 0) {
        zsFree(valuePtr);
        return STATUS_OOM;
      }
      setNodeScore(node, score);
      zsInsertNode(valuePtr, node);
      zsHashAdd(valuePtr, node);
      p = frameNext(memberArg);
    }
  }
  deleteKey(db, keyLen, nowMs, false);
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_ZSET, true);
  if (e == 0) {
    zsetFreeValue(valuePtr, skiplist ? SKIPLIST_FLAG : 0);
    return STATUS_OOM;
  }
  saveValue(e, valuePtr, skiplist, pairCount);
  return <i32>pairCount;
}

/** OBJECT ENCODING: 0 listpack, 1 skiplist, STATUS_MISSING, STATUS_WRONGTYPE. */
export function zsetEncodingOf(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return colLastStatus();
  return isSkiplist(entryValueLen(e)) ? ZSET_ENCODING_SKIPLIST : ZSET_ENCODING_LISTPACK;
}

/**
 * Checks every invariant of the value at key (order, spans, backward links, tail, counts,
 * hash membership, listpack bounds) and traps on a violation. Element count, or status.
 * For tests: O(n log n).
 */
export function zsetVerify(db: u32, keyLen: u32, nowMs: f64): i32 {
  const e = colOpenRead(db, keyLen, nowMs, TYPE_ZSET);
  if (e == 0) return colLastStatus();
  const valuePtr = entryValuePtr(e);
  const count = countOf(entryValueLen(e));
  assert(count > 0, "an empty zset was left in the keyspace");
  if (isSkiplist(entryValueLen(e))) zsCheck(valuePtr, count);
  else {
    lpIndex(valuePtr, count);
    lpCheck(count);
  }
  return <i32>count;
}
