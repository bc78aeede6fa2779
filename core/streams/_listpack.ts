// Listpack elements read and written in place, inside a stream node's bytes: a node *is* a
// Redis 7.0 listpack (listpack.c), so RDB can carry it as it is and its byte size is lpBytes by
// construction. This is the element codec only; what the elements of a stream node mean is
// _node.ts's. (core/rdb/listpack.ts builds and validates whole blobs from files; here the
// bytes are our own, already valid, and the hot path is one element at a time.)
//
//   element = <encoding + data> <backlen: size of encoding + data, 1..5 bytes>
//   0xxxxxxx uint7 · 10LLLLLL str < 64 · 110xxxxx +1 int13 · 1110LLLL +1 str < 4096
//   0xF0 +4 str · 0xF1/F2/F3/F4 int16/24/32/64 little-endian · 0xFF end of listpack
//
// Strings that read as a canonical int64 are stored as integers (lpStringToInt64), so reading
// gives their decimal text back byte for byte.

/** Header: total bytes u32 LE, element count u16 LE (65535 = too many to count). */
export const LP_HEADER_BYTES = 6;
export const LP_EOF = 0xff;
export const LP_COUNT_UNKNOWN = 0xffff;
/** Strings longer than this are never tried as integers (LONG_STR_SIZE - 1). */
const INT_TEXT_MAX_BYTES = 20;
const textEncoder = new TextEncoder();

// What readElement found: an integer (elementIsInt) or a string at [strStart, strStart+strLen).
// An integer of up to 32 bits is kept as a number (elementIntSmall, elementIntNum): IDs are
// compared on every lookup, and BigInt for each would cost more than the decoding itself.
export let elementIsInt = false;
export let elementIntSmall = true;
export let elementIntNum = 0;
let elementIntWide = 0n;
export let elementStrStart = 0;
export let elementStrLen = 0;

/** The integer readElement found, as a BigInt. */
export function elementInt(): bigint {
  return elementIntSmall ? BigInt(elementIntNum) : elementIntWide;
}

/** Bytes the backlen of an element of `encodedBytes` takes. */
export function backlenBytes(encodedBytes: number): number {
  if (encodedBytes <= 127) return 1;
  if (encodedBytes < 16383) return 2;
  if (encodedBytes < 2097151) return 3;
  if (encodedBytes < 268435455) return 4;
  return 5;
}

/** Encoding + data bytes of an integer element. */
function intEncodedBytes(v: bigint): number {
  if (v >= 0n && v <= 127n) return 1;
  if (v >= -4096n && v <= 4095n) return 2;
  if (v >= -32768n && v <= 32767n) return 3;
  if (v >= -8388608n && v <= 8388607n) return 4;
  if (v >= -2147483648n && v <= 2147483647n) return 5;
  return 9;
}

/** Bytes of an integer element, backlen included. */
export function intElementBytes(v: bigint): number {
  const encoded = intEncodedBytes(v);
  return encoded + backlenBytes(encoded);
}

/** lpStringToInt64: "0", or an optional '-', a 1–9 digit, digits, within int64; else null. */
function canonicalInt(bytes: Uint8Array): bigint | null {
  const len = bytes.length;
  if (len === 0 || len > INT_TEXT_MAX_BYTES) return null;
  if (len === 1 && bytes[0] === 0x30) return 0n;
  let i = bytes[0] === 0x2d ? 1 : 0;
  if (i === len || bytes[i] < 0x31 || bytes[i] > 0x39) return null;
  // Up to 15 digits fit a double exactly: the common case stays out of BigInt.
  if (len - i <= 15) {
    let n = 0;
    for (; i < len; i++) {
      const digit = bytes[i] - 0x30;
      if (digit < 0 || digit > 9) return null;
      n = n * 10 + digit;
    }
    return BigInt(bytes[0] === 0x2d ? -n : n);
  }
  let value = 0n;
  for (; i < len; i++) {
    const digit = bytes[i] - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10n + BigInt(digit);
  }
  if (bytes[0] === 0x2d) value = -value;
  if (value > 0x7fff_ffff_ffff_ffffn || value < -0x8000_0000_0000_0000n) return null;
  return value;
}

/** Bytes of a string element as listpack stores it (as an integer when it reads as one). */
export function stringElementBytes(bytes: Uint8Array): number {
  const asInt = canonicalInt(bytes);
  if (asInt !== null) return intElementBytes(asInt);
  const len = bytes.length;
  const encoded = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return encoded + backlenBytes(encoded);
}

