// The byte size Redis 7.0's listpack gives each element of a stream node, so a node here fills
// up exactly when Redis's would. XADD opens a new node when the tail node's listpack bytes plus
// the new entry's raw field and value lengths reach stream-node-max-bytes, and approximate
// trimming (`MAXLEN ~`, `MINID ~`) removes whole nodes only: matching Redis's replies to those
// needs the same node boundaries, hence this model (listpack.c: lpEncodeGetType,
// lpEncodeIntegerGetType, lpEncodeBacklen, lpStringToInt64).
//
//   listpack:  [total bytes u32][count u16] element … element [0xFF]
//   element:   [encoding + data][backlen: 1–5 bytes, the size of encoding + data]

/** Header (total bytes, element count) and the end byte of an empty listpack. */
export const LISTPACK_EMPTY_BYTES = 7;
/** Strings that may parse as int64 (lpStringToInt64): shorter than LONG_STR_SIZE (21). */
const INT_TEXT_MAX_BYTES = 20;

/** Bytes of an integer element (encoding byte(s) and value, then its backlen). */
export function integerElementBytes(value: bigint | number): number {
  const v = typeof value === "number" ? value : Number(value);
  // Numbers beyond ±2^31 all take the 64-bit encoding; a double is exact enough to tell.
  let encodedBytes: number;
  if (v >= 0 && v <= 127) encodedBytes = 1;
  else if (v >= -4096 && v <= 4095) encodedBytes = 2;
  else if (v >= -32768 && v <= 32767) encodedBytes = 3;
  else if (v >= -8388608 && v <= 8388607) encodedBytes = 4;
  else if (v >= -2147483648 && v <= 2147483647) encodedBytes = 5;
  else encodedBytes = 9;
  return encodedBytes + backlenBytes(encodedBytes);
}

/** Bytes of a string element: stored as an integer when it reads as a canonical int64. */
export function stringElementBytes(bytes: Uint8Array): number {
  const asInt = canonicalInt64(bytes);
  if (asInt !== null) return integerElementBytes(asInt);
  const len = bytes.length;
  const encodedBytes = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return encodedBytes + backlenBytes(encodedBytes);
}

function backlenBytes(encodedBytes: number): number {
  if (encodedBytes <= 127) return 1;
  if (encodedBytes < 16383) return 2;
  if (encodedBytes < 2097151) return 3;
  if (encodedBytes < 268435455) return 4;
  return 5;
}

/** lpStringToInt64: "0", or an optional '-' then a 1–9 digit and digits, within int64. */
function canonicalInt64(bytes: Uint8Array): bigint | null {
  const len = bytes.length;
  if (len === 0 || len > INT_TEXT_MAX_BYTES) return null;
  if (len === 1 && bytes[0] === 0x30) return 0n;
  let i = bytes[0] === 0x2d ? 1 : 0;
  if (i === len || bytes[i] < 0x31 || bytes[i] > 0x39) return null;
  const negative = i === 1;
  let value = 0n;
  for (; i < len; i++) {
    const digit = bytes[i] - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10n + BigInt(digit);
  }
  if (negative) value = -value;
  if (value > 0x7fff_ffff_ffff_ffffn || value < -0x8000_0000_0000_0000n) return null;
  return value;
}
