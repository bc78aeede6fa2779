// Listpack blobs (`src/listpack.c`): what Redis 7.0 stores small hashes, small zsets, list
// nodes and stream nodes in, and writes into RDB as one string. Owns decoding (with full
// validation, since the blob comes from a file) and encoding byte-for-byte as listpack.c would.
//
//   <total bytes u32 LE> <element count u16 LE, 65535 = unknown> { entry } 0xFF
//   entry = <encoding + data> <backlen: size of encoding + data, 1..5 bytes>
//
//   encoding byte   entry                              data
//   0xxxxxxx        uint 0..127                        -
//   10LLLLLL        string, length < 64                L bytes
//   110xxxxx        int13, two's complement             1 more byte (high bits first)
//   1110LLLL        string, length < 4096              1 length byte, then data
//   11110000        string, 32-bit length              4 bytes LE length, then data
//   11110001/2/3/4  int16 / int24 / int32 / int64      2 / 3 / 4 / 8 bytes LE
//   11111111        end of listpack
//
// backlen is written big-end first, 7 bits per byte; every byte but the first (leftmost) has
// bit 7 set, so it can be read right to left.

import { grownBuffer } from "../bytes.ts";
import { decimalBytes, INT64_MAX, INT64_MIN, intInRange, parseCanonicalInt64 } from "./_int.ts";
import { BlobFormatError } from "./errors.ts";

export const LP_HEADER_SIZE_BYTES = 6;
export const LP_EOF = 0xff;
export const LP_NUMELE_UNKNOWN = 0xffff;
const LP_ENCODING_6BIT_STR = 0x80;
const LP_ENCODING_13BIT_INT = 0xc0;
const LP_ENCODING_12BIT_STR = 0xe0;
const LP_ENCODING_32BIT_STR = 0xf0;
const LP_ENCODING_16BIT_INT = 0xf1;
const LP_ENCODING_24BIT_INT = 0xf2;
const LP_ENCODING_32BIT_INT = 0xf3;
const LP_ENCODING_64BIT_INT = 0xf4;
const LP_6BIT_STR_LEN_MAX = 63;
const LP_12BIT_STR_LEN_MAX = 4095;
/** Largest size field of a 5-byte backlen still describable (entries are < 2^32 + 5 bytes). */
const LP_BACKLEN_SIZE_BYTES_MAX = 5;
/** Smallest entry: one encoding byte + one backlen byte. */
export const LP_ENTRY_SIZE_MIN_BYTES = 2;

/**
 * Decodes every element of a listpack blob (integers as their decimal text), checking the
 * header, each entry's bounds and backlen, the element count and the terminator. With
 * `offsets`, also appends each element's offset in the blob (so a caller that checks what the
 * elements mean, like the stream node decoder, can name where a bad one sits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeListpack, ListpackBuilder } from "./listpack.ts";
 * const builder = new ListpackBuilder();
 * builder.append(new TextEncoder().encode("a"));
 * builder.append(new TextEncoder().encode("-300"));
 * const elements = decodeListpack(builder.finish());
 * assert.deepEqual(elements.map((e) => new TextDecoder().decode(e)), ["a", "-300"]);
 * ```
 */
