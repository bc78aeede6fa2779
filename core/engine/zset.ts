// Sorted sets in the engine: the typed binding over wasm/assembly/zset.ts.
//
// Each function stages the key bare and its other arguments framed ([u32 len][bytes]; a score
// is an 8-byte little-endian double), makes one WASM call, and turns the engine's statuses
// into WrongTypeError / OutOfMemoryError. Elements come back through the out buffer as copied
// records — a member, then with scores an 8-byte double — decoded here into parallel arrays,
// so command handlers never see engine memory or offsets.

import {
  LEX_EXCLUSIVE,
  LEX_INCLUSIVE,
  LEX_MAX,
  LEX_MIN,
  RANGE_MAXEX,
  RANGE_MINEX,
  RANGE_REV,
  RANGE_WITHSCORES,
  RESULT_OUT_LEN,
  RESULT_OUT_PTR,
  STATUS_MISSING,
  STATUS_NAN,
  STATUS_OOM,
  STATUS_WRONGTYPE,
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
  ZSET_OP_EMIT,
} from "./abi.ts";
import { type Engine, OutOfMemoryError, WrongTypeError } from "./engine.ts";

/** zsetAdd flags and zsetRange flags (abi.ts). */
export { RANGE_MAXEX, RANGE_MINEX, RANGE_REV, RANGE_WITHSCORES };
export { ZADD_CH, ZADD_GT, ZADD_INCR, ZADD_LT, ZADD_NX, ZADD_XX };

/** zsetAdd: the INCR result would be NaN; nothing was changed (abi.ts STATUS_NAN). */
export const ZADD_RESULT_NAN = STATUS_NAN;

/** What zsetRange does with the range. */
export const enum ZsetRangeOp {
  /** Emit the elements (read them with the returned ZsetElements). */
  Emit = ZSET_OP_EMIT,
  Count = ZSET_OP_COUNT,
  Delete = ZSET_OP_DELETE,
}

/** How zsetRange's bounds are given. */
export const enum ZsetRangeKind {
  /** a, b: start and end indexes (negative from the end). */
  Rank = ZSET_KIND_RANK,
  /** a, b: min and max scores; RANGE_MINEX / RANGE_MAXEX make them exclusive. */
  Score = ZSET_KIND_SCORE,
  /** lex: the [min, max] bounds. */
  Lex = ZSET_KIND_LEX,
}

/** A ZRANGEBYLEX bound: `[x`, `(x`, `-` or `+`. */
export const enum LexBoundKind {
  Inclusive = LEX_INCLUSIVE,
  Exclusive = LEX_EXCLUSIVE,
  Min = LEX_MIN,
  Max = LEX_MAX,
}

export interface LexBound {
  kind: LexBoundKind;
  value: Uint8Array;
}

/** Elements read back from the engine: members and, when asked for, their scores. */
export interface ZsetElements {
  members: Uint8Array[];
  /** Empty unless scores were requested; else scores[i] belongs to members[i]. */
  scores: number[];
}

/** One ZSCAN step: the next cursor and the (member, score) pairs found. */
export interface ZsetScanPage {
  cursor: number;
  elements: ZsetElements;
}

function exportsOf(engine: Engine): Record<string, (...args: number[]) => number> {
  return engine.internals.exports;
}

/** Throws for WRONGTYPE / OOM; returns other statuses and results unchanged. */
function checked(status: number): number {
  if (status === STATUS_WRONGTYPE) throw new WrongTypeError();
  if (status === STATUS_OOM) throw new OutOfMemoryError();
  return status;
}

const SCORE_SCRATCH = new Float64Array(1);
const SCORE_SCRATCH_PARTS = [new Uint8Array(SCORE_SCRATCH.buffer)];

/** 8-byte little-endian doubles as parts to stage, one view per score. */
function scoreParts(scores: readonly number[]): Uint8Array[] {
  if (scores.length === 1) {
    // The common single-score call reuses one scratch buffer: stage() copies it at once.
    SCORE_SCRATCH[0] = scores[0];
    return SCORE_SCRATCH_PARTS;
  }
  const buffer = new Float64Array(scores);
  const bytes = new Uint8Array(buffer.buffer);
  const parts: Uint8Array[] = new Array(scores.length);
  for (let i = 0; i < scores.length; i++) parts[i] = bytes.subarray(i * 8, i * 8 + 8);
  return parts;
}

