// Sorted set commands. Handlers parse and validate in Redis 7.0's order (so the first error a
// client sees is the one redis-server gives), then make one engine call through
// core/engine/zset.ts and shape the reply for RESP2 or RESP3. Scores are parsed as Redis's
// strtod-based parsers do, which is stricter for member scores (string2d: no spaces, no
// overflow) than for range bounds (zslParseRange: leading spaces, "" and overflow accepted),
// and are replied with %.17g (ctx.out.double) — except in ZSCAN, where Redis sends them as
// strings. The set operations (ZUNION[STORE], ZINTER[STORE], ZDIFF[STORE], ZINTERCARD) read
// their inputs whole and combine them here; stores hand the sorted result to the engine.

import { globMatch, INT64_MAX, isWord, latin1, parseInt64 } from "../bytes.ts";
import { WrongTypeError } from "../engine/engine.ts";
import type { Engine } from "../engine/engine.ts";
import {
  type LexBound,
  LexBoundKind,
  RANGE_MAXEX,
  RANGE_MINEX,
  RANGE_REV,
  RANGE_WITHSCORES,
  ZADD_CH,
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NX,
  ZADD_RESULT_NAN,
  ZADD_XX,
  zsetAdd,
  zsetCard,
  type ZsetElements,
  zsetPop,
  zsetRandom,
  zsetRange,
  ZsetRangeKind,
  ZsetRangeOp,
  zsetRank,
  zsetRemove,
  zsetResultChanged,
  zsetResultScore,
  zsetScan,
  zsetScores,
  zsetStore,
} from "../engine/zset.ts";
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_SYNTAX, fail } from "../errors.ts";
import { formatDoubleG17 } from "../doubles.ts";
import { blockTimeoutMsArg, int64Arg } from "./_args.ts";
import { setMembers } from "../engine/set.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

const ERR_RANGE_NOT_FLOAT = "ERR min or max is not a float";
const ERR_RANGE_NOT_LEX = "ERR min or max not valid string range item";
const ERR_NAN_SCORE = "ERR resulting score is not a number (NaN)";
const ERR_NOT_POSITIVE = "ERR value is out of range, must be positive";

/** Engine type tags read here (wasm/assembly/dict.ts). */
const TYPE_SET = 2;
const TYPE_ZSET = 3;

/** ZRANDMEMBER's bound on |count| with WITHSCORES (LONG_MAX / 2), as Redis. */
const RANDMEMBER_WITHSCORES_COUNT_MAX = INT64_MAX / 2n;
/** Redis 7.0's zset-max-listpack-entries / -value defaults (the engine converts at these). */
const LISTPACK_ENTRIES_MAX = 128;
const LISTPACK_VALUE_MAX_BYTES = 64;
/** Largest count the engine is asked for at once (a reply this long is not servable anyway). */
const ENGINE_COUNT_MAX = 0x7fffffff;