export function decodeListpack(blob: Uint8Array, offsets?: number[]): Uint8Array[] {
  const total = blob.length;
  if (total < LP_HEADER_SIZE_BYTES + 1) throw new BlobFormatError(0, "listpack too short");
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const declaredBytes = view.getUint32(0, true);
  if (declaredBytes !== total) {
    throw new BlobFormatError(0, `listpack header says ${declaredBytes} bytes, blob has ${total}`);
  }
  const declaredCount = view.getUint16(4, true);
  const elements: Uint8Array[] = [];
  const end = total - 1; // index of the terminator
  let pos = LP_HEADER_SIZE_BYTES;
  while (pos < end) {
    const entryAt = pos;
    const first = blob[pos];
    let element: Uint8Array;
    let bodyBytes: number; // encoding + data
    if (first < 0x80) {
      element = decimalBytes(first);
      bodyBytes = 1;
    } else if ((first & 0xc0) === LP_ENCODING_6BIT_STR) {
      const len = first & 0x3f;
      bodyBytes = 1 + len;
      element = sliceChecked(blob, pos + 1, len, end, entryAt);
    } else if ((first & 0xe0) === LP_ENCODING_13BIT_INT) {
      need(pos + 2, end, entryAt);
      let value = ((first & 0x1f) << 8) | blob[pos + 1];
      if (value >= 1 << 12) value -= 1 << 13;
      element = decimalBytes(value);
      bodyBytes = 2;
    } else if ((first & 0xf0) === LP_ENCODING_12BIT_STR) {
      need(pos + 2, end, entryAt);
      const len = ((first & 0x0f) << 8) | blob[pos + 1];
      bodyBytes = 2 + len;
      element = sliceChecked(blob, pos + 2, len, end, entryAt);
    } else if (first === LP_ENCODING_32BIT_STR) {
      need(pos + 5, end, entryAt);
      const len = view.getUint32(pos + 1, true);
      bodyBytes = 5 + len;
      element = sliceChecked(blob, pos + 5, len, end, entryAt);
    } else if (first === LP_ENCODING_16BIT_INT) {
      need(pos + 3, end, entryAt);
      element = decimalBytes(view.getInt16(pos + 1, true));
      bodyBytes = 3;
    } else if (first === LP_ENCODING_24BIT_INT) {
      need(pos + 4, end, entryAt);
      const raw = blob[pos + 1] | (blob[pos + 2] << 8) | (blob[pos + 3] << 16);
      element = decimalBytes(raw >= 1 << 23 ? raw - (1 << 24) : raw);
      bodyBytes = 4;
    } else if (first === LP_ENCODING_32BIT_INT) {
      need(pos + 5, end, entryAt);
      element = decimalBytes(view.getInt32(pos + 1, true));
      bodyBytes = 5;
    } else if (first === LP_ENCODING_64BIT_INT) {
      need(pos + 9, end, entryAt);
      element = decimalBytes(view.getBigInt64(pos + 1, true));
      bodyBytes = 9;
    } else {
      throw new BlobFormatError(entryAt, `listpack entry has bad encoding byte 0x${hex(first)}`);
    }
    const backlenBytes = backlenSizeBytes(bodyBytes);
    const entryEnd = pos + bodyBytes + backlenBytes;
    if (entryEnd > end) throw new BlobFormatError(entryAt, "listpack entry runs past the end");
    if (decodeBacklenAt(blob, entryEnd - 1, pos + bodyBytes) !== bodyBytes) {
      throw new BlobFormatError(pos + bodyBytes, "listpack entry has a wrong backlen");
    }
    elements.push(element);
    offsets?.push(entryAt);
    pos = entryEnd;
  }
  if (blob[end] !== LP_EOF) throw new BlobFormatError(end, "listpack does not end with 0xFF");
  if (declaredCount !== LP_NUMELE_UNKNOWN && declaredCount !== elements.length) {
    throw new BlobFormatError(
      4,
      `listpack header says ${declaredCount} elements, found ${elements.length}`,
    );
  }
  return elements;
}

function need(pos: number, end: number, entryAt: number): void {
  if (pos > end) throw new BlobFormatError(entryAt, "listpack entry runs past the end");
}