/** Word index of the out buffer's address and length cells (abi.ts RESULT_OUT_PTR / _LEN). */
const CELL_OUT_PTR = RESULT_OUT_PTR >>> 2;
const CELL_OUT_LEN = RESULT_OUT_LEN >>> 2;
const resultCellsIndex = new WeakMap<Engine, number>();

/**
 * A copy of the out buffer's records ([u32 len][bytes, padded to 4]), decoded in one pass:
 * members as views into the copy, and with `withScores` each member's following 8-byte
 * record as a double. (internals.readOut does the same generically, at twice the cost.)
 */
function readElements(engine: Engine, withScores: boolean): ZsetElements {
  let cells = resultCellsIndex.get(engine);
  if (cells === undefined) {
    cells = exportsOf(engine).resultCellsPtr() >>> 2;
    resultCellsIndex.set(engine, cells);
  }
  const words = engine.internals.words();
  const outPtr = words[cells + CELL_OUT_PTR];
  const outLenBytes = words[cells + CELL_OUT_LEN];
  const copied = engine.internals.bytes().slice(outPtr, outPtr + outLenBytes);
  const lengths = new Uint32Array(copied.buffer, 0, outLenBytes >>> 2);
  const view = new DataView(copied.buffer);
  const members: Uint8Array[] = [];
  const scores: number[] = [];
  let at = 0;
  while (at < outLenBytes) {
    const memberLen = lengths[at >>> 2];
    members.push(copied.subarray(at + 4, at + 4 + memberLen));
    at += 4 + ((memberLen + 3) & ~3);
    if (withScores) {
      scores.push(view.getFloat64(at + 4, true));
      at += 12;
    }
  }
  return { members, scores };
}

/** Eight bytes viewed as a double, to decode unaligned scores without a DataView per call. */
const scoreScratch = new Float64Array(1);
const scoreScratchBytes = new Uint8Array(scoreScratch.buffer);

/**
 * Decodes ZSCORE/ZMSCORE records in place in engine memory (no copy): an 8-byte score, or an
 * empty record for an absent member.
 */
function readOptionalScores(engine: Engine): (number | null)[] {
  let cells = resultCellsIndex.get(engine);
  if (cells === undefined) {
    cells = exportsOf(engine).resultCellsPtr() >>> 2;
    resultCellsIndex.set(engine, cells);
  }
  const words = engine.internals.words();
  const bytes = engine.internals.bytes();
  const outPtr = words[cells + CELL_OUT_PTR];
  const end = outPtr + words[cells + CELL_OUT_LEN];
  const scores: (number | null)[] = [];
  for (let at = outPtr; at < end;) {
    const recordLen = words[at >>> 2];
    if (recordLen === 8) {
      for (let i = 0; i < 8; i++) scoreScratchBytes[i] = bytes[at + 4 + i];
      scores.push(scoreScratch[0]);
    } else scores.push(null);
    at += 4 + ((recordLen + 3) & ~3);
  }
  return scores;
}

/**
 * ZADD / ZINCRBY: adds or updates (score, member) pairs under ZADD_* flags.
 *
 * @returns added (plus changed with ZADD_CH); with ZADD_INCR 1 if written (score in
 * zsetResultScore) or 0 if prevented; ZADD_RESULT_NAN if INCR would produce NaN.
 * @throws {WrongTypeError} the key holds another type.
 * @throws {OutOfMemoryError} nothing was changed.
 *
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { zsetAdd, zsetCard } from "./zset.ts";
 * const engine = Engine.create();
 * const key = new TextEncoder().encode("board");
 * zsetAdd(engine, 0, key, [1, 2], [new TextEncoder().encode("a"), new TextEncoder().encode("b")], 0, Date.now());
 * console.assert(zsetCard(engine, 0, key, Date.now()) === 2);
 * ```
 */
export function zsetAdd(
  engine: Engine,
  db: number,
  key: Uint8Array,
  scores: readonly number[],
  members: readonly Uint8Array[],
  flags: number,
  nowMs: number,
): number {
  if (scores.length !== members.length || scores.length === 0) {
    throw new RangeError("zsetAdd needs one score per member, at least one");
  }
  const scoreBytes = scoreParts(scores);
  const parts: Uint8Array[] = [key];
  for (let i = 0; i < members.length; i++) parts.push(scoreBytes[i], members[i]);
  engine.internals.stage(parts, true);
  return checked(exportsOf(engine).zsetAdd(db, key.length, nowMs, members.length, flags));
}