function writeBacklen(out: Uint8Array, at: number, l: number): number {
  const n = backlenBytes(l);
  // Big end first, 7 bits per byte; every byte after the first has bit 7 set.
  for (let k = n - 1; k >= 0; k--) {
    const bits = Math.floor(l / 2 ** (7 * k)) & 127;
    out[at + (n - 1 - k)] = k === n - 1 ? bits : bits | 128;
  }
  return n;
}

/** Writes an integer element at `at`; returns its bytes (intElementBytes(v)). */
export function writeIntElement(out: Uint8Array, at: number, v: bigint): number {
  const encoded = intEncodedBytes(v);
  if (encoded === 1) {
    out[at] = Number(v);
  } else if (encoded === 2) {
    const u = Number(v) & 0x1fff;
    out[at] = 0xc0 | (u >>> 8);
    out[at + 1] = u & 0xff;
  } else {
    out[at] = encoded === 3 ? 0xf1 : encoded === 4 ? 0xf2 : encoded === 5 ? 0xf3 : 0xf4;
    let u = BigInt.asUintN(64, v);
    for (let k = 1; k < encoded; k++) {
      out[at + k] = Number(u & 0xffn);
      u >>= 8n;
    }
  }
  return encoded + writeBacklen(out, at + encoded, encoded);
}

/** Writes a string element (as an integer when it reads as one); returns its bytes. */
export function writeStringElement(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const asInt = canonicalInt(bytes);
  if (asInt !== null) return writeIntElement(out, at, asInt);
  const len = bytes.length;
  let header: number;
  if (len < 64) {
    out[at] = 0x80 | len;
    header = 1;
  } else if (len < 4096) {
    out[at] = 0xe0 | (len >>> 8);
    out[at + 1] = len & 0xff;
    header = 2;
  } else {
    out[at] = 0xf0;
    out[at + 1] = len & 0xff;
    out[at + 2] = (len >>> 8) & 0xff;
    out[at + 3] = (len >>> 16) & 0xff;
    out[at + 4] = len >>> 24;
    header = 5;
  }
  if (len <= 16) { for (let k = 0; k < len; k++) out[at + header + k] = bytes[k]; }
  else out.set(bytes, at + header);
  return header + len + writeBacklen(out, at + header + len, header + len);
}

/**
 * Reads the element at `at` into elementIsInt / elementInt / elementStrStart / elementStrLen;
 * returns its whole size (backlen included). The bytes must be a valid listpack's.
 */
export function readElement(bytes: Uint8Array, at: number): number {
  const b = bytes[at];
  let encoded: number;
  if (b < 0x80) {
    elementIsInt = true;
    elementIntSmall = true;
    elementIntNum = b;
    encoded = 1;
  } else if (b < 0xc0) {
    elementIsInt = false;
    elementStrStart = at + 1;
    elementStrLen = b & 0x3f;
    encoded = 1 + elementStrLen;
  } else if (b < 0xe0) {
    elementIsInt = true;
    const u = ((b & 0x1f) << 8) | bytes[at + 1];
    elementIntSmall = true;
    elementIntNum = u >= 4096 ? u - 8192 : u;
    encoded = 2;
  } else if (b < 0xf0) {
    elementIsInt = false;
    elementStrStart = at + 2;
    elementStrLen = ((b & 0x0f) << 8) | bytes[at + 1];
    encoded = 2 + elementStrLen;
  } else if (b === 0xf0) {
    elementIsInt = false;
    elementStrStart = at + 5;
    elementStrLen = (bytes[at + 1] | (bytes[at + 2] << 8) | (bytes[at + 3] << 16) |
      (bytes[at + 4] << 24)) >>> 0;
    encoded = 5 + elementStrLen;
  } else {
    elementIsInt = true;
    const width = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : 8;
    if (width <= 4) {
      let u = 0;
      for (let k = width; k >= 1; k--) u = u * 256 + bytes[at + k];
      const bits = width * 8;
      elementIntSmall = true;
      elementIntNum = u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
    } else {
      let u = 0n;
      for (let k = 8; k >= 1; k--) u = (u << 8n) | BigInt(bytes[at + k]);
      elementIntSmall = false;
      elementIntWide = BigInt.asIntN(64, u);
    }
    encoded = 1 + width;
  }
  return encoded + backlenBytes(encoded);
}

/** The element at `at` as bytes (an integer as its decimal text), copied. */
export function readElementBytes(bytes: Uint8Array, at: number): Uint8Array {
  readElement(bytes, at);
  if (elementIsInt) {
    return textEncoder.encode(elementIntSmall ? String(elementIntNum) : elementIntWide.toString());
  }
  return bytes.slice(elementStrStart, elementStrStart + elementStrLen);
}

/** The element at `at` as an integer; it must be one. */
export function readIntElement(bytes: Uint8Array, at: number): bigint {
  readElement(bytes, at);
  return elementInt();
}