function sliceChecked(
  blob: Uint8Array,
  start: number,
  len: number,
  end: number,
  entryAt: number,
): Uint8Array {
  need(start + len, end, entryAt);
  return blob.slice(start, start + len);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

/** Bytes of the backlen that follows an entry body of `bodyBytes` (lpEncodeBacklen). */
export function backlenSizeBytes(bodyBytes: number): number {
  if (bodyBytes <= 127) return 1;
  if (bodyBytes < 16383) return 2;
  if (bodyBytes < 2097151) return 3;
  if (bodyBytes < 268435455) return 4;
  return LP_BACKLEN_SIZE_BYTES_MAX;
}

/** Reads a backlen right to left from `last` down to no further than `first`; -1 if bad. */
function decodeBacklenAt(blob: Uint8Array, last: number, first: number): number {
  let value = 0;
  let shift = 1;
  for (let pos = last, used = 0; pos >= first; pos--, used++) {
    if (used === LP_BACKLEN_SIZE_BYTES_MAX) return -1;
    value += (blob[pos] & 0x7f) * shift;
    if ((blob[pos] & 0x80) === 0) return value;
    shift *= 128;
  }
  return -1;
}

/** Bytes the listpack entry for `element` takes (encoding + data + backlen). */
export function listpackEntrySizeBytes(element: Uint8Array): number {
  const body = entryBodySizeBytes(element, parseCanonicalInt64(element));
  return body + backlenSizeBytes(body);
}

/**
 * Bytes the listpack entry for the integer `value` takes (what `lpAppendInteger` adds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listpackIntegerEntrySizeBytes } from "./listpack.ts";
 * const sizes = [0, 127, 128, -1, 2n ** 40n].map(listpackIntegerEntrySizeBytes);
 * assert.deepEqual(sizes, [2, 2, 3, 3, 10]);
 * ```
 */
export function listpackIntegerEntrySizeBytes(value: number | bigint): number {
  const body = integerBodySizeBytes(value);
  return body + backlenSizeBytes(body);
}

function entryBodySizeBytes(element: Uint8Array, int: number | bigint | null): number {
  if (int === null) {
    const len = element.length;
    if (len <= LP_6BIT_STR_LEN_MAX) return 1 + len;
    if (len <= LP_12BIT_STR_LEN_MAX) return 2 + len;
    return 5 + len;
  }
  return integerBodySizeBytes(int);
}

/** Encoding + data bytes of an int64 entry: the narrowest encoding that holds it. */
function integerBodySizeBytes(int: number | bigint): number {
  if (typeof int === "bigint" && int >= -(2n ** 53n) && int <= 2n ** 53n) int = Number(int);
  if (intInRange(int, 0, 127)) return 1;
  if (intInRange(int, -4096, 4095)) return 2;
  if (intInRange(int, -32768, 32767)) return 3;
  if (intInRange(int, -8388608, 8388607)) return 4;
  if (intInRange(int, -2147483648, 2147483647)) return 5;
  return 9;
}

/**
 * Builds a listpack by appending elements, as `lpAppend` does (integer-looking strings are
 * stored as integers). `sizeBytes` is `lpBytes` of the listpack built so far.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ListpackBuilder } from "./listpack.ts";
 * const builder = new ListpackBuilder();
 * builder.append(new TextEncoder().encode("7"));
 * assert.deepEqual([...builder.finish()], [9, 0, 0, 0, 1, 0, 7, 1, 0xff]);
 * ```
 */
export class ListpackBuilder {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #pos = LP_HEADER_SIZE_BYTES;
  #count = 0;

  /** lpBytes of the listpack so far (header + entries + terminator). */
  get sizeBytes(): number {
    return this.#pos + 1;
  }

  /** Elements appended so far. */
  get count(): number {
    return this.#count;
  }

  /** Appends a string; an int64's canonical text is stored as that integer, as `lpAppend` does. */
  append(element: Uint8Array): void {
    const int = parseCanonicalInt64(element);
    if (int !== null) {
      this.appendInteger(int);
      return;
    }
    const len = element.length;
    const body = entryBodySizeBytes(element, null);
    this.#reserve(body + LP_BACKLEN_SIZE_BYTES_MAX);
    const buf = this.#buf;
    let pos = this.#pos;
    if (len <= LP_6BIT_STR_LEN_MAX) {
      buf[pos++] = LP_ENCODING_6BIT_STR | len;
    } else if (len <= LP_12BIT_STR_LEN_MAX) {
      buf[pos++] = LP_ENCODING_12BIT_STR | (len >> 8);
      buf[pos++] = len & 0xff;
    } else {
      buf[pos++] = LP_ENCODING_32BIT_STR;
      this.#view.setUint32(pos, len, true);
      pos += 4;
    }
    buf.set(element, pos);
    pos += len;
    pos += encodeBacklen(buf, pos, body);
    this.#pos = pos;
    this.#count++;
  }

  /**
   * Appends an int64 in its integer encoding, as `lpAppendInteger` does (stream nodes keep
   * their counts, flags and ID deltas this way). Throws RangeError outside int64.
   */
  appendInteger(int: number | bigint): void {
    if (typeof int === "bigint" ? int < INT64_MIN || int > INT64_MAX : !Number.isSafeInteger(int)) {
      throw new RangeError(`ListpackBuilder.appendInteger: ${int} is no int64`);
    }
    const body = integerBodySizeBytes(int);
    this.#reserve(body + LP_BACKLEN_SIZE_BYTES_MAX);
    const buf = this.#buf;
    let pos = this.#pos;
    if (body === 1) {
      buf[pos++] = Number(int);
    } else if (body === 2) {
      const raw = Number(int) & 0x1fff;
      buf[pos++] = LP_ENCODING_13BIT_INT | (raw >> 8);
      buf[pos++] = raw & 0xff;
    } else if (body === 3) {
      buf[pos++] = LP_ENCODING_16BIT_INT;
      this.#view.setInt16(pos, Number(int), true);
      pos += 2;
    } else if (body === 4) {
      const raw = Number(int) & 0xffffff;
      buf[pos++] = LP_ENCODING_24BIT_INT;
      buf[pos++] = raw & 0xff;
      buf[pos++] = (raw >> 8) & 0xff;
      buf[pos++] = raw >> 16;
    } else if (body === 5) {
      buf[pos++] = LP_ENCODING_32BIT_INT;
      this.#view.setInt32(pos, Number(int), true);
      pos += 4;
    } else {
      buf[pos++] = LP_ENCODING_64BIT_INT;
      this.#view.setBigInt64(pos, BigInt(int), true);
      pos += 8;
    }
    pos += encodeBacklen(buf, pos, body);
    this.#pos = pos;
    this.#count++;
  }

  /** The finished listpack (a copy; the builder may be reused after `reset`). */
  finish(): Uint8Array {
    this.#reserve(1);
    this.#buf[this.#pos] = LP_EOF;
    const total = this.#pos + 1;
    this.#view.setUint32(0, total, true);
    this.#view.setUint16(
      4,
      this.#count < LP_NUMELE_UNKNOWN ? this.#count : LP_NUMELE_UNKNOWN,
      true,
    );
    return this.#buf.slice(0, total);
  }

  /** Empties the builder, keeping its buffer. */
  reset(): void {
    this.#pos = LP_HEADER_SIZE_BYTES;
    this.#count = 0;
  }

  #reserve(extraBytes: number): void {
    const next = grownBuffer(this.#buf, this.#pos, extraBytes);
    if (next === this.#buf) return;
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}

function encodeBacklen(buf: Uint8Array, pos: number, bodyBytes: number): number {
  const size = backlenSizeBytes(bodyBytes);
  // Leftmost byte holds the highest 7-bit group without the continuation bit.
  let value = bodyBytes;
  for (let index = size - 1; index >= 0; index--) {
    const group = value % 128;
    value = Math.floor(value / 128);
    buf[pos + index] = index === 0 ? group : group | 0x80;
  }
  return size;
}
