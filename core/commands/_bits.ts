// Bit arithmetic for the bitmap commands (bitmaps.ts) over plain bytes: counting and finding
// bits, BITCOUNT/BITPOS ranges, BITOP's folds, reading and writing BITFIELD's integers with its
// overflow rules, and the edit of a value that SETBIT and BITFIELD write through. Nothing here
// calls the engine, parses an argument or sees a client, so each rule reads on its own against
// Redis's bitops.c; bitmaps.ts holds the commands around it.
//
// Bits are numbered as SETBIT numbers them: bit 0 is the most significant bit of byte 0.
//
//   byte      0                1
//           ┌─┬─┬─┬─┬─┬─┬─┬─┐┌─┬─┬─┬─┬─┬─┬─┬─┐
//   bit     │0│1│2│3│4│5│6│7││8│9│…            a u5 at offset 7 spans bits 7..11:
//           └─┴─┴─┴─┴─┴─┴─┴─┘└─┴─┴─┴─┴─┴─┴─┴─┘ the last bit of byte 0, the first four of 1
//
// BITFIELD's 64-bit arithmetic is BigInt wrapped to 64 bits (asIntN / asUintN) exactly where C
// wraps, because Redis's replies for out-of-range values follow from its unsigned and signed
// 64-bit arithmetic, quirks included (SET i8 to -2^63 under OVERFLOW SAT stores 127, not -128):
// a byte-identical reply needs the same arithmetic, not the intended one.

import { type InvariantCheck, invariantsOf } from "../assert.ts";

const assertInvariant: InvariantCheck = invariantsOf("BitEdit");

/** Set bits in each byte value. */
const POPCOUNT_BY_BYTE = (() => {
  const table = new Uint8Array(256);
  for (let value = 1; value < 256; value++) table[value] = (value & 1) + table[value >> 1];
  return table;
})();

/**
 * Below this many bytes the word loops below are not worth their setup: plain byte loops.
 * Above it, bytes are taken four at a time through a Uint32Array over the same memory (no copy;
 * the order of bytes inside a word does not matter to a count or to "all zero / all one").
 */
const WORD_LOOP_BYTES_MIN = 64;
const WORD_BYTES = 4;
const WORD_ALL_ONES = 0xffffffff;

/** The whole 4-byte words of bytes[start, endExclusive) from the first aligned address on. */
function alignedWords(
  bytes: Uint8Array,
  start: number,
  endExclusive: number,
): { head: number; words: Uint32Array } {
  const misalignment = (bytes.byteOffset + start) % WORD_BYTES;
  const head = Math.min(misalignment === 0 ? 0 : WORD_BYTES - misalignment, endExclusive - start);
  const wordCount = Math.floor((endExclusive - start - head) / WORD_BYTES);
  return {
    head,
    words: new Uint32Array(bytes.buffer, bytes.byteOffset + start + head, wordCount),
  };
}

/** Set bits in one 32-bit word (the classic SWAR sum of bit pairs, nibbles, bytes). */
function popcountWord(word: number): number {
  word -= (word >>> 1) & 0x55555555;
  word = (word & 0x33333333) + ((word >>> 2) & 0x33333333);
  word = (word + (word >>> 4)) & 0x0f0f0f0f;
  return Math.imul(word, 0x01010101) >>> 24;
}

/** Set bits in bytes[start, endExclusive). */
export function popcount(bytes: Uint8Array, start: number, endExclusive: number): number {
  let count = 0;
  let i = start;
  if (endExclusive - start >= WORD_LOOP_BYTES_MIN) {
    const { head, words } = alignedWords(bytes, start, endExclusive);
    for (const end = start + head; i < end; i++) count += POPCOUNT_BY_BYTE[bytes[i]];
    for (let w = 0; w < words.length; w++) count += popcountWord(words[w]);
    i += words.length * WORD_BYTES;
  }
  for (; i < endExclusive; i++) count += POPCOUNT_BY_BYTE[bytes[i]];
  return count;
}

/** Set bits of one byte value. */
export function popcountByte(value: number): number {
  return POPCOUNT_BY_BYTE[value & 0xff];
}

