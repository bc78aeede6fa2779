// Ziplist and zipmap blobs: the compact encodings of RDB files written before Redis 7.0
// (`src/ziplist.c`, `src/zipmap.c`). Redis 7.0 only reads them (converting to listpacks), so
// this file only decodes, validating every bound because the blob comes from a file.
//
// Ziplist:
//   <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE, 65535 = unknown> { entry } 0xFF
//   entry = <prevlen: 1 byte < 254, or 0xFE + u32 LE> <encoding> <data>
//   encoding  00LLLLLL                  string, 6-bit length
//             01LLLLLL LLLLLLLL         string, 14-bit length big endian
//             10000000 <u32 BE>         string, 32-bit length
//             11000000 / 11010000 / 11100000 / 11110000 / 11111110
//                                       int16 / int32 / int64 / int24 / int8, LE
//             1111xxxx, xxxx 1..13      immediate 0..12 (xxxx - 1), no data
//
// Zipmap (RDB type 9, hashes before 2.6):
//   <zmlen: 1 byte, 254+ = unknown> { <len> key <len> <free: 1 byte> value <free bytes> } 0xFF
//   len = 1 byte < 254, or 254 + u32 LE

import { decimalBytes } from "./_int.ts";
import { BlobFormatError } from "./errors.ts";

const ZIPLIST_HEADER_SIZE_BYTES = 10;
const ZIPLIST_END = 0xff;
const ZIPLIST_BIG_PREVLEN = 254;
const ZIPLIST_LEN_UNKNOWN = 0xffff;
const ZIP_STR_06B = 0;
const ZIP_STR_14B = 1;
const ZIP_STR_32B = 0x80;
const ZIP_INT_16B = 0xc0;
const ZIP_INT_32B = 0xd0;
const ZIP_INT_64B = 0xe0;
const ZIP_INT_24B = 0xf0;
const ZIP_INT_8B = 0xfe;
const ZIP_INT_IMM_MIN = 0xf1;
const ZIP_INT_IMM_MAX = 0xfd;

const ZIPMAP_BIGLEN = 254;
const ZIPMAP_END = 0xff;

/**
 * Decodes every element of a ziplist blob (integers as decimal text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeZiplist } from "./ziplist.ts";
 * // zlbytes 16, zltail 12, zllen 2; entry "5" (immediate), entry "a"; end
 * const blob = new Uint8Array([16, 0, 0, 0, 12, 0, 0, 0, 2, 0, 0, 0xf6, 2, 1, 97, 0xff]);
 * const elements = decodeZiplist(blob).map((e) => new TextDecoder().decode(e));
 * assert.deepEqual(elements, ["5", "a"]);
 * ```
 */
export function decodeZiplist(blob: Uint8Array): Uint8Array[] {
  const total = blob.length;
  if (total < ZIPLIST_HEADER_SIZE_BYTES + 1) throw new BlobFormatError(0, "ziplist too short");
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint32(0, true) !== total) {
    throw new BlobFormatError(0, "ziplist zlbytes does not match the blob length");
  }
  const tailOffset = view.getUint32(4, true);
  const declaredCount = view.getUint16(8, true);
  const end = total - 1;
  if (blob[end] !== ZIPLIST_END) throw new BlobFormatError(end, "ziplist does not end with 0xFF");
  const elements: Uint8Array[] = [];
  let pos = ZIPLIST_HEADER_SIZE_BYTES;
  let prevEntryBytes = 0;
  let lastEntryAt = ZIPLIST_HEADER_SIZE_BYTES;
  while (pos < end) {
    const entryAt = pos;
    let prevlen = blob[pos];
    if (prevlen === ZIPLIST_BIG_PREVLEN) {
      need(pos + 5, end, entryAt);
      prevlen = view.getUint32(pos + 1, true);
      pos += 5;
    } else if (prevlen === ZIPLIST_END) {
      throw new BlobFormatError(entryAt, "ziplist entry has prevlen 0xFF");
    } else {
      pos += 1;
    }
    if (prevlen !== prevEntryBytes) {
      throw new BlobFormatError(entryAt, "ziplist entry prevlen does not match the entry before");
    }
    need(pos + 1, end, entryAt);
    const enc = blob[pos];
    let element: Uint8Array;
    switch (enc >> 6) {
      case ZIP_STR_06B: {
        const len = enc & 0x3f;
        need(pos + 1 + len, end, entryAt);
        element = blob.slice(pos + 1, pos + 1 + len);
        pos += 1 + len;
        break;
      }
      case ZIP_STR_14B: {
        need(pos + 2, end, entryAt);
        const len = ((enc & 0x3f) << 8) | blob[pos + 1];
        need(pos + 2 + len, end, entryAt);
        element = blob.slice(pos + 2, pos + 2 + len);
        pos += 2 + len;
        break;
      }
      case 2: {
        if (enc !== ZIP_STR_32B) {
          throw new BlobFormatError(pos, `ziplist entry has bad encoding byte ${enc}`);
        }
        need(pos + 5, end, entryAt);
        const len = view.getUint32(pos + 1, false);
        need(pos + 5 + len, end, entryAt);
        element = blob.slice(pos + 5, pos + 5 + len);
        pos += 5 + len;
        break;
      }
      default: {
        const [value, dataBytes] = ziplistInt(view, blob, pos, end, entryAt);
        element = decimalBytes(value);
        pos += 1 + dataBytes;
      }
    }
    prevEntryBytes = pos - entryAt;
    lastEntryAt = entryAt;
    elements.push(element);
  }
  if (elements.length > 0 && tailOffset !== lastEntryAt) {
    throw new BlobFormatError(4, "ziplist zltail does not point at the last entry");
  }
  if (declaredCount !== ZIPLIST_LEN_UNKNOWN && declaredCount !== elements.length) {
    throw new BlobFormatError(8, `ziplist says ${declaredCount} entries, found ${elements.length}`);
  }
  return elements;
}

