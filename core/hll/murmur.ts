// The hash that picks an element's register: MurmurHash2 64-bit (MurmurHash64A) with Redis's
// seed, read little endian whatever the machine (Redis's endian-neutral variant). It must equal
// Redis's bit for bit, or the same PFADD would set different registers here than on a
// redis-server replica.
//
// JavaScript has no 64-bit integer arithmetic short of BigInt, which costs an allocation per
// operation; the hash runs once per PFADD element (and 10 M times in PFSELFTEST), so it works on
// 32-bit halves instead: a 64-bit product is assembled from Math.imul (the low words) and a
// 16-bit split (the carry into the high word). Results come back in two module-level words,
// so a hash allocates nothing.

import { HLL_P, HLL_Q, REGISTER_INDEX_MASK } from "./layout.ts";

/** Redis's seed for HyperLogLog hashes (hllPatLen). */
export const HLL_HASH_SEED = 0xadc83b19;

const M_HIGH = 0xc6a4a793; // m = 0xc6a4a7935bd1e995
const M_LOW = 0x5bd1e995;
/** Murmur's shift r = 47 = 32 + 15: on 32-bit halves, `x >>> 47` is `high >>> 15` in the low word. */
const R_IN_HIGH_WORD = 47 - 32;

let productHigh = 0;
let productLow = 0;

/** (aHigh:aLow × bHigh:bLow) mod 2^64 into productHigh:productLow. */
function multiply64(aHigh: number, aLow: number, bHigh: number, bLow: number): void {
  const a0 = aLow & 0xffff;
  const a1 = aLow >>> 16;
  const b0 = bLow & 0xffff;
  const b1 = bLow >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const carry = ((p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)) >>> 16;
  const lowProductHigh = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + carry;
  productLow = Math.imul(aLow, bLow) >>> 0;
  productHigh = (lowProductHigh + Math.imul(aLow, bHigh) + Math.imul(aHigh, bLow)) >>> 0;
}

let hashHigh = 0;
let hashLow = 0;

/** MurmurHash64A of bytes[start, end) with `seed` (32-bit) into hashHigh:hashLow. */
function murmurHash64A(bytes: Uint8Array, start: number, end: number, seed: number): void {
  const length = end - start;
  // h = seed ^ (len * m); len < 2^32 here (an argument is at most proto-max-bulk-len).
  multiply64(0, length >>> 0, M_HIGH, M_LOW);
  let high = productHigh;
  let low = (productLow ^ seed) >>> 0;
  const blocksEnd = start + (length - (length & 7));
  for (let i = start; i < blocksEnd; i += 8) {
    let kLow = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>>
      0;
    let kHigh =
      (bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24)) >>> 0;
    multiply64(kHigh, kLow, M_HIGH, M_LOW);
    kHigh = productHigh;
    kLow = (productLow ^ (kHigh >>> R_IN_HIGH_WORD)) >>> 0;
    multiply64(kHigh, kLow, M_HIGH, M_LOW);
    multiply64((high ^ productHigh) >>> 0, (low ^ productLow) >>> 0, M_HIGH, M_LOW);
    high = productHigh;
    low = productLow;
  }
  const tail = length & 7;
  if (tail > 0) {
    // Bytes 0..3 of the tail go into the low word, 4..6 into the high word.
    for (let j = tail - 1; j >= 0; j--) {
      const byte = bytes[blocksEnd + j];
      if (j >= 4) high = (high ^ (byte << ((j - 4) * 8))) >>> 0;
      else low = (low ^ (byte << (j * 8))) >>> 0;
    }
    multiply64(high, low, M_HIGH, M_LOW);
    high = productHigh;
    low = productLow;
  }
  low = (low ^ (high >>> R_IN_HIGH_WORD)) >>> 0;
  multiply64(high, low, M_HIGH, M_LOW);
  hashHigh = productHigh;
  hashLow = (productLow ^ (productHigh >>> R_IN_HIGH_WORD)) >>> 0;
}

/**
 * The 64-bit MurmurHash64A of `bytes` as a bigint: for tests and tools; the hot path uses
 * hllPattern, which allocates nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { murmurHash64ABigInt } from "./murmur.ts";
 * assert.equal(typeof murmurHash64ABigInt(new Uint8Array([1, 2, 3]), 0xadc83b19), "bigint");
 * ```
 */
export function murmurHash64ABigInt(bytes: Uint8Array, seed: number): bigint {
  murmurHash64A(bytes, 0, bytes.length, seed);
  return (BigInt(hashHigh) << 32n) | BigInt(hashLow);
}

/** Bits a pattern keeps its register index in (the count sits above them). */
const PATTERN_INDEX_BITS = HLL_P;

/**
 * Where `element` lands in a HyperLogLog, packed in one number: the register index (the low
 * 14 bits of the hash) and the count, one more than the zero bits above the index before the
 * first one (1..51, the hash having a one forced at bit 64 so the run ends). Read it with
 * patternIndex and patternCount.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hllPattern, patternCount, patternIndex } from "./murmur.ts";
 * const pattern = hllPattern(new TextEncoder().encode("a"), 0, 1);
 * assert.ok(patternIndex(pattern) < 16384 && patternCount(pattern) >= 1);
 * ```
 */
export function hllPattern(bytes: Uint8Array, start = 0, end = bytes.length): number {
  murmurHash64A(bytes, start, end, HLL_HASH_SEED);
  const index = hashLow & REGISTER_INDEX_MASK;
  // hash >> P, with a one at bit Q so the run of zeroes is at most Q long.
  const low = ((hashLow >>> HLL_P) | (hashHigh << (32 - HLL_P))) >>> 0;
  const high = (hashHigh >>> HLL_P) | (1 << (HLL_Q - 32));
  const count = low !== 0 ? 1 + trailingZeros(low) : 33 + trailingZeros(high);
  return (count << PATTERN_INDEX_BITS) | index;
}

export function patternIndex(pattern: number): number {
  return pattern & REGISTER_INDEX_MASK;
}

export function patternCount(pattern: number): number {
  return pattern >>> PATTERN_INDEX_BITS;
}

function trailingZeros(word: number): number {
  return 31 - Math.clz32(word & -word);
}
