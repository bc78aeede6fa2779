// Doubles as Redis prints them: C's `%.17g` (glibc), exactly, so a score or a float reply reads
// the same byte for byte on resplica and redis-server. Shared by the RESP writer (double replies),
// the RDB writer (text scores) and the sorted-set commands, so it sits below all three.

/** The digit '0' as a byte. */
const DIGIT_0 = 0x30;
/** Significant digits of C's `%.17g`. */
const G17_PRECISION = 17;
/** `%g` switches to exponent notation below this decimal exponent. */
const G_EXPONENT_MIN = -4;

/**
 * Formats `d` like C's `printf("%.17g")` (glibc), the text Redis 7.0 replies for doubles:
 * `inf`, `-inf`, `nan`, `-0`, `0.10000000000000001`, `1e+20`, `1.0000000000000001e-05`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDoubleG17 } from "./doubles.ts";
 * assert.ok(formatDoubleG17(0.1) === "0.10000000000000001");
 * assert.ok(formatDoubleG17(1e20) === "1e+20");
 * assert.ok(formatDoubleG17(1.5) === "1.5");
 * ```
 */
export function formatDoubleG17(d: number): string {
  if (Number.isNaN(d)) return "nan";
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const sign = d < 0 ? "-" : "";
  const { digits, exponent } = roundTo17Digits(Math.abs(d));
  if (exponent < G_EXPONENT_MIN || exponent >= G17_PRECISION) {
    const fraction = digits.slice(1).replace(/0+$/, "");
    const exponentText = Math.abs(exponent).toString().padStart(2, "0");
    return `${sign}${digits[0]}${fraction ? "." + fraction : ""}e${
      exponent < 0 ? "-" : "+"
    }${exponentText}`;
  }
  let integerPart: string;
  let fraction: string;
  if (exponent >= 0) {
    integerPart = digits.slice(0, exponent + 1);
    fraction = digits.slice(exponent + 1);
  } else {
    integerPart = "0";
    fraction = "0".repeat(-exponent - 1) + digits;
  }
  fraction = fraction.replace(/0+$/, "");
  return sign + integerPart + (fraction ? "." + fraction : "");
}

/**
 * The 17 significant digits of finite x > 0 rounded to nearest, ties to even (glibc), and
 * the decimal exponent of the first digit.
 */
function roundTo17Digits(x: number): { digits: string; exponent: number } {
  // toExponential rounds correctly except on an exact tie, where it rounds up. A tie needs
  // the 18th significant digit to be 5; only then consult the exact binary value.
  const probe = x.toExponential(G17_PRECISION);
  if (probe[G17_PRECISION + 1] !== "5") {
    const text = x.toExponential(G17_PRECISION - 1);
    const exponentAt = text.indexOf("e");
    return {
      digits: text[0] + text.slice(2, exponentAt),
      exponent: Number(text.slice(exponentAt + 1)),
    };
  }
  return roundExactTo17Digits(x);
}

/** Slow path of roundTo17Digits: all decimal digits of x with BigInt, then round half even. */
function roundExactTo17Digits(x: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biasedExponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let binaryExponent: number;
  if (biasedExponent === 0) {
    binaryExponent = -1074; // subnormal
  } else {
    mantissa |= 1n << 52n;
    binaryExponent = biasedExponent - 1075;
  }
  // x = mantissa * 2^binaryExponent = allDigits * 10^decimalShift exactly.
  let allDigits: string;
  let decimalShift: number;
  if (binaryExponent >= 0) {
    allDigits = (mantissa << BigInt(binaryExponent)).toString();
    decimalShift = 0;
  } else {
    allDigits = (mantissa * 5n ** BigInt(-binaryExponent)).toString();
    decimalShift = binaryExponent;
  }
  let exponent = allDigits.length - 1 + decimalShift;
  if (allDigits.length <= G17_PRECISION) {
    return { digits: allDigits.padEnd(G17_PRECISION, "0"), exponent };
  }
  let kept = allDigits.slice(0, G17_PRECISION);
  const rest = allDigits.slice(G17_PRECISION);
  const firstDropped = rest.charCodeAt(0) - DIGIT_0;
  const tailNonZero = /[1-9]/.test(rest.slice(1));
  const lastKeptOdd = (kept.charCodeAt(G17_PRECISION - 1) - DIGIT_0) % 2 === 1;
  const roundUp = firstDropped > 5 || (firstDropped === 5 && (tailNonZero || lastKeptOdd));
  if (roundUp) {
    const incremented = (BigInt(kept) + 1n).toString();
    if (incremented.length > G17_PRECISION) {
      kept = incremented.slice(0, G17_PRECISION);
      exponent++;
    } else {
      kept = incremented;
    }
  }
  return { digits: kept, exponent };
}