/**
 * The first bit equal to `bit` in bytes[start, start + count), counted from the first bit of
 * bytes[start]. Past the range the bytes count as zeros, as Redis's redisBitpos: no 1 found
 * gives -1, no 0 found gives count * 8 (the first bit after the range).
 */
export function findBit(bytes: Uint8Array, start: number, count: number, bit: 0 | 1): number {
  const skipByte = bit === 1 ? 0 : 0xff;
  const endExclusive = start + count;
  let i = start;
  if (count >= WORD_LOOP_BYTES_MIN) {
    // Skip whole words of the other bit value, then find the byte within the first that is not.
    const { head, words } = alignedWords(bytes, start, endExclusive);
    for (const end = start + head; i < end && bytes[i] === skipByte; i++);
    if (i === start + head) {
      const skipWord = bit === 1 ? 0 : WORD_ALL_ONES;
      let w = 0;
      while (w < words.length && words[w] === skipWord) w++;
      i += w * WORD_BYTES;
    }
  }
  for (; i < endExclusive; i++) {
    const byte = bytes[i];
    if (byte === skipByte) continue;
    // clz32 of a byte counts its 24 high zero bits too; what remains is the bit within it.
    const within = Math.clz32(bit === 1 ? byte : ~byte & 0xff) - 24;
    return (i - start) * 8 + within;
  }
  return bit === 1 ? -1 : count * 8;
}

// ── A value under bit writes ────────────────────────────────────────────────────────────

/**
 * A string value as SETBIT and BITFIELD see it while they run: the stored bytes (`base`, a view
 * into engine memory, read only and valid until the next engine call), zeros past their end,
 * and a writable copy of the one window of bytes the command may change. Only the window is
 * copied, so a write near the end of a large bitmap costs the window, not the value;
 * commitBitWrite (bitmaps.ts) decides how the window goes back to the engine.
 */
export class BitEdit {
  readonly base: Uint8Array | null;
  /** Index of the window's first byte in the value. */
  readonly windowStart: number;
  /** Writable copy of bytes [windowStart, windowStart + window.length); zeros past base. */
  readonly window: Uint8Array;

  constructor(base: Uint8Array | null, windowStart: number, windowEnd: number) {
    this.base = base;
    this.windowStart = windowStart;
    this.window = new Uint8Array(Math.max(windowEnd - windowStart, 0));
    if (base !== null && windowStart < base.length) {
      this.window.set(base.subarray(windowStart, Math.min(windowEnd, base.length)));
    }
  }

  /** Stored bytes before this edit. */
  get baseLength(): number {
    return this.base === null ? 0 : this.base.length;
  }

  /** Index after the window's last byte. */
  get windowEnd(): number {
    return this.windowStart + this.window.length;
  }

  /** The value's length once the edit is written: it grows to cover the window. */
  get newLength(): number {
    return Math.max(this.baseLength, this.windowEnd);
  }

  byteAt(index: number): number {
    const inWindow = index - this.windowStart;
    if (inWindow >= 0 && inWindow < this.window.length) return this.window[inWindow];
    return this.base !== null && index < this.base.length ? this.base[index] : 0;
  }

  /** Writes one byte, which must lie in the window the command opened. */
  setByte(index: number, value: number): void {
    const inWindow = index - this.windowStart;
    assertInvariant(inWindow >= 0, `byte ${index} before the window at ${this.windowStart}`);
    assertInvariant(inWindow < this.window.length, `byte ${index} past the window's end`);
    this.window[inWindow] = value;
  }

  bitAt(offset: number): 0 | 1 {
    return ((this.byteAt(Math.floor(offset / 8)) >> (7 - (offset % 8))) & 1) as 0 | 1;
  }

  setBit(offset: number, on: 0 | 1): void {
    const index = Math.floor(offset / 8);
    const mask = 1 << (7 - (offset % 8));
    const byte = this.byteAt(index);
    this.setByte(index, on ? byte | mask : byte & ~mask);
  }
}

// ── BITFIELD integers ───────────────────────────────────────────────────────────────────

/** A BITFIELD integer type: iN (signed, 1..64 bits) or uN (unsigned, 1..63 bits). */
export interface FieldType {
  signed: boolean;
  bits: number;
}