/** The score ZADD INCR / ZINCRBY just wrote. */
export function zsetResultScore(engine: Engine): number {
  return exportsOf(engine).zsetResultScore();
}

/** Elements the last zsetAdd added or re-scored (0 means the key is unchanged). */
export function zsetResultChanged(engine: Engine): number {
  return exportsOf(engine).zsetResultChanged() >>> 0;
}

/** ZREM: members removed (the key goes when emptied); 0 for a missing key. */
export function zsetRemove(
  engine: Engine,
  db: number,
  key: Uint8Array,
  members: readonly Uint8Array[],
  nowMs: number,
): number {
  engine.internals.stage([key, ...members], true);
  return checked(exportsOf(engine).zsetRemove(db, key.length, nowMs, members.length));
}

/** Scores of members (null for absent ones), or null when the key is missing. */
export function zsetScores(
  engine: Engine,
  db: number,
  key: Uint8Array,
  members: readonly Uint8Array[],
  nowMs: number,
): (number | null)[] | null {
  engine.internals.stage([key, ...members], true);
  const status = checked(exportsOf(engine).zsetScores(db, key.length, nowMs, members.length));
  if (status === STATUS_MISSING) return null;
  return readOptionalScores(engine);
}

/** ZCARD: element count, 0 when missing. */
export function zsetCard(engine: Engine, db: number, key: Uint8Array, nowMs: number): number {
  engine.internals.stage([key], false);
  return checked(exportsOf(engine).zsetCard(db, key.length, nowMs));
}

/** ZRANK / ZREVRANK: 0-based rank, or null if the key or member is missing. */
export function zsetRank(
  engine: Engine,
  db: number,
  key: Uint8Array,
  member: Uint8Array,
  reverse: boolean,
  nowMs: number,
): number | null {
  engine.internals.stage([key, member], true);
  const rank = checked(exportsOf(engine).zsetRank(db, key.length, nowMs, reverse ? 1 : 0));
  return rank < 0 ? null : rank;
}

/** A range request for zsetRange. */
export interface ZsetRangeSpec {
  op: ZsetRangeOp;
  kind: ZsetRangeKind;
  /** RANGE_* bits. */
  flags: number;
  /** Rank: start index; score: min. */
  a?: number;
  /** Rank: end index; score: max. */
  b?: number;
  /** Lex bounds (kind Lex). */
  lexMin?: LexBound;
  lexMax?: LexBound;
  /** LIMIT offset (negative: empty result). @default {0} */
  offset?: number;
  /** LIMIT count (negative: all). @default {-1} */
  limit?: number;
}

/** Keeps an index within what a double holds exactly; ranges beyond are equivalent. */
function clampIndex(value: number): number {
  return Math.max(-(2 ** 53), Math.min(2 ** 53, value));
}

/**
 * Runs one range operation (see ZsetRangeSpec).
 *
 * @returns null if the key is missing; otherwise the count (Count, Delete) or the elements
 * (Emit; scores filled with RANGE_WITHSCORES).
 */
export function zsetRange(
  engine: Engine,
  db: number,
  key: Uint8Array,
  spec: ZsetRangeSpec,
  nowMs: number,
): number | ZsetElements | null {
  if (spec.kind === ZsetRangeKind.Lex) {
    const lexMin = spec.lexMin!;
    const lexMax = spec.lexMax!;
    engine.internals.stage([key, lexPart(lexMin), lexPart(lexMax)], true);
  } else {
    engine.internals.stage([key], false);
  }
  const isRank = spec.kind === ZsetRangeKind.Rank;
  const status = checked(
    exportsOf(engine).zsetRange(
      db,
      key.length,
      nowMs,
      spec.op,
      spec.kind,
      spec.flags,
      isRank ? clampIndex(spec.a ?? 0) : spec.a ?? 0,
      isRank ? clampIndex(spec.b ?? 0) : spec.b ?? 0,
      clampIndex(spec.offset ?? 0),
      clampIndex(spec.limit ?? -1),
    ),
  );
  if (status === STATUS_MISSING) return null;
  if (spec.op !== ZsetRangeOp.Emit) return status;
  return readElements(engine, (spec.flags & RANGE_WITHSCORES) !== 0);
}

