// Numbers as the geo commands print them, each the way Redis 7.0 formats it:
//
//   distances    4 decimals from the double times 10^4 rounded half-even to an integer
//                (Redis's fixedpoint_d2string): "0.7750", "166274.1516", "0.0000"
//   coordinates  C's "%.17Lf" of the double, trailing zeros and a bare point removed, "-0" as
//                "0" (Redis's human long double): "13.36138933897018433", "180"
//   errors       C's "%f" (6 decimals): "181.000000", "-0.000000", "inf"
//
// printf rounds the exact binary value of the double, ties to even; Number.prototype.toFixed
// rounds the same value but breaks ties upward. A tie needs the double to have no more binary
// fraction digits than decimals + 1, so only then is the exact BigInt path taken.

/** Decimals of a distance reply. */
const DISTANCE_DECIMALS = 4;
/** Decimals of "%.17Lf". */
const COORDINATE_DECIMALS = 17;
/** Decimals of "%f". */
const PRINTF_F_DECIMALS = 6;
/** Largest magnitude toFixed prints positionally (it switches to exponent notation). */
const TO_FIXED_MAX = 1e21;
/** What llrint yields when the result does not fit an int64 (x86-64's indefinite value). */
const LLONG_MIN = -(2n ** 63n);

/** Rounds num/den (both non-negative) to an integer, ties to even. */
function divRoundHalfEven(num: bigint, den: bigint): bigint {
  const quotient = num / den;
  const twiceRemainder = (num % den) * 2n;
  if (twiceRemainder > den || (twiceRemainder === den && (quotient & 1n) === 1n)) {
    return quotient + 1n;
  }
  return quotient;
}

/** |x| (finite) as mantissa × 2^exponent, exactly. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa, exponent: -1074 }; // subnormal
  mantissa |= 1n << 52n;
  return { mantissa, exponent: biased - 1075 };
}

/** The digits of |x| (finite) with `decimals` fraction digits, rounded as printf does. */
function fixedDigits(x: number, decimals: number): string {
  const magnitude = Math.abs(x);
  const tiePossible = Number.isInteger(magnitude * 2 ** (decimals + 1));
  if (magnitude < TO_FIXED_MAX && !tiePossible) return magnitude.toFixed(decimals);
  const { mantissa, exponent } = decompose(magnitude);
  const scale = 10n ** BigInt(decimals);
  const scaled = exponent >= 0
    ? (mantissa << BigInt(exponent)) * scale
    : divRoundHalfEven(mantissa * scale, 1n << BigInt(-exponent));
  const text = scaled.toString().padStart(decimals + 1, "0");
  if (decimals === 0) return text;
  return `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}

/** C's printf("%.<decimals>f", x) (glibc): the sign of a negative zero kept, "inf", "nan". */
export function formatFixed(x: number, decimals: number = PRINTF_F_DECIMALS): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  const negative = x < 0 || Object.is(x, -0);
  return (negative ? "-" : "") + fixedDigits(x, decimals);
}

/**
 * A coordinate as GEOPOS and WITHCOORD print it: "%.17Lf" with trailing zeros and a bare point
 * removed, and "-0" written "0".
 */
export function formatCoordinate(x: number): string {
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  let text = formatFixed(x, COORDINATE_DECIMALS);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text === "-0" ? "0" : text;
}

/** C's llrint: nearest integer, ties to even; out of the int64 range the indefinite value. */
function llrint(x: number): bigint {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 63) return LLONG_MIN;
  let rounded = Math.round(x); // ties toward +inf
  if (rounded - x === 0.5 && rounded % 2 !== 0) rounded -= 1;
  return BigInt(rounded);
}

/**
 * A distance as GEODIST and WITHDIST print it: the double times 10^4 rounded to an integer,
 * written with 4 decimals ("0.0001", "9.8182"); zero (either sign) is "0.0000".
 */
export function formatDistance(d: number): string {
  if (d === 0) return "0." + "0".repeat(DISTANCE_DECIMALS);
  const scaled = llrint(d * 10 ** DISTANCE_DECIMALS);
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(DISTANCE_DECIMALS + 1, "0");
  const text = `${digits.slice(0, -DISTANCE_DECIMALS)}.${digits.slice(-DISTANCE_DECIMALS)}`;
  return negative ? "-" + text : text;
}