// ── Score parsing ───────────────────────────────────────────────────────────────────────

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 32;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function startsWithWord(arg: Uint8Array, at: number, word: string): boolean {
  if (at + word.length > arg.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((arg[at + i] | 32) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** What C's strtod reads from `arg` at `start`. */
interface StrtodResult {
  value: number;
  /** Index after the last byte consumed; `start` when nothing converted. */
  end: number;
  /** strtod would set errno = ERANGE with ±HUGE_VAL or 0 (overflow, underflow to zero). */
  rangeError: boolean;
}

/**
 * glibc strtod: leading white space, sign, then `inf`/`infinity`, `nan`/`nan(…)`, hex
 * (`0x1.8p3`) or decimal with optional exponent. Decimal text is rounded by Number(), which
 * is correctly rounded like glibc.
 */
function strtod(arg: Uint8Array, start: number): StrtodResult {
  let i = start;
  while (i < arg.length && isSpace(arg[i])) i++;
  let negative = false;
  if (arg[i] === 43 || arg[i] === 45) {
    negative = arg[i] === 45;
    i++;
  }
  const signed = (v: number) => (negative ? -v : v);
  if (startsWithWord(arg, i, "infinity")) {
    return { value: signed(Infinity), end: i + 8, rangeError: false };
  }
  if (startsWithWord(arg, i, "inf")) {
    return { value: signed(Infinity), end: i + 3, rangeError: false };
  }
  if (startsWithWord(arg, i, "nan")) {
    let end = i + 3;
    if (arg[end] === 40) {
      let k = end + 1;
      while (
        k < arg.length &&
        (isDigit(arg[k]) || hexValue(arg[k]) >= 0 || (arg[k] | 32) >= 97 && (arg[k] | 32) <= 122 ||
          arg[k] === 95)
      ) k++;
      if (arg[k] === 41) end = k + 1;
    }
    return { value: NaN, end, rangeError: false };
  }
  if (arg[i] === 48 && (arg[i + 1] | 32) === 120) {
    const hex = strtodHex(arg, i + 2);
    if (hex !== null) return { value: signed(hex.value), end: hex.end, rangeError: hex.rangeError };
  }
  const mantissaStart = i;
  let digits = 0;
  let nonzero = false;
  while (isDigit(arg[i])) {
    if (arg[i] !== 48) nonzero = true;
    digits++;
    i++;
  }
  if (arg[i] === 46) {
    i++;
    while (isDigit(arg[i])) {
      if (arg[i] !== 48) nonzero = true;
      digits++;
      i++;
    }
  }
  if (digits === 0) return { value: 0, end: start, rangeError: false };
  if ((arg[i] | 32) === 101) {
    let k = i + 1;
    if (arg[k] === 43 || arg[k] === 45) k++;
    if (isDigit(arg[k])) {
      while (isDigit(arg[k])) k++;
      i = k;
    }
  }
  const value = Number(latin1(arg.subarray(mantissaStart, i)));
  const rangeError = !Number.isFinite(value) || (value === 0 && nonzero);
  return { value: signed(value), end: i, rangeError };
}

/** Hex float digits after "0x"; null when no hex digit follows (then "0" alone converts). */
function strtodHex(
  arg: Uint8Array,
  start: number,
): { value: number; end: number; rangeError: boolean } | null {
  let i = start;
  let mantissa = 0n;
  let digits = 0;
  let fractionDigits = 0;
  while (hexValue(arg[i]) >= 0) {
    mantissa = mantissa * 16n + BigInt(hexValue(arg[i]));
    digits++;
    i++;
  }
  if (arg[i] === 46) {
    i++;
    while (hexValue(arg[i]) >= 0) {
      mantissa = mantissa * 16n + BigInt(hexValue(arg[i]));
      digits++;
      fractionDigits++;
      i++;
    }
  }
  if (digits === 0) return null;
  let exponent = 0;
  if ((arg[i] | 32) === 112) {
    let k = i + 1;
    let expNegative = false;
    if (arg[k] === 43 || arg[k] === 45) {
      expNegative = arg[k] === 45;
      k++;
    }
    if (isDigit(arg[k])) {
      while (isDigit(arg[k])) {
        exponent = Math.min(exponent * 10 + arg[k] - 48, 100000);
        k++;
      }
      if (expNegative) exponent = -exponent;
      i = k;
    }
  }
  const scale = exponent - 4 * fractionDigits;
  let value = Number(mantissa);
  // Apply the power of two in steps so intermediate results stay representable.
  let remaining = scale;
  while (remaining !== 0 && value !== 0 && Number.isFinite(value)) {
    const step = Math.max(-1000, Math.min(1000, remaining));
    value *= 2 ** step;
    remaining -= step;
  }
  const rangeError = !Number.isFinite(value) || (value === 0 && mantissa !== 0n);
  return { value, end: i, rangeError };
}

/**
 * A member score, increment or weight as Redis's string2d reads it: all bytes consumed, no
 * leading space, no overflow or underflow to zero, not NaN. Null when invalid.
 */
export function parseScore(arg: Uint8Array): number | null {
  if (arg.length === 0 || isSpace(arg[0])) return null;
  const { value, end, rangeError } = strtod(arg, 0);
  if (end !== arg.length || rangeError || Number.isNaN(value)) return null;
  return value;
}

function scoreArg(arg: Uint8Array, message = ERR_NOT_FLOAT): number {
  const value = parseScore(arg);
  if (value === null) fail(message);
  return value;
}

interface ScoreBound {
  value: number;
  exclusive: boolean;
}

/** A score range bound as zslParseRange reads it ("(" = exclusive); null when invalid. */
export function parseScoreBound(arg: Uint8Array): ScoreBound | null {
  const exclusive = arg[0] === 40;
  const { value, end } = strtod(arg, exclusive ? 1 : 0);
  // strtod stops at a NUL byte as at the end of a C string.
  if ((end !== arg.length && arg[end] !== 0) || Number.isNaN(value)) return null;
  return { value, exclusive };
}

/** A lex range bound: "[x", "(x", "-" or "+"; null when invalid. */
export function parseLexBound(arg: Uint8Array): LexBound | null {
  if (arg.length === 0) return null;
  const onlyChar = arg.length === 1 || arg[1] === 0;
  switch (arg[0]) {
    case 43:
      return onlyChar ? { kind: LexBoundKind.Max, value: arg.subarray(0, 0) } : null;
    case 45:
      return onlyChar ? { kind: LexBoundKind.Min, value: arg.subarray(0, 0) } : null;
    case 40:
      return { kind: LexBoundKind.Exclusive, value: arg.subarray(1) };
    case 91:
      return { kind: LexBoundKind.Inclusive, value: arg.subarray(1) };
    default:
      return null;
  }
}

/** Score range flags and bounds for zsetRange. */
function scoreRange(minArg: Uint8Array, maxArg: Uint8Array): [number, number, number] {
  const min = parseScoreBound(minArg);
  const max = parseScoreBound(maxArg);
  if (min === null || max === null) fail(ERR_RANGE_NOT_FLOAT);
  const flags = (min.exclusive ? RANGE_MINEX : 0) | (max.exclusive ? RANGE_MAXEX : 0);
  return [min.value, max.value, flags];
}

function lexRange(minArg: Uint8Array, maxArg: Uint8Array): [LexBound, LexBound] {
  const min = parseLexBound(minArg);
  const max = parseLexBound(maxArg);
  if (min === null || max === null) fail(ERR_RANGE_NOT_LEX);
  return [min, max];
}

/** A signed count as a JS number, clamped where the difference cannot be observed. */
function toCount(value: bigint): number {
  return Number(value);
}

// ── Replies ─────────────────────────────────────────────────────────────────────────────

/**
 * Members (with scores: flat pairs in RESP2, [member, score] arrays in RESP3 — or always, for
 * ZMPOP/BZMPOP).
 */
function replyElements(
  ctx: CommandContext,
  elements: ZsetElements,
  withScores: boolean,
  nestedAlways = false,
): void {
  const { out } = ctx;
  const { members, scores } = elements;
  if (!withScores) {
    out.arrayHeader(members.length);
    for (const member of members) out.bulk(member);
  } else if (out.protocol === 3 || nestedAlways) {
    out.arrayHeader(members.length);
    for (let i = 0; i < members.length; i++) {
      out.arrayHeader(2);
      out.bulk(members[i]);
      out.double(scores[i]);
    }
  } else {
    out.arrayHeader(members.length * 2);
    for (let i = 0; i < members.length; i++) {
      out.bulk(members[i]);
      out.double(scores[i]);
    }
  }
}

// ── ZADD, ZINCRBY, ZREM ─────────────────────────────────────────────────────────────────

/**
 * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
 * ZINCRBY key increment member (the same code with INCR, as in Redis: option words are
 * recognised here too, which turns `ZINCRBY k nx m` into a syntax error).
 * Replies: added (or changed with CH) count; with INCR the new score, or nil if prevented.
 */
function zaddGeneric(ctx: CommandContext, incrOnly: boolean): void {
  const { argv, server, client } = ctx;
  let flags = incrOnly ? ZADD_INCR : 0;
  let scoreIndex = 2;
  while (scoreIndex < argv.length) {
    const opt = argv[scoreIndex];
    if (isWord(opt, "nx")) flags |= ZADD_NX;
    else if (isWord(opt, "xx")) flags |= ZADD_XX;
    else if (isWord(opt, "ch")) flags |= ZADD_CH;
    else if (isWord(opt, "incr")) flags |= ZADD_INCR;
    else if (isWord(opt, "gt")) flags |= ZADD_GT;
    else if (isWord(opt, "lt")) flags |= ZADD_LT;
    else break;
    scoreIndex++;
  }
  const elementArgs = argv.length - scoreIndex;
  if (elementArgs === 0 || elementArgs % 2 !== 0) fail(ERR_SYNTAX);
  const pairCount = elementArgs / 2;
  if ((flags & ZADD_NX) && (flags & ZADD_XX)) {
    fail("ERR XX and NX options at the same time are not compatible");
  }
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const nx = (flags & ZADD_NX) !== 0;
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    fail("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if ((flags & ZADD_INCR) && pairCount > 1) {
    fail("ERR INCR option supports a single increment-element pair");
  }
  const scores: number[] = new Array(pairCount);
  const members: Uint8Array[] = new Array(pairCount);
  for (let j = 0; j < pairCount; j++) {
    scores[j] = scoreArg(argv[scoreIndex + j * 2]);
    members[j] = argv[scoreIndex + j * 2 + 1];
  }
  const key = argv[1];
  const result = zsetAdd(server.engine, client.db, key, scores, members, flags, ctx.nowMs);
  if (result === ZADD_RESULT_NAN) fail(ERR_NAN_SCORE);
  if (zsetResultChanged(server.engine) > 0) server.keyModified(client.db, key);
  if (flags & ZADD_INCR) {
    if (result === 1) ctx.out.double(zsetResultScore(server.engine));
    else ctx.out.nullBulk();
  } else {
    ctx.out.integer(result);
  }
}

/** ZREM key member [member ...] → removed count. */
function zremCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const removed = zsetRemove(server.engine, client.db, argv[1], argv.slice(2), ctx.nowMs);
  if (removed > 0) server.keyModified(client.db, argv[1]);
  ctx.out.integer(removed);
}

// ── Reads by member ─────────────────────────────────────────────────────────────────────

/** ZSCORE key member → score or nil. */
function zscoreCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const scores = zsetScores(server.engine, client.db, argv[1], [argv[2]], ctx.nowMs);
  const score = scores === null ? null : scores[0];
  if (score === null) ctx.out.nullBulk();
  else ctx.out.double(score);
}

/** ZMSCORE key member [member ...] → array of score or nil (a missing key: all nil). */
function zmscoreCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  const members = argv.slice(2);
  const scores = zsetScores(server.engine, client.db, argv[1], members, ctx.nowMs);
  out.arrayHeader(members.length);
  for (let i = 0; i < members.length; i++) {
    const score = scores === null ? null : scores[i];
    if (score === null) out.nullBulk();
    else out.double(score);
  }
}