function ziplistInt(
  view: DataView,
  blob: Uint8Array,
  pos: number,
  end: number,
  entryAt: number,
): [number | bigint, number] {
  const enc = blob[pos];
  switch (enc) {
    case ZIP_INT_8B:
      need(pos + 2, end, entryAt);
      return [view.getInt8(pos + 1), 1];
    case ZIP_INT_16B:
      need(pos + 3, end, entryAt);
      return [view.getInt16(pos + 1, true), 2];
    case ZIP_INT_24B: {
      need(pos + 4, end, entryAt);
      const raw = blob[pos + 1] | (blob[pos + 2] << 8) | (blob[pos + 3] << 16);
      return [raw >= 1 << 23 ? raw - (1 << 24) : raw, 3];
    }
    case ZIP_INT_32B:
      need(pos + 5, end, entryAt);
      return [view.getInt32(pos + 1, true), 4];
    case ZIP_INT_64B:
      need(pos + 9, end, entryAt);
      return [view.getBigInt64(pos + 1, true), 8];
    default:
      if (enc >= ZIP_INT_IMM_MIN && enc <= ZIP_INT_IMM_MAX) return [enc - ZIP_INT_IMM_MIN, 0];
      throw new BlobFormatError(pos, `ziplist entry has bad encoding byte ${enc}`);
  }
}

function need(pos: number, end: number, entryAt: number): void {
  if (pos > end) throw new BlobFormatError(entryAt, "ziplist entry runs past the end");
}

/**
 * Decodes a zipmap blob into alternating field, value byte strings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeZipmap } from "./ziplist.ts";
 * const blob = new Uint8Array([1, 1, 102, 1, 0, 118, 0xff]); // {f: v}
 * assert.deepEqual(decodeZipmap(blob).map((e) => String.fromCharCode(...e)), ["f", "v"]);
 * ```
 */
export function decodeZipmap(blob: Uint8Array): Uint8Array[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const end = blob.length;
  if (end < 2) throw new BlobFormatError(0, "zipmap too short");
  const declaredCount = blob[0];
  const out: Uint8Array[] = [];
  let pos = 1;
  const readLen = (): number => {
    if (pos >= end) throw new BlobFormatError(pos, "zipmap truncated");
    const first = blob[pos];
    if (first < ZIPMAP_BIGLEN) {
      pos += 1;
      return first;
    }
    if (first === ZIPMAP_END) throw new BlobFormatError(pos, "zipmap entry missing its value");
    if (pos + 5 > end) throw new BlobFormatError(pos, "zipmap length truncated");
    const len = view.getUint32(pos + 1, true);
    pos += 5;
    return len;
  };
  const take = (len: number): Uint8Array => {
    if (pos + len > end) throw new BlobFormatError(pos, "zipmap entry runs past the end");
    const bytes = blob.slice(pos, pos + len);
    pos += len;
    return bytes;
  };
  for (;;) {
    if (pos >= end) throw new BlobFormatError(pos, "zipmap does not end with 0xFF");
    if (blob[pos] === ZIPMAP_END) {
      pos += 1;
      break;
    }
    out.push(take(readLen()));
    const valueLen = readLen();
    if (pos >= end) throw new BlobFormatError(pos, "zipmap truncated");
    const freeBytes = blob[pos++];
    out.push(take(valueLen));
    if (pos + freeBytes > end) throw new BlobFormatError(pos, "zipmap free space past the end");
    pos += freeBytes;
  }
  if (pos !== end) throw new BlobFormatError(pos, "zipmap has bytes after its end marker");
  if (declaredCount < ZIPMAP_BIGLEN && declaredCount !== out.length / 2) {
    throw new BlobFormatError(0, `zipmap says ${declaredCount} pairs, found ${out.length / 2}`);
  }
  return out;
}
