// Intsets (`src/intset.c`): sets of integers stored sorted in one blob, RDB type 11.
// Owns decoding (validated) and encoding exactly as Redis 7.0 stores them.
//
//   <encoding u32 LE: 2, 4 or 8 bytes per element> <count u32 LE> <count elements LE, sorted,
//   unique>
// The encoding is the smallest width that holds every element.

import { decimalBytes } from "./_int.ts";
import { BlobFormatError } from "./errors.ts";

const INTSET_HEADER_SIZE_BYTES = 8;
const INTSET_ENC_INT16 = 2;
const INTSET_ENC_INT32 = 4;
const INTSET_ENC_INT64 = 8;

/**
 * Decodes an intset blob into its members' decimal text, checking the width, that the count
 * matches the blob size, and that members ascend strictly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeIntset, encodeIntset } from "./intset.ts";
 * const blob = encodeIntset([3n, -1n, 70000n]);
 * assert.deepEqual(decodeIntset(blob).map((m) => new TextDecoder().decode(m)), ["-1", "3", "70000"]);
 * ```
 */
export function decodeIntset(blob: Uint8Array): Uint8Array[] {
  if (blob.length < INTSET_HEADER_SIZE_BYTES) throw new BlobFormatError(0, "intset too short");
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const width = view.getUint32(0, true);
  if (width !== INTSET_ENC_INT16 && width !== INTSET_ENC_INT32 && width !== INTSET_ENC_INT64) {
    throw new BlobFormatError(0, `intset has bad encoding ${width}`);
  }
  const count = view.getUint32(4, true);
  if (count === 0) throw new BlobFormatError(4, "intset is empty");
  if (INTSET_HEADER_SIZE_BYTES + count * width !== blob.length) {
    throw new BlobFormatError(4, `intset of ${count} × ${width} bytes does not fill the blob`);
  }
  const members: Uint8Array[] = [];
  let previous: bigint | null = null;
  for (let index = 0; index < count; index++) {
    const at = INTSET_HEADER_SIZE_BYTES + index * width;
    const value = width === INTSET_ENC_INT16
      ? BigInt(view.getInt16(at, true))
      : width === INTSET_ENC_INT32
      ? BigInt(view.getInt32(at, true))
      : view.getBigInt64(at, true);
    if (previous !== null && value <= previous) {
      throw new BlobFormatError(at, "intset members are not sorted and unique");
    }
    previous = value;
    members.push(decimalBytes(value));
  }
  return members;
}

/**
 * Encodes distinct int64 values as an intset (sorted, smallest sufficient width).
 * Throws RangeError on duplicates or an empty list.
 */
export function encodeIntset(values: readonly bigint[]): Uint8Array {
  if (values.length === 0) throw new RangeError("encodeIntset: an intset is never empty");
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const width = min >= -32768n && max <= 32767n
    ? INTSET_ENC_INT16
    : min >= -2147483648n && max <= 2147483647n
    ? INTSET_ENC_INT32
    : INTSET_ENC_INT64;
  const blob = new Uint8Array(INTSET_HEADER_SIZE_BYTES + sorted.length * width);
  const view = new DataView(blob.buffer);
  view.setUint32(0, width, true);
  view.setUint32(4, sorted.length, true);
  for (let index = 0; index < sorted.length; index++) {
    if (index > 0 && sorted[index] === sorted[index - 1]) {
      throw new RangeError(`encodeIntset: duplicate member ${sorted[index]}`);
    }
    const at = INTSET_HEADER_SIZE_BYTES + index * width;
    if (width === INTSET_ENC_INT16) view.setInt16(at, Number(sorted[index]), true);
    else if (width === INTSET_ENC_INT32) view.setInt32(at, Number(sorted[index]), true);
    else view.setBigInt64(at, sorted[index], true);
  }
  return blob;
}