/** ZCARD key → count (0 when missing). */
function zcardCommand(ctx: CommandContext): void {
  ctx.out.integer(zsetCard(ctx.server.engine, ctx.client.db, ctx.argv[1], ctx.nowMs));
}

/** ZRANK / ZREVRANK key member → rank or nil. */
function zrankGeneric(ctx: CommandContext, reverse: boolean): void {
  const { argv, server, client } = ctx;
  const rank = zsetRank(server.engine, client.db, argv[1], argv[2], reverse, ctx.nowMs);
  if (rank === null) ctx.out.nullBulk();
  else ctx.out.integer(rank);
}

// ── Counts and ranges ───────────────────────────────────────────────────────────────────

/** ZCOUNT key min max → elements with min ≤ score ≤ max. */
function zcountCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const [min, max, flags] = scoreRange(argv[2], argv[3]);
  const count = zsetRange(server.engine, client.db, argv[1], {
    op: ZsetRangeOp.Count,
    kind: ZsetRangeKind.Score,
    flags,
    a: min,
    b: max,
  }, ctx.nowMs);
  ctx.out.integer(count === null ? 0 : count as number);
}

/** ZLEXCOUNT key min max → elements in the lex range. */
function zlexcountCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const [lexMin, lexMax] = lexRange(argv[2], argv[3]);
  const count = zsetRange(server.engine, client.db, argv[1], {
    op: ZsetRangeOp.Count,
    kind: ZsetRangeKind.Lex,
    flags: 0,
    lexMin,
    lexMax,
  }, ctx.nowMs);
  ctx.out.integer(count === null ? 0 : count as number);
}

const enum RangeType {
  Auto,
  Rank,
  Score,
  Lex,
}

const enum Direction {
  Auto,
  Forward,
  Reverse,
}

/**
 * The ZRANGE family (Redis's zrangeGenericCommand):
 *   ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
 *   ZREVRANGE key start stop [WITHSCORES]
 *   Z[REV]RANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
 *   Z[REV]RANGEBYLEX key min max [LIMIT offset count]
 *   ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] (`store`)
 * Options first (syntax errors), then the LIMIT/WITHSCORES conflicts, then the range
 * arguments, then the key. A missing key is an empty array (ZRANGESTORE: 0, dst deleted).
 */
