// The bytes of a HyperLogLog as Redis 7.0 stores it in a plain string value, and the small
// accessors every other module of core/hll/ reads them through. Redis defines this layout
// (src/hyperloglog.c); a replica, an RDB file and DUMP carry it as is, so it is fixed here to
// the bit, never re-derived.
//
// Header, 16 bytes, then the registers in one of two encodings:
//
//   offset 0        4     5       8                          16
//          +--------+-----+-------+--------------------------+----------------------//
//          | "HYLL" | enc | 0 0 0 | cached cardinality, u64 LE| registers …
//          +--------+-----+-------+--------------------------+----------------------//
//                                  bit 7 of byte 15 set = the cached value is stale
//
// Dense (enc 0): 16384 registers of 6 bits packed from the least significant bit up, so
// register i starts at bit 6·i of the register area (12288 bytes; 12304 with the header):
//
//   byte:  |  0       |  1       |  2       |  3       | …
//   bits:  |11000000  |22221111  |33333322  |55444444  |      (digit = register, MSB left)
//
// Sparse (enc 1): a run-length code of opcodes, covering exactly 16384 registers in order:
//
//   ZERO   00xxxxxx            xxxxxx + 1 registers (1..64) hold 0
//   XZERO  01xxxxxx yyyyyyyy   (xxxxxx·256 + yyyyyyyy) + 1 registers (1..16384) hold 0
//   VAL    1vvvvvxx            xx + 1 registers (1..4) hold vvvvv + 1 (1..32)
//
// A register above 32 cannot be written sparse: the value is promoted to dense then, or when
// an update would grow it past `hll-sparse-max-bytes` (draft.ts).

/** Register index bits: 2^14 = 16384 registers. */
export const HLL_P = 14;
/** Hash bits left for the run of zeroes once the index is taken. */
export const HLL_Q = 64 - HLL_P;
export const REGISTER_COUNT = 1 << HLL_P;
export const REGISTER_INDEX_MASK = REGISTER_COUNT - 1;
export const REGISTER_BITS = 6;
export const REGISTER_MAX = (1 << REGISTER_BITS) - 1;

export const HEADER_SIZE_BYTES = 16;
const MAGIC = [0x48, 0x59, 0x4c, 0x4c]; // "HYLL"
const ENCODING_OFFSET = 4;
const CARDINALITY_OFFSET = 8;
const CARDINALITY_SIZE_BYTES = 8;
/** Byte 15, the cardinality's most significant byte, carries the stale flag in its bit 7. */
const CARDINALITY_STALE_OFFSET = CARDINALITY_OFFSET + CARDINALITY_SIZE_BYTES - 1;
const CARDINALITY_STALE_BIT = 0x80;

/** A dense value's exact length: header plus 16384 × 6 bits. */
export const DENSE_SIZE_BYTES = HEADER_SIZE_BYTES + Math.ceil((REGISTER_COUNT * REGISTER_BITS) / 8);

export const enum HllEncoding {
  Dense = 0,
  Sparse = 1,
}
/** Highest encoding byte a valid value may carry. */
const ENCODING_MAX = HllEncoding.Sparse;

// ── Sparse opcodes ──────────────────────────────────────────────────────────────────────────

export const SPARSE_OPCODE_MASK = 0xc0;
export const SPARSE_XZERO_BIT = 0x40;
export const SPARSE_VAL_BIT = 0x80;
export const SPARSE_VAL_VALUE_MAX = 32;
export const SPARSE_VAL_RUN_MAX = 4;
export const SPARSE_ZERO_RUN_MAX = 64;
export const SPARSE_XZERO_RUN_MAX = 16384;

/** The empty sparse value's length: the header and one XZERO per 16384 registers. */
export const SPARSE_EMPTY_SIZE_BYTES = HEADER_SIZE_BYTES +
  Math.ceil(REGISTER_COUNT / SPARSE_XZERO_RUN_MAX) * 2;

