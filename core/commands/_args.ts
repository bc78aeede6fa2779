// Argument parsing shared by command handlers, each failing with the exact error Redis gives for
// the same mistake, so a client sees the same text from resplica as from redis-server.

import { INT64_MAX, INT64_MIN, isWord, parseInt64 } from "../bytes.ts";
import { DB_COUNT } from "../engine/mod.ts";
import { ERR_DB_INDEX, ERR_NOT_INTEGER, ERR_SYNTAX, fail } from "../errors.ts";

/** A count that must be ≥ 0 (SPOP, LPOP/RPOP, ZPOPMIN/ZPOPMAX: getPositiveLongFromObjectOrReply). */
export const ERR_NOT_POSITIVE = "ERR value is out of range, must be positive";
/** A numkeys below 1 (SINTERCARD, LMPOP, ZMPOP and their blocking forms). */
export const ERR_NUMKEYS = "ERR numkeys should be greater than 0";
/** A LIMIT below 0 (SINTERCARD, ZINTERCARD). */
export const ERR_LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

/** A signed 64-bit argument as bigint, or "value is not an integer or out of range". */
export function int64Arg(arg: Uint8Array, message = ERR_NOT_INTEGER): bigint {
  const value = parseInt64(arg);
  if (value === null) fail(message);
  return value;
}

/**
 * A signed 64-bit argument within [min, max], as Redis's getRangeLongFromObjectOrReply: with a
 * `message`, that is the error for a non-integer and for a value out of range alike; without
 * one, "value is not an integer or out of range" and "value is out of range, value must between
 * <min> and <max>".
 */
export function int64RangeArg(arg: Uint8Array, min: bigint, max: bigint, message?: string): bigint {
  const value = int64Arg(arg, message ?? ERR_NOT_INTEGER);
  if (value < min || value > max) {
    fail(message ?? `ERR value is out of range, value must between ${min} and ${max}`);
  }
  return value;
}

/** A 64-bit argument that must fit a JS number exactly (counts, offsets, indexes). */
export function intArg(arg: Uint8Array, message = ERR_NOT_INTEGER): number {
  const value = int64Arg(arg, message);
  return Number(value);
}

/** A database index: integer error first, then range, as SELECT/MOVE/COPY report. */
export function dbIndexArg(arg: Uint8Array): number {
  const value = parseInt64(arg);
  if (value === null || value > 2147483647n || value < -2147483648n) fail(ERR_NOT_INTEGER);
  const db = Number(value);
  if (db < 0 || db >= DB_COUNT) fail(ERR_DB_INDEX);
  return db;
}

/** What `numkeys key [key …] <where> [COUNT count]` names (LMPOP, ZMPOP, BLMPOP, BZMPOP). */
export interface MultiPopArgs<Where> {
  keys: Uint8Array[];
  /** The <where> word as its parser read it (LEFT|RIGHT, MIN|MAX). */
  where: Where;
  /** COUNT, 1 when not given. */
  count: bigint;
}

/**
 * Reads `numkeys key [key …] <where> [COUNT count]` from argv[numkeysIndex] in Redis's order:
 * numkeys ("numkeys should be greater than 0"), enough arguments for the keys and <where>,
 * <where> itself (`whereArg` fails on a word it does not know), then at most one COUNT ("count
 * should be greater than 0"); anything else is a syntax error.
 */
export function multiPopArgs<Where>(
  argv: Uint8Array[],
  numkeysIndex: number,
  whereArg: (arg: Uint8Array) => Where,
): MultiPopArgs<Where> {
  const numkeys = int64RangeArg(argv[numkeysIndex], 1n, INT64_MAX, ERR_NUMKEYS);
  const whereIndex = numkeysIndex + 1 + Number(numkeys);
  if (whereIndex >= argv.length) fail(ERR_SYNTAX);
  const where = whereArg(argv[whereIndex]);
  let count: bigint | null = null;
  for (let i = whereIndex + 1; i < argv.length; i++) {
    if (count === null && isWord(argv[i], "count") && i + 1 < argv.length) {
      count = int64RangeArg(argv[++i], 1n, INT64_MAX, "ERR count should be greater than 0");
    } else {
      fail(ERR_SYNTAX);
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), where, count: count ?? 1n };
}