function zrangeGeneric(
  ctx: CommandContext,
  rangeType: RangeType,
  direction: Direction,
  store = false,
): void {
  const { argv, server, client } = ctx;
  const keyIndex = store ? 2 : 1;
  let minIndex = keyIndex + 1;
  let maxIndex = keyIndex + 2;
  let withScores = false;
  let offset = 0n;
  let limit = -1n;
  for (let j = keyIndex + 3; j < argv.length; j++) {
    const leftArgs = argv.length - j - 1;
    if (!store && isWord(argv[j], "withscores")) withScores = true;
    else if (isWord(argv[j], "limit") && leftArgs >= 2) {
      offset = int64Arg(argv[j + 1]);
      limit = int64Arg(argv[j + 2]);
      j += 2;
    } else if (direction === Direction.Auto && isWord(argv[j], "rev")) {
      direction = Direction.Reverse;
    } else if (rangeType === RangeType.Auto && isWord(argv[j], "bylex")) {
      rangeType = RangeType.Lex;
    } else if (rangeType === RangeType.Auto && isWord(argv[j], "byscore")) {
      rangeType = RangeType.Score;
    } else fail(ERR_SYNTAX);
  }
  if (direction === Direction.Auto) direction = Direction.Forward;
  if (rangeType === RangeType.Auto) rangeType = RangeType.Rank;
  if (limit !== -1n && rangeType === RangeType.Rank) {
    fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withScores && rangeType === RangeType.Lex) {
    fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  const reverse = direction === Direction.Reverse;
  if (reverse && rangeType !== RangeType.Rank) {
    const swap = minIndex;
    minIndex = maxIndex;
    maxIndex = swap;
  }
  const flags = (reverse ? RANGE_REV : 0) | (withScores || store ? RANGE_WITHSCORES : 0);
  const key = argv[keyIndex];
  let elements;
  if (rangeType === RangeType.Rank) {
    const start = int64Arg(argv[minIndex]);
    const end = int64Arg(argv[maxIndex]);
    elements = zsetRange(server.engine, client.db, key, {
      op: ZsetRangeOp.Emit,
      kind: ZsetRangeKind.Rank,
      flags,
      a: toCount(start),
      b: toCount(end),
    }, ctx.nowMs);
  } else if (rangeType === RangeType.Score) {
    const [min, max, boundFlags] = scoreRange(argv[minIndex], argv[maxIndex]);
    elements = zsetRange(server.engine, client.db, key, {
      op: ZsetRangeOp.Emit,
      kind: ZsetRangeKind.Score,
      flags: flags | boundFlags,
      a: min,
      b: max,
      offset: toCount(offset),
      limit: toCount(limit),
    }, ctx.nowMs);
  } else {
    const [lexMin, lexMax] = lexRange(argv[minIndex], argv[maxIndex]);
    elements = zsetRange(server.engine, client.db, key, {
      op: ZsetRangeOp.Emit,
      kind: ZsetRangeKind.Lex,
      flags,
      lexMin,
      lexMax,
      offset: toCount(offset),
      limit: toCount(limit),
    }, ctx.nowMs);
  }
  const found = elements as ZsetElements | null;
  if (store) return storeRange(ctx, found, rangeType === RangeType.Rank, reverse);
  if (found === null) return ctx.out.arrayHeader(0);
  replyElements(ctx, found, withScores);
}

/**
 * ZRANGESTORE's write. Redis adds the range element by element to a new set that starts as a
 * listpack (unless a rank range already exceeds its limit) and converts at the first element
 * over a limit; scores added while it is a listpack lose the sign of zero, so that is
 * replayed here before the engine builds the final value.
 */
function storeRange(
  ctx: CommandContext,
  found: ZsetElements | null,
  byRank: boolean,
  reverse: boolean,
): void {
  const { server, client } = ctx;
  const destination = ctx.argv[1];
  const members = found?.members ?? [];
  const scores = found?.scores ?? [];
  let packed = !(byRank && members.length > LISTPACK_ENTRIES_MAX);
  for (let i = 0; i < members.length; i++) {
    if (packed && (i + 1 > LISTPACK_ENTRIES_MAX || members[i].length > LISTPACK_VALUE_MAX_BYTES)) {
      packed = false;
    }
    if (packed && scores[i] === 0) scores[i] = 0;
  }
  if (reverse) {
    members.reverse();
    scores.reverse();
  }
  const stored = zsetStore(server.engine, client.db, destination, members, scores, ctx.nowMs);
  if (stored > 0) server.keyModified(client.db, destination);
  ctx.out.integer(members.length);
}

/** ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX key a b → removed count. */
function zremrangeGeneric(ctx: CommandContext, kind: ZsetRangeKind): void {
  const { argv, server, client } = ctx;
  let removed;
  if (kind === ZsetRangeKind.Rank) {
    const start = int64Arg(argv[2]);
    const end = int64Arg(argv[3]);
    removed = zsetRange(server.engine, client.db, argv[1], {
      op: ZsetRangeOp.Delete,
      kind,
      flags: 0,
      a: toCount(start),
      b: toCount(end),
    }, ctx.nowMs);
  } else if (kind === ZsetRangeKind.Score) {
    const [min, max, flags] = scoreRange(argv[2], argv[3]);
    removed = zsetRange(server.engine, client.db, argv[1], {
      op: ZsetRangeOp.Delete,
      kind,
      flags,
      a: min,
      b: max,
    }, ctx.nowMs);
  } else {
    const [lexMin, lexMax] = lexRange(argv[2], argv[3]);
    removed = zsetRange(server.engine, client.db, argv[1], {
      op: ZsetRangeOp.Delete,
      kind,
      flags: 0,
      lexMin,
      lexMax,
    }, ctx.nowMs);
  }
  const count = removed === null ? 0 : removed as number;
  if (count > 0) server.keyModified(client.db, argv[1]);
  ctx.out.integer(count);
}

// ── Pops ────────────────────────────────────────────────────────────────────────────────

/**
 * ZPOPMIN / ZPOPMAX key [count] → RESP2 a flat [member, score, …]; RESP3 with a count an
 * array of [member, score] pairs. A missing key is an empty array.
 */
function zpopGeneric(ctx: CommandContext, max: boolean): void {
  const { argv, server, client, out } = ctx;
  if (argv.length > 3) fail(ERR_SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    const value = int64Arg(argv[2], ERR_NOT_POSITIVE);
    if (value < 0n) fail(ERR_NOT_POSITIVE);
    count = Math.min(toCount(value), ENGINE_COUNT_MAX);
  }
  const nested = out.protocol === 3 && count !== -1;
  const popped = zsetPop(
    server.engine,
    client.db,
    argv[1],
    count === -1 ? 1 : count,
    max,
    ctx.nowMs,
  );
  if (popped === null) return out.arrayHeader(0);
  if (popped.members.length > 0) server.keyModified(client.db, argv[1]);
  if (!nested) {
    out.arrayHeader(popped.members.length * 2);
    for (let i = 0; i < popped.members.length; i++) {
      out.bulk(popped.members[i]);
      out.double(popped.scores[i]);
    }
  } else replyElements(ctx, popped, true);
}

/** What a pop from several keys (BZPOPMIN/MAX, ZMPOP, BZMPOP) asks for. */
interface MultiPop {
  keys: Uint8Array[];
  max: boolean;
  /** Elements to pop from the chosen key (1 for BZPOPMIN/MAX). */
  count: number;
  /** ZMPOP/BZMPOP: reply [key, [[member, score], …]]; else [key, member, score]. */
  nested: boolean;
}

/**
 * Pops from the first non-empty zset among pop.keys and writes the reply. With `strict` a key
 * of another type is an error (the command's own call); when serving a blocked client such
 * keys are skipped. A pop replicates as ZPOPMIN/ZPOPMAX (with the count for the M forms), as
 * Redis rewrites it. True when served.
 */
function multiPopServe(ctx: CommandContext, pop: MultiPop, strict: boolean): boolean {
  const { server, client, out } = ctx;
  for (const key of pop.keys) {
    let popped: ZsetElements | null;
    try {
      popped = zsetPop(server.engine, client.db, key, pop.count, pop.max, ctx.nowMs);
    } catch (error) {
      if (strict || !(error instanceof WrongTypeError)) throw error;
      continue;
    }
    if (popped === null || popped.members.length === 0) continue;
    server.keyModified(client.db, key);
    const name = pop.max ? "ZPOPMAX" : "ZPOPMIN";
    ctx.propagateAs = [pop.nested ? [name, key, String(pop.count)] : [name, key]];
    if (pop.nested) {
      out.arrayHeader(2);
      out.bulk(key);
      replyElements(ctx, popped, true, true);
    } else {
      out.arrayHeader(3);
      out.bulk(key);
      out.bulk(popped.members[0]);
      out.double(popped.scores[0]);
    }
    return true;
  }
  return false;
}

/** Blocks until multiPopServe succeeds for a write to one of the keys, or times out (null). */
async function blockForPop(
  ctx: CommandContext,
  timeoutMs: number,
  readPop: () => MultiPop,
): Promise<void> {
  await ctx.server.blocking.block(
    ctx,
    readPop().keys,
    timeoutMs,
    () => {
      ctx.nowMs = Date.now();
      return multiPopServe(ctx, readPop(), false); // argv was replaced by copies: re-read
    },
    () => {
      ctx.propagateAs = []; // other clients' writes while waiting are not this command's
      ctx.out.nullArray();
    },
  );
}

/** BZPOPMIN / BZPOPMAX's keys: between the command name and the timeout. */
function bzpopArgs(ctx: CommandContext, max: boolean): MultiPop {
  return { keys: ctx.argv.slice(1, -1), max, count: 1, nested: false };
}

/**
 * BZPOPMIN / BZPOPMAX key [key ...] timeout → [key, member, score], or a null array after
 * the timeout. A served pop replicates as ZPOPMIN / ZPOPMAX of that key.
 */
async function bzpopGeneric(ctx: CommandContext, max: boolean): Promise<void> {
  const timeoutMs = blockTimeoutMsArg(ctx.argv[ctx.argv.length - 1]);
  if (multiPopServe(ctx, bzpopArgs(ctx, max), true)) return;
  await blockForPop(ctx, timeoutMs, () => bzpopArgs(ctx, max));
}

/**
 * ZMPOP / BZMPOP arguments from numkeysIndex: numkeys key [key ...] MIN|MAX [COUNT count],
 * with Redis's errors ("numkeys should be greater than 0", "count should be greater than 0").
 */
function zmpopArgs(argv: Uint8Array[], numkeysIndex: number): MultiPop {
  const numkeys = parseInt64(argv[numkeysIndex]);
  if (numkeys === null || numkeys < 1n) fail("ERR numkeys should be greater than 0");
  const whereIndex = numkeysIndex + 1 + Number(numkeys);
  if (numkeys > BigInt(argv.length) || whereIndex >= argv.length) fail(ERR_SYNTAX);
  let max: boolean;
  if (isWord(argv[whereIndex], "min")) max = false;
  else if (isWord(argv[whereIndex], "max")) max = true;
  else fail(ERR_SYNTAX);
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (count === -1 && isWord(argv[j], "count") && moreArgs > 0) {
      j++;
      const value = parseInt64(argv[j]);
      if (value === null || value < 1n) fail("ERR count should be greater than 0");
      count = Math.min(toCount(value), ENGINE_COUNT_MAX);
    } else fail(ERR_SYNTAX);
  }
  return {
    keys: argv.slice(numkeysIndex + 1, whereIndex),
    max,
    count: count === -1 ? 1 : count,
    nested: true,
  };
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] → [key, [[member, score], …]] or null. */
function zmpopCommand(ctx: CommandContext): void {
  if (!multiPopServe(ctx, zmpopArgs(ctx.argv, 1), true)) ctx.out.nullArray();
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: ZMPOP that blocks. */
async function bzmpopCommand(ctx: CommandContext): Promise<void> {
  const pop = zmpopArgs(ctx.argv, 2);
  const timeoutMs = blockTimeoutMsArg(ctx.argv[1]);
  if (multiPopServe(ctx, pop, true)) return;
  await blockForPop(ctx, timeoutMs, () => zmpopArgs(ctx.argv, 2));
}

// ── ZRANDMEMBER ─────────────────────────────────────────────────────────────────────────

/** ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmemberCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  if (argv.length < 3) {
    const picked = zsetRandom(server.engine, client.db, argv[1], 1, true, false, ctx.nowMs);
    if (picked === null) return out.nullBulk();
    return out.bulk(picked.members[0]);
  }
  const count = parseInt64(argv[2]);
  if (count === null) fail(ERR_NOT_INTEGER);
  if (count < -INT64_MAX) {
    fail(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
  }
  if (argv.length > 4 || (argv.length === 4 && !isWord(argv[3], "withscores"))) fail(ERR_SYNTAX);
  const withScores = argv.length === 4;
  if (
    withScores &&
    (count < -RANDMEMBER_WITHSCORES_COUNT_MAX || count > RANDMEMBER_WITHSCORES_COUNT_MAX)
  ) {
    fail("ERR value is out of range");
  }
  const type = server.engine.typeOf(client.db, argv[1], ctx.nowMs);
  if (type < 0) return out.arrayHeader(0);
  if (type !== TYPE_ZSET) throw new WrongTypeError();
  if (count === 0n) return out.arrayHeader(0);
  const repeats = count < 0n;
  const magnitude = Math.min(toCount(repeats ? -count : count), ENGINE_COUNT_MAX);
  const picked = zsetRandom(
    server.engine,
    client.db,
    argv[1],
    magnitude,
    repeats,
    withScores,
    ctx.nowMs,
  );
  if (picked === null) return out.arrayHeader(0);
  replyElements(ctx, picked, withScores);
}

// ── ZSCAN ───────────────────────────────────────────────────────────────────────────────

/** A SCAN cursor as strtoul reads it (sign allowed, no spaces, no overflow), low 32 bits. */
function scanCursorArg(arg: Uint8Array): number {
  const match = /^([+-]?)(\d+)$/.exec(latin1(arg));
  if (!match || BigInt(match[2]) > 18446744073709551615n) fail("ERR invalid cursor");
  let value = BigInt(match[2]);
  if (match[1] === "-") value = BigInt.asUintN(64, -value);
  return Number(BigInt.asUintN(32, value));
}

/** ZSCAN key cursor [MATCH pattern] [COUNT count] → [cursor, [member, score-as-string, …]] */
function zscanCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  const cursor = scanCursorArg(argv[2]);
  const type = server.engine.typeOf(client.db, argv[1], ctx.nowMs);
  if (type < 0) {
    out.arrayHeader(2);
    out.bulkString("0");
    return out.arrayHeader(0);
  }
  if (type !== TYPE_ZSET) throw new WrongTypeError();
  let count = 10;
  let pattern: Uint8Array | null = null;
  for (let i = 3; i < argv.length;) {
    const left = argv.length - i;
    if (isWord(argv[i], "count") && left >= 2) {
      const value = int64Arg(argv[i + 1]);
      if (value < 1n) fail(ERR_SYNTAX);
      count = Math.min(toCount(value), ENGINE_COUNT_MAX);
      i += 2;
    } else if (isWord(argv[i], "match") && left >= 2) {
      pattern = argv[i + 1];
      if (pattern.length === 1 && pattern[0] === 42) pattern = null;
      i += 2;
    } else fail(ERR_SYNTAX);
  }
  const page = zsetScan(server.engine, client.db, argv[1], cursor, count, ctx.nowMs);
  const members = page?.elements.members ?? [];
  const scores = page?.elements.scores ?? [];
  const kept: number[] = [];
  for (let i = 0; i < members.length; i++) {
    if (pattern === null || globMatch(pattern, members[i])) kept.push(i);
  }
  out.arrayHeader(2);
  out.bulkString(String(page?.cursor ?? 0));
  out.arrayHeader(kept.length * 2);
  for (const i of kept) {
    out.bulk(members[i]);
    out.bulkString(formatDoubleG17(scores[i]));
  }
}

// ── ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE ────────────────────────────────────────────────

/** Members of a set key as a ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE input (score 1 each). */
function setMembersReader(
  engine: Engine,
  db: number,
  key: Uint8Array,
  nowMs: number,
): Uint8Array[] {
  return setMembers(engine, db, key, nowMs) ?? [];
}

const enum SetOp {
  Union,
  Inter,
  Diff,
}

const enum Aggregate {
  Sum,
  Min,
  Max,
}

interface SourceSet {
  /** latin1 of the key: the same key twice is the same input. */
  tag: string;
  type: number;
  members: Uint8Array[];
  scores: number[];
  weight: number;
  index: Map<string, number> | null;
}

function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum; // inf + -inf is 0 by Redis's convention
  }
  if (how === Aggregate.Min) return value < target ? value : target;
  return value > target ? value : target;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

function scoreOf(source: SourceSet, member: Uint8Array): number | undefined {
  if (source.index === null) {
    source.index = new Map();
    for (let i = 0; i < source.members.length; i++) source.index.set(latin1(source.members[i]), i);
  }
  const at = source.index.get(latin1(member));
  return at === undefined ? undefined : source.scores[at];
}

/** Where a set operation's result goes. */
const enum SetOpOutput {
  /** ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE: into argv[1]; replies with the size. */
  Store,
  /** ZUNION / ZINTER / ZDIFF: as a reply, optionally WITHSCORES. */
  Reply,
  /** ZINTERCARD: only the size, optionally stopping at LIMIT. */
  Cardinality,
}

