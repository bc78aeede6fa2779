// RDB length encoding, both directions (`rdbSaveLen` / `rdbLoadLenByRef` in rdb.c).
//
//   first byte   bytes  meaning
//   00xxxxxx     1      length 0..63
//   01xxxxxx     2      length 64..16383, 14 bits big endian
//   10000000     5      32-bit big-endian length follows
//   10000001     9      64-bit big-endian length follows
//   11xxxxxx     1      not a length: special string encoding xxxxxx (int8/16/32, LZF)
//   10xxxxxx     -      any other value is malformed
//
// Lengths above 2^53 - 1 cannot be held exactly in a JS number and are reported as malformed
// by `decodeLength` (no count or size in a valid file comes near that). Streams also store
// 64-bit numbers with this encoding (entry IDs, entries-added, delivery counts, entries-read
// -1 as 2^64 - 1): `decodeLengthBig` / `encodeLengthBig` carry those as bigint.

import {
  RDB_14BITLEN,
  RDB_14BITLEN_MAX,
  RDB_32BITLEN,
  RDB_32BITLEN_MAX,
  RDB_64BITLEN,
  RDB_6BITLEN,
  RDB_6BITLEN_MAX,
  RDB_ENCVAL,
} from "./_codes.ts";

/** `decodeLength` status: a length (or special encoding) was decoded into `out`. */
export const LENGTH_OK = 0;
/** `decodeLength` status: fewer bytes than the encoding needs are available. */
export const LENGTH_NEED_MORE = 1;
/** `decodeLength` status: the first byte is no valid length encoding. */
export const LENGTH_BAD_ENCODING = 2;
/** `decodeLength` status: a 64-bit length above `Number.MAX_SAFE_INTEGER`. */
export const LENGTH_TOO_BIG = 3;

/** Result slot of `decodeLength`, reused by the caller to avoid an allocation per length. */
export interface DecodedLength {
  /** The length, or the special encoding number when `isEncoded`. */
  value: number;
  /** Bytes the encoding took. */
  sizeBytes: number;
  /** True for `11xxxxxx`: `value` is RDB_ENC_INT8/16/32/LZF, not a length. */
  isEncoded: boolean;
}

/**
 * Decodes the length at `bytes[pos]`, reading no further than `end`. Returns a status
 * (`LENGTH_OK`, `LENGTH_NEED_MORE`, `LENGTH_BAD_ENCODING`, `LENGTH_TOO_BIG`) and fills `out`
 * on `LENGTH_OK`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLength, LENGTH_OK } from "./length.ts";
 * const out = { value: 0, sizeBytes: 0, isEncoded: false };
 * assert.equal(decodeLength(new Uint8Array([0x41, 0x00]), 0, 2, out), LENGTH_OK);
 * assert.deepEqual(out, { value: 256, sizeBytes: 2, isEncoded: false });
 * ```
 */
export function decodeLength(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: DecodedLength,
): number {
  if (pos >= end) return LENGTH_NEED_MORE;
  const first = bytes[pos];
  const kind = first >> 6;
  out.isEncoded = false;
  if (kind === RDB_6BITLEN) {
    out.value = first & 0x3f;
    out.sizeBytes = 1;
    return LENGTH_OK;
  }
  if (kind === RDB_14BITLEN) {
    if (pos + 2 > end) return LENGTH_NEED_MORE;
    out.value = ((first & 0x3f) << 8) | bytes[pos + 1];
    out.sizeBytes = 2;
    return LENGTH_OK;
  }
  if (kind === RDB_ENCVAL) {
    out.value = first & 0x3f;
    out.sizeBytes = 1;
    out.isEncoded = true;
    return LENGTH_OK;
  }
  if (first === RDB_32BITLEN) {
    if (pos + 5 > end) return LENGTH_NEED_MORE;
    out.value = readUint32BE(bytes, pos + 1);
    out.sizeBytes = 5;
    return LENGTH_OK;
  }
  if (first === RDB_64BITLEN) {
    if (pos + 9 > end) return LENGTH_NEED_MORE;
    const hi = readUint32BE(bytes, pos + 1);
    const lo = readUint32BE(bytes, pos + 5);
    if (hi > HIGH_WORD_SAFE_MAX) return LENGTH_TOO_BIG;
    out.value = hi * 2 ** 32 + lo;
    out.sizeBytes = 9;
    return LENGTH_OK;
  }
  return LENGTH_BAD_ENCODING;
}

/** Result slot of `decodeLengthBig`. */
export interface DecodedLengthBig {
  /** The length, 0 ..= 2^64 - 1. */
  value: bigint;
  /** Bytes the encoding took. */
  sizeBytes: number;
}

/** The largest number the 64-bit form holds (`rdbSaveLen` takes a uint64_t). */
export const RDB_LENGTH_BIG_MAX = 2n ** 64n - 1n;