// @inline-style helpers: each names one bit test or field of an opcode byte.
export function isSparseZero(op: number): boolean {
  return (op & SPARSE_OPCODE_MASK) === 0;
}
export function isSparseXzero(op: number): boolean {
  return (op & SPARSE_OPCODE_MASK) === SPARSE_XZERO_BIT;
}
export function isSparseVal(op: number): boolean {
  return (op & SPARSE_VAL_BIT) !== 0;
}
export function sparseZeroRun(op: number): number {
  return (op & 0x3f) + 1;
}
/** `second` is the byte after the opcode; past a value's end Redis reads its NUL terminator. */
export function sparseXzeroRun(op: number, second: number): number {
  return (((op & 0x3f) << 8) | second) + 1;
}
export function sparseValValue(op: number): number {
  return ((op >> 2) & 0x1f) + 1;
}
export function sparseValRun(op: number): number {
  return (op & 0x3) + 1;
}
export function sparseValOpcode(value: number, run: number): number {
  return ((value - 1) << 2) | (run - 1) | SPARSE_VAL_BIT;
}
export function sparseZeroOpcode(run: number): number {
  return run - 1;
}
/** XZERO's first byte; the second is `(run - 1) & 0xff`. */
export function sparseXzeroFirstByte(run: number): number {
  return ((run - 1) >> 8) | SPARSE_XZERO_BIT;
}

// ── Header ──────────────────────────────────────────────────────────────────────────────────

/**
 * True when `value` is a HyperLogLog Redis would accept: at least a header, the magic, a known
 * encoding, and a dense value of exactly DENSE_SIZE_BYTES. A sparse body is checked only as it
 * is read (a bad one is INVALIDOBJ, not WRONGTYPE), as in Redis.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isHllValue } from "./layout.ts";
 * assert.equal(isHllValue(new TextEncoder().encode("HYLL")), false);
 * ```
 */
export function isHllValue(value: Uint8Array): boolean {
  if (value.length < HEADER_SIZE_BYTES) return false;
  for (let i = 0; i < MAGIC.length; i++) if (value[i] !== MAGIC[i]) return false;
  const encoding = value[ENCODING_OFFSET];
  if (encoding > ENCODING_MAX) return false;
  return encoding !== HllEncoding.Dense || value.length === DENSE_SIZE_BYTES;
}

export function hllEncoding(value: Uint8Array): HllEncoding {
  return value[ENCODING_OFFSET] as HllEncoding;
}

export function setHllEncoding(value: Uint8Array, encoding: HllEncoding): void {
  value[ENCODING_OFFSET] = encoding;
}

/** Writes the empty sparse value (magic, encoding, zero cardinality, XZERO runs) into `out`. */
export function writeEmptySparse(out: Uint8Array): void {
  out.fill(0, 0, SPARSE_EMPTY_SIZE_BYTES);
  out.set(MAGIC, 0);
  out[ENCODING_OFFSET] = HllEncoding.Sparse;
  let cursor = HEADER_SIZE_BYTES;
  for (let left = REGISTER_COUNT; left > 0;) {
    const run = Math.min(left, SPARSE_XZERO_RUN_MAX);
    out[cursor++] = sparseXzeroFirstByte(run);
    out[cursor++] = (run - 1) & 0xff;
    left -= run;
  }
}

/** True when the cached cardinality may be returned as is. */
export function isCardinalityCached(value: Uint8Array): boolean {
  return (value[CARDINALITY_STALE_OFFSET] & CARDINALITY_STALE_BIT) === 0;
}

export function markCardinalityStale(value: Uint8Array): void {
  value[CARDINALITY_STALE_OFFSET] |= CARDINALITY_STALE_BIT;
}

/** Numbers up to 2^53 stay numbers; a larger cached value (only a forged one) is a bigint. */
const SAFE_HIGH_WORD_MAX = 2 ** 21;