/**
 * ZUNIONSTORE / ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...]
 * [AGGREGATE SUM|MIN|MAX]; ZDIFFSTORE destination numkeys key [key ...]; ZUNION / ZINTER
 * numkeys key [key ...] [WEIGHTS …] [AGGREGATE …] [WITHSCORES]; ZDIFF numkeys key [key ...]
 * [WITHSCORES]; ZINTERCARD numkeys key [key ...] [LIMIT limit]. Redis's
 * zunionInterDiffGenericCommand, checking in its order: numkeys, key types (WRONGTYPE before
 * option errors), options. A stored empty result deletes the destination.
 */
function zsetOpGeneric(ctx: CommandContext, op: SetOp, output: SetOpOutput, name: string): void {
  const { argv, server, client } = ctx;
  const numkeysIndex = output === SetOpOutput.Store ? 2 : 1;
  const setCount = int64Arg(argv[numkeysIndex]);
  if (setCount < 1n) fail(`ERR at least 1 input key is needed for '${name}' command`);
  if (setCount > BigInt(argv.length - numkeysIndex - 1)) fail(ERR_SYNTAX);
  const sourceCount = Number(setCount);
  const firstKeyIndex = numkeysIndex + 1;
  const sources: SourceSet[] = [];
  for (let i = 0; i < sourceCount; i++) {
    const key = argv[firstKeyIndex + i];
    const type = server.engine.typeOf(client.db, key, ctx.nowMs);
    if (type >= 0 && type !== TYPE_ZSET && (type !== TYPE_SET)) {
      throw new WrongTypeError();
    }
    sources.push({ tag: latin1(key), type, members: [], scores: [], weight: 1, index: null });
  }
  const cardinalityOnly = output === SetOpOutput.Cardinality;
  let how = Aggregate.Sum;
  let withScores = false;
  let cardinalityLimit = 0;
  let j = firstKeyIndex + sourceCount;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const weighable = op !== SetOp.Diff && !cardinalityOnly;
    if (weighable && remaining >= sourceCount + 1 && isWord(argv[j], "weights")) {
      j++;
      for (let i = 0; i < sourceCount; i++, j++) {
        sources[i].weight = scoreArg(argv[j], "ERR weight value is not a float");
      }
    } else if (weighable && remaining >= 2 && isWord(argv[j], "aggregate")) {
      const word = argv[j + 1];
      if (isWord(word, "sum")) how = Aggregate.Sum;
      else if (isWord(word, "min")) how = Aggregate.Min;
      else if (isWord(word, "max")) how = Aggregate.Max;
      else fail(ERR_SYNTAX);
      j += 2;
    } else if (output === SetOpOutput.Reply && isWord(argv[j], "withscores")) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && isWord(argv[j], "limit")) {
      const value = int64Arg(argv[j + 1], "ERR LIMIT can't be negative");
      if (value < 0n) fail("ERR LIMIT can't be negative");
      cardinalityLimit = toCount(value);
      j += 2;
    } else fail(ERR_SYNTAX);
  }
  for (let i = 0; i < sourceCount; i++) readSource(ctx, sources[i], argv[firstKeyIndex + i]);
  if (cardinalityOnly) {
    return ctx.out.integer(interSources(sources, Aggregate.Sum, cardinalityLimit).length);
  }
  const result = op === SetOp.Diff
    ? diffSources(sources)
    : op === SetOp.Inter
    ? interSources(sources, how, 0)
    : unionSources(sources, how);
  result.sort((x, y) =>
    x.score < y.score ? -1 : x.score > y.score ? 1 : compareBytes(x.member, y.member)
  );
  const members = result.map((element) => element.member);
  const scores = result.map((element) => element.score);
  if (output === SetOpOutput.Reply) {
    return replyElements(ctx, { members, scores }, withScores);
  }
  const destination = argv[1];
  const stored = zsetStore(server.engine, client.db, destination, members, scores, ctx.nowMs);
  if (stored > 0) server.keyModified(client.db, destination);
  ctx.out.integer(result.length);
}