/** Widest signed field (i64); Redis's reply integers are signed 64-bit. */
export const FIELD_SIGNED_BITS_MAX = 64;
/** Widest unsigned field (u63): a u64 could not be replied as a signed 64-bit integer. */
export const FIELD_UNSIGNED_BITS_MAX = 63;

/** The `bits`-wide field at bit `offset` as an unsigned integer (bits past the value are 0). */
export function readUnsigned(edit: BitEdit, offset: number, bits: number): bigint {
  const firstByte = Math.floor(offset / 8);
  const lastByte = Math.floor((offset + bits - 1) / 8);
  let word = 0n;
  for (let i = firstByte; i <= lastByte; i++) word = (word << 8n) | BigInt(edit.byteAt(i));
  const bitsAfter = BigInt((lastByte + 1) * 8 - (offset + bits));
  return (word >> bitsAfter) & ((1n << BigInt(bits)) - 1n);
}

/** The field read as two's complement of `bits` bits (getSignedBitfield). */
export function readSigned(edit: BitEdit, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, readUnsigned(edit, offset, bits));
}

/** Stores the low `bits` bits of `value` (any 64-bit pattern) at bit `offset`. */
export function writeField(edit: BitEdit, offset: number, bits: number, value: bigint): void {
  const firstByte = Math.floor(offset / 8);
  const lastByte = Math.floor((offset + bits - 1) / 8);
  let word = 0n;
  for (let i = firstByte; i <= lastByte; i++) word = (word << 8n) | BigInt(edit.byteAt(i));
  const bitsAfter = BigInt((lastByte + 1) * 8 - (offset + bits));
  const fieldMask = (1n << BigInt(bits)) - 1n;
  word = (word & ~(fieldMask << bitsAfter)) | ((value & fieldMask) << bitsAfter);
  for (let i = lastByte; i >= firstByte; i--) {
    edit.setByte(i, Number(word & 0xffn));
    word >>= 8n;
  }
}

/** BITFIELD's OVERFLOW modes. */
export const enum Overflow {
  Wrap,
  Sat,
  Fail,
}

/** The outcome of an overflow check: direction 1 over, -1 under, 0 fits; `limit` replaces it. */
export interface OverflowCheck {
  direction: -1 | 0 | 1;
  /** What to store instead under Wrap or Sat (unused under Fail or when it fits). */
  limit: bigint;
}

const INT64_MAX = (1n << 63n) - 1n;
const FITS: OverflowCheck = { direction: 0, limit: 0n };

function i64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

function u64(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}

/**
 * Whether `value + increment` (value an unsigned 64-bit pattern, increment signed) fits an
 * unsigned field of `bits` bits, with Redis's comparisons (checkUnsignedBitfieldOverflow): the
 * headroom is computed in wrapped 64-bit arithmetic, and a SET of a negative number is a huge
 * unsigned value, so it overflows upwards (SAT stores the maximum, not 0).
 */
export function unsignedOverflow(
  value: bigint,
  increment: bigint,
  bits: number,
  mode: Overflow,
): OverflowCheck {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncrement = i64(max - value);
  const minIncrement = i64(-value);
  const wrapped = () => u64(value + increment) & max;
  if (value > max || (increment > 0n && increment > maxIncrement)) {
    return { direction: 1, limit: mode === Overflow.Wrap ? wrapped() : max };
  }
  if (increment < 0n && increment < minIncrement) {
    return { direction: -1, limit: mode === Overflow.Wrap ? wrapped() : 0n };
  }
  return FITS;
}

/**
 * Whether `value + increment` (both signed 64-bit) fits a signed field of `bits` bits, with
 * Redis's comparisons (checkSignedBitfieldOverflow). Its headroom terms wrap in 64 bits and are
 * tested even when `value` itself is out of range, which is why a SET of -2^63 into an i8 counts
 * as an overflow upwards; wrapping sign-extends the 64-bit sum from bit `bits` - 1.
 */
