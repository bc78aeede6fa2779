// bytes.ts — byte strings, and what every chained hash table in the engine shares.
//
// The keyspace (dict.ts) and the large collection encodings (hash_table.ts, set_table.ts,
// zset_skiplist.ts's member hash) are all power-of-two bucket arrays of chains, keyed by byte
// strings. They share one seeded hash (so a client cannot aim keys at one chain without the
// seed), one equality test, one sizing rule and one SCAN cursor order; this file holds those,
// and nothing that knows a table's layout.
//
//   hashBytes        seeded 64-bit multiply–rotate over 8-byte words, folded to 32 bits
//   bucketCountFor   a power of two in [BUCKET_COUNT_MIN, 2^30] holding n chains
//   reverseIncrement the cursor after v under mask, counting from the mask's top bit down:
//                    for mask 7: 0 → 4 → 2 → 6 → 1 → 5 → 3 → 7 → 0

/** Smallest bucket array of any table. */
export const BUCKET_COUNT_MIN: u32 = 4;
/** Largest bucket array (keeps bucket indexes and byte offsets inside u32). */
const BUCKET_COUNT_MAX: u32 = 0x40000000;

const HASH_MUL_A: u64 = 0x9e3779b97f4a7c15;
const HASH_MUL_B: u64 = 0xc2b2ae3d27d4eb4f;
const HASH_MUL_C: u64 = 0x165667b19e3779f9;

let hashSeed: u64 = 0x243f6a8885a308d3;

/** Seeds hashBytes (init does, once per engine, before any key exists). */
export function setHashSeed(seed: u64): void {
  hashSeed = seed;
}

// ── Hashing ─────────────────────────────────────────────────────────────────────────────

/** Seeded 64-bit multiply–rotate hash over bytes, folded to 32 bits. */
export function hashBytes(ptr: usize, len: u32): u32 {
  let h: u64 = hashSeed ^ (<u64>len * HASH_MUL_A);
  let i: usize = 0;
  const n = <usize>len;
  while (i + 8 <= n) {
    h = absorb(h, load<u64>(ptr + i));
    i += 8;
  }
  if (i < n) {
    let tail: u64 = 0;
    let shift: u64 = 0;
    while (i < n) {
      tail |= <u64>load<u8>(ptr + i) << shift;
      shift += 8;
      i++;
    }
    h = absorb(h, tail ^ (<u64>0xff << shift));
  }
  h ^= h >> 32;
  h *= HASH_MUL_C;
  h ^= h >> 29;
  return <u32>h;
}

@inline function absorb(h: u64, word: u64): u64 {
  let w = word * HASH_MUL_B;
  w ^= w >> 31;
  return rotl<u64>(h ^ w, 27) * HASH_MUL_A + 0x52dce729;
}

// ── Comparing ───────────────────────────────────────────────────────────────────────────

/** Byte equality of two ranges of the same length. */
@inline export function bytesEqual(a: usize, b: usize, len: u32): bool {
  let i: usize = 0;
  const n = <usize>len;
  while (i + 8 <= n) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  while (i < n) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
    i++;
  }
  return true;
}

/** memcmp order of two byte strings, a proper prefix first: < 0, 0 or > 0. */
export function compareBytes(a: usize, aLen: u32, b: usize, bLen: u32): i32 {
  const n = aLen < bLen ? aLen : bLen;
  const c = n == 0 ? 0 : memory.compare(a, b, <usize>n);
  if (c != 0) return c;
  return aLen < bLen ? -1 : aLen > bLen ? 1 : 0;
}

// ── Bucket arrays ───────────────────────────────────────────────────────────────────────

/** Bucket count for n entries: the next power of two ≥ n, within the table limits. */
@inline export function bucketCountFor(n: u32): u32 {
  if (n <= BUCKET_COUNT_MIN) return BUCKET_COUNT_MIN;
  if (n > BUCKET_COUNT_MAX) return BUCKET_COUNT_MAX;
  return <u32>1 << (32 - clz<u32>(n - 1));
}

@inline function reverseBits(v: u32): u32 {
  v = ((v >> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  return bswap<u32>(v);
}

/**
 * Adds one to the cursor's bits under mask, counting from the mask's top bit down (Redis's
 * reverse-binary cursor: entries present for a whole walk are visited across resizes).
 */
@inline export function reverseIncrement(v: u32, mask: u32): u32 {
  return reverseBits(reverseBits(v | ~mask) + 1);
}