/** What `key count [WITHSCORES|WITHVALUES]` asks of ZRANDMEMBER / HRANDFIELD. */
export interface RandomCountArgs {
  /** Negative: that many picks, repeats allowed; positive: distinct members. */
  count: bigint;
  /** The WITHSCORES / WITHVALUES word was given. */
  withPairs: boolean;
}

/**
 * ZRANDMEMBER / HRANDFIELD's count form, checked in Redis's order: count within ±LONG_MAX, the
 * optional word (`withWord`, else a syntax error), then with the word, |count| ≤ LONG_MAX / 2
 * ("value is out of range"), since the reply holds two items per pick.
 */
export function randomCountArgs(argv: Uint8Array[], withWord: string): RandomCountArgs {
  const count = int64RangeArg(argv[2], -INT64_MAX, INT64_MAX);
  if (argv.length > 4 || (argv.length === 4 && !isWord(argv[3], withWord))) fail(ERR_SYNTAX);
  const withPairs = argv.length === 4;
  const pairCountMax = INT64_MAX / 2n;
  if (withPairs && (count < -pairCountMax || count > pairCountMax)) {
    fail("ERR value is out of range");
  }
  return { count, withPairs };
}

export const enum ExpireUnit {
  Seconds,
  Milliseconds,
}

/**
 * Converts an expire argument to absolute milliseconds with Redis's overflow checks; `relative`
 * for EX/PX/EXPIRE forms. Throws "invalid expire time in '<cmd>' command" when the result cannot
 * be represented or (when `mustBePositive`) is not positive.
 */
export function expireAtMsArg(
  arg: Uint8Array,
  unit: ExpireUnit,
  relative: boolean,
  nowMs: number,
  commandName: string,
  mustBePositive: boolean,
): number {
  const invalid = `ERR invalid expire time in '${commandName}' command`;
  let value = int64Arg(arg);
  if (mustBePositive && value <= 0n) fail(invalid);
  if (unit === ExpireUnit.Seconds) {
    if (value > INT64_MAX / 1000n || value < INT64_MIN / 1000n) fail(invalid);
    value *= 1000n;
  }
  if (relative) {
    if (value > INT64_MAX - BigInt(nowMs)) fail(invalid);
    value += BigInt(nowMs);
  }
  if (mustBePositive && value <= 0n) fail(invalid);
  return Number(value);
}

/** Timeouts beyond this many seconds outlast setTimeout's range; they block until woken. */
const BLOCK_TIMEOUT_S_FOREVER = 2_000_000;
/** 2^63: Redis casts timeout·1000 to a long long; at or beyond this the cast comes out negative. */
const LLONG_RANGE_MS = 2 ** 63;
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY_TEXT = /^[+-]?inf(inity)?$/i;
const ERR_TIMEOUT_NEGATIVE = "ERR timeout is negative";

/**
 * A blocking command's timeout in seconds (decimals allowed) as milliseconds; 0 = forever.
 * Redis 7.0 reads the seconds as a long double and casts the milliseconds to a long long, so
 * infinities and values past 2^63 ms come out as "timeout is negative"; other text is "timeout
 * is not a float or out of range". Shared by every blocking command (BLPOP … BZMPOP).
 */
export function blockTimeoutMsArg(arg: Uint8Array): number {
  let text = "";
  for (let i = 0; i < arg.length; i++) text += String.fromCharCode(arg[i]);
  if (INFINITY_TEXT.test(text)) fail(ERR_TIMEOUT_NEGATIVE);
  if (!FLOAT_TEXT.test(text)) fail("ERR timeout is not a float or out of range");
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || Math.abs(seconds * 1000) >= LLONG_RANGE_MS) {
    fail(ERR_TIMEOUT_NEGATIVE);
  }
  if (seconds < 0) fail(ERR_TIMEOUT_NEGATIVE);
  if (seconds > BLOCK_TIMEOUT_S_FOREVER) return 0;
  return seconds === 0 ? 0 : Math.max(1, Math.ceil(seconds * 1000));
}
