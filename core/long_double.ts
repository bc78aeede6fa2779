// INCRBYFLOAT arithmetic as Redis does it on x86-64: in 80-bit x87 `long double` (64-bit
// significand), printed with "%.17Lf" and trailing zeros trimmed. JS has only 64-bit doubles,
// whose results differ in the last printed digits (Redis prints 10.5 + 0.1 + 5.0e3 as
// "5005.60000000000000009", a double gives "5005.6"), so this module models the extended format
// exactly with BigInt: a value is sign × significand × 2^exponent, each step rounded to 64
// significant bits with ties to even, as the FPU does. Only INCRBYFLOAT uses it: it is not a
// hot path, and byte-for-byte agreement with redis-server is the contract.

/** Significand bits of the x87 extended format. */
const SIGNIFICAND_BITS = 64;
/** Largest binary exponent (of the leading bit) before the format overflows to infinity. */
const EXPONENT_MAX = 16383;
/** Digits after the point that "%.17Lf" prints. */
const FRACTION_DIGITS = 17;
/** Longest decimal text accepted, as Redis's MAX_LONG_DOUBLE_CHARS. */
const TEXT_LEN_MAX = 5 * 1024;

export interface LongDouble {
  negative: boolean;
  /** 0 for zero, else in [2^63, 2^64). */
  significand: bigint;
  exponent: number;
  infinite: boolean;
}

const ZERO: LongDouble = { negative: false, significand: 0n, exponent: 0, infinite: false };

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds num/den (both positive) to an integer, ties to even. */
function divRoundEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** Rounds the positive rational num/den to the extended format. */
function fromRational(negative: boolean, num: bigint, den: bigint): LongDouble {
  if (num === 0n) return { ...ZERO, negative };
  // Choose e so that num / (den * 2^e) has SIGNIFICAND_BITS bits before rounding.
  let e = bitLength(num) - bitLength(den) - SIGNIFICAND_BITS;
  const scaled = () =>
    e >= 0 ? divRoundEven(num, den << BigInt(e)) : divRoundEven(num << BigInt(-e), den);
  let m = scaled();
  while (m >= 1n << BigInt(SIGNIFICAND_BITS)) {
    e++;
    m = scaled();
  }
  while (m < 1n << BigInt(SIGNIFICAND_BITS - 1)) {
    e--;
    m = scaled();
  }
  const infinite = e + SIGNIFICAND_BITS - 1 > EXPONENT_MAX;
  return { negative, significand: m, exponent: e, infinite };
}

/**
 * Parses text as strtold would for the forms Redis accepts: decimal with optional fraction and
 * exponent, optional sign, "inf"/"infinity". Null for anything else (spaces, NaN, junk).
 */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length === 0 || text.length > TEXT_LEN_MAX) return null;
  const lower = text.toLowerCase();
  const infMatch = /^([+-]?)(inf|infinity)$/.exec(lower);
  if (infMatch) return { ...ZERO, negative: infMatch[1] === "-", infinite: true };
  const hex = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/.exec(lower);
  if (hex) return parseHexLongDouble(hex[1] === "-", hex[2], hex[3] ?? "", hex[4]);
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(lower);
  if (!match) return null;
  const [, sign, intDigits, fracDigits = "", expText] = match;
  if (intDigits === "" && fracDigits === "") return null;
  const negative = sign === "-";
  const digits = BigInt((intDigits + fracDigits) || "0");
  const exp10 = (expText ? Number(expText) : 0) - fracDigits.length;
  if (digits === 0n) return { ...ZERO, negative };
  // strtold reports ERANGE for a finite text beyond the format, and Redis refuses it.
  if (exp10 > 6000) return null;
  if (exp10 < -6000) return { ...ZERO, negative };
  const value = exp10 >= 0
    ? fromRational(negative, digits * 10n ** BigInt(exp10), 1n)
    : fromRational(negative, digits, 10n ** BigInt(-exp10));
  return value.infinite ? null : value;
}

/** strtold's hexadecimal form: 0x<hex>[.<hex>][p<binary exponent>]. */
function parseHexLongDouble(
  negative: boolean,
  intDigits: string,
  fracDigits: string,
  expText: string | undefined,
): LongDouble | null {
  if (intDigits === "" && fracDigits === "") return null;
  const digits = BigInt("0x" + ((intDigits + fracDigits) || "0"));
  const exp2 = (expText ? Number(expText) : 0) - 4 * fracDigits.length;
  if (digits === 0n) return { ...ZERO, negative };
  if (Math.abs(exp2) > 20000) return exp2 > 0 ? null : { ...ZERO, negative };
  const value = exp2 >= 0
    ? fromRational(negative, digits << BigInt(exp2), 1n)
    : fromRational(negative, digits, 1n << BigInt(-exp2));
  return value.infinite ? null : value;
}

/** a + b rounded to the extended format. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.infinite || b.infinite) {
    // inf + -inf is NaN: reported as infinite; the caller rejects both the same way.
    return { ...ZERO, negative: a.infinite ? a.negative : b.negative, infinite: true };
  }
  if (a.significand === 0n) {
    return b.significand === 0n ? { ...ZERO, negative: a.negative && b.negative } : b;
  }
  if (b.significand === 0n) return a;
  const base = Math.min(a.exponent, b.exponent);
  const sa = (a.negative ? -1n : 1n) * (a.significand << BigInt(a.exponent - base));
  const sb = (b.negative ? -1n : 1n) * (b.significand << BigInt(b.exponent - base));
  const sum = sa + sb;
  if (sum === 0n) return ZERO;
  const negative = sum < 0n;
  const magnitude = negative ? -sum : sum;
  return base >= 0
    ? fromRational(negative, magnitude << BigInt(base), 1n)
    : fromRational(negative, magnitude, 1n << BigInt(-base));
}

/** "%.17Lf" with trailing zeros (and a bare point) removed, "-0" shown as "0". */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (value.infinite) return value.negative ? "-inf" : "inf";
  const scale = 10n ** BigInt(FRACTION_DIGITS);
  const m = value.significand;
  const fixed = value.exponent >= 0
    ? (m << BigInt(value.exponent)) * scale
    : divRoundEven(m * scale, 1n << BigInt(-value.exponent));
  const intPart = (fixed / scale).toString();
  const frac = (fixed % scale).toString().padStart(FRACTION_DIGITS, "0").replace(/0+$/, "");
  let text = frac === "" ? intPart : `${intPart}.${frac}`;
  if (value.negative) text = "-" + text;
  if (text === "-0") text = "0";
  return text;
}