function readSource(ctx: CommandContext, source: SourceSet, key: Uint8Array): void {
  const { server, client } = ctx;
  if (source.type === TYPE_ZSET) {
    const elements = zsetRange(server.engine, client.db, key, {
      op: ZsetRangeOp.Emit,
      kind: ZsetRangeKind.Rank,
      flags: RANGE_WITHSCORES,
      a: 0,
      b: -1,
    }, ctx.nowMs) as ZsetElements | null;
    if (elements !== null) {
      source.members = elements.members;
      source.scores = elements.scores;
    }
  } else if (source.type === TYPE_SET) {
    source.members = setMembersReader(server.engine, client.db, key, ctx.nowMs);
    source.scores = source.members.map(() => 1);
  }
}

interface ScoredMember {
  member: Uint8Array;
  score: number;
}

/** Smallest inputs first; a stable sort, as glibc's qsort (a merge sort) behaves here. */
function bySize(sources: SourceSet[]): SourceSet[] {
  return sources.map((source, i) => ({ source, i }))
    .sort((x, y) => x.source.members.length - y.source.members.length || x.i - y.i)
    .map((entry) => entry.source);
}

function unionSources(sources: SourceSet[], how: Aggregate): ScoredMember[] {
  const accumulator = new Map<string, ScoredMember>();
  for (const source of bySize(sources)) {
    for (let i = 0; i < source.members.length; i++) {
      let score = source.weight * source.scores[i];
      if (Number.isNaN(score)) score = 0;
      const tag = latin1(source.members[i]);
      const existing = accumulator.get(tag);
      if (existing === undefined) accumulator.set(tag, { member: source.members[i], score });
      else existing.score = aggregate(existing.score, score, how);
    }
  }
  return [...accumulator.values()];
}

/** The intersection; with limit > 0 it stops once it has that many (ZINTERCARD LIMIT). */
function interSources(sources: SourceSet[], how: Aggregate, limit: number): ScoredMember[] {
  const ordered = bySize(sources);
  const first = ordered[0];
  const result: ScoredMember[] = [];
  for (let i = 0; i < first.members.length; i++) {
    let score = first.weight * first.scores[i];
    if (Number.isNaN(score)) score = 0;
    let inAll = true;
    for (let k = 1; k < ordered.length; k++) {
      const other = ordered[k];
      const value = other.tag === first.tag ? first.scores[i] : scoreOf(other, first.members[i]);
      if (value === undefined) {
        inAll = false;
        break;
      }
      score = aggregate(score, value * other.weight, how);
    }
    if (inAll) {
      result.push({ member: first.members[i], score });
      if (limit > 0 && result.length >= limit) break;
    }
  }
  return result;
}

function diffSources(sources: SourceSet[]): ScoredMember[] {
  const [first, ...others] = sources;
  const result: ScoredMember[] = [];
  for (let i = 0; i < first.members.length; i++) {
    const member = first.members[i];
    if (others.some((other) => scoreOf(other, member) !== undefined)) continue;
    result.push({ member, score: first.scores[i] });
  }
  return result;
}

// ── Command table ───────────────────────────────────────────────────────────────────────

const WRITE_FAST = ["write", "sortedset", "fast"];
const WRITE_SLOW = ["write", "sortedset", "slow"];
const READ_FAST = ["read", "sortedset", "fast"];
const READ_SLOW = ["read", "sortedset", "slow"];
const GROUP = "sorted-set";

