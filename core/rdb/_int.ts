// Integer-looking strings, as Redis decides them (`string2ll` in util.c, `lpStringToInt64` in
// listpack.c): the encodings the writer picks (int-encoded RDB strings, intsets, listpack
// integers) all hinge on "is this byte string the canonical decimal form of an int64?".
// Canonical: optional '-', no leading zeros, no '+', no spaces, not "-0", 1..20 bytes, in range.

const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;
/** "-9223372036854775808" */
const INT64_TEXT_LEN_MAX_BYTES = 20;
/** Up to this many digits the value is exact in a JS number. */
const SAFE_DIGIT_COUNT_MAX = 15;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/**
 * The int64 value of `bytes` when they are its canonical decimal text, else null. Values with
 * more than 15 digits come back as bigint, shorter ones as number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCanonicalInt64 } from "./_int.ts";
 * const text = (s: string) => new TextEncoder().encode(s);
 * assert.equal(parseCanonicalInt64(text("-12")), -12);
 * assert.equal(parseCanonicalInt64(text("012")), null);
 * assert.equal(parseCanonicalInt64(text("-0")), null);
 * assert.equal(parseCanonicalInt64(text("9223372036854775807")), 9223372036854775807n);
 * assert.equal(parseCanonicalInt64(text("9223372036854775808")), null);
 * ```
 */
export function parseCanonicalInt64(bytes: Uint8Array): number | bigint | null {
  const len = bytes.length;
  if (len === 0 || len > INT64_TEXT_LEN_MAX_BYTES) return null;
  if (len === 1 && bytes[0] === DIGIT_0) return 0;
  const negative = bytes[0] === MINUS;
  const first = negative ? 1 : 0;
  if (first >= len) return null;
  if (bytes[first] < DIGIT_1 || bytes[first] > DIGIT_9) return null;
  let value = 0;
  for (let index = first; index < len; index++) {
    const byte = bytes[index];
    if (byte < DIGIT_0 || byte > DIGIT_9) return null;
    if (index - first < SAFE_DIGIT_COUNT_MAX) value = value * 10 + (byte - DIGIT_0);
  }
  if (len - first <= SAFE_DIGIT_COUNT_MAX) return negative ? -value : value;
  let big = 0n;
  for (let index = first; index < len; index++) big = big * 10n + BigInt(bytes[index] - DIGIT_0);
  if (negative) big = -big;
  if (big < INT64_MIN || big > INT64_MAX) return null;
  return big;
}

/**
 * The decimal text of an integer as bytes (how integer encodings read back).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decimalBytes } from "./_int.ts";
 * assert.deepEqual(decimalBytes(-5), new TextEncoder().encode("-5"));
 * ```
 */
export function decimalBytes(value: number | bigint): Uint8Array {
  const text = String(value);
  const out = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) out[index] = text.charCodeAt(index);
  return out;
}

/** True when `value` (from `parseCanonicalInt64`) lies in [min, max]. */
export function intInRange(value: number | bigint, min: number, max: number): boolean {
  return typeof value === "number" && value >= min && value <= max;
}