export function signedOverflow(
  value: bigint,
  increment: bigint,
  bits: number,
  mode: Overflow,
): OverflowCheck {
  const full = bits === FIELD_SIGNED_BITS_MAX;
  const max = full ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncrement = i64(max - value);
  const minIncrement = i64(min - value);
  const wrapped = () => BigInt.asIntN(bits, value + increment);
  if (
    value > max || (!full && increment > maxIncrement) ||
    (value >= 0n && increment > 0n && increment > maxIncrement)
  ) {
    return { direction: 1, limit: mode === Overflow.Wrap ? wrapped() : max };
  }
  if (
    value < min || (!full && increment < minIncrement) ||
    (value < 0n && increment < 0n && increment < minIncrement)
  ) {
    return { direction: -1, limit: mode === Overflow.Wrap ? wrapped() : min };
  }
  return FITS;
}

// ── BITCOUNT and BITPOS ranges ──────────────────────────────────────────────────────────

/**
 * A byte range after Redis's index rules, with masks of the bits outside a BIT range in its
 * first and last byte. start > end means empty.
 */
export interface ByteRange {
  start: number;
  end: number;
  /** Bits of byte `start` before the range (BIT unit); 0 when none. */
  firstByteOutside: number;
  /** Bits of byte `end` after the range (BIT unit); 0 when none. */
  lastByteOutside: number;
}

export function wholeValue(lengthBytes: number): ByteRange {
  return { start: 0, end: lengthBytes - 1, firstByteOutside: 0, lastByteOutside: 0 };
}

/**
 * start and end (inclusive, negative from the end, in bytes or bits) clamped to the value. In
 * BigInt until clamped: the arguments are any 64-bit integers, and doubles would merge
 * neighbouring huge ones that Redis tells apart.
 */
export function clampRange(
  start: bigint,
  end: bigint,
  lengthBytes: number,
  inBits: boolean,
): ByteRange {
  const total = BigInt(inBits ? lengthBytes * 8 : lengthBytes);
  if (start < 0n) start += total;
  if (end < 0n) end += total;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  if (!inBits || start > end) {
    return { start: Number(start), end: Number(end), firstByteOutside: 0, lastByteOutside: 0 };
  }
  const firstBit = Number(start & 7n);
  const lastBit = Number(end & 7n);
  return {
    start: Number(start >> 3n),
    end: Number(end >> 3n),
    firstByteOutside: ~((1 << (8 - firstBit)) - 1) & 0xff,
    lastByteOutside: (1 << (7 - lastBit)) - 1,
  };
}

/** findBit over one byte value. */
function findBitInByte(byte: number, bit: 0 | 1): number {
  const matches = bit === 1 ? byte : ~byte & 0xff;
  if (matches === 0) return bit === 1 ? -1 : 8;
  return Math.clz32(matches) - 24;
}

/**
 * BITPOS over a clamped range, as Redis walks it: the first byte with its outside bits forced
 * to the non-searched value, the whole bytes between, the last byte likewise. A search for 0
 * that runs off the end of an explicit range (`endGiven`) finds nothing; without an end the
 * value counts as followed by zeros.
 */
export function bitposInRange(
  value: Uint8Array,
  range: ByteRange,
  bit: 0 | 1,
  endGiven: boolean,
): number {
  if (range.start > range.end) return -1;
  const { end, firstByteOutside, lastByteOutside } = range;
  let start = range.start;
  let byteCount = end - start + 1;
  const edge = (byte: number, outside: number) =>
    bit === 1 ? byte & ~outside & 0xff : byte | outside;
  const found = (pos: number) => {
    if (endGiven && bit === 0 && pos === byteCount * 8) return -1;
    return pos === -1 ? -1 : pos + start * 8;
  };
  if (firstByteOutside !== 0) {
    let first = edge(value[start], firstByteOutside);
    if (lastByteOutside !== 0 && byteCount === 1) first = edge(first, lastByteOutside);
    const pos = findBitInByte(first, bit);
    if (byteCount === 1 || (pos !== -1 && pos !== 8)) return found(pos);
    start++;
    byteCount--;
  }
  const middleCount = byteCount - (lastByteOutside !== 0 ? 1 : 0);
  if (middleCount > 0) {
    const pos = findBit(value, start, middleCount, bit);
    if (byteCount === middleCount || (pos !== -1 && pos !== middleCount * 8)) return found(pos);
    start += middleCount;
    byteCount -= middleCount;
  }
  return found(findBitInByte(edge(value[end], lastByteOutside), bit));
}