/** The cached cardinality, little endian (its top bit clear when isCardinalityCached). */
export function cachedCardinality(value: Uint8Array): number | bigint {
  const low = readUint32(value, CARDINALITY_OFFSET);
  const high = readUint32(value, CARDINALITY_OFFSET + 4);
  if (high < SAFE_HIGH_WORD_MAX) return high * 2 ** 32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Stores `cardinality` (an unsigned 64-bit value) as the cache, which also marks it fresh. */
export function storeCardinality(value: Uint8Array, cardinality: number | bigint): void {
  let word = BigInt.asUintN(64, BigInt(cardinality));
  for (let i = 0; i < CARDINALITY_SIZE_BYTES; i++) {
    value[CARDINALITY_OFFSET + i] = Number(word & 0xffn);
    word >>= 8n;
  }
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) |
    (bytes[offset + 3] << 24)) >>> 0;
}

// ── Dense registers ─────────────────────────────────────────────────────────────────────────

/**
 * Register `index` of a dense value. The second byte of the last register lies one past the
 * value; Redis reads its NUL terminator there, a typed array gives undefined, both count as 0.
 */
export function denseRegister(value: Uint8Array, index: number): number {
  const bitOffset = index * REGISTER_BITS;
  const byteIndex = HEADER_SIZE_BYTES + (bitOffset >> 3);
  const shift = bitOffset & 7;
  return ((value[byteIndex] >> shift) | ((value[byteIndex + 1] | 0) << (8 - shift))) &
    REGISTER_MAX;
}

/** Registers per group of 3 bytes: 4 × 6 bits = 24 bits, so groups never straddle a byte. */
const REGISTERS_PER_GROUP = 4;
const GROUP_SIZE_BYTES = 3;

/**
 * Unpacks every register of a dense value into `registers`, one byte each: a group of three
 * bytes at a time, the way Redis's histogram loop reads them (the hot loop of PFCOUNT).
 */
export function unpackDenseRegisters(value: Uint8Array, registers: Uint8Array): void {
  let byteIndex = HEADER_SIZE_BYTES;
  for (let index = 0; index < REGISTER_COUNT; index += REGISTERS_PER_GROUP) {
    const b0 = value[byteIndex];
    const b1 = value[byteIndex + 1];
    const b2 = value[byteIndex + 2];
    registers[index] = b0 & REGISTER_MAX;
    registers[index + 1] = ((b0 >> 6) | (b1 << 2)) & REGISTER_MAX;
    registers[index + 2] = ((b1 >> 4) | (b2 << 4)) & REGISTER_MAX;
    registers[index + 3] = b2 >> 2;
    byteIndex += GROUP_SIZE_BYTES;
  }
}

/** Packs `registers` (one byte each, 0..63) into a dense value's register area. */
export function packDenseRegisters(registers: Uint8Array, value: Uint8Array): void {
  let byteIndex = HEADER_SIZE_BYTES;
  for (let index = 0; index < REGISTER_COUNT; index += REGISTERS_PER_GROUP) {
    const r1 = registers[index + 1];
    const r2 = registers[index + 2];
    value[byteIndex] = (registers[index] | (r1 << 6)) & 0xff;
    value[byteIndex + 1] = ((r1 >> 2) | (r2 << 4)) & 0xff;
    value[byteIndex + 2] = (r2 >> 4) | (registers[index + 3] << 2);
    byteIndex += GROUP_SIZE_BYTES;
  }
}

/** Sets register `index` of a dense value to `count` (0..63). */
export function setDenseRegister(value: Uint8Array, index: number, count: number): void {
  const bitOffset = index * REGISTER_BITS;
  const byteIndex = HEADER_SIZE_BYTES + (bitOffset >> 3);
  const shift = bitOffset & 7;
  value[byteIndex] = (value[byteIndex] & ~(REGISTER_MAX << shift)) | (count << shift);
  // The last register ends in byte 12303 (shift 2): nothing of it spills into a next byte.
  if (shift > 2) {
    value[byteIndex + 1] = (value[byteIndex + 1] & ~(REGISTER_MAX >> (8 - shift))) |
      (count >> (8 - shift));
  }
}
