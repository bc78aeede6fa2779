// random.ts — the engine's one pseudo-random generator: xorshift64* (Vigna), seeded once by
// init from the host's crypto seed.
//
// Every draw in the engine comes from here: RANDOMKEY and eviction sampling, active expiry's
// samples, LFU's probabilistic counter, skiplist levels, HRANDFIELD / SRANDMEMBER / SPOP /
// ZRANDMEMBER. One state is enough: no consumer needs a sequence of its own, and interleaved
// draws from a good generator are as random as separate streams. The state is 64 bits and the
// step is three shifts and one multiply, so a draw costs a few cycles.
//
//   state' = state ^ state >> 12, then ^ << 25, then ^ >> 27      (xorshift64, never 0)
//   output = state' × 0x2545f4914f6cdd1d                          (high bits are the best)

/** Used when the host's seed is 0 (xorshift's state must never be 0). */
const SEED_DEFAULT: u64 = 0x9e3779b97f4a7c15;
const OUTPUT_MULTIPLIER: u64 = 0x2545f4914f6cdd1d;
/** 2^53: an output's top 53 bits over this are uniform in [0, 1). */
const UNIT_DIVISOR: f64 = 9007199254740992.0;

let state: u64 = SEED_DEFAULT;

/** Seeds the generator (init does, once per engine). */
export function seedRandom(seed: u64): void {
  state = seed == 0 ? SEED_DEFAULT : seed;
}

/** The next 64 random bits. */
@inline export function nextRandom(): u64 {
  let x = state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  state = x;
  return x * OUTPUT_MULTIPLIER;
}

/** Uniform in [0, n), n > 0 (from the high 32 bits; the modulo bias is below 2^-32 · n). */
@inline export function randomBelow(n: u32): u32 {
  assert(n > 0);
  return <u32>((nextRandom() >> 32) % <u64>n);
}

/** Uniform in [0, 1). */
@inline export function randomUnit(): f64 {
  return <f64>(nextRandom() >> 11) / UNIT_DIVISOR;
}