// ── BITOP ───────────────────────────────────────────────────────────────────────────────

export const enum BitOp {
  And,
  Or,
  Xor,
  Not,
}

/**
 * Folds `source` into `result` (source no longer than result; missing bytes are zeros). Four
 * bytes at a time when both start on a word boundary (result is a fresh array; engine values
 * are allocated aligned), the rest byte by byte.
 */
export function foldSource(result: Uint8Array, source: Uint8Array, op: BitOp): void {
  const length = source.length;
  let i = 0;
  if (
    length >= WORD_LOOP_BYTES_MIN && result.byteOffset % WORD_BYTES === 0 &&
    source.byteOffset % WORD_BYTES === 0
  ) {
    const wordCount = Math.floor(length / WORD_BYTES);
    const into = new Uint32Array(result.buffer, result.byteOffset, wordCount);
    const from = new Uint32Array(source.buffer, source.byteOffset, wordCount);
    if (op === BitOp.And) { for (let w = 0; w < wordCount; w++) into[w] &= from[w]; }
    else if (op === BitOp.Or) { for (let w = 0; w < wordCount; w++) into[w] |= from[w]; }
    else for (let w = 0; w < wordCount; w++) into[w] ^= from[w];
    i = wordCount * WORD_BYTES;
  }
  if (op === BitOp.And) {
    for (; i < length; i++) result[i] &= source[i];
    result.fill(0, length);
  } else if (op === BitOp.Or) {
    for (; i < length; i++) result[i] |= source[i];
  } else {
    for (; i < length; i++) result[i] ^= source[i];
  }
}

// ── BITFIELD ops ────────────────────────────────────────────────────────────────────────

export const enum FieldOpKind {
  Get,
  Set,
  Incrby,
}

export interface FieldOp {
  kind: FieldOpKind;
  type: FieldType;
  /** Bit offset of the field's first bit. */
  offset: number;
  /** SET's value or INCRBY's increment (0 for GET). */
  operand: bigint;
  /** The OVERFLOW mode in force when this op was read. */
  overflow: Overflow;
}

/** A GET: the field as the type reads it. */
export function readFieldOp(edit: BitEdit, op: FieldOp): bigint {
  return op.type.signed
    ? readSigned(edit, op.offset, op.type.bits)
    : readUnsigned(edit, op.offset, op.type.bits);
}

/** What a SET or INCRBY replied and whether it changed the field. */
export interface FieldWrite {
  /** The reply: SET's old value, INCRBY's new one, null when OVERFLOW FAIL refused it. */
  reply: bigint | null;
  changed: boolean;
}

/**
 * Runs a SET or INCRBY on the edit (bitfieldGeneric): INCRBY stores and replies old + increment,
 * SET stores the value and replies the old one; out of range, WRAP stores the wrapped value,
 * SAT the limit, FAIL nothing (null reply).
 */
export function writeFieldOp(edit: BitEdit, op: FieldOp): FieldWrite {
  const { signed, bits } = op.type;
  const incrby = op.kind === FieldOpKind.Incrby;
  const old = signed ? readSigned(edit, op.offset, bits) : readUnsigned(edit, op.offset, bits);
  // An unsigned SET takes its signed argument as the same 64 bits read unsigned, as C converts.
  const value = incrby ? old : signed ? op.operand : BigInt.asUintN(64, op.operand);
  const increment = incrby ? op.operand : 0n;
  const check: OverflowCheck = signed
    ? signedOverflow(value, increment, bits, op.overflow)
    : unsignedOverflow(value, increment, bits, op.overflow);
  if (check.direction !== 0 && op.overflow === Overflow.Fail) {
    return { reply: null, changed: false };
  }
  const sum = signed ? value + increment : BigInt.asUintN(64, value + increment);
  const next = check.direction !== 0 ? check.limit : sum;
  writeField(edit, op.offset, bits, next);
  return { reply: incrby ? next : old, changed: old !== next };
}
