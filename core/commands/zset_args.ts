// Sorted-set arguments as Redis reads them: scores, range bounds, and a whole range request for
// the engine. This is where the sorted-set commands must match redis-server byte for byte on
// input it rejects, and Redis's rules are not JavaScript's: it parses scores with C's strtod,
// which is stricter for a member score, increment or weight (string2d: no leading space, no
// overflow, no NaN) than for a range bound (zslParseRange: leading space, "" and overflow
// accepted). So strtod is reimplemented here on the bytes rather than left to Number(), and
// each parser says which of Redis's it stands for. It imports no handler, so the command files
// and zset_setops.ts can all use it.

import { latin1 } from "../bytes.ts";
import {
  type LexBound,
  LexBoundKind,
  RANGE_MAXEX,
  RANGE_MINEX,
  ZsetRangeKind,
  type ZsetRangeOp,
  type ZsetRangeSpec,
} from "../engine/zset.ts";
import { ERR_NOT_FLOAT, fail } from "../errors.ts";
import { intArg } from "./_args.ts";

const ERR_RANGE_NOT_FLOAT = "ERR min or max is not a float";
const ERR_RANGE_NOT_LEX = "ERR min or max not valid string range item";

// ── strtod ──────────────────────────────────────────────────────────────────────────────

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
export interface StrtodResult {
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
export function strtod(arg: Uint8Array, start: number): StrtodResult {
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
function strtodHex(arg: Uint8Array, start: number): StrtodResult | null {
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

// ── Scores and bounds ───────────────────────────────────────────────────────────────────

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

/** parseScore, failing with `message` ("value is not a valid float" unless told). */
export function scoreArg(arg: Uint8Array, message = ERR_NOT_FLOAT): number {
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

// ── Ranges ──────────────────────────────────────────────────────────────────────────────

/**
 * The engine request for `op` over the range minArg..maxArg read as `kind` bounds, with the
 * RANGE_* `flags` given (the bounds add RANGE_MINEX / RANGE_MAXEX). Both bounds are read
 * before either fails, with Redis's error for the kind: rank indexes as integers ("value is not
 * an integer or out of range", the first bad one), score bounds as zslParseRange ("min or max is
 * not a float"), lex bounds as zslParseLexRange ("min or max not valid string range item").
 * LIMIT is the caller's to add.
 */
export function rangeSpecArg(
  op: ZsetRangeOp,
  kind: ZsetRangeKind,
  minArg: Uint8Array,
  maxArg: Uint8Array,
  flags: number,
): ZsetRangeSpec {
  if (kind === ZsetRangeKind.Rank) {
    return { op, kind, flags, a: intArg(minArg), b: intArg(maxArg) };
  }
  if (kind === ZsetRangeKind.Score) {
    const min = parseScoreBound(minArg);
    const max = parseScoreBound(maxArg);
    if (min === null || max === null) fail(ERR_RANGE_NOT_FLOAT);
    const boundFlags = (min.exclusive ? RANGE_MINEX : 0) | (max.exclusive ? RANGE_MAXEX : 0);
    return { op, kind, flags: flags | boundFlags, a: min.value, b: max.value };
  }
  const lexMin = parseLexBound(minArg);
  const lexMax = parseLexBound(maxArg);
  if (lexMin === null || lexMax === null) fail(ERR_RANGE_NOT_LEX);
  return { op, kind, flags, lexMin, lexMax };
}