function lexPart(bound: LexBound): Uint8Array {
  const part = new Uint8Array(bound.value.length + 1);
  part[0] = bound.kind;
  part.set(bound.value, 1);
  return part;
}

/** ZPOPMIN / ZPOPMAX: up to count elements with scores in pop order; null if missing. */
export function zsetPop(
  engine: Engine,
  db: number,
  key: Uint8Array,
  count: number,
  max: boolean,
  nowMs: number,
): ZsetElements | null {
  engine.internals.stage([key], false);
  const status = checked(
    exportsOf(engine).zsetPop(db, key.length, nowMs, clampIndex(count), max ? 1 : 0),
  );
  if (status === STATUS_MISSING) return null;
  return readElements(engine, true);
}

/**
 * ZRANDMEMBER: `count` distinct elements (the whole set, highest first, when count ≥ size), or
 * with `repeats` count independent picks. Null if the key is missing.
 */
export function zsetRandom(
  engine: Engine,
  db: number,
  key: Uint8Array,
  count: number,
  repeats: boolean,
  withScores: boolean,
  nowMs: number,
): ZsetElements | null {
  engine.internals.stage([key], false);
  const status = checked(
    exportsOf(engine).zsetRandom(
      db,
      key.length,
      nowMs,
      clampIndex(count),
      repeats ? 1 : 0,
      withScores ? 1 : 0,
    ),
  );
  if (status === STATUS_MISSING) return null;
  return readElements(engine, withScores);
}

/** ZSCAN step from cursor; null if the key is missing. */
export function zsetScan(
  engine: Engine,
  db: number,
  key: Uint8Array,
  cursor: number,
  count: number,
  nowMs: number,
): ZsetScanPage | null {
  engine.internals.stage([key], false);
  const countClamped = Math.min(Math.max(Math.trunc(count), 1), 0x7fffffff);
  const status = checked(
    exportsOf(engine).zsetScan(db, key.length, nowMs, cursor >>> 0, countClamped),
  );
  if (status === STATUS_MISSING) return null;
  const elements = readElements(engine, true);
  return { cursor: exportsOf(engine).zsetResultCursor() >>> 0, elements };
}

/**
 * Replaces key (any type; its TTL goes too) with a zset of the given elements, which must be
 * distinct and sorted by (score, member bytes); an empty list deletes the key.
 *
 * @returns the element count, or for an empty list 1 if a key was deleted, else 0.
 * @throws {OutOfMemoryError} the key was left as it was.
 */
export function zsetStore(
  engine: Engine,
  db: number,
  key: Uint8Array,
  members: readonly Uint8Array[],
  scores: readonly number[],
  nowMs: number,
): number {
  if (members.length === 0) return engine.del(db, key, nowMs) ? 1 : 0;
  const scoreBytes = scoreParts(scores);
  const parts: Uint8Array[] = [key];
  for (let i = 0; i < members.length; i++) parts.push(scoreBytes[i], members[i]);
  engine.internals.stage(parts, true);
  return checked(exportsOf(engine).zsetStore(db, key.length, nowMs, members.length));
}

/** OBJECT ENCODING of a zset value at key (Redis's names: listpack, skiplist). */
export function zsetEncoding(
  engine: Engine,
  db: number,
  key: Uint8Array,
  nowMs: number,
): string {
  engine.internals.stage([key], false);
  const status = exportsOf(engine).zsetEncodingOf(db, key.length, nowMs);
  if (status === ZSET_ENCODING_LISTPACK) return "listpack";
  if (status === ZSET_ENCODING_SKIPLIST) return "skiplist";
  return "unknown";
}

/**
 * Checks every structural invariant of the zset at key; the engine traps (EngineInvariantError)
 * on a violation. Returns the element count, -1 if missing. For tests.
 */
export function zsetVerify(engine: Engine, db: number, key: Uint8Array, nowMs: number): number {
  engine.internals.stage([key], false);
  return checked(exportsOf(engine).zsetVerify(db, key.length, nowMs));
}
