// CRC64 of RDB files: the Jones polynomial, reflected input and output, initial value 0, no
// final xor (redis `src/crc64.c`). Check value: crc64("123456789") = 0xe9c6d914c4b8d9ca.
//
// The 64-bit state is kept as two unsigned 32-bit halves (BigInt per byte is ~50× slower),
// updated with tables built once from the bit-reversed polynomial: eight bytes at a time
// ("slicing-by-8": table k gives a byte's CRC followed by k zero bytes), then byte by byte
// for the tail. Incremental: feed the file in any pieces, in order.

/** Jones polynomial 0xad93d23594c935a9, bit-reversed for the reflected algorithm. */
const POLY_REFLECTED_HI = 0x95ac9329;
const POLY_REFLECTED_LO = 0xac4bc9b5;
const TABLE_SIZE = 256;
/** Bytes folded per step of the sliced loop: one table per byte position. */
const SLICE_BYTES = 8;

/** Table k at [k * TABLE_SIZE, (k + 1) * TABLE_SIZE): high and low halves. */
const tableHi = new Uint32Array(TABLE_SIZE * SLICE_BYTES);
const tableLo = new Uint32Array(TABLE_SIZE * SLICE_BYTES);
for (let byte = 0; byte < TABLE_SIZE; byte++) {
  let hi = 0;
  let lo = byte;
  for (let bit = 0; bit < 8; bit++) {
    const lsb = lo & 1;
    lo = ((lo >>> 1) | (hi << 31)) >>> 0;
    hi = hi >>> 1;
    if (lsb) {
      hi = (hi ^ POLY_REFLECTED_HI) >>> 0;
      lo = (lo ^ POLY_REFLECTED_LO) >>> 0;
    }
  }
  tableHi[byte] = hi;
  tableLo[byte] = lo;
}
for (let k = 1; k < SLICE_BYTES; k++) {
  for (let byte = 0; byte < TABLE_SIZE; byte++) {
    const previous = (k - 1) * TABLE_SIZE + byte;
    const hi = tableHi[previous];
    const lo = tableLo[previous];
    const slot = lo & 0xff;
    tableLo[k * TABLE_SIZE + byte] = (((lo >>> 8) | (hi << 24)) ^ tableLo[slot]) >>> 0;
    tableHi[k * TABLE_SIZE + byte] = ((hi >>> 8) ^ tableHi[slot]) >>> 0;
  }
}
const T1 = TABLE_SIZE;
const T2 = 2 * TABLE_SIZE;
const T3 = 3 * TABLE_SIZE;
const T4 = 4 * TABLE_SIZE;
const T5 = 5 * TABLE_SIZE;
const T6 = 6 * TABLE_SIZE;
const T7 = 7 * TABLE_SIZE;

/**
 * An incremental CRC64 (Jones, as Redis uses for RDB and DUMP payloads).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Crc64 } from "./crc64.ts";
 * const crc = new Crc64();
 * crc.update(new TextEncoder().encode("123456789"));
 * assert.equal(crc.value(), 0xe9c6d914c4b8d9can);
 * ```
 */
export class Crc64 {
  #hi = 0;
  #lo = 0;

  /** Feeds `bytes[start, end)`. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): void {
    let hi = this.#hi;
    let lo = this.#lo;
    let index = start;
    for (; index + SLICE_BYTES <= end; index += SLICE_BYTES) {
      const low = lo ^ (bytes[index] | (bytes[index + 1] << 8) | (bytes[index + 2] << 16) |
        (bytes[index + 3] << 24));
      const high = hi ^ (bytes[index + 4] | (bytes[index + 5] << 8) |
        (bytes[index + 6] << 16) | (bytes[index + 7] << 24));
      const s0 = T7 + (low & 0xff);
      const s1 = T6 + ((low >>> 8) & 0xff);
      const s2 = T5 + ((low >>> 16) & 0xff);
      const s3 = T4 + (low >>> 24);
      const s4 = T3 + (high & 0xff);
      const s5 = T2 + ((high >>> 8) & 0xff);
      const s6 = T1 + ((high >>> 16) & 0xff);
      const s7 = high >>> 24;
      lo = tableLo[s0] ^ tableLo[s1] ^ tableLo[s2] ^ tableLo[s3] ^ tableLo[s4] ^ tableLo[s5] ^
        tableLo[s6] ^ tableLo[s7];
      hi = tableHi[s0] ^ tableHi[s1] ^ tableHi[s2] ^ tableHi[s3] ^ tableHi[s4] ^ tableHi[s5] ^
        tableHi[s6] ^ tableHi[s7];
    }
    for (; index < end; index++) {
      const slot = (lo ^ bytes[index]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ tableLo[slot];
      hi = (hi >>> 8) ^ tableHi[slot];
    }
    this.#hi = hi >>> 0;
    this.#lo = lo >>> 0;
  }

  /** The CRC of everything fed so far. */
  value(): bigint {
    return (BigInt(this.#hi) << 32n) | BigInt(this.#lo);
  }

  /** Writes the CRC as 8 little-endian bytes (the RDB trailer layout) at `out[offset]`. */
  writeLittleEndian(out: Uint8Array, offset: number): void {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    view.setUint32(offset, this.#lo, true);
    view.setUint32(offset + 4, this.#hi, true);
  }

  /** True when `bytes[offset, offset + 8)` holds this CRC little-endian. */
  equalsLittleEndian(bytes: Uint8Array, offset: number): boolean {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return view.getUint32(offset, true) === this.#lo &&
      view.getUint32(offset + 4, true) === this.#hi;
  }
}

/**
 * CRC64 of one buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crc64 } from "./crc64.ts";
 * assert.equal(crc64(new Uint8Array(0)), 0n);
 * ```
 */
export function crc64(bytes: Uint8Array): bigint {
  const crc = new Crc64();
  crc.update(bytes);
  return crc.value();
}