/**
 * Decodes the length at `bytes[pos]` as a bigint, the whole 64-bit range; reads no further than
 * `end`. Returns `LENGTH_OK`, `LENGTH_NEED_MORE` or `LENGTH_BAD_ENCODING` (which includes the
 * special string encodings: they are no number).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLengthBig, LENGTH_OK } from "./length.ts";
 * const out = { value: 0n, sizeBytes: 0 };
 * const bytes = new Uint8Array([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
 * assert.equal(decodeLengthBig(bytes, 0, 9, out), LENGTH_OK);
 * assert.deepEqual(out, { value: 2n ** 64n - 1n, sizeBytes: 9 });
 * ```
 */
export function decodeLengthBig(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: DecodedLengthBig,
): number {
  if (pos >= end) return LENGTH_NEED_MORE;
  if (bytes[pos] === RDB_64BITLEN) {
    if (pos + 9 > end) return LENGTH_NEED_MORE;
    const hi = BigInt(readUint32BE(bytes, pos + 1));
    const lo = BigInt(readUint32BE(bytes, pos + 5));
    out.value = (hi << 32n) | lo;
    out.sizeBytes = 9;
    return LENGTH_OK;
  }
  const small: DecodedLength = { value: 0, sizeBytes: 0, isEncoded: false };
  const status = decodeLength(bytes, pos, end, small);
  if (status !== LENGTH_OK) return status;
  if (small.isEncoded) return LENGTH_BAD_ENCODING;
  out.value = BigInt(small.value);
  out.sizeBytes = small.sizeBytes;
  return LENGTH_OK;
}

/**
 * `len` (0 ..= 2^64 - 1) in the shortest length encoding, as `rdbSaveLen` writes a uint64.
 * Throws RangeError outside that range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeLengthBig } from "./length.ts";
 * assert.deepEqual([...encodeLengthBig(5n)], [5]);
 * assert.deepEqual([...encodeLengthBig(2n ** 32n)], [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
 * ```
 */
export function encodeLengthBig(len: bigint): Uint8Array {
  if (len < 0n || len > RDB_LENGTH_BIG_MAX) {
    throw new RangeError(`encodeLengthBig: ${len} is outside 0 ..= 2^64 - 1`);
  }
  if (len <= BigInt(RDB_32BITLEN_MAX)) {
    const out = new Uint8Array(lengthSizeBytes(Number(len)));
    encodeLength(Number(len), out, 0);
    return out;
  }
  const out = new Uint8Array(9);
  out[0] = RDB_64BITLEN;
  writeUint32BE(out, 1, Number(len >> 32n));
  writeUint32BE(out, 5, Number(len & 0xffffffffn));
  return out;
}

/** Largest high word of a 64-bit length that stays within Number.MAX_SAFE_INTEGER. */
const HIGH_WORD_SAFE_MAX = 0x1fffff;

function readUint32BE(bytes: Uint8Array, pos: number): number {
  return ((bytes[pos] << 24) | (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3]) >>>
    0;
}

/**
 * Bytes `encodeLength` writes for `len`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lengthSizeBytes } from "./length.ts";
 * assert.deepEqual([63, 64, 16383, 16384, 2 ** 32].map(lengthSizeBytes), [1, 2, 2, 5, 9]);
 * ```
 */
export function lengthSizeBytes(len: number): number {
  if (len <= RDB_6BITLEN_MAX) return 1;
  if (len <= RDB_14BITLEN_MAX) return 2;
  if (len <= RDB_32BITLEN_MAX) return 5;
  return 9;
}

/**
 * Writes `len` (a non-negative safe integer) at `out[pos]` in the shortest encoding, as
 * `rdbSaveLen` does; returns the bytes written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeLength } from "./length.ts";
 * const out = new Uint8Array(9);
 * assert.equal(encodeLength(16384, out, 0), 5);
 * assert.deepEqual([...out.subarray(0, 5)], [0x80, 0, 0, 0x40, 0]);
 * ```
 */
export function encodeLength(len: number, out: Uint8Array, pos: number): number {
  if (len <= RDB_6BITLEN_MAX) {
    out[pos] = len;
    return 1;
  }
  if (len <= RDB_14BITLEN_MAX) {
    out[pos] = (RDB_14BITLEN << 6) | (len >> 8);
    out[pos + 1] = len & 0xff;
    return 2;
  }
  if (len <= RDB_32BITLEN_MAX) {
    out[pos] = RDB_32BITLEN;
    writeUint32BE(out, pos + 1, len);
    return 5;
  }
  out[pos] = RDB_64BITLEN;
  writeUint32BE(out, pos + 1, Math.floor(len / 2 ** 32));
  writeUint32BE(out, pos + 5, len % 2 ** 32);
  return 9;
}

function writeUint32BE(out: Uint8Array, pos: number, value: number): void {
  out[pos] = value >>> 24;
  out[pos + 1] = (value >>> 16) & 0xff;
  out[pos + 2] = (value >>> 8) & 0xff;
  out[pos + 3] = value & 0xff;
}