export const ZSET_COMMANDS: CommandDefinition[] = [
  {
    name: "zadd",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary:
      "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.",
    since: "1.2.0",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    handler: (ctx) => zaddGeneric(ctx, false),
  },
  {
    name: "zincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary: "Increments the score of a member in a sorted set.",
    since: "1.2.0",
    complexity: "O(log(N)) where N is the number of elements in the sorted set.",
    handler: (ctx) => zaddGeneric(ctx, true),
  },
  {
    name: "zrem",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary:
      "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.",
    since: "1.2.0",
    complexity:
      "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    handler: zremCommand,
  },
  {
    name: "zscore",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the score of a member in a sorted set.",
    since: "1.2.0",
    handler: zscoreCommand,
  },
  {
    name: "zmscore",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the score of one or more members in a sorted set.",
    since: "6.2.0",
    complexity: "O(N) where N is the number of members being requested.",
    handler: zmscoreCommand,
  },
  {
    name: "zcard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the number of members in a sorted set.",
    since: "1.2.0",
    handler: zcardCommand,
  },
  {
    name: "zcount",
    arity: 4,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the count of members in a sorted set that have scores within a range.",
    since: "2.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: zcountCommand,
  },
  {
    name: "zlexcount",
    arity: 4,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the number of members in a sorted set within a lexicographical range.",
    since: "2.8.9",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: zlexcountCommand,
  },
  {
    name: "zrank",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the index of a member in a sorted set ordered by ascending scores.",
    since: "2.0.0",
    complexity: "O(log(N))",
    handler: (ctx) => zrankGeneric(ctx, false),
  },
  {
    name: "zrevrank",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the index of a member in a sorted set ordered by descending scores.",
    since: "2.0.0",
    complexity: "O(log(N))",
    handler: (ctx) => zrankGeneric(ctx, true),
  },
  {
    name: "zrange",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a range of indexes.",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    handler: (ctx) => zrangeGeneric(ctx, RangeType.Auto, Direction.Auto),
  },
  {
    name: "zrevrange",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a range of indexes in reverse order.",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    handler: (ctx) => zrangeGeneric(ctx, RangeType.Rank, Direction.Reverse),
  },
  {
    name: "zrangebyscore",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a range of scores.",
    since: "1.0.5",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.",
    handler: (ctx) => zrangeGeneric(ctx, RangeType.Score, Direction.Forward),
  },
  {
    name: "zrevrangebyscore",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a range of scores in reverse order.",
    since: "2.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.",
    handler: (ctx) => zrangeGeneric(ctx, RangeType.Score, Direction.Reverse),
  },
  {
    name: "zrangebylex",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a lexicographical range.",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.",
    handler: (ctx) => zrangeGeneric(ctx, RangeType.Lex, Direction.Forward),
  },
  {
    name: "zrevrangebylex",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a lexicographical range in reverse order.",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.",
    handler: (ctx) => zrangeGeneric(ctx, RangeType.Lex, Direction.Reverse),
  },
  {
    name: "zremrangebyrank",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary:
      "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.",
    since: "2.0.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx) => zremrangeGeneric(ctx, ZsetRangeKind.Rank),
  },
  {
    name: "zremrangebyscore",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary:
      "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx) => zremrangeGeneric(ctx, ZsetRangeKind.Score),
  },
  {
    name: "zremrangebylex",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary:
      "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx) => zremrangeGeneric(ctx, ZsetRangeKind.Lex),
  },
  {
    name: "zpopmin",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary:
      "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.",
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: (ctx) => zpopGeneric(ctx, false),
  },
  {
    name: "zpopmax",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary:
      "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.",
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: (ctx) => zpopGeneric(ctx, true),
  },
  {
    name: "bzpopmin",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    keys: [1, -2, 1],
    categories: ["write", "sortedset", "fast", "blocking"],
    group: GROUP,
    summary:
      "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx) => bzpopGeneric(ctx, false),
  },
  {
    name: "bzpopmax",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    keys: [1, -2, 1],
    categories: ["write", "sortedset", "fast", "blocking"],
    group: GROUP,
    summary:
      "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx) => bzpopGeneric(ctx, true),
  },
  {
    name: "zmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    categories: WRITE_SLOW,
    group: GROUP,
    summary:
      "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.",
    since: "7.0.0",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: zmpopCommand,
  },
  {
    name: "bzmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    categories: ["write", "sortedset", "slow", "blocking"],
    group: GROUP,
    summary:
      "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
    since: "7.0.0",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: bzmpopCommand,
  },
  {
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns one or more random members from a sorted set.",
    since: "6.2.0",
    complexity: "O(N) where N is the number of members returned",
    handler: zrandmemberCommand,
  },
  {
    name: "zunionstore",
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary: "Stores the union of multiple sorted sets in a key.",
    since: "2.0.0",
    complexity:
      "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Union, SetOpOutput.Store, "zunionstore"),
  },
  {
    name: "zinterstore",
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary: "Stores the intersect of multiple sorted sets in a key.",
    since: "2.0.0",
    complexity:
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Inter, SetOpOutput.Store, "zinterstore"),
  },
  {
    name: "zdiffstore",
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary: "Stores the difference of multiple sorted sets in a key.",
    since: "6.2.0",
    complexity:
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Diff, SetOpOutput.Store, "zdiffstore"),
  },
  {
    name: "zunion",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns the union of multiple sorted sets.",
    since: "6.2.0",
    complexity:
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Union, SetOpOutput.Reply, "zunion"),
  },
  {
    name: "zinter",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns the intersect of multiple sorted sets.",
    since: "6.2.0",
    complexity:
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Inter, SetOpOutput.Reply, "zinter"),
  },
  {
    name: "zdiff",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns the difference between multiple sorted sets.",
    since: "6.2.0",
    complexity:
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Diff, SetOpOutput.Reply, "zdiff"),
  },
  {
    name: "zintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns the number of members of the intersect of multiple sorted sets.",
    since: "7.0.0",
    complexity:
      "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Inter, SetOpOutput.Cardinality, "zintercard"),
  },
  {
    name: "zrangestore",
    arity: -5,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary: "Stores a range of members from sorted set in a key.",
    since: "6.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
    handler: (ctx) => zrangeGeneric(ctx, RangeType.Auto, Direction.Auto, true),
  },
  {
    name: "zscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Iterates over members and scores of a sorted set.",
    since: "2.8.0",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    handler: zscanCommand,
  },
];
